/** Where a new learned profile is proposed (client/src/learnTarget.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { insideFolder, proposedProfileFile, referencedProfileFiles } from '../../client/src/learnTarget';

const examples = fs.readFileSync(path.join(import.meta.dirname, '../../examples/phantom-fragment.yaml'), 'utf8');

test("the example configuration's references are found", () => {
  assert.deepEqual(referencedProfileFiles(examples), ['profiles/python.seccomp.json', 'profiles/workspace.landlock.json']);
});

test('a profile without a seccomp file gets one where the other profiles live (profiles/), not at the root', () => {
  // Before: examples/node.seccomp.json, beside the configuration.
  assert.equal(proposedProfileFile(examples, 'node', false), 'profiles/node.seccomp.json');
});

test('without references: profiles/ when that folder exists, else beside the configuration', () => {
  const bare = 'version: 1\nprofiles:\n  python:\n    run: [python3, x.py]\n';
  assert.equal(proposedProfileFile(bare, 'python', true), 'profiles/python.seccomp.json');
  assert.equal(proposedProfileFile(bare, 'python', false), 'python.seccomp.json');
  assert.equal(proposedProfileFile('profiles:\n  a:\n    seccomp: "/etc/x.json"\n', 'b', false), 'b.seccomp.json', 'absolute references are not a place for new files');
  assert.equal(proposedProfileFile('profiles:\n  a:\n    seccomp: policy/a.seccomp.yaml\n', 'b w', false), 'policy/b-w.seccomp.json');
});

test('attack: a configuration naming x/../../… or an absolute profile file never chooses where a new learned file goes', () => {
  const planted = 'version: 1\nprofiles:\n  a:\n    seccomp: x/../../../../root/.config/autostart/a.seccomp.json\n  b:\n    seccomp: x/../../../../root/.config/autostart/b.seccomp.json\n  c:\n    run: [true]\n';
  assert.equal(proposedProfileFile(planted, 'c', false), 'c.seccomp.json');
  assert.equal(insideFolder('/ws/profiles/c.seccomp.json', '/ws'), true);
  assert.equal(insideFolder('/ws/x/../../root/.config/autostart/c.seccomp.json', '/ws'), false);
  assert.equal(insideFolder('/etc/c.seccomp.json', '/ws'), false);
  assert.equal(insideFolder('/ws', '/ws'), false);
});

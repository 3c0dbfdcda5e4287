/**
 * Shown = enforced (issue #12): every layer of a profile only narrows. A profile that keeps the workspace
 * read-only gets it as a read-only mount; a profile's own Landlock policy is a Landlock layer of its own on top of
 * its fragments' rules, so it can narrow what they grant and never widen it. Real runs of the real sandbox.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
let dir: string;
let state: string;

function phantom(args: string[], cwd = dir) {
  const r = spawnSync(CLI, args, { cwd, encoding: 'utf8', input: '', timeout: 60_000, env: { ...process.env, XDG_STATE_HOME: state } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Approves the profile (it asks for more than the defaults), then runs it. */
function trustedRun(profile: string, file: string) {
  const trust = phantom(['trust', '--config', 'phantom-fragment.yaml', '--profile', profile, '--file', file]);
  assert.equal(trust.code, 0, trust.stderr);
  return phantom(['run', '--config', 'phantom-fragment.yaml', '--profile', profile, '--file', file]);
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-shown-'));
  state = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-shown-state-'));
  fs.cpSync(path.join(REPO, 'examples'), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'write.py'), [
    'try:',
    "    open('inside.txt', 'w').write('x')",
    "    print('wrote')",
    'except OSError as e:',
    "    print('refused', e.errno)",
    "print(open('hello.py').read().splitlines()[0])",
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'write.sh'), 'if echo x > inside.txt; then echo wrote; else echo refused; fi; cat hello.sh | head -1\n');
  fs.writeFileSync(path.join(dir, 'profiles/read-only.landlock.json'), JSON.stringify({
    abi: 1,
    ruleset: [{ handledAccessFs: ['abi.all'] }],
    pathBeneath: [
      { allowedAccess: ['abi.read_execute'], parent: ['/usr', '/etc', '/bin', '/lib', '/lib64', '/proc', '.'] },
      { allowedAccess: ['read_file', 'write_file'], parent: ['/dev/null'] },
    ],
  }));
  // Appended to the example's configuration: its fragments grant write on the workspace, its Landlock file only read.
  fs.appendFileSync(path.join(dir, 'phantom-fragment.yaml'), '');
  const config = fs.readFileSync(path.join(dir, 'phantom-fragment.yaml'), 'utf8').replace('profiles:\n', [
    'profiles:',
    '  narrowed:',
    '    run: [sh, "${file}"]',
    '    fragments: [shell, workspace-write]',
    '    landlock: profiles/read-only.landlock.json',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'phantom-fragment.yaml'), config);
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(state, { recursive: true, force: true });
});

test("the example's python profile keeps the workspace read-only: a write fails, reading works, nothing reaches the host", () => {
  const r = trustedRun('python', 'write.py');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^refused 30\n/, 'EROFS: the workspace is a read-only mount');
  assert.match(r.stdout, /A first script/);
  assert.equal(fs.existsSync(path.join(dir, 'inside.txt')), false);
});

test("a profile's Landlock file narrows what its fragments grant: write on the workspace refused", () => {
  const r = trustedRun('narrowed', 'write.sh');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^refused\n/);
  assert.equal(fs.existsSync(path.join(dir, 'inside.txt')), false);
});

test('a profile whose fragments grant write on the workspace can still write it', () => {
  const r = trustedRun('shell', 'write.sh');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^wrote\n/);
  assert.equal(fs.readFileSync(path.join(dir, 'inside.txt'), 'utf8'), 'x\n');
  fs.rmSync(path.join(dir, 'inside.txt'));
});

/**
 * The runtime's `phantom/learn` request asked for both proposals (the editor's "Learn seccomp and Landlock
 * profiles"): ONE recording in the profile's own sandbox gives the seccomp and the Landlock proposal, each proven by
 * replay; the profile's own Landlock file is what is learned, so it is left out of the recording sandbox (as its
 * seccomp file is), while the profile's other settings (read-only workspace, a `${workspaceFolder}` grant) hold.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LearnProfileRequest } from '../../runtime/src/protocol';
import { parseLandlockProfile } from '../../runtime/src/landlockProfileLoader';
import { TestRuntime } from '../support/runtimeClient';

let runtime: TestRuntime;
let dir: string;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-learn-ll-'));
  fs.mkdirSync(path.join(dir, 'out'));
  fs.mkdirSync(path.join(dir, 'profiles'));
  fs.writeFileSync(path.join(dir, 'data.txt'), 'input\n');
  fs.writeFileSync(path.join(dir, 'probe.sh'), [
    'cat data.txt > out/copy.txt',
    'if echo y > top.txt 2>/dev/null; then echo writable; else echo read-only; fi',
    '',
  ].join('\n'));
  // The profile's own Landlock file refuses reading data.txt: were it applied while learning, the recording could not see the read.
  fs.writeFileSync(path.join(dir, 'profiles/narrow.landlock.json'), JSON.stringify({
    abi: 6, ruleset: [{ handledAccessFs: ['abi.all'] }],
    pathBeneath: [{ allowedAccess: ['abi.read_execute'], parent: ['/usr', '/bin', '/lib', '/lib64', '/etc'] }],
  }, null, 2));
  fs.writeFileSync(path.join(dir, 'phantom-fragment.yaml'), [
    'version: 1',
    'profiles:',
    '  probe:',
    '    run: [sh, probe.sh]',
    '    fragments: [shell, workspace-read]',
    '    landlock: profiles/narrow.landlock.json',
    '    filesystem:',
    '      readWrite: ["${workspaceFolder}/out"]',
    '',
  ].join('\n'));
  runtime = new TestRuntime();
});

after(async () => {
  assert.equal(await runtime.stop(), 0);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('phantom/learn with learn: [seccomp, landlock] — one recording, both proposals proven, in the profile\'s own sandbox', { timeout: 180_000 }, async () => {
  const r = await runtime.connection.sendRequest(LearnProfileRequest, {
    learnId: 'both', argv: [], cwd: dir, format: 'json', config: path.join(dir, 'phantom-fragment.yaml'), profile: 'probe',
    learn: ['seccomp', 'landlock'], landlock: { format: 'json', replays: 2 },
  });
  assert.equal(r.status, 'verified', r.reason);
  assert.ok(r.landlock, 'the Landlock proposal is there');
  assert.equal(r.landlock.status, 'verified', r.landlock.reason);
  assert.equal(r.landlock.replays.alone, 2);
  assert.equal(r.landlock.replays.withSeccomp, 2, 'replayed together with the proven seccomp proposal');
  assert.equal(r.landlock.workspace, dir);
  // The read the profile's own (narrow) file would refuse was recorded: that file is what is learned, not applied.
  assert.ok(r.landlock.usedPaths[path.join(dir, 'data.txt')]?.includes('read_file'), JSON.stringify(r.landlock.usedPaths));
  assert.ok(r.landlock.usedPaths[path.join(dir, 'out/copy.txt')]?.some((x) => x === 'write_file' || x === 'make_reg'));
  const config = parseLandlockProfile(r.landlock.text, 'proposed.landlock.json');
  assert.ok(config.pathBeneath.some((rule) => rule.parent.includes('${workspaceFolder}')), r.landlock.text);
});

test('phantom/learn with learn: [landlock] only — the seccomp proposal is not replayed', { timeout: 180_000 }, async () => {
  const r = await runtime.connection.sendRequest(LearnProfileRequest, {
    learnId: 'll', argv: ['sh', 'probe.sh'], cwd: dir, format: 'json', config: path.join(dir, 'phantom-fragment.yaml'), profile: 'probe',
    learn: ['landlock'], landlock: { format: 'yaml', replays: 1 },
  });
  assert.equal(r.status, 'skipped');
  assert.equal(r.landlock?.status, 'verified', r.landlock?.reason);
  assert.equal(r.landlock?.replays.withSeccomp, 0);
  assert.match(r.landlock!.text, /^abi: \d+$/m, 'YAML as asked');
});

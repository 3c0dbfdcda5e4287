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

import { spawnSync } from 'node:child_process';
import { REPO } from '../support/fixtures';
import { TestRuntime } from '../support/runtimeClient';
import { loadLandlockProfile as loadLandlockModel } from '../../model';

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
  const config = loadLandlockModel('proposed.landlock.json', r.landlock.text).profile();
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

test('a profile\'s own Landlock file on top of its fragments only narrows: no approval asked for its ABI or parents, and it is enforced', { timeout: 60_000 }, () => {
  // ABI 1 handles no truncate/refer, and it names a folder outside the workspace: as the only layer both would widen
  // the built-in sandbox, but stacked on the fragments' layer an access must pass both.
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-learn-ll-state-'));
  const own = path.join(dir, 'profiles/abi1.landlock.json');
  fs.writeFileSync(own, JSON.stringify({
    abi: 1, ruleset: [{ handledAccessFs: ['abi.all'] }],
    pathBeneath: [{ allowedAccess: ['abi.read_execute'], parent: ['/usr', '/bin', '/lib', '/lib64', '/etc', '/opt', '.'] }],
  }, null, 2));
  const config = path.join(dir, 'phantom-fragment.yaml');
  const original = fs.readFileSync(config, 'utf8');
  fs.writeFileSync(config, original.replace('landlock: profiles/narrow.landlock.json', 'landlock: profiles/abi1.landlock.json'));
  try {
    const run = (argv: string[]) => spawnSync(process.execPath, [path.join(REPO, 'dist/cli.js'), 'run', '--config', config, '--profile', 'probe', '--', ...argv], {
      cwd: dir, encoding: 'utf8', input: '', timeout: 30_000, env: { ...process.env, XDG_STATE_HOME: state },
    });
    const read = run(['cat', 'data.txt']);
    assert.equal(read.status, 0, read.stderr);
    assert.doesNotMatch(read.stderr, /asks for more than the built-in sandbox gives/);
    assert.equal(read.stdout, 'input\n');
    // out/ is writable for the fragments' layer (readWrite) but not for the own layer (read/execute only): refused.
    const write = run(['sh', '-c', 'echo x > out/denied.txt']);
    assert.notEqual(write.status, 0, 'the own layer narrows what the fragments grant');
    assert.equal(fs.existsSync(path.join(dir, 'out/denied.txt')), false);
  } finally {
    fs.writeFileSync(config, original);
    fs.rmSync(state, { recursive: true, force: true });
  }
});

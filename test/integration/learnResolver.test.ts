/**
 * `phantom learn --profile` learns in the profile's own sandbox, built by the resolver `phantom run` uses (issue #12):
 * `${workspaceFolder}` paths substituted (not dropped), hidden paths hidden, the workspace read-only when the profile
 * keeps it so, and every sandbox option of `phantom run` accepted.
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

function phantom(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', input: '', timeout: 120_000, env: { ...process.env, XDG_STATE_HOME: state } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-learnres-'));
  state = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-learnres-state-'));
  fs.mkdirSync(path.join(dir, 'secret'));
  fs.writeFileSync(path.join(dir, 'secret/key'), 'k\n');
  fs.mkdirSync(path.join(dir, 'out'));
  fs.writeFileSync(path.join(dir, 'probe.sh'), [
    'ls secret > out/secret.txt',
    'if echo y > top.txt 2>/dev/null; then echo writable > out/top.txt; else echo read-only > out/top.txt; fi',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'phantom-fragment.yaml'), [
    'version: 1',
    'profiles:',
    '  probe:',
    '    run: [sh, "${file}"]',
    '    fragments: [shell, workspace-read]',
    '    filesystem:',
    '      readWrite: ["${workspaceFolder}/out"]',
    '      hidden: ["${workspaceFolder}/secret"]',
    '',
  ].join('\n'));
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(state, { recursive: true, force: true });
});

test("learn --profile runs in the profile's sandbox: its ${workspaceFolder} grant, hidden path and read-only workspace", () => {
  const r = phantom(['learn', '--profile', 'probe', '--file', 'probe.sh', '--runs', '1', '--out', path.join(state, 'probe.seccomp.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.readFileSync(path.join(dir, 'out/secret.txt'), 'utf8'), '', 'the hidden folder is empty in the sandbox');
  assert.equal(fs.readFileSync(path.join(dir, 'out/top.txt'), 'utf8'), 'read-only\n');
  assert.equal(fs.existsSync(path.join(dir, 'top.txt')), false);
});

test('learn takes the sandbox options of run (but --seccomp, which is what it learns)', () => {
  const help = phantom(['learn', '--help']).stdout;
  for (const option of ['--config', '--profile', '--file', '--landlock', '--best-effort', '--network', '--ro', '--rw', '--memory', '--pids', '--timeout', '--env']) {
    assert.match(help, new RegExp(`${option}\\b`), option);
  }
  assert.doesNotMatch(help, /--seccomp\b/);
  const r = phantom(['learn', '--network', 'loopback', '--memory', '256M', '--pids', '32', '--env', 'A=1', '--ro', '/usr', '--runs', '1', '--out', path.join(state, 'true.seccomp.json'), '--', '/bin/true']);
  assert.equal(r.code, 0, r.stderr);
});

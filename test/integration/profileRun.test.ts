/** Runs under profiles of phantom-fragment.yaml: the effective policy enforced by the real sandbox. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
let dir: string;

function phantom(args: string[], cwd = dir) {
  const r = spawnSync(CLI, args, { cwd, encoding: 'utf8', input: '', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-profile-'));
  fs.mkdirSync(path.join(dir, '.git'));
  fs.writeFileSync(path.join(dir, '.git/HEAD'), 'ref: refs/heads/secret\n');
  fs.writeFileSync(path.join(dir, 'script.sh'), 'echo "script ran in $(hostname)"\n');
  fs.writeFileSync(
    path.join(dir, 'phantom-fragment.yaml'),
    [
      'version: 1',
      'profiles:',
      '  shell:',
      '    match: ["**/*.sh"]',
      '    run: [sh, "${file}"]',
      '    fragments: [shell, workspace-write]',
      '    filesystem:',
      '      hidden: ["${workspaceFolder}/.git"]',
      '  bare:',
      '    fragments: [shell]',
      '  unlocked:',
      '    fragments: [shell, workspace-write]',
      '  locking:',
      '    fragments: [shell, workspace-write, locks]',
      '  output-limited:',
      '    limits:',
      '      output: 1M',
      'fragments:',
      '  locks:',
      '    description: flock(2) for lock files',
      '    syscalls: [flock]',
      '',
    ].join('\n'),
  );
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("the profile whose match fits the file runs the profile's command", () => {
  const r = phantom(['run', '--config', 'phantom-fragment.yaml', '--file', 'script.sh']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'script ran in phantom\n');
  assert.match(r.stderr, /profile 'shell' of .*phantom-fragment\.yaml/);
});

test('filesystem.hidden covers a folder inside the writable workspace', () => {
  const r = phantom(['run', '--profile', 'shell', '--', 'sh', '-c', 'ls -A .git | wc -l; cat .git/HEAD; echo x > .git/planted; echo done']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '0\ndone\n');
  assert.match(r.stderr, /HEAD: No such file/);
  assert.match(r.stderr, /Read-only file system/);
  assert.ok(!fs.existsSync(path.join(dir, '.git/planted')));
});

test("fragments alone make an allowlist: a syscall no fragment grants is denied, the fragment that grants it allows it", () => {
  // flock(1) calls flock(2); only the declared `locks` fragment grants it (workspace-write lets it open the file).
  const denied = phantom(['run', '--profile', 'unlocked', '--', 'flock', 'lockfile', 'echo', 'locked']);
  assert.notEqual(denied.code, 0);
  assert.doesNotMatch(denied.stdout, /locked/);
  assert.match(denied.stderr, /flock: lockfile: Operation not permitted/);
  const allowed = phantom(['run', '--profile', 'locking', '--', 'flock', 'lockfile', 'echo', 'locked']);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(allowed.stdout, 'locked\n');
});

test("the fragments' allowlist keeps the default profile's safeguards (clone3 ENOSYS, no namespaces)", () => {
  const r = phantom(['run', '--profile', 'bare', '--', 'sh', '-c', 'unshare -U true; echo "unshare: $?"']);
  assert.match(r.stdout, /unshare: [1-9]/);
});

test('limits.output is enforced: the run is stopped at the limit and told so', () => {
  const r = phantom(['run', '--profile', 'output-limited', '--', 'sh', '-c', 'yes phantom-output-line']);
  assert.equal(r.code, 137, r.stderr);
  assert.equal(r.stdout.length, 1024 * 1024, 'exactly the limit passes');
  assert.match(r.stderr, /the output limit of 1048576 bytes was reached: the run was stopped/);
});

test('an unknown profile is a 125 with a suggestion; no matching profile names the choices', () => {
  const unknown = phantom(['run', '--profile', 'shel', '--', 'true']);
  assert.equal(unknown.code, 125);
  assert.match(unknown.stderr, /no profile 'shel'\. Did you mean 'shell'\?/);
  const none = phantom(['run', '--config', 'phantom-fragment.yaml', '--file', 'x.py']);
  assert.equal(none.code, 125);
  assert.match(none.stderr, /no profile's match fits .*x\.py — name one with --profile \(profiles: shell, bare, unlocked, locking, output-limited\)/);
});

test('the examples run under their profiles', () => {
  const examples = path.join(REPO, 'examples');
  const py = phantom(['run', '--profile', 'python', '--file', 'hello.py'], examples);
  assert.equal(py.code, 0, py.stderr);
  assert.match(py.stdout, /Hello from the sandbox/);
  const sh = phantom(['run', '--config', 'phantom-fragment.yaml', '--file', 'hello.sh'], examples);
  assert.equal(sh.code, 0, sh.stderr);
  assert.match(sh.stdout, /\/usr is read-only, as it should be/);
});

// Issue 11, attack 5, for real: a sandbox tries to leave a set-id binary in its writable workspace (`cp /usr/bin/id x;
// chmod 4755 x`, fchmod, fchmodat, open(O_CREAT, 04755), mknod). As root the workspace is root-owned and shown through
// an idmapped mount, so such a file would be a set-user-id ROOT binary on the host. Checked on the host side after
// the run, by stat. The helper's own guard must hold without any seccomp profile of the runtime's (no filter at all,
// and a profile that allows everything), cold and warm, as root and as nobody.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, REPO } from '../support/fixtures';
import type { SandboxSpec } from '../../runtime/src/sandbox/sandboxSpawn';
import { ZygoteManager } from '../../runtime/src/zygote/zygoteManager';

const CLI = path.join(REPO, 'dist/cli.js');
const HELPER = path.join(REPO, 'dist/native/phantom-sandbox');
const SHELL_ATTACK = 'cp /usr/bin/id x2 && chmod 4755 x2; echo "shell-chmod:$?"; /usr/bin/python3 setid-attack.py';
const dirs: string[] = [];
let allowAll: string;

before(() => {
  allowAll = path.join(mkdtempSync(path.join(os.tmpdir(), 'phantom-allowall-')), 'allow-all.seccomp.json');
  dirs.push(path.dirname(allowAll));
  chmodSync(path.dirname(allowAll), 0o755); // nobody reads it too
  writeFileSync(allowAll, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [] }));
});

after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh root-owned workspace with the attack script in it. */
function workspace(mode = 0o755): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-setid-'));
  dirs.push(dir);
  chmodSync(dir, mode);
  copyFileSync(path.join(FIXTURES, 'security/setid-attack.py'), path.join(dir, 'setid-attack.py'));
  return dir;
}

/** On the host, after the run: no file the sandbox made carries a set-id bit. */
function assertNoSetid(dir: string, output: string): void {
  assert.match(output, /RESULTS /, `the attack did not run:\n${output}`);
  const made = ['x', 'x2', 'y', 'z'].filter((f) => existsSync(path.join(dir, f)));
  assert.ok(made.includes('x'), `the sandbox could not even write its workspace:\n${output}`);
  for (const f of made) {
    const st = statSync(path.join(dir, f));
    assert.equal(st.mode & 0o6000, 0, `${f} is set-id on the host (owner uid ${st.uid}, mode ${st.mode.toString(8)}):\n${output}`);
  }
  assert.doesNotMatch(output, /(chmod|fchmod|fchmodat|open-creat|mknod)-\d+:ok/, output);
  assert.match(output, /chmod-4755:EPERM/);
}

test('as root, no seccomp filter at all: the helper guard refuses every set-id mode in the idmapped workspace', () => {
  const dir = workspace();
  const r = spawnSync(HELPER, ['--cwd', dir, '--env', 'PATH=/usr/bin:/bin', '--', '/bin/sh', '-c', SHELL_ATTACK], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assertNoSetid(dir, r.stdout);
  assert.equal(statSync(path.join(dir, 'x')).uid, 0, 'control: the workspace is root-owned, so its new files belong to root on the host');
});

test('as root, under a seccomp profile that allows everything: still no set-id file', () => {
  const dir = workspace();
  const r = spawnSync(process.execPath, [CLI, 'run', '--seccomp', allowAll, '--', '/bin/sh', '-c', SHELL_ATTACK], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assertNoSetid(dir, r.stdout);
});

test('as root, from a warm zygote: the guard is part of the prepared sandbox', async () => {
  const dir = workspace();
  const manager = new ZygoteManager({ acceptTimeoutMs: 5000 });
  try {
    const spec: SandboxSpec = { argv: ['/bin/sh', '-c', SHELL_ATTACK], cwd: dir, env: { PATH: '/usr/bin:/bin' }, network: 'none', readOnly: [], readWrite: [], timeoutSeconds: 30 };
    const first = manager.spawn(spec, { pool: { min: 1, max: 1 } });
    first.stdin.end();
    first.stdout.resume();
    await first.exited;
    for (const f of ['x', 'x2', 'y', 'z']) rmSync(path.join(dir, f), { force: true });
    assert.ok(await manager.whenWarm(spec, 10_000), 'no warm zygote');
    const warm = manager.spawn(spec);
    warm.stdin.end();
    let out = '';
    warm.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exit = await warm.exited;
    assert.equal(exit.warm, true);
    assertNoSetid(dir, out);
  } finally {
    manager.dispose();
  }
});

test('as nobody: no set-id file either', () => {
  const dir = workspace(0o777);
  const r = spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'env', 'HOME=/nonexistent',
    process.execPath, CLI, 'run', '--seccomp', allowAll, '--', '/bin/sh', '-c', SHELL_ATTACK], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assertNoSetid(dir, r.stdout);
});

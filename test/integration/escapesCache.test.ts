// Escape through the compiled-policy cache, made for real (issue "Sandbox hardening", attack 8), as root and as
// nobody: with the cache folder inside the workspace (XDG_CACHE_HOME there, or a run started from the home
// folder), a run rewrites every cached `.bpf` to "allow everything"; the next run's unshare must still fail.
// Also: what reaches the helper is a sealed memfd, and the helper refuses an unsealed one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
const HELPER = path.join(REPO, 'dist/native/phantom-sandbox');
const NOBODY = 65534;
let dir: string;
let probe: string;

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-escapes-cache-'));
  chmodSync(dir, 0o755);
  probe = path.join(dir, 'syscall-probe');
  const cc = spawnSync('cc', ['-O1', '-o', probe, path.join(FIXTURES, 'security/syscall-probe.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, `cc failed (install gcc): ${cc.stderr}`);
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** One seccomp instruction, RET ALLOW: the program the attacker wants the next run to install. */
const ALLOW_ALL = String.raw`\006\000\000\000\000\000\377\177`;

function phantomAs(user: 'root' | 'nobody', cwd: string, env: Record<string, string>, args: string[]) {
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const argv = ['env', '-u', 'XDG_CACHE_HOME', ...envArgs, process.execPath, CLI, ...args];
  const full = user === 'root' ? argv : ['setpriv', '--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', ...argv];
  const r = spawnSync(full[0], full.slice(1), { cwd, input: '', encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workspace(user: 'root' | 'nobody'): string {
  const work = mkdtempSync(path.join(dir, `${user}-`));
  if (user === 'nobody') chownSync(work, NOBODY, NOBODY);
  spawnSync('cp', [probe, path.join(work, 'syscall-probe')]);
  chmodSync(path.join(work, 'syscall-probe'), 0o755);
  return work;
}

const rewriteEveryBpf = `for f in $(find . -name '*.bpf'); do printf '${ALLOW_ALL}' > "$f" && echo rewrote "$f"; done; true`;

for (const user of ['root', 'nobody'] as const) {
  for (const where of ['XDG_CACHE_HOME inside the workspace', 'a run started from the home folder'] as const) {
    test(`${user}, ${where}: a run cannot rewrite the cached policy of the next run`, () => {
      const work = workspace(user);
      const env: Record<string, string> = where === 'a run started from the home folder'
        // The approval store elsewhere: it would refuse the run first (its own test is trust.test.ts); here the cache is.
        ? { HOME: work, XDG_STATE_HOME: '/nonexistent/state' }
        : { HOME: user === 'root' ? os.homedir() : '/nonexistent', XDG_CACHE_HOME: path.join(work, 'cache') };
      const attack = phantomAs(user, work, env, ['run', '--', '/bin/sh', '-c', rewriteEveryBpf]);
      assert.doesNotMatch(attack.stdout, /rewrote/, 'the workload rewrote a cached program');
      assert.equal(attack.code, 125, attack.stderr);
      assert.match(attack.stderr, /the policy cache folder \S*phantom-fragment is inside \S+, which this sandbox can write/);
      const next = phantomAs(user, work, env, ['run', '--', './syscall-probe', 'unshare', 'getpid']);
      assert.doesNotMatch(next.stdout, /unshare ok/, 'unshare succeeded after the cache was rewritten');
      assert.equal(next.code, 125, next.stderr);
    });
  }

  test(`${user}: with the cache outside the workspace the same runs work, and the filter holds`, () => {
    const work = workspace(user);
    const cacheHome = mkdtempSync(path.join(dir, `cache-${user}-`));
    if (user === 'nobody') chownSync(cacheHome, NOBODY, NOBODY);
    const env = { HOME: '/nonexistent', XDG_CACHE_HOME: cacheHome };
    const attack = phantomAs(user, work, env, ['run', '--', '/bin/sh', '-c', rewriteEveryBpf]);
    assert.equal(attack.code, 0, attack.stderr);
    assert.doesNotMatch(attack.stdout, /rewrote/, 'the cache is not visible in the sandbox');
    assert.ok(readdirSync(path.join(cacheHome, 'phantom-fragment', 'bpf')).some((f) => f.endsWith('.bpf')), 'the cache is used');
    const next = phantomAs(user, work, env, ['run', '--', './syscall-probe', 'unshare', 'getpid']);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stdout, /unshare EPERM/);
  });
}

test('the helper refuses a policy memfd that is not sealed (it could change after the runtime checked it)', () => {
  const script = `import os, subprocess
fd = os.memfd_create("policy")
os.write(fd, b"${'\\x06\\x00\\x00\\x00\\x00\\x00\\xff\\x7f'}")
r = subprocess.run([${JSON.stringify(HELPER)}, "--cwd", "/tmp", "--seccomp-bpf", f"/proc/self/fd/{fd}", "--", "/bin/true"], pass_fds=(fd,), capture_output=True, text=True)
print(r.returncode, r.stderr)`;
  const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^125 .*a memfd without write seals/);
});

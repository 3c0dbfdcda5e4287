// The kernel probe on the REAL kernel (build the helper first: node scripts/build-native.mjs). On this
// machine (Linux 6.18, root) every feature is present; the expectations below say so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseCgroup2Mount, probeKernelFeatures } from '../../runtime/src/kernel/kernelProbe';

const features = probeKernelFeatures();
const byId = (id: string) => {
  const c = features.checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id}`);
  return c;
};

test('kernel and architecture', () => {
  assert.equal(features.kernel, os.release());
  assert.equal(features.arch, process.arch === 'x64' ? 'SCMP_ARCH_X86_64' : features.arch);
});

test('namespaces and idmapped mounts are tried, and work here', () => {
  for (const id of ['userns', 'pidns', 'mountns', 'netns', 'utsns', 'ipcns', 'cgroupns', 'idmap-mount']) {
    const c = byId(id);
    assert.equal(c.ok, true, `${id}: ${c.detail}`);
    assert.equal(c.impact, '');
  }
  assert.equal(byId('netns').detail, 'unshare(CLONE_NEWUSER|CLONE_NEWNET) works');
});

test('Landlock ABI 7 (or newer after a kernel upgrade)', () => {
  assert.ok(features.landlockAbi >= 7, `ABI ${features.landlockAbi}`);
  assert.deepEqual(byId('landlock'), { id: 'landlock', name: 'Landlock', ok: true, detail: `ABI ${features.landlockAbi}`, impact: '' });
});

test('seccomp filters and SECCOMP_RET_USER_NOTIF are available, as the kernel itself lists them', () => {
  const listed = readFileSync('/proc/sys/kernel/seccomp/actions_avail', 'utf8').split(/\s+/);
  assert.ok(listed.includes('user_notif'));
  assert.equal(byId('seccomp-filter').ok, true);
  const notif = byId('seccomp-user-notif');
  assert.equal(notif.ok, true, notif.detail);
  assert.match(notif.detail, /SECCOMP_RET_USER_NOTIF available; libseccomp API level \d+/);
});

test('PSI files are readable', () => {
  assert.equal(byId('psi').ok, true, byId('psi').detail);
});

test('the cgroup v2 hierarchy is found where mountinfo says (here the hybrid /sys/fs/cgroup/unified)', () => {
  const expected = parseCgroup2Mount(readFileSync('/proc/self/mountinfo', 'utf8'));
  assert.equal(features.cgroup2Path, expected);
  assert.equal(features.cgroup2Path, '/sys/fs/cgroup/unified');
  assert.equal(byId('cgroup2').ok, true);
  assert.match(byId('cgroup2').detail, /^\/sys\/fs\/cgroup\/unified \(controllers: /);
});

test('libseccomp is loaded and reports its version', () => {
  assert.match(byId('libseccomp').detail, /^2\.\d+\.\d+ \(API level \d+\)$/);
});

test('parseCgroup2Mount reads the mount point, unescaping spaces', () => {
  const text = [
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '41 31 0:38 / /sys/fs/cgroup/my\\040tree rw,relatime - cgroup2 cgroup2 rw',
  ].join('\n');
  assert.equal(parseCgroup2Mount(text), '/sys/fs/cgroup/my tree');
  assert.equal(parseCgroup2Mount('31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw'), null);
});

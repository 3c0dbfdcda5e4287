/**
 * Probes what the running kernel offers the sandbox — by trying, never by assuming from the version:
 * namespaces and idmapped mounts through the helper's --probe (each tried in a throw-away child), Landlock
 * and seccomp through raw syscalls (koffi), PSI and cgroup v2 through their files, libseccomp by loading it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errno, errnoName, syscall } from '../../../native/bindings/libc';
import {
  NR_SCMP_ERROR,
  SCMP_ARCH_NAMES,
  seccomp_api_get,
  seccomp_arch_native,
  seccomp_syscall_resolve_name_arch,
  seccomp_version,
} from '../../../native/bindings/libseccomp';
import type { FeatureCheck, KernelFeatures } from './kernelFeatures';
import { landlockAbi } from './landlockAbi';
import { helperPath } from '../sandbox/sandboxSpawn';

const SECCOMP_GET_ACTION_AVAIL = 2;
const SECCOMP_RET_USER_NOTIF = 0x7fc00000;
const SECCOMP_RET_ALLOW = 0x7fff0000;

/** seccomp(2)'s number when libseccomp is missing, by Node's process.arch. */
const SECCOMP_SYSCALL_BY_ARCH: Readonly<Record<string, number>> = {
  x64: 317, arm64: 277, ia32: 354, arm: 383, riscv64: 277, ppc64: 358, s390x: 348, loong64: 277,
};
const SCMP_ARCH_BY_NODE_ARCH: Readonly<Record<string, string>> = {
  x64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64', ia32: 'SCMP_ARCH_X86', arm: 'SCMP_ARCH_ARM',
  riscv64: 'SCMP_ARCH_RISCV64', ppc64: 'SCMP_ARCH_PPC64LE', s390x: 'SCMP_ARCH_S390X', loong64: 'SCMP_ARCH_LOONGARCH64',
};

/** What each helper probe id means, and what its absence costs the user. */
const NAMESPACE_CHECKS: ReadonlyArray<{ id: string; name: string; impact: string; unshare: string[] }> = [
  { id: 'userns', name: 'user namespaces', unshare: [], impact: 'runs cannot start: every sandbox is built inside a user namespace' },
  { id: 'pidns', name: 'PID namespaces', unshare: ['-p', '-f'], impact: 'runs cannot start: without a PID namespace a run would see host processes and could leave processes behind' },
  { id: 'mountns', name: 'mount namespaces', unshare: ['-m'], impact: 'runs cannot start: without a mount namespace the host filesystem cannot be hidden' },
  { id: 'netns', name: 'network namespaces', unshare: ['-n'], impact: 'runs cannot drop the network: no network namespaces (only network "host" works)' },
  { id: 'utsns', name: 'UTS namespaces', unshare: ['-u'], impact: 'runs cannot start: the sandbox sets its own hostname in a UTS namespace' },
  { id: 'ipcns', name: 'IPC namespaces', unshare: ['-i'], impact: 'runs cannot start: without an IPC namespace runs would share System V IPC with the host' },
  { id: 'cgroupns', name: 'cgroup namespaces', unshare: ['-C'], impact: 'runs cannot start: the sandbox hides the host cgroup tree with a cgroup namespace' },
  { id: 'idmap-mount', name: 'idmapped mounts', unshare: [], impact: 'when the runtime runs as root, a workspace owned by another user cannot be made writable for the sandbox user: such runs fail with a clear error' },
];

/** Mount points by filesystem type from /proc/self/mountinfo text. */
export function mountsByType(mountinfo: string, fstype: string): string[] {
  const found: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0 || line.slice(sep + 3).split(' ')[0] !== fstype) continue;
    found.push(line.slice(0, sep).split(' ')[4].replace(/\\040/g, ' '));
  }
  return found;
}

/** The cgroup v2 mount point in /proc/self/mountinfo text, or null. */
export function parseCgroup2Mount(mountinfo: string): string | null {
  return mountsByType(mountinfo, 'cgroup2')[0] ?? null;
}

/** The helper's --probe output (JSON lines) as checks. */
export function parseHelperProbe(stdout: string): Map<string, { ok: boolean; detail: string }> {
  const found = new Map<string, { ok: boolean; detail: string }>();
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { id: string; ok: boolean; detail: string };
    found.set(r.id, { ok: r.ok, detail: r.detail });
  }
  return found;
}

function check(id: string, name: string, ok: boolean, detail: string, impact: string): FeatureCheck {
  return { id, name, ok, detail, impact: ok ? '' : impact };
}

function probeNamespaces(): FeatureCheck[] {
  const helper = helperPath();
  let results: Map<string, { ok: boolean; detail: string }> | undefined;
  let why = '';
  if (existsSync(helper)) {
    const r = spawnSync(helper, ['--probe'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0) results = parseHelperProbe(r.stdout);
    else why = `${helper} --probe failed: ${r.error?.message ?? r.stderr.trim() ?? `exit ${r.status}`}`;
  } else {
    why = `helper not built (${helper})`;
  }
  if (results) {
    return NAMESPACE_CHECKS.map((c) => {
      const r = results.get(c.id);
      return check(c.id, c.name, r?.ok ?? false, r?.detail ?? `the helper did not report ${c.id}`, c.impact);
    });
  }
  // Fallback without the helper: util-linux unshare(1), each namespace with a user namespace as the helper does.
  return NAMESPACE_CHECKS.map((c) => {
    if (c.id === 'idmap-mount') return check(c.id, c.name, false, `not probed: ${why}`, c.impact);
    const r = spawnSync('unshare', ['-U', ...c.unshare, 'true'], { encoding: 'utf8', timeout: 10_000 });
    const ok = r.status === 0;
    const detail = r.error
      ? `not probed: ${why}, and unshare(1) is missing (${r.error.message})`
      : `unshare -U ${c.unshare.join(' ')} true: ${ok ? 'works' : r.stderr.trim()} (${why})`;
    return check(c.id, c.name, ok, detail, c.impact);
  });
}

function probeLandlock(): { abi: number; check: FeatureCheck } {
  const impact = 'runs cannot restrict file access beyond the mount view: no Landlock (needs Linux 5.13+ with landlock in the lsm= boot parameter)';
  const { abi, errno: why } = landlockAbi();
  if (abi > 0) return { abi, check: check('landlock', 'Landlock', true, `ABI ${abi}`, impact) };
  const detail =
    why === 'EOPNOTSUPP' ? 'built into the kernel but disabled (EOPNOTSUPP): add landlock to the lsm= boot parameter'
    : why === 'ENOSYS' ? 'the kernel has no Landlock (ENOSYS)'
    : `landlock_create_ruleset(NULL, 0, VERSION): ${why ?? 'unknown error'}`;
  return { abi: 0, check: check('landlock', 'Landlock', false, detail, impact) };
}

function probeLibseccomp(): { check: FeatureCheck; arch: string | null; seccompNr: number | null; api: number | null } {
  const impact = 'seccomp profiles cannot be compiled and syscall names cannot be checked: libseccomp.so.2 is missing (Debian/Ubuntu: apt-get install libseccomp2)';
  try {
    const v = seccomp_version();
    const api = seccomp_api_get();
    const token = seccomp_arch_native();
    const nr = seccomp_syscall_resolve_name_arch(token, 'seccomp');
    return {
      check: check('libseccomp', 'libseccomp', true, `${v.major}.${v.minor}.${v.micro} (API level ${api})`, impact),
      arch: SCMP_ARCH_NAMES[token] ?? `0x${token.toString(16)}`,
      seccompNr: nr === NR_SCMP_ERROR ? null : nr,
      api,
    };
  } catch (e) {
    return { check: check('libseccomp', 'libseccomp', false, (e as Error).message, impact), arch: null, seccompNr: null, api: null };
  }
}

function actionAvailable(seccompNr: number, action: number): { ok: boolean; err: string } {
  const value = new Uint32Array([action]);
  const r = syscall(seccompNr, 'long', SECCOMP_GET_ACTION_AVAIL, 'long', 0, 'uint32_t *', value);
  return r === 0 ? { ok: true, err: '' } : { ok: false, err: errnoName(errno()) };
}

function probeSeccomp(seccompNr: number | null, api: number | null): FeatureCheck[] {
  const filterImpact = 'runs cannot filter system calls: no seccomp filter support (CONFIG_SECCOMP_FILTER)';
  const notifImpact = 'learn mode cannot record the system calls a program makes: no SECCOMP_RET_USER_NOTIF (needs Linux 5.0+)';
  const nr = seccompNr ?? SECCOMP_SYSCALL_BY_ARCH[process.arch];
  if (nr === undefined) {
    const detail = `seccomp(2)'s number on ${process.arch} is unknown without libseccomp`;
    return [check('seccomp-filter', 'seccomp filters', false, detail, filterImpact), check('seccomp-user-notif', 'seccomp user notification', false, detail, notifImpact)];
  }
  const allow = actionAvailable(nr, SECCOMP_RET_ALLOW);
  const notif = actionAvailable(nr, SECCOMP_RET_USER_NOTIF);
  const apiNote = api !== null ? `; libseccomp API level ${api}` : '';
  return [
    check('seccomp-filter', 'seccomp filters', allow.ok,
      allow.ok ? 'seccomp(SECCOMP_GET_ACTION_AVAIL, SECCOMP_RET_ALLOW) works' : `seccomp(SECCOMP_GET_ACTION_AVAIL): ${allow.err}`, filterImpact),
    check('seccomp-user-notif', 'seccomp user notification', notif.ok,
      notif.ok ? `SECCOMP_RET_USER_NOTIF available${apiNote}` : `seccomp(SECCOMP_GET_ACTION_AVAIL, SECCOMP_RET_USER_NOTIF): ${notif.err}${apiNote}`, notifImpact),
  ];
}

function probePsi(): FeatureCheck {
  const missing: string[] = [];
  for (const resource of ['cpu', 'memory', 'io']) {
    const file = `/proc/pressure/${resource}`;
    try {
      // PSI compiled in but disabled (psi=0) still shows the files; reading them fails with EOPNOTSUPP.
      if (!readFileSync(file, 'utf8').startsWith('some')) missing.push(`${file} unreadable`);
    } catch (e) {
      missing.push(`${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return check('psi', 'pressure stall information (PSI)', missing.length === 0,
    missing.length === 0 ? '/proc/pressure/{cpu,memory,io} readable' : missing.join('; '),
    'metrics cannot show CPU, memory and IO pressure and the pool cannot back off under load: no PSI (boot with psi=1)');
}

function probeCgroup2(): { path: string | null; check: FeatureCheck } {
  const impact = 'per-run pressure files and cgroup.kill are unavailable: no cgroup v2 hierarchy is mounted';
  let mountinfo: string;
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch (e) {
    return { path: null, check: check('cgroup2', 'cgroup v2', false, `/proc/self/mountinfo: ${(e as Error).message}`, impact) };
  }
  const mount = parseCgroup2Mount(mountinfo);
  if (!mount) return { path: null, check: check('cgroup2', 'cgroup v2', false, 'no cgroup2 mount in /proc/self/mountinfo', impact) };
  let controllers: string;
  try {
    controllers = readFileSync(path.join(mount, 'cgroup.controllers'), 'utf8').trim();
  } catch {
    controllers = '?'; // informational only: the mount point is the finding
  }
  const v1 = mountsByType(mountinfo, 'cgroup');
  const detail = `${mount} (controllers: ${controllers || 'none'}${v1.length ? `; hybrid host: ${v1.length} cgroup v1 hierarchies too` : ''})`;
  return { path: mount, check: check('cgroup2', 'cgroup v2', true, detail, impact) };
}

export function probeKernelFeatures(): KernelFeatures {
  const lib = probeLibseccomp();
  const landlock = probeLandlock();
  const cgroup2 = probeCgroup2();
  return {
    kernel: os.release(),
    arch: lib.arch ?? SCMP_ARCH_BY_NODE_ARCH[process.arch] ?? process.arch,
    landlockAbi: landlock.abi,
    cgroup2Path: cgroup2.path,
    checks: [
      ...probeNamespaces(),
      landlock.check,
      ...probeSeccomp(lib.seccompNr, lib.api),
      probePsi(),
      cgroup2.check,
      lib.check,
    ],
  };
}

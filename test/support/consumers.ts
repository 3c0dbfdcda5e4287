/**
 * The real consumers of `phantom export`, driven as a user would: crun (the OCI runtime of Podman and of
 * Kubernetes through CRI-O) runs a bundle whose config.json carries the exported profile, `phantom run --seccomp`
 * runs the same probe under the source profile, and the probe's lines are compared. Installed from Debian by
 * scripts/ensure-test-tools.mjs (crun, systemd for systemd-analyze).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, REPO } from './fixtures';

export const CLI = path.join(REPO, 'dist/cli.js');

export function phantom(args: string[], options: { cwd?: string } = {}) {
  const r = spawnSync(CLI, args, { cwd: options.cwd ?? REPO, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A private folder for one test file's bundles and probe; removed by the caller. */
export function scratch(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `phantom-${prefix}-`));
}

/** The probe of test/fixtures/exports/syscall-probe.c, compiled static (a bundle's rootfs holds nothing else). */
export function compileProbe(dir: string): string {
  const out = path.join(dir, 'probe');
  const r = spawnSync('cc', ['-O1', '-Wall', '-Wextra', '-Werror', '-static', '-o', out, path.join(FIXTURES, 'exports/syscall-probe.c')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cc syscall-probe.c failed: ${r.stderr || r.error}`);
  return out;
}

let template: Record<string, unknown> | undefined;

/** `crun spec`'s template, once. */
function specTemplate(dir: string): Record<string, unknown> {
  if (!template) {
    const d = fs.mkdtempSync(path.join(dir, 'spec-'));
    const r = spawnSync('crun', ['spec'], { cwd: d, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`crun spec failed: ${r.stderr || r.error} — is crun installed (scripts/ensure-test-tools.mjs)?`);
    template = JSON.parse(fs.readFileSync(path.join(d, 'config.json'), 'utf8')) as Record<string, unknown>;
  }
  return structuredClone(template);
}

let bundles = 0;

/**
 * Runs `/probe ARGS` (or another static program copied into the rootfs) under crun with `seccompJson` (the text
 * of a runtime-spec LinuxSeccomp object, inserted verbatim so 64-bit values reach crun exactly) as linux.seccomp.
 * The process has no capabilities, as the exports are resolved for by default. On this machine kind's hybrid
 * cgroup layout crun needs a private mount namespace without /sys/fs/cgroup/unified and no cgroup manager.
 */
export function runUnderCrun(dir: string, program: string, args: string[], seccompJson: string): { code: number | null; stdout: string; stderr: string } {
  const bundle = path.join(dir, `bundle-${++bundles}`);
  const rootfs = path.join(bundle, 'rootfs');
  fs.mkdirSync(rootfs, { recursive: true });
  fs.copyFileSync(program, path.join(rootfs, 'probe'));
  fs.chmodSync(path.join(rootfs, 'probe'), 0o755);
  const config = specTemplate(dir) as { process: Record<string, unknown>; root: unknown; linux: Record<string, unknown> };
  config.process.terminal = false;
  config.process.args = ['/probe', ...args];
  config.process.capabilities = { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] };
  config.root = { path: 'rootfs', readonly: false };
  config.linux.seccomp = '@SECCOMP@';
  const text = JSON.stringify(config).replace('"@SECCOMP@"', seccompJson.trim());
  fs.writeFileSync(path.join(bundle, 'config.json'), text);
  const state = path.join(dir, 'crun-state');
  const name = `phantom-export-test-${process.pid}-${bundles}`;
  // umount fails harmlessly where there is no hybrid layout (pure cgroup v2): the run does not need it.
  const script = `umount /sys/fs/cgroup/unified 2>/dev/null; exec crun --root "$1" --cgroup-manager=disabled run --no-pivot -b "$2" "$3"`;
  const r = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', state, bundle, name], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the probe under `phantom run --seccomp PROFILE`, from the probe's folder (the run's workspace). */
export function runUnderPhantom(program: string, args: string[], profile: string) {
  return phantom(['run', '--seccomp', profile, '--', program, ...args], { cwd: path.dirname(program) });
}

/** The calls the probe makes for the fixtures of test/fixtures/exports (ABI:NR:ARGS, see syscall-probe.c). */
export const FIXTURE_CALLS = [
  '64:39', // getpid: allowed everywhere
  '64:110', // getppid: LOG
  '64:124:0', // getsid: KILL
  '64:121:0', // getpgid: KILL_THREAD
  '64:140:0:0', // getpriority: KILL_PROCESS
  '64:95:18', // umask: TRAP
  '64:24', // sched_yield: TRACE (no tracer: ENOSYS)
  '64:79:1:100', // getcwd(bad buffer): ERRNO 4094 (the kernel: EFAULT)
  '64:8:0xffffffff:0x7fffffffffffff00:0', // lseek EQ above 2^53
  '64:8:0xffffffff:0x7fffffffffffff01:0',
  '64:8:0xffffffff:9007199254740993:0', // 2^53+1: matched exactly
  '64:8:0xffffffff:9007199254740992:0', // 2^53: not matched
  '64:8:0xffffffff:0xffffffffffffff00:0', // u64.seccomp.yaml
  '64:8:0xffffffff:0xffffffffffffff01:0',
  '64:32:1000', // dup NE
  '64:32:1001',
  '64:72:0xffffffff:3', // fcntl LT
  '64:72:0xffffffff:9',
  '64:81:100', // fchdir LE
  '64:81:101',
  '64:74:0x7fffffff00000001', // fsync GT
  '64:74:5000',
  '64:74:0xffffffff00000001',
  '64:75:2000', // fdatasync GE
  '64:75:1999',
  '64:75:0x8000000000000001',
  '64:73:0xffffffff:0x25', // flock MASKED_EQ
  '64:73:0xffffffff:0x15',
  '64:102', // getuid
  '64:96:0:0', // gettimeofday: not listed by the allow-list fixtures
  '64:99:1', // sysinfo(bad pointer)
  '64:63:1', // uname(bad pointer)
  'i386:20', // getpid through int 0x80
  'i386:147:0', // getsid (i386)
  'i386:64', // getppid (i386)
  'i386:13:0', // time (i386)
  'x32:39', // getpid through the x32 ABI
  'x32:124:0',
];

/**
 * The runtime's only door to the native helper (dist/native/<platform>-<arch>/phantom-sandbox): builds its
 * command line, spawns it with an extra status pipe on fd 3 and turns the helper's JSON status lines
 * (docs/sandbox.md) into a SandboxExit.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { CommandResolutionError, resolveCommand } from './commandResolution';
import { protectArguments, protectedPaths, type ProtectedPath } from './protectedPaths';
import { HelperStatusStream } from './helperStatus';
import { compilePolicies, type PolicyInput } from './sandboxPolicy';
import type { RawDenial } from '../denials/denials';
import { LEARN_BASE_LAYER_NAME, learnBaseProfileOnce } from '../policy/seccompHardening';
import type { NetworkMode } from '../../../model';

export interface SandboxSpec {
  /** argv[0] should be a path resolved on the host (sandboxSpec.ts, commandResolution.ts); a bare name is
   * resolved here as a convenience, with the grants it needs. */
  argv: string[];
  /** Absolute; read-write inside the sandbox at the same path (read-only with cwdReadOnly). */
  cwd: string;
  /** The cwd is bound read-only (`--cwd-ro`): a profile that keeps its workspace read-only. */
  cwdReadOnly?: boolean;
  network: NetworkMode;
  readOnly: string[];
  readWrite: string[];
  /** Wall time; the helper kills the whole sandbox when it is reached. */
  timeoutSeconds?: number;
  /** The command's WHOLE environment (see sandboxEnvironment.ts): nothing of the runtime's env is passed. */
  env: Record<string, string>;
  /** Memory of the whole sandbox (a memory cgroup, else RLIMIT_AS); runs get a default (defaultLimits.ts). */
  memoryBytes?: number;
  /** Processes of the whole sandbox (a pids cgroup, plus RLIMIT_NPROC); runs get a default (defaultLimits.ts). */
  pids?: number;
  /** CPU seconds per process (RLIMIT_CPU). */
  cpuSeconds?: number;
  /** Seccomp profile file (OCI/Docker JSON or YAML); absent = the built-in default profile (defaultProfile.ts). */
  seccompProfile?: string;
  /** Landlock profile file (landlockconfig JSON/YAML/TOML); absent = the default ruleset matching the view. */
  landlockProfile?: string;
  /** Skip what the kernel cannot apply and report it in notes, instead of failing the run (125). */
  bestEffort?: boolean;
  /** false: refused calls stay plain ERRNO answers of the filter, nothing is reported (`--no-denials`; the bench
   * compares). Default: they reach the helper's supervisor (native/src/denials.c) and come back explained. */
  reportDenials?: boolean;
  /** Learn mode (learnRun.ts): record every syscall into this file (`--learn FILE`) under the fixed learn deny layer. */
  learnRecording?: string;
  /** `phantom run --explain` (explainRun.ts): the denial supervisor also records the paths of the path syscalls the
   * profile allows into this file (`--explain FILE`); the run's policy is enforced unchanged. */
  explainRecording?: string;
  /** The name the helper's own messages on stderr begin with (its argv[0]; default its path, shown as
   * "phantom-sandbox: …"). The CLI passes "phantom": its users never see the internal helper's name. */
  reportAs?: string;
  /** Paths inside visible folders covered by an empty read-only mount (a profile's filesystem.hidden). */
  hidden?: string[];
  /** Paths kept read-only however their folder is granted (protectedPaths.ts); absent = the default list for the
   * cwd and readWrite folders, with no configuration. */
  protect?: ProtectedPath[];
  /** Policies already loaded (a phantom-fragment.yaml profile): see PolicyInput in sandboxPolicy.ts. */
  seccompPolicy?: PolicyInput['seccompPolicy'];
  landlockPolicy?: PolicyInput['landlockPolicy'];
  landlockExtra?: PolicyInput['landlockExtra'];
  landlockView?: PolicyInput['landlockView'];
  landlockStack?: PolicyInput['landlockStack'];
}

export interface SandboxExit {
  /** Exit code; null when killed by a signal. 125 sandbox not made, 126 cannot execute, 127 not found. */
  code: number | null;
  /** e.g. "SIGKILL" when the command (or, after a timeout, the sandbox) was killed. */
  signal: string | null;
  /** true when the wall-time limit (timeoutSeconds) stopped the sandbox (the helper's exit line says so). */
  timedOut?: boolean;
  /** From spawnSandbox() to the command's execve (to the failure when it never ran). */
  spawnMs: number;
  /** Why the sandbox could not be made or the command not started (the helper's message). */
  error?: string;
  /** true when `error` was also written on the sandbox's stderr stream ("phantom-sandbox: …"). */
  errorOnStderr?: boolean;
  /** What was granted or enforced beyond the request, e.g. an interpreter's folder made visible. */
  notes: string[];
  /** The sandbox's own stall time (its cgroup v2 group's `some` totals, µs), when it had such a group. */
  pressure?: SandboxPressure;
  /** The helper's refused calls (native/src/denials.c), explained by denials.ts explainDenials. */
  rawDenials?: RawDenial[];
}

/** Stall time of one sandbox, from its own cgroup's pressure files (`some` total, µs). */
export interface SandboxPressure {
  group: string;
  cpuUs: number;
  memoryUs: number;
  ioUs: number;
}

export interface SandboxProcess {
  /** The helper's pid (-1 when it was never started). */
  pid: number;
  stdout: Readable;
  stderr: Readable;
  stdin: Writable;
  exited: Promise<SandboxExit>;
  /** Resolves when the command's execve happens (never, when it does not): the time since the spawn, and
   * whether a warm zygote served it. */
  execed: Promise<{ spawnMs: number; warm: boolean }>;
  kill(signal?: NodeJS.Signals): void;
}

const HELPER_NAME = 'phantom-sandbox';

/**
 * The folder of the native helpers: dist/native next to the bundle (dist/*.js), or under the repo root when run from
 * source. It holds one helper per architecture the package carries (scripts/targets.mjs).
 */
export function nativeFolder(): string {
  if (path.basename(__dirname) === 'dist' || existsSync(path.join(__dirname, 'native'))) return path.join(__dirname, 'native');
  return path.join(__dirname, '..', '..', '..', 'dist', 'native'); // runtime/src/sandbox/ → the repo root
}

/**
 * The helper of this machine: `<nativeFolder>/<platform>-<arch>/phantom-sandbox` (a .vsix carries linux-x64 and
 * linux-arm64; the one for `process.arch` is chosen here, at run time). PHANTOM_HELPER overrides it.
 */
export function helperPath(platform: string = process.platform, arch: string = process.arch): string {
  const override = process.env.PHANTOM_HELPER;
  if (override) return override;
  return path.join(nativeFolder(), `${platform}-${arch}`, HELPER_NAME);
}

/** Why there is no helper: the file, this machine's architecture and the ones this copy has. */
function missingHelper(helper: string): string {
  if (process.env.PHANTOM_HELPER) return `sandbox helper not found at ${helper} (PHANTOM_HELPER)`;
  const folder = nativeFolder();
  const has = existsSync(folder) ? readdirSync(folder).filter((d) => existsSync(path.join(folder, d, HELPER_NAME))) : [];
  return `sandbox helper for ${process.platform}-${process.arch} not found at ${helper} (this copy has ${has.length ? has.join(', ') : 'none'}): ` +
    'build it with `node scripts/build-native.mjs` (or set PHANTOM_HELPER)';
}

/** The helper's command line; argv[0] must already be a path. `policyArgs` come from compilePolicies(). */
export function helperArguments(spec: SandboxSpec, policyArgs: string[] = []): string[] {
  const args = ['--cwd', spec.cwd, ...(spec.cwdReadOnly ? ['--cwd-ro'] : []), '--net', spec.network];
  for (const p of spec.readOnly) args.push('--ro', p);
  for (const p of spec.readWrite) args.push('--rw', p);
  for (const p of spec.hidden ?? []) args.push('--hide', p);
  args.push(...protectArguments(spec.protect ?? protectedPaths(spec.cwd, undefined, [], { writable: spec.readWrite })));
  for (const [k, v] of Object.entries(spec.env)) args.push('--env', `${k}=${v}`);
  if (spec.timeoutSeconds) args.push('--timeout', String(spec.timeoutSeconds));
  if (spec.memoryBytes) args.push('--memory', String(Math.floor(spec.memoryBytes)));
  if (spec.pids) args.push('--pids', String(Math.floor(spec.pids)));
  if (spec.cpuSeconds) args.push('--cpu', String(Math.ceil(spec.cpuSeconds)));
  if (spec.learnRecording) args.push('--learn', spec.learnRecording);
  else if (spec.explainRecording) args.push('--explain', spec.explainRecording);
  if (spec.reportDenials === false) args.push('--no-denials');
  args.push(...policyArgs, '--', ...spec.argv);
  return args;
}

/** Resolves at a stream's end of file (or when it is destroyed without one). */
export function streamEnded(stream: Readable): Promise<void> {
  return new Promise<void>((resolve) => stream.once('end', resolve).once('close', resolve));
}

/** A process that never started: empty streams and an exit that is already known. */
function notStarted(exit: SandboxExit): SandboxProcess {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.end();
  stderr.end(`phantom: ${exit.error}\n`); // the runtime's refusal: the helper never ran
  return { pid: -1, stdout, stderr, stdin: new PassThrough(), exited: Promise.resolve({ ...exit, errorOnStderr: true }), execed: new Promise<{ spawnMs: number; warm: boolean }>(() => {}), kill: () => {} };
}

/**
 * What the helper is started with: the command looked up on the PATH the sandbox will see, the helper found, the
 * policies compiled (or taken from the cache) before it starts, so nothing slow happens in it. Or, when the run
 * cannot start, the process that reports why (with its exit code).
 */
function prepareSpawn(spec: SandboxSpec, notes: string[], t0: number): { command: SandboxSpec; helper: string; policyArgs: string[] } | SandboxProcess {
  let command = spec;
  if (spec.argv.length === 0) return notStarted({ code: 127, signal: null, spawnMs: 0, error: 'no command given', notes });
  if (!spec.argv[0].includes('/')) {
    try {
      const resolved = resolveCommand(spec.argv[0], { cwd: spec.cwd, visible: [spec.cwd, ...spec.readOnly, ...spec.readWrite], repository: [spec.cwd] });
      notes.push(...resolved.notes);
      command = {
        ...spec,
        argv: [resolved.path, ...spec.argv.slice(1)],
        readOnly: [...spec.readOnly, ...resolved.readOnly],
        env: resolved.pathDirs.length && spec.env.PATH ? { ...spec.env, PATH: [...resolved.pathDirs, spec.env.PATH].join(':') } : spec.env,
      };
    } catch (e) {
      if (!(e instanceof CommandResolutionError)) throw e;
      return notStarted({ code: e.exitCode, signal: null, spawnMs: performance.now() - t0, error: e.message, notes });
    }
  }

  const helper = helperPath();
  if (!existsSync(helper)) {
    return notStarted({
      code: 125, signal: null, spawnMs: performance.now() - t0, notes,
      error: missingHelper(helper),
    });
  }

  try {
    // Learn mode records under the fixed deny layer (seccompHardening.ts), never under the profile being learned.
    const policies = compilePolicies(command.learnRecording
      ? { ...command, seccompProfile: undefined, seccompPolicy: { profile: learnBaseProfileOnce(), source: LEARN_BASE_LAYER_NAME } }
      : command);
    notes.push(...policies.notes);
    return { command, helper, policyArgs: policies.helperArgs };
  } catch (e) {
    return notStarted({ code: 125, signal: null, spawnMs: performance.now() - t0, notes, error: e instanceof Error ? e.message : String(e) });
  }
}

export function spawnSandbox(spec: SandboxSpec): SandboxProcess {
  const t0 = performance.now();
  const notes: string[] = [];
  const prepared = prepareSpawn(spec, notes, t0);
  if ('exited' in prepared) return prepared;
  const { command, helper, policyArgs } = prepared;

  // The helper needs no environment: the command's is passed explicitly (--env).
  const child = spawn(helper, helperArguments(command, policyArgs), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env: {}, ...(spec.reportAs ? { argv0: spec.reportAs } : {}) });
  let spawnMs: number | undefined;
  let markExec!: (ms: number) => void;
  const execed = new Promise<number>((resolve) => (markExec = resolve)).then((spawnMs) => ({ spawnMs, warm: false }));
  let spawnError: Error | undefined;

  const status = new HelperStatusStream(notes, (ev) => {
    if (ev.event === 'exec') {
      spawnMs = performance.now() - t0;
      markExec(spawnMs);
    } else if (ev.event === 'exit') exitLineSeen();
  });
  const statusPipe = child.stdio[3] as Readable;
  statusPipe.setEncoding('utf8');
  statusPipe.on('data', (chunk: string) => status.write(chunk));
  // Writes to a command that has stopped reading are not the caller's error.
  child.stdin.on('error', () => {});

  // The run is over once the exit line arrived and stdout/stderr reached end of file (the helper lets go of its
  // copies before writing that line): the helper's own exit and reaping are not waited for. Without an exit
  // line (the helper failed or was killed), 'close' — exited and every stream drained — decides.
  let exitLineSeen!: () => void;
  const exitLine = new Promise<void>((resolve) => (exitLineSeen = resolve));
  const reported = Promise.all([exitLine, streamEnded(child.stdout!), streamEnded(child.stderr!)]);
  const exited = new Promise<SandboxExit>((resolve) => {
    child.on('error', (e) => {
      spawnError = e;
    });
    let done = false;
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      const elapsed = performance.now() - t0;
      if (spawnError) {
        resolve({ code: 125, signal: null, spawnMs: elapsed, notes, error: `spawn ${helper}: ${spawnError.message}` });
      } else {
        resolve(status.sandboxExit(code, signal, spawnMs ?? elapsed));
      }
    };
    void reported.then(() => settle(null, null));
    child.on('close', (code, signal) => {
      status.end();
      settle(code, signal);
    });
  });

  return {
    pid: child.pid ?? -1,
    stdout: child.stdout!,
    stderr: child.stderr!,
    stdin: child.stdin!,
    exited,
    execed,
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      // The helper forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to the command's process group through init;
      // SIGKILL kills the helper and, through PR_SET_PDEATHSIG, the whole sandbox.
      child.kill(signal);
    },
  };
}

/**
 * The runtime's JSON-RPC contract, served by the runtime process over stdio (vscode-jsonrpc framing) and
 * called by the extension. Defined once here; the client imports these constants and types.
 * docs/runtime-protocol.md describes the same methods for other callers.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { AdmissionAction, Denial, DenialEdit, NetworkMode, PressureRule } from '../../model/types';
import type { KernelFeatures } from './kernel/kernelFeatures';

export type { KernelFeatures };

/** The network of a run (the configuration model's type: one definition). */
export type { NetworkMode };

export interface RunParams {
  /** Chosen by the caller; names the run in every later message. */
  runId: string;
  /** The command and its arguments; argv[0] is looked up on the host PATH when it has no slash. Empty with `config`: the profile's `run`. */
  argv: string[];
  /** Working directory, read-write inside the sandbox. Absolute. */
  cwd: string;
  /** Extra environment for the command; the sandbox starts from a clean environment. */
  env?: Record<string, string>;
  network?: NetworkMode;
  /** Extra read-only paths visible in the sandbox. */
  readOnly?: string[];
  /** Extra read-write paths visible in the sandbox. */
  readWrite?: string[];
  /** Wall-time limit, seconds. */
  timeoutSeconds?: number;
  /** Terminal size when the output goes to a terminal (informational for now). */
  columns?: number;
  /** The profile the run uses: a profile of `config` when given (and for the startup metrics; default "default"). */
  profile?: string;
  /** Absolute path of a phantom-fragment.yaml whose profile the run uses (the one whose `match` fits `file` when `profile` is absent). */
  config?: string;
  /** The file the run is for: `${file}` in the profile, and what its `match` globs are tested against. */
  file?: string;
  /** A seccomp profile file (OCI/Docker JSON or YAML), relative to cwd; default: the built-in profile. */
  seccompProfile?: string;
  /** A Landlock profile file (landlockconfig JSON, YAML or TOML), relative to cwd; default: the built-in ruleset. */
  landlockProfile?: string;
  /** Skip (and report in `notes`) what the kernel cannot apply instead of failing the run. */
  bestEffort?: boolean;
  /**
   * "Allow once": the `hash` of an ApprovalStatus the user just approved for this run only. The run proceeds when
   * its configuration's policy still has exactly that hash; nothing is recorded.
   */
  approvedOnce?: string;
  /**
   * Where the editor's setting values in this request come from. A workspace's `.vscode/settings.json` belongs to
   * the (untrusted) repository: the runtime ignores a value from there that would widen the sandbox.
   */
  settingScopes?: Partial<Record<'network' | 'timeoutSeconds', SettingScope>>;
  /**
   * `argv` was written by the repository (a `.vscode/tasks.json` task's command), not typed by the user: a path in it
   * is the repository's choice, as a profile's `run` is, and may not make host folders visible by itself
   * (commandResolution.ts). A run with `config` counts so anyway.
   */
  repositoryCommand?: boolean;
  /**
   * Record the run's path syscalls (the learn supervisor) and report the accesses the effective Landlock policy
   * refuses as `inferred` denials (`phantom run --explain`; the editor's "Explain" on a failed run).
   */
  explain?: boolean;
}

/** The level a VS Code setting value was read from. */
export type SettingScope = 'default' | 'user' | 'workspace' | 'workspaceFolder';

/**
 * A configuration whose effective policy is wider than the built-in default (docs/sandbox.md, "Approval"): what
 * it asks for, in plain words, and whether the user approved exactly that.
 */
export interface ApprovalStatus {
  /** Absolute path of the phantom-fragment.yaml. */
  config: string;
  profile: string;
  /** Each widening in plain words, e.g. "writes /srv/data, outside the workspace". */
  widenings: { kind: string; text: string }[];
  /** Grants refused even with approval (sensitive host paths); a run is refused while any is left. */
  refused: string[];
  /** Names this exact policy: RunParams.approvedOnce and ApproveRequest take it. */
  hash: string;
  approved: boolean;
  /** Why approvals cannot be read or recorded (e.g. the store is inside the workspace). */
  storeProblem?: string;
}

/** The exit code (and RunExit.approval) of a run refused because its configuration needs the user's approval. */
export const EXIT_APPROVAL_NEEDED = 125;

export interface RunTimings {
  /** Time from the request to the start of the sandbox spawn. */
  queueMs: number;
  /** Time from the start of the spawn to the command's execve. */
  spawnMs: number;
  /** Time from the request to the exit report. */
  totalMs: number;
  /** true when the run came from a pre-warmed zygote. */
  warm: boolean;
}

/** One distinct refusal of a run and the change that would allow it: the model's types (model/src/denialTypes.ts). */
export type { Denial, DenialEdit };

export interface RunExit {
  runId: string;
  /** The command's exit code, or null when it was killed by a signal or never started. */
  code: number | null;
  signal: string | null;
  timings: RunTimings;
  /** Why the sandbox could not be made or the command not started (exit code 125/126/127). */
  error?: string;
  /** What the runtime granted or changed beyond the request, e.g. an interpreter's folder made visible. */
  notes?: string[];
  /**
   * The run's own stall time in ms (the `some` totals of its cgroup v2 group: time at least one of its tasks
   * waited for a CPU, for memory, for IO), when the sandbox had such a group (runs with memory/pids limits).
   */
  pressure?: { cpuMs: number; memoryMs: number; ioMs: number };
  /** Set when the run was refused (125) because its configuration needs approval: what to show the user. */
  approval?: ApprovalStatus;
  /** Present when the run's output passed its limit (`limits.output`, default 64 MiB): the limit in bytes. The run
   * was stopped there (SIGKILL) and the rest of its output dropped; `notes` says so too. */
  outputLimited?: number;
  /** What the sandbox refused, one entry per distinct refusal (expected ones included, marked). */
  denials?: Denial[];
}

export interface RunOutput {
  runId: string;
  stream: 'stdout' | 'stderr';
  data: string;
}

/** client → runtime: start a run; answers as soon as it is started (output and exit follow as notifications). */
export const RunStartRequest = new RequestType<RunParams, { runId: string }, void>('phantom/run');
/** client → runtime: stop a run and everything it started. */
export const RunCancelRequest = new RequestType<{ runId: string }, { cancelled: boolean }, void>('phantom/cancel');
/** client → runtime: bytes for the run's standard input; `eof` closes it. */
export const RunStdinNotification = new NotificationType<{ runId: string; data?: string; eof?: boolean }>('phantom/stdin');
/** runtime → client: output of a run, in order per stream. */
export const RunOutputNotification = new NotificationType<RunOutput>('phantom/output');
/** runtime → client: the run's command has started (its execve), how long that took and whether warm. */
export const RunStartedNotification = new NotificationType<{ runId: string; spawnMs: number; warm: boolean }>('phantom/started');
/** runtime → client: a run ended (always sent exactly once per started run). */
export const RunExitNotification = new NotificationType<RunExit>('phantom/exit');
/** client → runtime: what the running kernel offers. */
export const KernelFeaturesRequest = new RequestType0<KernelFeatures, void>('phantom/kernelFeatures');
export interface ProfilesParams {
  /** Absolute path of phantom-fragment.yaml. */
  config: string;
  /** The file to run: which profiles' `match` fits it. */
  file?: string;
  /** `${workspaceFolder}`, and the root `match` globs are relative to (default: the configuration's folder). */
  workspaceFolder?: string;
}

export interface ProfilesResult {
  profiles: { name: string; description?: string; matches: boolean; hasRun: boolean; pool: { min: number; max: number } }[];
  /** Why the configuration could not be read (then `profiles` is empty). */
  error?: string;
}

/** client → runtime: the profiles of a phantom-fragment.yaml and which of them fit a file ("Run in Sandbox" picks one). */
export const ProfilesRequest = new RequestType<ProfilesParams, ProfilesResult, void>('phantom/profiles');

/**
 * client → runtime: what a run request's configuration asks for beyond the defaults; null when nothing (no
 * configuration, or one inside the defaults): then the run needs no approval.
 */
export const ApprovalStatusRequest = new RequestType<RunParams, ApprovalStatus | null, void>('phantom/approvalStatus');
/**
 * client → runtime: "Always for this version": record the approval of this run's configuration in the user's state
 * folder (the same record as `phantom trust`), provided its policy still has `hash`. Answers the new status.
 */
export const ApproveRequest = new RequestType<{ run: RunParams; hash: string }, ApprovalStatus, void>('phantom/approve');

/** client → runtime: liveness and version. */
export const PingRequest = new RequestType0<{ version: string; pid: number }, void>('phantom/ping');

// ---- Pressure (PSI) and startup metrics -------------------------------------------------------------------

import type { PsiResource, PsiSnapshot } from './psi/psiParser';
import type { MetricsSnapshot, RecentRun } from './runs/startupMetrics';

export type { PsiResource, PsiLine, PsiResourcePressure, PsiSnapshot } from './psi/psiParser';
export type { MetricsSnapshot, ProfileMetrics, LatencyStats, PoolState, RecentRun } from './runs/startupMetrics';
export type { PressureRule, AdmissionAction };
/** Pressure rules as a request or a file gives them: every field left out takes the default (psi/admission.ts). */
export type PressureRules = Partial<Record<PsiResource, Partial<PressureRule>>>;

/** One PSI reading of the machine, or why there is none (the client hides its pressure view then). */
export type PressureSample =
  | {
      available: true;
      /** Milliseconds since the epoch. */
      at: number;
      system: PsiSnapshot;
      /** Resources whose PSI trigger fired since the previous sample (this sample was taken at once because of it). */
      triggered?: PsiResource[];
    }
  | { available: false; reason: string };

export interface PressureSubscription {
  available: boolean;
  /** Why there is no PSI stream, when there is none. */
  reason?: string;
  intervalMs: number;
  /** The armed PSI triggers, e.g. `cpu: some 1000000 2000000`, or why none could be armed. */
  triggers: string[];
  triggerError?: string;
}

/** client → runtime: the current PSI reading (read now). */
export const PressureSampleRequest = new RequestType0<PressureSample, void>('phantom/pressure');
/** client → runtime: start the sample stream (PressureNotification every `intervalMs`, default 1000, and at once when a trigger fires). */
export const PressureSubscribeRequest = new RequestType<{ intervalMs?: number }, PressureSubscription, void>('phantom/subscribePressure');
/** client → runtime: stop the sample stream. */
export const PressureUnsubscribeRequest = new RequestType0<void, void>('phantom/unsubscribePressure');
/** runtime → client: a PSI sample of the stream. */
export const PressureNotification = new NotificationType<PressureSample>('phantom/pressureSample');
/** client → runtime: startup latencies per profile, pool state, deferred/rejected counts and recent runs. */
export const MetricsSnapshotRequest = new RequestType0<MetricsSnapshot, void>('phantom/metrics');
/** client → runtime: the most recent runs, newest first. */
export const RecentRunsRequest = new RequestType<{ limit?: number }, RecentRun[], void>('phantom/recentRuns');
/** client → runtime: replace the admission rules (`orchestrator.pressure` of phantom-fragment.yaml); omitted fields take the defaults. */
export const SetPressureRulesRequest = new RequestType<{ rules: PressureRules; maxDeferMs?: number }, void, void>('phantom/setPressureRules');
export interface PressureRulesResult {
  /** Every resource's thresholds and actions, the defaults filled in. */
  rules: Record<PsiResource, PressureRule>;
  /** Where they come from: the configuration's path, or 'defaults'. */
  source: string;
  /** Why the configuration's rules could not be read (then the defaults are given). */
  error?: string;
}
/** client → runtime: the `orchestrator.pressure` rules a configuration's runs are admitted by (the metrics charts draw them). */
export const PressureRulesRequest = new RequestType<{ config?: string }, PressureRulesResult, void>('phantom/pressureRules');
/** runtime → client: a run waits for the pressure to fall (at most `maxWaitMs`) before it starts. */
export const RunDeferredNotification = new NotificationType<{ runId: string; reason: string; maxWaitMs: number }>('phantom/runDeferred');

// ---- Learn mode (learnService.ts) ----------------------------------------------------------------------------

/** The sandbox a command runs in, as a run request describes it (shared by runs and learn runs). */
/** What a learn request says about its sandbox: the fields of a run, resolved by the same resolver (sandboxSpecFor). */
export type SandboxRequest = Pick<RunParams, 'argv' | 'cwd' | 'env' | 'network' | 'readOnly' | 'readWrite' | 'timeoutSeconds' | 'config' | 'profile' | 'file' | 'approvedOnce'>;

export interface LearnProfileParams extends SandboxRequest {
  /** Names this learn run in its progress notifications. */
  learnId: string;
  /** Recorded runs to merge (default 2: runs that differ are reported in `varying`). */
  runs?: number;
  /** The format of the proposal texts. */
  format: 'json' | 'yaml';
  /** The profile's current text, when there is one: the "add missing only" proposal starts from it. */
  existingText?: string;
  /** The profile of phantom-fragment.yaml being learned, for the metrics' learn-run count (default "default"). */
  profile?: string;
  /** What to propose from the recording (default ['seccomp']). Without 'seccomp' its proposal is not replayed. */
  learn?: LearnKind[];
  /** The Landlock proposal's format and, when the profile has a Landlock file, its current text (for the notes). */
  landlock?: { format: 'json' | 'yaml' | 'toml'; existingText?: string; replays?: number };
}

export type LearnKind = 'seccomp' | 'landlock';

/** The Landlock proposal of the same recorded runs (learnLandlock.ts), proven by replay stacked on the sandbox. */
export interface LearnLandlockResult {
  /** verified / fixed: every replay under the proposal (alone, and with the learned seccomp profile) matched. */
  status: 'verified' | 'fixed' | 'failed';
  reason?: string;
  /** Accesses a notify pass found refused and added ("write_file /path"). */
  added: string[];
  /** The proposed profile, in the requested format. */
  text: string;
  abi: number;
  /** What the recorded runs used: absolute path (as the sandbox sees it) → Landlock rights, TCP port → rights. */
  usedPaths: Record<string, string[]>;
  usedPorts: Record<string, string[]>;
  /** The folder `${workspaceFolder}` and relative parents stand for in the replays (the sandbox's working folder). */
  workspace: string;
  /** Rules proposed by only some recorded runs: the profile may be incomplete. */
  varying: string[];
  /** Accesses the generalisation rule refuses to grant (on / or a home folder itself). */
  notGranted: string[];
  replays: { alone: number; withSeccomp: number };
}

export interface LearnProfileResult {
  /** verified / fixed: the replay under the proposal matched the learn run; failed: it did not (never offered as working). */
  status: 'verified' | 'fixed' | 'failed' | 'skipped';
  /** Why the replay failed. */
  reason?: string;
  /** Syscalls the notify passes added after a failed replay. */
  added: string[];
  /** The minimal profile. */
  minimalText: string;
  /** The current profile plus a rule with what it lacks (equals minimalText when there was no current profile). */
  addMissingText: string;
  /** Syscalls the current profile lacks. */
  missing: string[];
  /** Every syscall the learn runs used (sorted). */
  usedNames: string[];
  runs: number;
  notifications: number;
  /** Syscalls seen in only some recorded runs, or added by a fix after a failed replay: the profile may be incomplete. */
  varying: string[];
  notes: string[];
  /** Present when the request asked for 'landlock'. */
  landlock?: LearnLandlockResult;
}

/** client → runtime: learn a seccomp and/or Landlock profile (record, propose, replay); cancellable (the sandbox is killed). */
export const LearnProfileRequest = new RequestType<LearnProfileParams, LearnProfileResult, void>('phantom/learn');
/** runtime → client: what a learn run is doing now. */
export const LearnProgressNotification = new NotificationType<{ learnId: string; message: string }>('phantom/learnProgress');

/**
 * Learn mode, end to end: record the workload K times in its sandbox (`phantom-sandbox --learn`), merge the
 * recordings, propose the minimal profile (learnProposal.ts), then PROVE it: replay the workload enforced by
 * the proposal (the ordinary `--seccomp` path) and compare exit status and stdout with the learn run. A replay
 * that differs gets a notify pass (one more recorded run) to find what the proposal lacks; what it finds is
 * added and the replay repeated. A proposal whose replay still differs is returned as `failed` with the
 * reason — never as if it worked.
 *
 * Nondeterminism is reported, not hidden: the workload is recorded DEFAULT_LEARN_RUNS times by default, and when
 * the runs used different syscalls (or a replay only matched after a fix) the result says that the profile may
 * be incomplete and which syscalls appeared in only some runs (`varying`, and a note).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SandboxRequest } from '../protocol';
import { makeScratchDir } from '../storage/privateDirs';
import { hostFacts } from '../policy/seccompCompiler';
import { spawnSandbox, type SandboxSpec } from '../sandbox/sandboxSpawn';
import { sandboxSpecFor } from '../sandbox/sandboxSpec';
import { mergeUsage, parseRecording, usageFromRecording, usedNames, type LearnedUsage } from './learnRecording';
import { allowedNames, proposeProfile, renderJson, type ProposedProfile } from './learnProposal';
import { mergePathUsage, pathUsageFromRecording, type PathUsage } from './learnPaths';

export interface LearnRequest extends SandboxRequest {
  landlockProfile?: string;
  /** The profile's own Landlock file is what is being learned: it is left out of the recording sandbox (as its seccomp
   * profile always is); the fragments' Landlock layer stays, and the proposal is replayed stacked on it. */
  learnLandlock?: boolean;
  bestEffort?: boolean;
  /** The CLI's limit flags (--memory, --pids), as for `phantom run`. */
  limits?: Partial<SandboxSpec>;
  /** Recorded runs to merge (default DEFAULT_LEARN_RUNS). */
  runs?: number;
  /** Usage of earlier learn runs to add to (learning again). */
  previous?: LearnedUsage;
  /** Skip the replay (benchmarks). */
  noReplay?: boolean;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
  /** The name the helper's messages carry (SandboxSpec.reportAs): the CLI's 'phantom'. */
  reportAs?: string;
}

export interface RunCapture {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  error?: string;
  ms: number;
}

export interface ReplayResult {
  /** verified: the first replay matched; fixed: it matched after adding what a notify pass found; failed: it never matched. */
  status: 'verified' | 'fixed' | 'failed' | 'skipped';
  rounds: number;
  /** Syscalls the notify passes added. */
  added: string[];
  reason?: string;
  last?: RunCapture;
}

export interface LearnResult {
  usage: LearnedUsage;
  profile: ProposedProfile;
  replay: ReplayResult;
  /** The recorded runs (the first is the reference the replay is compared with). */
  recorded: RunCapture[];
  /** Syscalls seen in some recorded runs (or notify passes) but not in all: the workload is not deterministic. */
  varying: string[];
  notes: string[];
  /** The paths and TCP ports the recorded runs used, with their Landlock rights (learnPaths.ts). */
  paths: PathUsage;
  /** The same, per recorded run (the Landlock nondeterminism report compares them). */
  pathRuns: PathUsage[];
  /** The sandbox the runs were made in (a Landlock proposal is replayed in it: learnLandlock.ts). */
  spec: SandboxSpec;
}

/** Recorded runs per learn request unless it asks otherwise: one run alone cannot tell a stable workload from a lucky one. */
export const DEFAULT_LEARN_RUNS = 2;

/** Names seen in some but not all of the usages (sorted). */
export function varyingNames(usages: LearnedUsage[]): string[] {
  if (usages.length < 2) return [];
  const sets = usages.map((u) => new Set(Object.keys(usedNames(u))));
  const all = new Set(sets.flatMap((s) => [...s]));
  return [...all].filter((n) => !sets.every((s) => s.has(n))).sort();
}

function varyingNote(varying: string[], runs: number): string {
  return `the ${runs} recorded runs did not make the same syscalls: the workload is not deterministic and the profile may be incomplete ` +
    `(seen in only some runs: ${varying.join(', ')}) — learn with more --runs, or exercise every path of the program`;
}

export class LearnError extends Error {}

const MAX_FIX_ROUNDS = 3;

/**
 * The learn sandbox, by the resolver `phantom run` uses (sandboxSpecFor): with a configuration, the profile's own
 * sandbox — `${workspaceFolder}` substituted, hidden paths, limits, the fragments' and the profile's Landlock layers,
 * the approval gate. Only its seccomp policy is left out: that is what is learned (recorded under the learn deny
 * layer, replayed under the proposal alone).
 */
const LEARNED_SECCOMP = '(the profile being learned)';

function prepare(req: LearnRequest): { spec: SandboxSpec; notes: string[] } {
  const prepared = sandboxSpecFor({
    runId: 'learn', argv: req.argv, cwd: req.cwd, env: req.env, network: req.network,
    readOnly: req.readOnly, readWrite: req.readWrite, timeoutSeconds: req.timeoutSeconds, landlockProfile: req.landlockProfile,
    config: req.config, profile: req.profile, file: req.file, approvedOnce: req.approvedOnce, bestEffort: req.bestEffort,
  }, {
    ...req.limits,
    // The seccomp policy is the one being learned: the profile's own is not applied, so it is not asked about either
    // (as a user's --seccomp would replace it); the marker is dropped below, before anything is compiled.
    seccompProfile: LEARNED_SECCOMP,
  });
  const spec: SandboxSpec = {
    ...prepared.spec, seccompPolicy: undefined, seccompProfile: undefined,
    ...(req.learnLandlock && !req.landlockProfile ? { landlockPolicy: undefined } : {}),
    ...(req.reportAs ? { reportAs: req.reportAs } : {}),
  };
  return { spec, notes: prepared.notes };
}

/** Runs the sandbox once, capturing its output; `extra` adds learn or policy fields to the spec. */
export async function captureRun(spec: SandboxSpec, signal?: AbortSignal): Promise<RunCapture> {
  const t0 = performance.now();
  const sandbox = spawnSandbox(spec);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  sandbox.stdout.on('data', (b: Buffer) => out.push(b));
  sandbox.stderr.on('data', (b: Buffer) => err.push(b));
  sandbox.stdin.end();
  const abort = () => sandbox.kill('SIGKILL');
  signal?.addEventListener('abort', abort);
  try {
    const exit = await sandbox.exited;
    return {
      code: exit.code, signal: exit.signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'),
      ms: performance.now() - t0, ...(exit.error ? { error: exit.error } : {}),
    };
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

/** One recorded run: the capture and its usage. */
export async function recordOnce(spec: SandboxSpec, signal?: AbortSignal): Promise<{ capture: RunCapture; usage: LearnedUsage; paths: PathUsage }> {
  const dir = makeScratchDir('phantom-learn-', 'the learn recording');
  try {
    const file = path.join(dir, 'recording.json');
    const capture = await captureRun({ ...spec, learnRecording: file }, signal);
    if (signal?.aborted) throw new LearnError('learning was cancelled');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new LearnError(`the sandbox wrote no recording: ${capture.error ?? `exit ${capture.code ?? capture.signal}`}${capture.stderr ? `\n${capture.stderr.trim()}` : ''}`);
    }
    const raw = parseRecording(text, file);
    if (!raw.attached) throw new LearnError(`learn mode could not attach to the workload: ${raw.error ?? 'unknown reason'}`);
    if (capture.code !== null && capture.code >= 125 && capture.error) throw new LearnError(`the command did not run in the sandbox: ${capture.error}`);
    return { capture, usage: usageFromRecording(raw), paths: pathUsageFromRecording(raw) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sameOutcome(a: RunCapture, b: RunCapture): string | undefined {
  if (a.code !== b.code || a.signal !== b.signal)
    return `exit ${b.code ?? b.signal} under the profile, ${a.code ?? a.signal} when learned${b.stderr ? ` (stderr: ${b.stderr.trim().split('\n').slice(-2).join(' | ')})` : ''}`;
  if (a.stdout !== b.stdout) return 'stdout differs from the learned run';
  return undefined;
}

/** Replays `spec` enforced by `profile`; compares with `reference`. */
export async function replayOnce(spec: SandboxSpec, profile: ProposedProfile, reference: RunCapture, signal?: AbortSignal): Promise<{ capture: RunCapture; difference?: string }> {
  const dir = makeScratchDir('phantom-replay-', 'the replay');
  try {
    const file = path.join(dir, 'proposed.seccomp.json');
    writeFileSync(file, renderJson(profile));
    const capture = await captureRun({ ...spec, seccompProfile: file }, signal);
    return { capture, difference: sameOutcome(reference, capture) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function learnProfile(req: LearnRequest): Promise<LearnResult> {
  const progress = req.onProgress ?? (() => undefined);
  const { spec, notes } = prepare(req);
  const arch = hostFacts().arch;
  const runs = Math.max(1, req.runs ?? DEFAULT_LEARN_RUNS);
  const recorded: RunCapture[] = [];
  const fresh: LearnedUsage[] = [];
  const paths: PathUsage[] = [];
  for (let i = 0; i < runs; i++) {
    progress(`recording run ${i + 1} of ${runs}: ${req.argv.join(' ')}`);
    const r = await recordOnce(spec, req.signal);
    recorded.push(r.capture);
    fresh.push(r.usage);
    paths.push(r.paths);
  }
  const done = { paths: mergePathUsage(...paths), pathRuns: paths, spec };
  const varying = varyingNames(fresh);
  if (varying.length) notes.push(varyingNote(varying, runs));
  if (recorded.some((r) => r.code !== recorded[0].code || r.stdout !== recorded[0].stdout))
    notes.push(`the ${runs} recorded runs did not end alike (exit status or stdout differ): the replay is compared with the first`);
  let usage = mergeUsage(...(req.previous ? [req.previous] : []), ...fresh);
  let profile = proposeProfile(usage, arch);
  if (req.noReplay) return { usage, profile, replay: { status: 'skipped', rounds: 0, added: [] }, recorded, varying, notes, ...done };

  const added: string[] = [];
  let reason = '';
  for (let round = 1; round <= MAX_FIX_ROUNDS + 1; round++) {
    progress(`replaying under the proposed profile (${round === 1 ? 'proof' : `after fix ${round - 1}`})`);
    const replay = await replayOnce(spec, profile, recorded[0], req.signal);
    if (!replay.difference) {
      if (round > 1) {
        // The recorded runs missed what a later run needed: the same warning as runs that differ.
        for (const n of added) if (!varying.includes(n)) varying.push(n);
        varying.sort();
        notes.push(`the first replay under the proposal failed and matched only after adding ${added.join(', ')}: ` +
          'the workload is not deterministic and the profile may be incomplete — learn with more --runs');
      }
      return { usage, profile, replay: { status: round === 1 ? 'verified' : 'fixed', rounds: round, added, last: replay.capture }, recorded, varying, notes, ...done };
    }
    reason = replay.difference;
    if (round > MAX_FIX_ROUNDS) break;
    // Notify pass: what does the workload call that the proposal does not allow?
    progress(`replay failed (${reason}); notify pass to find the missing syscalls`);
    const pass = await recordOnce(spec, req.signal);
    const allowed = allowedNames(profile);
    const missing = Object.keys(usedNames(pass.usage)).filter((n) => !allowed.has(n) && n !== 'clone3');
    if (missing.length === 0) {
      reason += pass.capture.stdout !== recorded[0].stdout || pass.capture.code !== recorded[0].code
        ? ' — the unenforced run differs too: the command is not deterministic (compare only its exit status, or make its output stable)'
        : ' — a notify pass found no syscall missing from the proposal';
      break;
    }
    added.push(...missing);
    usage = mergeUsage(usage, pass.usage);
    profile = proposeProfile(usage, arch);
  }
  return { usage, profile, replay: { status: 'failed', rounds: MAX_FIX_ROUNDS + 1, added, reason }, recorded, varying, notes, ...done };
}

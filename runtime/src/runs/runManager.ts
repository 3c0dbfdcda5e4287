/**
 * Runs, one lifecycle from request to exit: admission under pressure (admission.ts: a run waits, bounded, or is
 * refused), then the sandbox, its output, cancel and stdin, and every exit reported exactly once — a refused or
 * cancelled-while-waiting run too. Independent of the transport (the JSON-RPC main and tests supply the sink).
 */
import { StringDecoder } from 'node:string_decoder';
import path from 'node:path';
import type { RunExit, RunOutput, RunParams } from '../protocol';
import { limitOutput } from '../sandbox/outputLimit';
import { denialOrigin, exitDenials } from '../denials/denials';
import { spawnSandbox, type SandboxProcess } from '../sandbox/sandboxSpawn';
import { sandboxSpecFor } from '../sandbox/sandboxSpec';
import { CommandResolutionError } from '../sandbox/commandResolution';
import { ProfileLoadError } from '../../../model';
import { ApprovalNeededError } from '../trust/approvalGate';
import { resolvePressureRules, type AdmissionOutcome, type ResolvedPressureRules } from '../psi/admission';
import { readConfigFile } from '../policy/profileRun';
import { explainLandlock, prepareExplain } from '../denials/explainRun';
import { auditedLandlockDenials } from '../denials/auditedLandlock';
import type { StartupMetrics } from './startupMetrics';
import type { ZygoteManager } from '../zygote/zygoteManager';

export interface RunSink {
  output(output: RunOutput): void;
  exit(exit: RunExit): void;
  /** The command started (its execve): how long the sandbox took, warm or cold. */
  started?(started: { runId: string; spawnMs: number; warm: boolean }): void;
  /** The run waits for the pressure to fall before it starts (at most `maxWaitMs`). */
  deferred?(deferred: { runId: string; reason: string; maxWaitMs: number }): void;
}

/** Pressure-aware admission (psiService.ts): decides, and waits while the decision is to defer. */
export interface RunAdmission {
  admit(onDefer: (reason: string, maxWaitMs: number) => void, rules?: ResolvedPressureRules): Promise<AdmissionOutcome>;
}

/**
 * The orchestrator.pressure of the run's phantom-fragment.yaml (the schema's defaults filled in), or undefined for
 * the rules set by the client. A configuration that cannot be read decides nothing here: the run itself reports why.
 */
function pressureRulesOf(config: string | undefined): ResolvedPressureRules | undefined {
  if (!config) return undefined;
  try {
    return resolvePressureRules(readConfigFile(config).pressure);
  } catch {
    return undefined; // the run fails with the file's error (sandboxSpec.ts) right after admission
  }
}

/** The command column of the metrics: the request's argv, or the profile's `run` it resolved to. */
export function recordedCommand(params: Pick<RunParams, 'argv' | 'profile'>, command?: readonly string[]): string {
  if (command?.length) return command.join(' ');
  if (params.argv.length) return params.argv.join(' ');
  return `(the run of profile ${params.profile ?? 'default'})`;
}

export class RunManager {
  private readonly runs = new Map<string, SandboxProcess>();
  /** Runs waiting for the pressure to fall; a cancel during the wait marks them so they never start. */
  private readonly waiting = new Map<string, { cancelled: boolean }>();

  /** `metrics`, when given, records every run's startup (cold/warm spawn ms) and exit; `zygotes`, when given,
   * serves runs from warm zygote pools (zygoteManager.ts), else every run starts cold; `admission`, when given,
   * admits each submitted run under pressure first, else every run starts at once. */
  constructor(
    private readonly sink: RunSink,
    private readonly metrics?: StartupMetrics,
    private readonly zygotes?: ZygoteManager,
    private readonly admission?: RunAdmission,
  ) {}

  get activeRuns(): number {
    return this.runs.size;
  }

  /**
   * A run request: admitted under pressure (it may wait, bounded, or be refused with the reason: exit 125), then
   * started. Resolves once the run has started or ended; every outcome is reported through the sink.
   */
  async submit(params: RunParams): Promise<void> {
    if (!this.admission) return this.start(params);
    if (this.runs.has(params.runId) || this.waiting.has(params.runId)) throw new Error(`run ${params.runId} is already running`);
    const profile = params.profile ?? 'default';
    const wait = { cancelled: false };
    this.waiting.set(params.runId, wait);
    let admission: AdmissionOutcome;
    try {
      admission = await this.admission.admit((reason, maxWaitMs) => {
        this.metrics?.countDeferred(profile);
        this.sink.deferred?.({ runId: params.runId, reason, maxWaitMs });
      }, pressureRulesOf(params.config));
    } finally {
      this.waiting.delete(params.runId);
    }
    const refusal = wait.cancelled ? 'cancelled while waiting for the pressure to fall' : admission.action === 'reject' ? `refused under pressure: ${admission.reason}` : undefined;
    if (!refusal) return this.start(params);
    if (admission.action === 'reject') this.metrics?.countRejected(profile);
    this.record(params, { startupMs: null, code: 125, signal: null, error: refusal });
    this.sink.exit({ runId: params.runId, code: 125, signal: null, error: refusal, timings: { queueMs: admission.waitedMs, spawnMs: 0, totalMs: admission.waitedMs, warm: false } });
  }

  /** Starts a run; failures to start are reported as an exit with code 125/127 and an error, never thrown. */
  start(params: RunParams): void {
    const requested = performance.now();
    if (this.runs.has(params.runId)) throw new Error(`run ${params.runId} is already running`);
    const fail = (code: number, error: string, approval?: RunExit['approval']) => {
      this.record(params, { startupMs: null, code, signal: null, error });
      this.sink.exit({ runId: params.runId, code, signal: null, error, timings: { queueMs: 0, spawnMs: 0, totalMs: performance.now() - requested, warm: false }, ...(approval ? { approval } : {}) });
    };
    if (!path.isAbsolute(params.cwd)) return fail(125, `the working directory must be an absolute path, got '${params.cwd}'`);
    if (params.argv.length === 0 && !params.config) return fail(127, 'no command to run');

    let prepared;
    try {
      prepared = sandboxSpecFor(params);
    } catch (error) {
      // A profile that cannot be used, or awaits approval, means no sandbox (125); a command that cannot be found is
      // 127, one that cannot be executed 126.
      return fail(error instanceof CommandResolutionError ? error.exitCode : error instanceof ProfileLoadError ? 125 : 127, error instanceof Error ? error.message : String(error), error instanceof ApprovalNeededError ? error.status : undefined);
    }
    const command = prepared.command;
    const queueMs = performance.now() - requested;
    const origin = denialOrigin(prepared.spec, prepared.origin); // before the run: it may rewrite the workspace's files
    // Explain: a cold run of the same sandbox with its paths recorded (explainRun.ts); a zygote has no recording.
    const explain = params.explain ? prepareExplain(prepared.spec, prepared.origin) : undefined;
    const started = explain ? spawnSandbox(explain.spec) : this.zygotes ? this.zygotes.spawn(prepared.spec, { profile: params.profile, pool: prepared.pool }) : spawnSandbox(prepared.spec);
    const sandbox = limitOutput(started, prepared.outputBytes);
    this.runs.set(params.runId, sandbox);
    void sandbox.execed.then(({ spawnMs, warm }) => this.sink.started?.({ runId: params.runId, spawnMs, warm }));
    this.pipe(params.runId, sandbox, 'stdout');
    this.pipe(params.runId, sandbox, 'stderr');
    // Standard input stays open until the client sends eof or cancels.
    sandbox.stdin.on('error', () => undefined); // EPIPE when the command exits without reading: not an error of the run.

    const streamsDone = Promise.all([onceClosed(sandbox.stdout), onceClosed(sandbox.stderr)]);
    void sandbox.exited.then(async (exit) => {
      await streamsDone; // every byte of output is sent before the exit report
      this.runs.delete(params.runId);
      const warm = 'warm' in exit && exit.warm === true; // served by a zygote (zygoteManager.ts)
      // A sandbox that was never made (125) has no startup latency worth counting.
      this.record(params, { startupMs: exit.code === 125 && exit.error ? null : exit.spawnMs, code: exit.code, signal: exit.signal, error: exit.error, warm, command });
      const audited = auditedLandlockDenials(exit.rawDenials, prepared.spec, prepared.origin);
      let denials = audited.length ? [...(exitDenials(origin, exit) ?? []), ...audited] : exitDenials(origin, exit);
      const explainNotes: string[] = [];
      if (explain) {
        const observed = new Set(audited.map((d) => d.path));
        const inferred = explainLandlock(explain, explainNotes).filter((d) => !observed.has(d.path)); // the kernel's record wins
        explain.dispose();
        if (inferred.length) denials = [...(denials ?? []), ...inferred];
      }
      this.sink.exit({
        runId: params.runId,
        code: exit.code,
        signal: exit.signal,
        error: exit.error,
        notes: [...prepared.notes, ...exit.notes, ...explainNotes],
        ...(exit.outputLimited ? { outputLimited: exit.outputLimited } : {}),
        ...(denials ? { denials } : {}),
        timings: { queueMs, spawnMs: exit.spawnMs, totalMs: performance.now() - requested, warm },
        ...(exit.pressure
          ? { pressure: { cpuMs: exit.pressure.cpuUs / 1000, memoryMs: exit.pressure.memoryUs / 1000, ioMs: exit.pressure.ioUs / 1000 } }
          : {}),
      });
    });
  }

  stdin(runId: string, data?: string, eof?: boolean): void {
    const run = this.runs.get(runId);
    if (!run) return;
    if (data) run.stdin.write(data);
    if (eof) run.stdin.end();
  }

  /** Stops a run, or marks one still waiting for admission so it never starts. */
  cancel(runId: string): boolean {
    const waiting = this.waiting.get(runId);
    if (waiting) waiting.cancelled = true;
    const run = this.runs.get(runId);
    run?.kill('SIGKILL');
    return run !== undefined || waiting !== undefined;
  }

  /** Kills every run: called when the runtime exits so nothing outlives it. */
  disposeAll(): void {
    for (const run of this.runs.values()) run.kill('SIGKILL');
  }

  private record(params: RunParams, run: { startupMs: number | null; code: number | null; signal: string | null; error?: string; warm?: boolean; command?: string[] }): void {
    this.metrics?.recordRun({
      runId: params.runId,
      profile: params.profile ?? 'default',
      command: recordedCommand(params, run.command),
      warm: run.warm ?? false,
      startupMs: run.startupMs,
      exitCode: run.code,
      signal: run.signal,
      error: run.error,
      endedAt: Date.now(),
    });
  }

  private pipe(runId: string, sandbox: SandboxProcess, stream: 'stdout' | 'stderr'): void {
    const decoder = new StringDecoder('utf8');
    sandbox[stream].on('data', (chunk: Buffer) => {
      const data = decoder.write(chunk);
      if (data) this.sink.output({ runId, stream, data });
    });
    sandbox[stream].on('end', () => {
      const rest = decoder.end();
      if (rest) this.sink.output({ runId, stream, data: rest });
    });
  }
}

function onceClosed(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    stream.once('close', resolve);
    stream.once('end', resolve);
    stream.once('error', () => resolve());
  });
}

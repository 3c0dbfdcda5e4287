/**
 * The runtime process, as the extension sees it: started as a child (node dist/runtime.js), spoken to over
 * JSON-RPC on its stdio, restarted when it dies. Run events are dispatched to their listeners by runId.
 * When it dies, what it printed on stderr is kept: a request that was pending fails with the runtime's own error
 * (runtimeFailure.ts), not with vscode-jsonrpc's "connection got disposed"; after MAX_RESTARTS deaths in a
 * minute it is left stopped in the 'failed' state, which the status bar shows until "Phantom: Restart Runtime".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import { createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter, type MessageConnection, type RequestType } from 'vscode-jsonrpc/node';
import {
  KernelFeaturesRequest,
  ProfilesRequest,
  MetricsSnapshotRequest,
  PressureNotification,
  PressureSubscribeRequest,
  RecentRunsRequest,
  RunDeferredNotification,
  type MetricsSnapshot,
  type PressureSample,
  type PressureSubscription,
  type RecentRun,
  RunCancelRequest,
  RunExitNotification,
  RunStartedNotification,
  RunOutputNotification,
  RunStartRequest,
  RunStdinNotification,
  type KernelFeatures,
  type ProfilesParams,
  type ProfilesResult,
  type RunExit,
  type RunOutput,
  type RunParams,
} from '../../runtime/src/protocol';
import { LearnProfileRequest, LearnProgressNotification, PressureRulesRequest, type LearnProfileParams, type LearnProfileResult, type PressureRulesResult } from '../../runtime/src/protocol';
import { runtimeExitText } from './runtimeFailure';

export interface RunListener {
  output(output: RunOutput): void;
  exit(exit: RunExit): void;
  started?(started: { spawnMs: number; warm: boolean }): void;
}

/** Restarts within this window count towards the limit; beyond it the runtime is left stopped and the user told. */
const RESTART_WINDOW_MS = 60_000;
const MAX_RESTARTS = 5;
/** Bytes of a runtime's stderr kept for the failure message (its first lines are what explains a failed start). */
const STDERR_KEPT = 16_384;

export type RuntimeState = 'running' | 'stopped' | 'failed';

/** A request failed because the runtime died under it; the message is the runtime's own error. */
export class RuntimeFailedError extends Error {}

export class RuntimeClient implements vscode.Disposable {
  private child: ChildProcess | undefined;
  private connection: MessageConnection | undefined;
  private readonly listeners = new Map<string, RunListener>();
  private restarts: number[] = [];
  private disposed = false;
  private readonly onDidChangeStateEmitter = new vscode.EventEmitter<RuntimeState>();
  readonly onDidChangeState = this.onDidChangeStateEmitter.event;
  private readonly onPressureEmitter = new vscode.EventEmitter<PressureSample>();
  /** PSI samples of the stream (after subscribePressure), and `available: false` when the runtime stops. */
  readonly onPressure = this.onPressureEmitter.event;
  private readonly onRunEndedEmitter = new vscode.EventEmitter<RunExit>();
  /** Every run's exit report, whoever started it (the metrics panel refreshes on it). */
  readonly onRunEnded = this.onRunEndedEmitter.event;
  private readonly onRunDeferredEmitter = new vscode.EventEmitter<{ runId: string; reason: string; maxWaitMs: number }>();
  /** A run waits for the pressure to fall before it starts. */
  readonly onRunDeferred = this.onRunDeferredEmitter.event;
  /** The stream's interval while subscribed: a restarted runtime is subscribed again. */
  private pressureIntervalMs: number | undefined;

  /** The start of the current child's stderr. */
  private stderr = '';
  /** Why the last runtime died (its own words), until one starts that keeps running. */
  private lastFailure: string | undefined;
  private gaveUp = false;

  constructor(
    private runtimePath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The runtime bundle this client starts. */
  get bundle(): string {
    return this.runtimePath;
  }

  /** Starts `runtimePath` from now on: the running runtime is stopped and the new one started (a restart). */
  restartWith(runtimePath: string): void {
    this.runtimePath = runtimePath;
    this.restart();
  }

  /** 'failed' once the runtime died MAX_RESTARTS times within a minute and is not restarted any more. */
  get state(): RuntimeState {
    return this.connection ? 'running' : this.gaveUp ? 'failed' : 'stopped';
  }

  /** The runtime's own words about its last death (first lines of its stderr), if it died. */
  get failure(): string | undefined {
    return this.lastFailure;
  }

  get pid(): number | undefined {
    return this.connection ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.connection !== undefined;
  }

  start(): void {
    if (this.disposed || this.child) return;
    this.gaveUp = false;
    this.stderr = '';
    // In VS Code desktop process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it a plain Node.
    const child = spawn(process.execPath, [this.runtimePath], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    this.child = child;
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    connection.onNotification(RunOutputNotification, (output) => this.listeners.get(output.runId)?.output(output));
    connection.onNotification(RunStartedNotification, (started) => this.listeners.get(started.runId)?.started?.(started));
    connection.onNotification(RunExitNotification, (exit) => {
      this.listeners.get(exit.runId)?.exit(exit);
      this.listeners.delete(exit.runId);
      this.onRunEndedEmitter.fire(exit);
    });
    connection.onNotification(PressureNotification, (sample) => this.onPressureEmitter.fire(sample));
    connection.onNotification(RunDeferredNotification, (deferred) => this.onRunDeferredEmitter.fire(deferred));
    const stderrEnded = new Promise<void>((resolve) => child.stderr!.once('close', resolve));
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (this.stderr.length < STDERR_KEPT) this.stderr += text.slice(0, STDERR_KEPT - this.stderr.length);
      for (const line of text.split('\n')) if (line.trim()) this.log.info(`[runtime] ${line}`);
    });
    child.on('error', (error) => {
      this.stderr += `Error: could not start ${this.runtimePath}: ${error.message}\n`;
      this.log.error(`runtime: could not start ${this.runtimePath}: ${error.message}`);
    });
    child.on('exit', (code, signal) => {
      // The last stderr lines arrive after 'exit': wait for them (briefly: a grandchild could hold the pipe).
      let timer: NodeJS.Timeout | undefined;
      void Promise.race([stderrEnded, new Promise<void>((r) => (timer = setTimeout(r, 300)))]).then(() => {
        clearTimeout(timer);
        this.onExit(child, code, signal);
      });
    });
    connection.listen();
    this.connection = connection;
    this.log.info(`runtime: started (pid ${child.pid}, ${this.runtimePath})`);
    this.onDidChangeStateEmitter.fire('running');
    if (this.pressureIntervalMs !== undefined) void this.subscribePressure(this.pressureIntervalMs).catch(() => undefined); // the state event tells listeners
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    const killedByUs = this.stopping;
    this.stopping = false;
    this.lastFailure = killedByUs ? undefined : runtimeExitText(code, signal, this.stderr);
    this.connection?.dispose();
    this.connection = undefined;
    this.child = undefined;
    if (this.pressureIntervalMs !== undefined) this.onPressureEmitter.fire({ available: false, reason: 'the Phantom runtime is not running' });
    // The runs of a dead runtime are over: tell their terminals why instead of leaving them waiting.
    const why = this.lastFailure ?? 'the Phantom runtime was restarted';
    for (const [runId, listener] of this.listeners) {
      listener.exit({ runId, code: null, signal: null, error: `${why}\n(the run ended with it)`, timings: { queueMs: 0, spawnMs: 0, totalMs: 0, warm: false } });
    }
    this.listeners.clear();
    if (this.disposed) return;
    if (this.lastFailure) this.log.error(`runtime: ${this.lastFailure}`);
    else this.log.info('runtime: stopped for a restart');
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      this.gaveUp = true;
      this.onDidChangeStateEmitter.fire('failed');
      void vscode.window
        .showErrorMessage(`Phantom: ${this.lastFailure ?? 'the runtime stopped'} — it stopped ${MAX_RESTARTS} times within a minute and is not restarted again.`, 'Show Log', 'Restart Runtime')
        .then((choice) => {
          if (choice === 'Show Log') this.log.show();
          else if (choice === 'Restart Runtime') this.restart();
        });
      return;
    }
    this.onDidChangeStateEmitter.fire('stopped');
    this.restarts.push(now);
    this.start();
  }

  /** true while a restart() waits for the old process to exit (its exit is not a failure). */
  private stopping = false;

  restart(): void {
    this.restarts = [];
    this.lastFailure = undefined;
    if (this.child) {
      this.stopping = true;
      this.child.kill('SIGTERM'); // onExit starts a new one
    } else this.start();
  }

  private require(): MessageConnection {
    if (!this.connection) this.start();
    if (!this.connection) {
      throw new RuntimeFailedError(`${this.lastFailure ?? 'the Phantom runtime is not running'}\nSee "Phantom: Show Log", then run "Phantom: Restart Runtime".`);
    }
    return this.connection;
  }

  /** Sends a request; when the runtime dies under it, fails with the runtime's own error instead of jsonrpc's. */
  private async call<R>(send: (connection: MessageConnection) => Promise<R>): Promise<R> {
    const connection = this.require();
    try {
      return await send(connection);
    } catch (error) {
      // A write to a runtime that just died fails before its exit is known: give the exit a moment to arrive.
      // (A ResponseError is the runtime's own answer, cancellation included: nothing to wait for.)
      if (!(error instanceof ResponseError) && this.connection === connection) await this.exitOrTimeout(connection, 1000);
      if (this.connection !== connection && !this.disposed) {
        throw new RuntimeFailedError(this.lastFailure ?? 'the Phantom runtime was restarted during the request');
      }
      throw error;
    }
  }

  private exitOrTimeout(connection: MessageConnection, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const listener = this.onDidChangeState(() => {
        if (this.connection !== connection) done();
      });
      function done() {
        clearTimeout(timer);
        listener.dispose();
        resolve();
      }
    });
  }

  /** Starts a run; when the runtime dies before answering, the listener has already been told (onExit). */
  async run(params: RunParams, listener: RunListener): Promise<void> {
    this.listeners.set(params.runId, listener);
    try {
      await this.call((c) => c.sendRequest(RunStartRequest, params));
    } catch (error) {
      const told = !this.listeners.has(params.runId);
      this.listeners.delete(params.runId);
      if (error instanceof RuntimeFailedError && told) return;
      throw error;
    }
  }

  sendStdin(runId: string, data?: string, eof?: boolean): void {
    void this.connection?.sendNotification(RunStdinNotification, { runId, data, eof });
  }

  async cancel(runId: string): Promise<boolean> {
    if (!this.connection) return false;
    return (await this.connection.sendRequest(RunCancelRequest, { runId })).cancelled;
  }

  /** Any request of the runtime's protocol (runtime/src/protocol.ts), starting the runtime when needed. */
  async request<P, R, E>(type: RequestType<P, R, E>, params: P): Promise<R> {
    // `params` is typed by `type`; the cast only bridges jsonrpc's conditional parameter type for a generic P.
    return this.call((c) => c.sendRequest<P, R, E>(type, params as never));
  }

  async profiles(params: ProfilesParams): Promise<ProfilesResult> {
    return this.call((c) => c.sendRequest(ProfilesRequest, params));
  }

  /** The `orchestrator.pressure` rules in force for a configuration (the defaults without one). */
  async pressureRules(config?: string): Promise<PressureRulesResult> {
    return this.call((c) => c.sendRequest(PressureRulesRequest, { config }));
  }

  /** Learn mode: record, propose, replay (cancelling the token kills the sandbox); progress lines as they come. */
  async learnProfile(params: LearnProfileParams, token?: vscode.CancellationToken, onProgress?: (message: string) => void): Promise<LearnProfileResult> {
    const connection = this.require();
    const progress = connection.onNotification(LearnProgressNotification, (p) => {
      if (p.learnId === params.learnId) onProgress?.(p.message);
    });
    try {
      return await this.call((c) => c.sendRequest(LearnProfileRequest, params, token));
    } finally {
      progress.dispose();
    }
  }

  async kernelFeatures(): Promise<KernelFeatures> {
    return this.call((c) => c.sendRequest(KernelFeaturesRequest));
  }

  /** Starts the runtime's PSI stream (PressureNotification → onPressure); kept across runtime restarts. */
  async subscribePressure(intervalMs = 1000): Promise<PressureSubscription> {
    this.pressureIntervalMs = intervalMs;
    return this.call((c) => c.sendRequest(PressureSubscribeRequest, { intervalMs }));
  }

  async metrics(): Promise<MetricsSnapshot> {
    return this.call((c) => c.sendRequest(MetricsSnapshotRequest));
  }

  async recentRuns(limit?: number): Promise<RecentRun[]> {
    return this.call((c) => c.sendRequest(RecentRunsRequest, { limit }));
  }

  dispose(): void {
    this.disposed = true;
    this.onPressureEmitter.dispose();
    this.onRunEndedEmitter.dispose();
    this.onRunDeferredEmitter.dispose();
    this.connection?.dispose();
    this.child?.kill('SIGTERM');
    this.onDidChangeStateEmitter.dispose();
  }
}

/**
 * The runtime process, as the extension sees it: started as a child (node dist/runtime.js), spoken to over
 * JSON-RPC on its stdio, restarted when it dies. Run events are dispatched to their listeners by runId.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection, type RequestType } from 'vscode-jsonrpc/node';
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
import { LearnProfileRequest, LearnProgressNotification, type LearnProfileParams, type LearnProfileResult } from '../../runtime/src/protocol';

export interface RunListener {
  output(output: RunOutput): void;
  exit(exit: RunExit): void;
  started?(started: { spawnMs: number; warm: boolean }): void;
}

/** Restarts within this window count towards the limit; beyond it the runtime is left stopped and the user told. */
const RESTART_WINDOW_MS = 60_000;
const MAX_RESTARTS = 5;

export class RuntimeClient implements vscode.Disposable {
  private child: ChildProcess | undefined;
  private connection: MessageConnection | undefined;
  private readonly listeners = new Map<string, RunListener>();
  private restarts: number[] = [];
  private disposed = false;
  private readonly onDidChangeStateEmitter = new vscode.EventEmitter<'running' | 'stopped'>();
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

  constructor(
    private readonly runtimePath: string,
    private readonly log: vscode.OutputChannel,
  ) {}

  get pid(): number | undefined {
    return this.connection ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.connection !== undefined;
  }

  start(): void {
    if (this.disposed || this.child) return;
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
    child.stderr!.on('data', (chunk: Buffer) => this.log.append(chunk.toString()));
    child.on('error', (error) => this.log.appendLine(`runtime: could not start ${this.runtimePath}: ${error.message}`));
    child.on('exit', (code, signal) => this.onExit(code, signal));
    connection.listen();
    this.connection = connection;
    this.log.appendLine(`runtime: started (pid ${child.pid})`);
    this.onDidChangeStateEmitter.fire('running');
    if (this.pressureIntervalMs !== undefined) void this.subscribePressure(this.pressureIntervalMs).catch(() => undefined); // the state event tells listeners
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.connection?.dispose();
    this.connection = undefined;
    this.child = undefined;
    this.onDidChangeStateEmitter.fire('stopped');
    if (this.pressureIntervalMs !== undefined) this.onPressureEmitter.fire({ available: false, reason: 'the Phantom runtime is not running' });
    // The runs of a dead runtime are over: tell their terminals instead of leaving them waiting.
    for (const [runId, listener] of this.listeners) {
      listener.exit({ runId, code: null, signal: null, error: 'the Phantom runtime stopped during the run', timings: { queueMs: 0, spawnMs: 0, totalMs: 0, warm: false } });
    }
    this.listeners.clear();
    if (this.disposed) return;
    this.log.appendLine(`runtime: exited (${signal ?? `code ${code}`})`);
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      void vscode.window.showErrorMessage(`The Phantom runtime stopped ${MAX_RESTARTS} times within a minute and is not restarted again. See the "Phantom" output; run "Phantom: Restart Runtime" to try again.`);
      return;
    }
    this.restarts.push(now);
    this.start();
  }

  restart(): void {
    this.restarts = [];
    if (this.child) this.child.kill('SIGTERM'); // onExit starts a new one
    else this.start();
  }

  private require(): MessageConnection {
    if (!this.connection) this.start();
    if (!this.connection) throw new Error('The Phantom runtime is not running: see the "Phantom" output, then run "Phantom: Restart Runtime".');
    return this.connection;
  }

  async run(params: RunParams, listener: RunListener): Promise<void> {
    const connection = this.require();
    this.listeners.set(params.runId, listener);
    try {
      await connection.sendRequest(RunStartRequest, params);
    } catch (error) {
      this.listeners.delete(params.runId);
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
    return this.require().sendRequest<P, R, E>(type, params as never);
  }

  async profiles(params: ProfilesParams): Promise<ProfilesResult> {
    return this.require().sendRequest(ProfilesRequest, params);
  }

  /** Learn mode: record, propose, replay (cancelling the token kills the sandbox); progress lines as they come. */
  async learnProfile(params: LearnProfileParams, token?: vscode.CancellationToken, onProgress?: (message: string) => void): Promise<LearnProfileResult> {
    const connection = this.require();
    const progress = connection.onNotification(LearnProgressNotification, (p) => {
      if (p.learnId === params.learnId) onProgress?.(p.message);
    });
    try {
      return await connection.sendRequest(LearnProfileRequest, params, token);
    } finally {
      progress.dispose();
    }
  }

  async kernelFeatures(): Promise<KernelFeatures> {
    return this.require().sendRequest(KernelFeaturesRequest);
  }

  /** Starts the runtime's PSI stream (PressureNotification → onPressure); kept across runtime restarts. */
  async subscribePressure(intervalMs = 1000): Promise<PressureSubscription> {
    this.pressureIntervalMs = intervalMs;
    return this.require().sendRequest(PressureSubscribeRequest, { intervalMs });
  }

  async metrics(): Promise<MetricsSnapshot> {
    return this.require().sendRequest(MetricsSnapshotRequest);
  }

  async recentRuns(limit?: number): Promise<RecentRun[]> {
    return this.require().sendRequest(RecentRunsRequest, { limit });
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

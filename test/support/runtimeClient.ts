/** Drives the built runtime (dist/runtime.js) over its real JSON-RPC stdio protocol, for tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { RunExitNotification, RunOutputNotification, RunStartRequest, type RunExit, type RunParams } from '../../runtime/src/protocol';

export const RUNTIME = path.resolve(__dirname, '../../dist/runtime.js');

export interface FinishedRun {
  stdout: string;
  stderr: string;
  exit: RunExit;
}

export class TestRuntime {
  readonly child: ChildProcess;
  readonly connection: MessageConnection;
  private readonly outputs = new Map<string, { stdout: string; stderr: string }>();
  private readonly exits = new Map<string, { resolve: (exit: RunExit) => void; reject: (error: Error) => void }>();
  /** How many exit reports each run got (exactly one is right). */
  readonly exitCounts = new Map<string, number>();
  stderr = '';

  constructor() {
    this.child = spawn(process.execPath, [RUNTIME], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification(RunOutputNotification, (o) => {
      const buffers = this.outputs.get(o.runId) ?? { stdout: '', stderr: '' };
      buffers[o.stream] += o.data;
      this.outputs.set(o.runId, buffers);
    });
    this.connection.onNotification(RunExitNotification, (exit) => {
      this.exitCounts.set(exit.runId, (this.exitCounts.get(exit.runId) ?? 0) + 1);
      this.exits.get(exit.runId)?.resolve(exit);
      this.exits.delete(exit.runId);
    });
    // A runtime that dies ends every run still waiting for its exit report (a test then fails instead of hanging).
    this.child.once('exit', (code, signal) => {
      for (const [runId, waiting] of this.exits) waiting.reject(new Error(`the runtime exited (${signal ?? code}) before ${runId} ended; its stderr:\n${this.stderr}`));
      this.exits.clear();
    });
    this.connection.listen();
  }

  /** Starts a run and resolves with its output and exit report. */
  async run(params: Omit<RunParams, 'runId'> & { runId?: string }, onStarted?: (runId: string) => void): Promise<FinishedRun> {
    const runId = params.runId ?? `run-${Math.random().toString(36).slice(2)}`;
    const exited = new Promise<RunExit>((resolve, reject) => this.exits.set(runId, { resolve, reject }));
    try {
      await this.connection.sendRequest(RunStartRequest, { ...params, runId });
    } catch (error) {
      this.exits.delete(runId); // refused: no exit report will come
      throw error;
    }
    onStarted?.(runId);
    const exit = await exited;
    const buffers = this.outputs.get(runId) ?? { stdout: '', stderr: '' };
    return { ...buffers, exit };
  }

  /** Ends the runtime (stdin closed, as the editor does); killed after 15 s so a failed test cannot hang the suite. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    this.connection.dispose();
    this.child.stdin!.end();
    try {
      return await exited;
    } finally {
      clearTimeout(killer);
    }
  }
}

/**
 * One language server under measurement: a child process spoken to over stdio with LSP, as an editor would.
 * It answers the server's `workspace/configuration` pulls from the settings it was given (how
 * yaml-language-server learns its schema association), and times what a user waits for: diagnostics after
 * an open or an edit, and completions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export interface LspDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
}

interface Publication {
  at: number;
  version?: number;
  diagnostics: LspDiagnostic[];
}

export interface LspServerSpec {
  /** How the report names it. */
  name: string;
  /** The script run with this Node (`--stdio` is added). */
  script: string;
  /** Node options before the script (none for the figures: servers run as editors start them). */
  nodeArgs?: string[];
  /** Settings by section, answered to `workspace/configuration`. */
  settings?: Record<string, unknown>;
  /** The section whose first pull means the server has its settings (measuring starts after it). */
  settingsSection?: string;
  languageId: string;
}

/** The most any single step may take before the benchmark gives up on the server. */
const STEP_TIMEOUT_MS = 120_000;

export class LspSession {
  private readonly child: ChildProcess;
  private readonly connection: MessageConnection;
  private readonly publications = new Map<string, Publication[]>();
  private readonly waiters = new Set<() => void>();
  private exited: string | undefined;
  private stderr = '';
  /** Resolved once the server pulled the `yaml`-style settings at least once (or at once when it has none). */
  private configurationPulled: Promise<void>;
  private markPulled: () => void = () => undefined;
  serverVersion = '';

  constructor(readonly spec: LspServerSpec) {
    this.child = spawn(process.execPath, [...(spec.nodeArgs ?? []), spec.script, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      // Only the tail is kept, for error messages.
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = signal ?? String(code);
      this.wake();
    });
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.configurationPulled = new Promise((resolve) => (this.markPulled = resolve));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: { uri: string; version?: number; diagnostics: LspDiagnostic[] }) => {
      const list = this.publications.get(params.uri) ?? [];
      list.push({ at: performance.now(), version: params.version, diagnostics: params.diagnostics });
      this.publications.set(params.uri, list);
      this.wake();
    });
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => {
      const answer = params.items.map((item) => (item.section ? (spec.settings?.[item.section] ?? null) : null));
      if (params.items.some((item) => item.section === spec.settingsSection)) this.markPulled();
      return answer;
    });
    // Registrations and progress tokens are accepted and otherwise ignored: the benchmark needs neither.
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onNotification(() => undefined);
    this.connection.listen();
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  async initialize(): Promise<void> {
    const result = await this.withTimeout('initialize', this.connection.sendRequest<{ serverInfo?: { version?: string } }>('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: false },
          publishDiagnostics: { versionSupport: true },
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
        },
      },
    }));
    this.serverVersion = result.serverInfo?.version ?? '';
    await this.connection.sendNotification('initialized', {});
    if (this.spec.settingsSection) {
      await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: this.spec.settings });
      await this.withTimeout('the first workspace/configuration pull', this.configurationPulled);
    }
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: this.spec.languageId, version, text } });
  }

  /** A one-range edit, as editors send them (incremental sync). */
  async edit(uri: string, version: number, at: { line: number; character: number }, removed: number, inserted: string): Promise<void> {
    const range = { start: at, end: { line: at.line, character: at.character + removed } };
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: inserted }] });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The first publication for `uri` after `since` that satisfies `accept`, with its arrival time. */
  async diagnosticsAfter(uri: string, since: number, accept: (diagnostics: LspDiagnostic[]) => boolean = () => true): Promise<Publication> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const found = (this.publications.get(uri) ?? []).find((p) => p.at >= since && accept(p.diagnostics));
      if (found) return found;
      this.checkAlive(`diagnostics for ${uri}`);
      if (Date.now() > deadline) throw new Error(`${this.spec.name}: no matching diagnostics for ${uri} within ${STEP_TIMEOUT_MS / 1000} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 1000);
        const waiters = this.waiters;
        function done(): void {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  async completion(uri: string, position: { line: number; character: number }): Promise<number> {
    const result = await this.withTimeout('completion', this.connection.sendRequest<unknown>('textDocument/completion', { textDocument: { uri }, position }));
    if (Array.isArray(result)) return result.length;
    const list = result as { items?: unknown[] } | null;
    return list?.items?.length ?? 0;
  }

  /** VmRSS of the server process, in KiB (Linux). */
  residentKiB(): number {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    if (!match) throw new Error(`${this.spec.name}: no VmRSS in /proc/${this.pid}/status`);
    return Number(match[1]);
  }

  /** shutdown + exit; killed if it does not go within 5 s. */
  async dispose(): Promise<void> {
    if (this.exited === undefined) {
      const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      try {
        await Promise.race([this.connection.sendRequest('shutdown').then(() => this.connection.sendNotification('exit')), delay(5000)]);
      } catch {
        // A server that cannot shut down cleanly is killed below.
      }
      await Promise.race([gone, delay(5000)]);
      if (this.exited === undefined) this.child.kill('SIGKILL');
    }
    this.connection.dispose();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private checkAlive(step: string): void {
    if (this.exited !== undefined) throw new Error(`${this.spec.name} exited (${this.exited}) while waiting for ${step}: ${this.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  }

  private async withTimeout<T>(step: string, promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.spec.name}: ${step} took more than ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

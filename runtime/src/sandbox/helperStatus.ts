/**
 * The helper's status stream (fd 3 of `phantom-sandbox`, one JSON object per line; docs/sandbox.md,
 * docs/zygotes.md), read once for cold runs (sandboxSpawn.ts) and zygotes (zygoteProcess.ts) alike: the lines are
 * parsed here and what they say is kept — notes, the error, refused calls, the sandbox's stall time, the exit line —
 * and turned into the run's exit.
 */
import type { RawDenial } from '../denials/denials';
import type { SandboxExit, SandboxPressure } from './sandboxSpawn';

/** One line of the helper's status stream. */
export type HelperStatus =
  | { event: 'note'; message: string }
  | ({ event: 'pressure' } & SandboxPressure)
  | { event: 'ready'; setupUs: number; initPid: number; filterInstalled?: boolean }
  | { event: 'accepted' }
  | { event: 'exec'; pid: number; setupUs: number }
  | { event: 'error'; step: string; code: number; message: string }
  | ({ event: 'denial' } & RawDenial)
  | { event: 'exit'; code: number | null; signal: string | null; timeout: boolean };

export class HelperStatusStream {
  /** The exit line, once it arrived. */
  exitLine: Extract<HelperStatus, { event: 'exit' }> | undefined;
  /** The helper's error message (it prints it on the sandbox's stderr as well). */
  error: string | undefined;
  pressure: SandboxPressure | undefined;
  readonly rawDenials: RawDenial[] = [];
  private pending = '';

  /** `notes` collects the notes (and unreadable lines); `onEvent` sees every line after it is kept. */
  constructor(
    readonly notes: string[],
    private readonly onEvent: (event: HelperStatus) => void = () => undefined,
  ) {}

  /** A chunk of the stream: each complete line is read. */
  write(chunk: string): void {
    this.pending += chunk;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      this.line(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
    }
  }

  /** The stream ended: a last line without its newline is read too. */
  end(): void {
    this.line(this.pending);
    this.pending = '';
  }

  /**
   * The run's exit once the helper is done: what its exit line says, else how the helper process itself ended
   * (`code`/`signal`: killed, or exited without a status).
   */
  sandboxExit(code: number | null, signal: NodeJS.Signals | null, spawnMs: number): SandboxExit {
    const notes = this.notes;
    const e = this.exitLine;
    if (e) {
      return { code: e.signal ? null : e.code, signal: e.signal, ...(e.timeout ? { timedOut: true } : {}), spawnMs, notes, ...(this.pressure ? { pressure: this.pressure } : {}), ...(this.error ? { error: this.error, errorOnStderr: true } : {}), ...(this.rawDenials.length ? { rawDenials: this.rawDenials } : {}) };
    }
    if (signal) {
      notes.push(`the sandbox helper was killed by ${signal}; everything in the sandbox died with it`);
      return { code: null, signal, spawnMs, notes, ...(this.error ? { error: this.error } : {}) };
    }
    return { code, signal: null, spawnMs, notes, error: this.error ?? `the sandbox helper exited with ${code} without a status`, errorOnStderr: this.error !== undefined };
  }

  private line(text: string): void {
    if (!text.trim()) return;
    let ev: HelperStatus;
    try {
      ev = JSON.parse(text) as HelperStatus;
    } catch {
      this.notes.push(`unreadable status line from the helper: ${text}`);
      return;
    }
    if (ev.event === 'note') this.notes.push(ev.message);
    else if (ev.event === 'error') this.error = ev.message;
    else if (ev.event === 'exit') this.exitLine = ev;
    else if (ev.event === 'denial' && ev.kind === 'landlock') this.rawDenials.push({ kind: 'landlock', arch: 0, nr: 0, errno: 0, count: ev.count, path: ev.path ?? '', access: ev.access ?? '' });
    else if (ev.event === 'denial') this.rawDenials.push({ arch: ev.arch, nr: ev.nr, errno: ev.errno, count: ev.count, ...(ev.arg !== undefined ? { arg: ev.arg } : {}), ...(ev.path !== undefined ? { path: ev.path } : {}), ...(ev.address !== undefined ? { address: ev.address } : {}) });
    else if (ev.event === 'pressure') this.pressure = { group: ev.group, cpuUs: ev.cpuUs, memoryUs: ev.memoryUs, ioUs: ev.ioUs };
    this.onEvent(ev);
  }
}

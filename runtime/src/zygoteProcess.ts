/**
 * One zygote: a `phantom-sandbox --zygote` process whose sandbox is made and waits for ONE command
 * (native/src/zygote.c, docs/zygotes.md). Its stdin/stdout/stderr pipes, made when it is spawned, become
 * the run's streams; fd 3 carries the helper's JSON status lines; fd 4 is the control socket the request
 * is written to.
 *
 * States: starting → ready → claimed (one run) → gone; or starting/ready → gone (crashed, retired, killed).
 */
import type { RawDenial } from './denials';
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { streamEnded, type SandboxExit, type SandboxPressure } from './sandboxSpawn';

export type ZygoteState = 'starting' | 'ready' | 'claimed' | 'gone';

/** One line of the helper's status stream (docs/sandbox.md, docs/zygotes.md). */
export type ZygoteStatus =
  | { event: 'note'; message: string }
  | ({ event: 'pressure' } & SandboxPressure)
  | { event: 'ready'; setupUs: number; initPid: number; filterInstalled?: boolean }
  | { event: 'accepted' }
  | { event: 'exec'; pid: number; setupUs: number }
  | { event: 'error'; step: string; code: number; message: string }
  | ({ event: 'denial' } & RawDenial)
  | { event: 'exit'; code: number | null; signal: string | null; timeout: boolean };

export interface ZygoteRequest {
  argv: string[];
  env: Record<string, string>;
  timeoutSeconds?: number;
  cpuSeconds?: number;
}

/** The request as the helper reads it: uint32 length (host order), then NUL-terminated tagged items. */
export function encodeRequest(request: ZygoteRequest): Buffer {
  const items: string[] = request.argv.map((a) => `a${a}`);
  for (const [k, v] of Object.entries(request.env)) items.push(`e${k}=${v}`);
  if (request.timeoutSeconds) items.push(`t${request.timeoutSeconds}`);
  if (request.cpuSeconds) items.push(`c${Math.ceil(request.cpuSeconds)}`);
  const payload = Buffer.from(items.map((i) => `${i}\0`).join(''), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32LE(payload.length); // the helper reads host order; Linux on x86_64/arm64 is little-endian
  return Buffer.concat([header, payload]);
}

export class Zygote extends EventEmitter {
  readonly child: ChildProcess;
  state: ZygoteState = 'starting';
  /** Notes from the setup (granted paths, how limits hold), passed on to the run it serves. */
  readonly notes: string[] = [];
  /** Host pid of the sandbox's init once ready. */
  initPid = -1;
  readonly startedAt = performance.now();
  /** The helper's own setup time to ready, µs. */
  setupUs = 0;
  /** The waiting workload already runs under the profile's seccomp filter (installed before the wait). */
  filterInstalled = false;
  private pending = '';
  private exitEvent: Extract<ZygoteStatus, { event: 'exit' }> | undefined;
  private error: string | undefined;
  private pressure: SandboxPressure | undefined;
  private readonly rawDenials: RawDenial[] = [];
  private spawnError: Error | undefined;
  /** Resolves with the helper's end, once it exited and its streams are drained. */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(helper: string, args: string[]) {
    super();
    // fd 3: status lines; fd 4: the control socket (libuv makes both as socketpairs). No environment: the
    // command's comes with the request.
    this.child = spawn(helper, ['--zygote', ...args, '--control-fd', '4'], { stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'], env: {} });
    this.child.on('error', (e) => {
      this.spawnError = e;
      if (this.child.pid === undefined) this.finish(null, null); // never started: no 'close' will come
    });
    this.child.stdin!.on('error', () => undefined); // EPIPE when a command exits without reading: not an error
    this.control.on('error', () => undefined); // the helper closes its end after the request: nothing to report
    const status = this.child.stdio[3] as Readable;
    status.setEncoding('utf8');
    status.on('data', (chunk: string) => {
      this.pending += chunk;
      let nl: number;
      while ((nl = this.pending.indexOf('\n')) >= 0) {
        this.onLine(this.pending.slice(0, nl));
        this.pending = this.pending.slice(nl + 1);
      }
    });
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.child.on('close', (code, signal) => this.finish(code, signal));
    const exitLine = new Promise<void>((resolve) => (this.resolveExitLine = resolve));
    this.reported = Promise.all([exitLine, streamEnded(this.child.stdout!), streamEnded(this.child.stderr!)]).then(() => undefined);
  }

  private resolveExitLine!: () => void;
  /**
   * The run is over as far as its caller can tell: the exit line arrived and stdout/stderr reached end of
   * file (nothing in the sandbox holds them any more). The helper may still be exiting: reaping it is not
   * waited for.
   */
  private readonly reported: Promise<void>;

  private resolveClosed!: (end: { code: number | null; signal: NodeJS.Signals | null }) => void;

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.state === 'gone') return;
    this.onLine(this.pending);
    this.pending = '';
    this.state = 'gone';
    this.emit('gone');
    this.resolveClosed({ code, signal });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }
  get control(): Writable {
    return this.child.stdio[4] as Writable;
  }
  get stdout(): Readable {
    return this.child.stdout!;
  }
  get stderr(): Readable {
    return this.child.stderr!;
  }
  get stdin(): Writable {
    return this.child.stdin!;
  }

  /** Alive and waiting for a command. */
  get usable(): boolean {
    return this.state === 'ready' && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Hands the command over; the zygote answers 'accepted' (an event) at once if it is healthy. */
  claim(request: ZygoteRequest): void {
    this.state = 'claimed';
    this.control.write(encodeRequest(request));
  }

  /** Retires a waiting zygote: end of file on its control socket, the helper kills its sandbox and exits 0. */
  retire(): void {
    if (this.state === 'gone') return;
    this.control.destroy();
  }

  /** SIGKILL to the helper; its sandbox dies with it (parent-death signal of init, PID 1 of the namespace). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.state !== 'gone') this.child.kill(signal);
  }

  /** The run's exit, as sandboxSpawn.ts reports a cold one; `t0` is when the request was written. */
  async exit(t0: number, execAt: () => number | undefined): Promise<SandboxExit> {
    const end = await Promise.race([this.closed, this.reported.then(() => undefined)]);
    const { code, signal } = end ?? { code: null, signal: null };
    const elapsed = performance.now() - t0;
    const spawnMs = execAt() ?? elapsed;
    const notes = this.notes;
    if (this.spawnError) return { code: 125, signal: null, spawnMs: elapsed, notes, error: `spawn zygote: ${this.spawnError.message}` };
    if (this.exitEvent) {
      const e = this.exitEvent;
      return { code: e.signal ? null : e.code, signal: e.signal, ...(e.timeout ? { timedOut: true } : {}), spawnMs, notes, ...(this.pressure ? { pressure: this.pressure } : {}), ...(this.error ? { error: this.error, errorOnStderr: true } : {}), ...(this.rawDenials.length ? { rawDenials: this.rawDenials } : {}) };
    }
    if (signal) {
      notes.push(`the sandbox helper was killed by ${signal}; everything in the sandbox died with it`);
      return { code: null, signal, spawnMs, notes, ...(this.error ? { error: this.error } : {}) };
    }
    return { code, signal: null, spawnMs, notes, error: this.error ?? `the sandbox helper exited with ${code} without a status`, errorOnStderr: this.error !== undefined };
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    let ev: ZygoteStatus;
    try {
      ev = JSON.parse(line) as ZygoteStatus;
    } catch {
      this.notes.push(`unreadable status line from the helper: ${line}`);
      return;
    }
    if (ev.event === 'note') this.notes.push(ev.message);
    else if (ev.event === 'error') this.error = ev.message;
    else if (ev.event === 'exit') {
      this.exitEvent = ev;
      this.resolveExitLine();
    }
    else if (ev.event === 'denial') this.rawDenials.push({ arch: ev.arch, nr: ev.nr, errno: ev.errno, count: ev.count, ...(ev.arg !== undefined ? { arg: ev.arg } : {}), ...(ev.path !== undefined ? { path: ev.path } : {}), ...(ev.address !== undefined ? { address: ev.address } : {}) });
    else if (ev.event === 'pressure') this.pressure = { group: ev.group, cpuUs: ev.cpuUs, memoryUs: ev.memoryUs, ioUs: ev.ioUs };
    else if (ev.event === 'ready') {
      this.initPid = ev.initPid;
      this.setupUs = ev.setupUs;
      this.filterInstalled = ev.filterInstalled === true;
      if (this.state === 'starting') this.state = 'ready';
    }
    this.emit('status', ev);
  }
}

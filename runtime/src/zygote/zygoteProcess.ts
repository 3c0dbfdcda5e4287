/**
 * One zygote: a `phantom-sandbox --zygote` process whose sandbox is made and waits for ONE command
 * (native/src/zygote.c, docs/zygotes.md). Its stdin/stdout/stderr pipes, made when it is spawned, become
 * the run's streams; fd 3 carries the helper's JSON status lines; fd 4 is the control socket the request
 * is written to.
 *
 * States: starting → ready → claimed (one run) → gone; or starting/ready → gone (crashed, retired, killed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { PassThrough, Readable, Writable } from 'node:stream';
import { HelperStatusStream, type HelperStatus } from '../sandbox/helperStatus';
import { streamEnded, type SandboxExit } from '../sandbox/sandboxSpawn';

export type ZygoteState = 'starting' | 'ready' | 'claimed' | 'gone';

/** One line of the helper's status stream (helperStatus.ts: docs/sandbox.md, docs/zygotes.md). */
export type ZygoteStatus = HelperStatus;

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

/** Most output a zygote's stream holds before its verdict (then its pipe is left full until it comes). */
const HELD_MAX_BYTES = 1024 * 1024;

/**
 * A zygote stream read from the moment the command is handed over, what arrives held until the verdict. Node
 * resumes — and so throws away — a child's stdout/stderr that nothing reads when the child exits: a short command
 * whose exit is read before its "accepted" status (a busy machine reads them in either order) lost all its output.
 */
class HeldStream {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private paused = false;
  private target: PassThrough | undefined;
  private ended = false;
  private readonly onData = (chunk: Buffer) => {
    if (this.target) {
      this.target.write(chunk);
      return;
    }
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    // The command may write before its "accepted" line is read (the helper hands it over first): past a bound the
    // pipe is left full, so the program waits for the verdict instead of the runtime holding all it writes.
    if (this.heldBytes > HELD_MAX_BYTES && !this.paused) {
      this.paused = true;
      this.from.pause();
    }
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.target?.end();
  };

  constructor(private readonly from: Readable) {
    from.on('data', this.onData);
    from.once('end', this.onEnd);
    from.once('close', this.onEnd);
  }

  /** Passes what was held, and from now on everything, to `to`; ends it with the stream. */
  passTo(to: PassThrough): void {
    if (this.target) return;
    this.target = to;
    for (const chunk of this.held) to.write(chunk);
    this.held = [];
    if (this.ended) to.end();
    if (this.paused) this.from.resume();
  }

  /** The command runs elsewhere: whatever this zygote wrote is dropped. */
  drop(): void {
    this.from.off('data', this.onData);
    this.held = [];
    this.from.resume();
  }
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
  private readonly status = new HelperStatusStream(this.notes, (ev) => this.onStatus(ev));
  /** The run's output, read from the claim on (HeldStream). */
  private output: { stdout: HeldStream; stderr: HeldStream } | undefined;
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
    status.on('data', (chunk: string) => this.status.write(chunk));
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
    this.status.end();
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
  get stdin(): Writable {
    return this.child.stdin!;
  }

  /** Alive and waiting for a command. */
  get usable(): boolean {
    return this.state === 'ready' && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Hands the command over; the zygote answers 'accepted' (an event) at once if it is healthy. Its output is
   * read from now on and held until passOutput (accepted) or dropOutput (the command runs cold instead). */
  claim(request: ZygoteRequest): void {
    this.state = 'claimed';
    this.output = { stdout: new HeldStream(this.child.stdout!), stderr: new HeldStream(this.child.stderr!) };
    this.control.write(encodeRequest(request));
  }

  /** The command runs here: its output, from the first byte, goes to the run's streams. */
  passOutput(stdout: PassThrough, stderr: PassThrough): void {
    this.output?.stdout.passTo(stdout);
    this.output?.stderr.passTo(stderr);
  }

  /** The command runs elsewhere: nothing this zygote wrote reaches the run. */
  dropOutput(): void {
    this.output?.stdout.drop();
    this.output?.stderr.drop();
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
    if (this.spawnError) return { code: 125, signal: null, spawnMs: elapsed, notes: this.notes, error: `spawn zygote: ${this.spawnError.message}` };
    return this.status.sandboxExit(code, signal, spawnMs);
  }

  /** What a status line means for the zygote itself (the stream keeps what the run's exit needs). */
  private onStatus(ev: HelperStatus): void {
    if (ev.event === 'exit') this.resolveExitLine();
    else if (ev.event === 'ready') {
      this.initPid = ev.initPid;
      this.setupUs = ev.setupUs;
      this.filterInstalled = ev.filterInstalled === true;
      if (this.state === 'starting') this.state = 'ready';
    }
    this.emit('status', ev);
  }
}

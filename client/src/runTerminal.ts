/**
 * A terminal per sandboxed run (a Pseudoterminal): a header with what runs and how fast it started, the
 * output as it streams, the exit status as a footer. Typing goes to the command's stdin; Ctrl+C stops the
 * whole run; Ctrl+D closes its input.
 */
import * as vscode from 'vscode';
import type { RunExit, RunOutput } from '../../runtime/src/protocol';

export interface RunControls {
  stdin(data: string): void;
  eof(): void;
  cancel(): void;
}

const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const RESET = '\x1b[0m';

export class RunTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private opened = false;
  private buffered: string[] = [];
  /** true between header() and exit(): a run is going on in this terminal. */
  private active = false;
  private rerun: (() => void) | undefined;
  private controls: RunControls | undefined;
  private readonly openedPromise: Promise<void>;
  private resolveOpened!: () => void;

  constructor(private readonly title: string) {
    this.openedPromise = new Promise((resolve) => (this.resolveOpened = resolve));
  }

  /** Resolves when VS Code has opened the terminal (output written before that is kept and replayed). */
  whenOpened(): Promise<void> {
    return this.openedPromise;
  }

  attach(controls: RunControls): void {
    this.controls = controls;
  }

  open(): void {
    this.opened = true;
    for (const text of this.buffered) this.writeEmitter.fire(text);
    this.buffered = [];
    this.resolveOpened();
  }

  get running(): boolean {
    return this.active;
  }

  /** What Enter does once the run has ended. */
  onRerun(rerun: () => void): void {
    this.rerun = rerun;
  }

  /** Stops the run and everything it started. */
  stop(): void {
    if (!this.active) return;
    this.write(`${DIM}^C — stopping the run${RESET}\r\n`);
    this.controls?.cancel();
  }

  close(): void {
    // Closing the terminal of a live run stops the run: nothing keeps running unseen.
    if (this.active) this.controls?.cancel();
  }

  handleInput(data: string): void {
    if (!this.active) {
      if (data === '\r' && this.rerun) this.rerun();
      return;
    }
    if (data === '\x03') {
      this.stop();
    } else if (data === '\x04') {
      this.controls?.eof();
    } else {
      // Echo locally (the command reads a pipe, not a tty) and send lines as typed.
      const text = data.replace(/\r/g, '\n');
      this.write(data.replace(/\r/g, '\r\n'));
      this.controls?.stdin(text);
    }
  }

  header(command: string, profile: string): void {
    this.active = true;
    this.write(`${DIM}▶ ${this.title} — ${command}  [profile: ${profile}]${RESET}\r\n`);
  }

  /** The command has started: how long the sandbox took, from a warm zygote or cold. */
  started(spawnMs: number, warm: boolean): void {
    this.write(`${DIM}  started in ${spawnMs.toFixed(1)} ms (${warm ? 'warm' : 'cold'})${RESET}\r\n`);
  }

  /** A line from Phantom itself (not the command), e.g. a spawn deferred under pressure. */
  notice(text: string): void {
    this.write(`${DIM}${text}${RESET}\r\n`);
  }

  output(output: RunOutput): void {
    const text = output.data.replace(/\r?\n/g, '\r\n');
    this.write(output.stream === 'stderr' ? `${RED}${text}${RESET}` : text);
  }

  exit(exit: RunExit): void {
    this.active = false;
    const started = exit.timings.spawnMs > 0 ? `started in ${exit.timings.spawnMs.toFixed(1)} ms (${exit.timings.warm ? 'warm' : 'cold'}), ` : '';
    for (const note of exit.notes ?? []) this.write(`${DIM}note: ${note}${RESET}\r\n`);
    if (exit.error) this.write(`${RED}${BOLD}phantom: ${exit.error}${RESET}\r\n`);
    const status = exit.signal ? `killed by ${exit.signal}` : `exit status ${exit.code ?? 'unknown'}`;
    const colour = exit.code === 0 ? GREEN : RED;
    this.write(`\r\n${colour}■ ${status}${RESET} ${DIM}(${started}ran ${(exit.timings.totalMs / 1000).toFixed(2)} s)${RESET}\r\n`);
    // What the sandbox refused (runtime/src/denials.ts); paths come from the sandbox: JSON-quoted, no control characters.
    const refused = (exit.denials ?? []).filter((d) => !d.expected).map((d) => `${d.syscall ?? d.address ?? 'killed'}${d.path !== undefined ? ` ${JSON.stringify(d.path)}` : ''}${d.source ? ` (${d.source.file}${d.source.line ? `:${d.source.line}` : ''})` : ''}`);
    if (refused.length) this.write(`${RED}refused: ${refused.join(' · ')}${RESET}\r\n`);
    if (exit.pressure) {
      const p = exit.pressure;
      this.write(`${DIM}its own stalls (cgroup PSI): cpu ${p.cpuMs.toFixed(0)} ms · memory ${p.memoryMs.toFixed(0)} ms · io ${p.ioMs.toFixed(0)} ms${RESET}\r\n`);
    }
    if (this.rerun) this.write(`${DIM}Press Enter to run it again.${RESET}\r\n\r\n`);
  }

  private write(text: string): void {
    if (this.opened) this.writeEmitter.fire(text);
    else this.buffered.push(text);
  }

  dispose(): void {
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}

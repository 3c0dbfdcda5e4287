/**
 * A terminal per sandboxed run (a Pseudoterminal; also the task terminal of a phantom task): a header with what
 * runs and how fast it started, the output as it streams, the exit status as a footer. Typing goes to the
 * command's stdin; Ctrl+C stops the whole run; Ctrl+D closes its input.
 *
 * The output is the sandbox's, so it is untrusted: it passes through a TerminalSanitizer per stream (colour
 * only, no cursor movement, titles or screen clearing) and every line of Phantom's own starts with a full SGR
 * reset, so a colour or "conceal" the program left switched on cannot hide or restyle the footer.
 */
import * as vscode from 'vscode';
import type { RunExit, RunOutput } from '../../runtime/src/protocol';
import { EXPLAIN_LABEL, explainable, refusedText } from './denialText';
import { exitErrorText, exitStatusText, foldNotes, visibleNotes } from './runText';
import { TerminalSanitizer } from './terminalSanitize';

export interface RunControls {
  stdin(data: string): void;
  eof(): void;
  cancel(): void;
}

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const YELLOW = '\x1b[33m';

/** What the footer needs beyond the exit: the run's folder (profile files are named relative to it) and whether it explained. */
export interface FooterContext {
  folder?: string;
  /** The run was already an explain run (RunParams.explain): no "Explain" again. */
  explained?: boolean;
}

export interface RunTerminalOptions {
  /** A task terminal: closes with the run's exit code when the run ends (no "press Enter to run again"). */
  closeOnExit?: boolean;
}

export class RunTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private opened = false;
  private buffered: string[] = [];
  /** true between header() and exit(): a run is going on in this terminal. */
  private active = false;
  /** The user asked this run to stop (the footer then says "stopped"). */
  private stopping = false;
  private rerun: (() => void) | undefined;
  /** The last run's footer ended with "Explain" (explainRun.ts links it). */
  explainOffered = false;
  private controls: RunControls | undefined;
  private readonly openedPromise: Promise<void>;
  private resolveOpened!: () => void;
  private sanitizers = { stdout: new TerminalSanitizer(), stderr: new TerminalSanitizer() };

  constructor(
    private readonly title: string,
    private readonly options: RunTerminalOptions = {},
  ) {
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
    this.stopping = true;
    this.own(`${DIM}^C — stopping the run`);
    this.controls?.cancel();
  }

  close(): void {
    // Closing the terminal of a live run stops the run: nothing keeps running unseen.
    if (this.active) {
      this.stopping = true;
      this.controls?.cancel();
    }
  }

  handleInput(data: string): void {
    if (!this.active) {
      if (data === '\r' && this.rerun && !this.options.closeOnExit) this.rerun();
      return;
    }
    if (data === '\x03') {
      this.stop();
    } else if (data === '\x04') {
      this.controls?.eof();
    } else {
      // Echo locally (the command reads a pipe, not a tty) and send lines as typed. The echo is the user's own
      // typing, but it goes through the filter too: a pasted escape sequence is no better from the keyboard.
      const text = data.replace(/\r/g, '\n');
      this.write(this.sanitizers.stdout.write(data.replace(/\r/g, '\r\n')));
      this.controls?.stdin(text);
    }
  }

  header(command: string, profile: string): void {
    this.active = true;
    this.stopping = false;
    this.sanitizers = { stdout: new TerminalSanitizer(), stderr: new TerminalSanitizer() };
    this.own(`${DIM}▶ ${this.title} — ${command}  [profile: ${profile}]`);
  }

  /** The command has started: how long the sandbox took, from a warm zygote or cold. */
  started(spawnMs: number, warm: boolean): void {
    this.own(`${DIM}  started in ${spawnMs.toFixed(1)} ms (${warm ? 'warm' : 'cold'})`);
  }

  /** A line from Phantom itself (not the command), e.g. a spawn deferred under pressure. */
  notice(text: string): void {
    this.own(`${DIM}${text}`);
  }

  /** A failure of Phantom itself (the runtime could not start, the folder is not trusted…), in red. */
  failure(text: string): void {
    for (const line of text.split('\n')) this.own(`${RED}${BOLD}${line}`);
  }

  output(output: RunOutput): void {
    const text = this.sanitizers[output.stream].write(output.data).replace(/\r?\n/g, '\r\n');
    if (text) this.write(output.stream === 'stderr' ? `${RED}${text}${RESET}` : text);
  }

  exit(exit: RunExit, context: FooterContext = {}): void {
    this.active = false;
    const stopped = this.stopping;
    this.stopping = false;
    const started = exit.timings.spawnMs > 0 ? `started in ${exit.timings.spawnMs.toFixed(1)} ms (${exit.timings.warm ? 'warm' : 'cold'}), ` : '';
    // The output may have ended mid-line: the footer starts on a line of its own.
    this.write(`${RESET}\r\n`);
    const notes = foldNotes(visibleNotes(exit.notes, stopped));
    if (notes) this.own(`${DIM}${notes}`);
    const error = exitErrorText(exit, stopped);
    if (error) this.failure(`phantom: ${error}`);
    const status = exitStatusText(exit, stopped);
    const colour = exit.code === 0 ? GREEN : stopped ? YELLOW : RED;
    // One line: the status, what the sandbox refused (runtime/src/denials/denials.ts; denialText.ts quotes what came from the
    // sandbox) and, on a failed run, "Explain" (a terminal link: explainRun.ts). The notes stay folded above.
    const refused = refusedText(exit.denials, context.folder);
    // The task terminal closes at the end: no link to follow there.
    const explain = !this.options.closeOnExit && explainable(exit, stopped, { explain: context.explained });
    this.explainOffered = explain;
    this.own(`${colour}■ ${status}${RESET} ${DIM}(${started}ran ${(exit.timings.totalMs / 1000).toFixed(2)} s)${RESET}${refused ? ` ${RED}· ${refused}${RESET}` : ''}${explain ? ` — ${BOLD}${EXPLAIN_LABEL}${RESET}` : ''}`);
    if (exit.pressure) {
      const p = exit.pressure;
      this.own(`${DIM}its own stalls (cgroup PSI): cpu ${p.cpuMs.toFixed(0)} ms · memory ${p.memoryMs.toFixed(0)} ms · io ${p.ioMs.toFixed(0)} ms`);
    }
    if (this.options.closeOnExit) {
      this.closeEmitter.fire(exit.code ?? (stopped ? 130 : 1));
      return;
    }
    if (this.rerun) this.own(`${DIM}Press Enter to run it again.`, '\r\n\r\n');
  }

  /** A line of Phantom's own: a full reset first, so nothing the program left switched on applies to it. */
  private own(line: string, end = '\r\n'): void {
    this.write(`${RESET}${line}${RESET}${end}`);
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

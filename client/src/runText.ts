/**
 * The words of the run terminal, as pure functions of the run's data (unit tested without VS Code): the command
 * as the header shows it, the notes folded into one line, the exit footer's status.
 */
import path from 'node:path';
import type { RunExit } from '../../runtime/src/protocol';

/** An argument as a shell user would type it: quoted only when it needs to be. */
function shellWord(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command of the header: argv as given (`python3` stays `python3`, whatever the folder), except absolute
 * paths inside the run's folder, which are shown relative to it (`hello.py` rather than `/srv/app/hello.py`).
 */
export function displayArgv(argv: readonly string[], folder: string): string {
  return argv
    .map((arg) => {
      if (!path.isAbsolute(arg)) return shellWord(arg);
      const relative = path.relative(folder, arg);
      const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
      return shellWord(inside ? relative : arg);
    })
    .join(' ');
}

/** One line for all of a run's notes; the details go to the output channel. Undefined when there are none. */
export function foldNotes(notes: readonly string[] | undefined): string | undefined {
  if (!notes?.length) return undefined;
  if (notes.length === 1) return `note: ${notes[0]}`;
  // "profile 'x' of FILE" repeats the header: the example shown is the first note that says something new.
  const telling = notes.find((n) => !/^profile '[^']*' of /.test(n)) ?? notes[0];
  const first = telling.length > 60 ? `${telling.slice(0, 57)}…` : telling;
  return `${notes.length} notes (${first}, …): details in the "Phantom" output (Phantom: Show Log)`;
}

/** The footer's status words. `stopped`: the user stopped the run (Ctrl+C, Stop, closing its terminal). */
export function exitStatusText(exit: Pick<RunExit, 'code' | 'signal' | 'error'>, stopped: boolean): string {
  if (stopped && exit.code !== 0) return 'stopped';
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.code === null && exit.error) return 'not started';
  return `exit status ${exit.code ?? 'unknown'}`;
}

/** The runtime's error line, without the helper's internal wording for a run the user stopped. */
export function exitErrorText(exit: Pick<RunExit, 'error' | 'signal'>, stopped: boolean): string | undefined {
  if (!exit.error) return undefined;
  // "sandbox helper was killed by SIGKILL" after a stop says how, not what: the footer already says "stopped".
  if (stopped && /killed by SIG(KILL|TERM)/.test(exit.error)) return undefined;
  return exit.error;
}

/** The notes worth showing: after a stop, the helper's "killed by SIGKILL" is how the stop was done, not news. */
export function visibleNotes(notes: readonly string[] | undefined, stopped: boolean): string[] {
  return (notes ?? []).filter((n) => !(stopped && /sandbox helper was killed by SIG(KILL|TERM)/.test(n)));
}

/** A run's exit for the log: one line with its figures. */
export function exitLogLine(exit: RunExit, stopped: boolean): string {
  const t = exit.timings;
  const start = t.spawnMs > 0 ? `started in ${t.spawnMs.toFixed(1)} ms (${t.warm ? 'warm' : 'cold'}), ` : '';
  return `${exitStatusText(exit, stopped)} (${start}queued ${t.queueMs.toFixed(1)} ms, ran ${(t.totalMs / 1000).toFixed(2)} s)${exit.error ? `: ${exit.error}` : ''}`;
}

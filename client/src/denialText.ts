/**
 * The words of a run's denials in the editor (pure, unit tested without VS Code): the run terminal's footer
 * ("refused: mkdir "/ws/out" (profiles/job.seccomp.json:2) · read_file "/etc/hostname" (workspace.landlock.json)"),
 * the metrics panel's recent runs, and when a failed run offers "Explain". Paths come from the sandbox: JSON-quoted
 * (C0 controls escaped), C1 controls and bidirectional formatting dropped, so a planted name cannot steer a terminal
 * or disguise itself.
 */
import path from 'node:path';
import type { Denial, RunExit, RunParams } from '../../runtime/src/protocol';

/** The word of the footer that the terminal link provider turns into the Explain action. */
export const EXPLAIN_LABEL = 'Explain';
/** The footer shows this many denials; the rest are counted. */
const SHOWN = 4;

/** Without control characters (C0 with ESC, DEL, C1) and invisible formatting ones: file names and fixes come from
 * the repository and the sandbox, and must not steer the terminal. */
function visible(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '');
}

/** A profile file as the footer names it: relative to the run's folder when inside it. */
export function displayFile(file: string, folder: string | undefined): string {
  if (!folder || !path.isAbsolute(file)) return file;
  const relative = path.relative(folder, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** `mkdir "/ws/out" (profiles/job.seccomp.json:2)`, `read_file "/etc/hostname" (workspace.landlock.json, inferred)`. */
export function denialItem(d: Denial, folder?: string): string {
  const quoted = d.path !== undefined ? ` ${JSON.stringify(d.path)}` : '';
  const what =
    d.kind === 'network' ? `connect ${d.address ?? '?'}`
    : d.kind === 'landlock' ? `${d.access?.length ? d.access.join('+') : 'access'}${quoted}`
    : `${d.syscall ?? 'killed'}${quoted}`;
  const where = d.source ? `${displayFile(d.source.file, folder)}${d.source.line ? `:${d.source.line}` : ''}` : '';
  const notes = [where, d.inferred ? 'inferred' : ''].filter(Boolean).join(', ');
  return visible(`${what}${d.count > 1 ? ` ×${d.count}` : ''}${notes ? ` (${notes})` : ''}`);
}

/** The denials worth showing: not the refusals libraries expect and handle. */
export function shownDenials(denials: readonly Denial[] | undefined): Denial[] {
  return (denials ?? []).filter((d) => !d.expected);
}

/** "refused: a · b · c · +2 more", or undefined when nothing was refused. */
export function refusedText(denials: readonly Denial[] | undefined, folder?: string): string | undefined {
  const shown = shownDenials(denials);
  if (shown.length === 0) return undefined;
  const items = shown.slice(0, SHOWN).map((d) => denialItem(d, folder));
  if (shown.length > SHOWN) items.push(`+${shown.length - SHOWN} more`);
  return `refused: ${items.join(' · ')}`;
}

/**
 * Whether a finished run offers "Explain" (re-run recording its path syscalls, RunParams.explain): it started, it
 * failed on its own (not stopped by the user), and it was not already an explain run.
 */
export function explainable(exit: Pick<RunExit, 'code' | 'signal' | 'timings'>, stopped: boolean, params: Pick<RunParams, 'explain'>): boolean {
  return !params.explain && !stopped && exit.timings.spawnMs > 0 && (exit.code !== 0 || exit.signal !== null);
}

/**
 * Why the runtime process could not start or died, in the runtime's own words: the first meaningful lines of
 * its standard error (Node prints the throwing source line and a caret before the error itself, and a stack after
 * it). Pure, so that what the user reads in the run terminal and the status bar is unit tested.
 */

/** Lines kept of the summary. */
const SUMMARY_LINES = 4;

/** The error lines of a runtime's stderr: from the first `…Error:` line (or the first non-empty one), stack frames dropped. */
export function runtimeErrorSummary(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/).map((l) => l.trimEnd());
  const errorAt = lines.findIndex((l) => /^(\w*Error|Error \[\w+\]|error|phantom)[:\s]/i.test(l.trim()) && !/^\s+at /.test(l));
  const from = errorAt >= 0 ? errorAt : lines.findIndex((l) => l.trim() !== '');
  if (from < 0) return undefined;
  const kept = lines
    .slice(from)
    .filter((l) => l.trim() !== '' && !/^\s+at /.test(l) && !/^Node\.js v\d/.test(l))
    .slice(0, SUMMARY_LINES);
  return kept.length ? kept.join('\n') : undefined;
}

/** How the runtime ended, for a person. */
export function runtimeExitText(code: number | null, signal: string | null, stderr: string): string {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? 'unknown'}`;
  const why = runtimeErrorSummary(stderr);
  return why ? `the Phantom runtime ${how}:\n${why}` : `the Phantom runtime ${how} (it printed nothing)`;
}

/**
 * The error a file the model refuses is reported with outside the editor (a run, an export, a learn proposal): check's
 * first error, as `phantom check` prints it — file, line:column, the problem and its fix. Pure.
 */
import type { PlainDiagnostic } from './quickFix';

/** A profile or configuration that cannot be used; `message` is ready for the user (file, place, fix). Exit 125. */
export class ProfileLoadError extends Error {}

/** Check's first error of a file, as a run reports it (null when check reports none). */
export interface FirstError {
  line: number;
  column: number;
  message: string;
  code: string;
  /** How many more errors check reports. */
  more: number;
}

export function firstErrorOf(errors: readonly PlainDiagnostic[]): FirstError | null {
  const first = errors[0];
  if (!first) return null;
  return { line: first.range.start.line + 1, column: first.range.start.character + 1, message: first.message, code: String(first.code), more: errors.length - 1 };
}

/** The message of a run refused for `first`: the same file, place and words as `phantom check`. */
export function refusalMessage(file: string, first: FirstError): string {
  return `${file}:${first.line}:${first.column}: ${first.message} [${first.code}]${first.more ? ` (and ${first.more} more)` : ''} — 'phantom check ${file}' lists every problem`;
}

/** Throws ProfileLoadError with check's first error, if there is one. */
export function refuseErrors(file: string, errors: readonly PlainDiagnostic[]): void {
  const first = firstErrorOf(errors);
  if (first) throw new ProfileLoadError(refusalMessage(file, first));
}

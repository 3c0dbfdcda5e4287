/**
 * Where a finished run's denials go in the editor besides its terminal: to the language server, which shows them in
 * Problems on the profile line that refused them with their quick fixes (server/src/runDenials.ts), and to the
 * metrics panel's recent runs (RunDenialLog). Pure apart from the log's small bounded map.
 */
import path from 'node:path';
import { insideFolder } from './learnTarget';
import type { Denial, RunExit, RunParams } from '../../runtime/src/protocol';
import type { RunDenial, RunDenialsParams } from '../../server/src/protocol';
import { refusedText, shownDenials } from './denialText';


/**
 * What a run ran under, as the key its warnings are kept by: the next run with the same key replaces them. The
 * configuration and profile, or the profile files given directly, in the run's folder.
 */
export function runKey(params: Pick<RunParams, 'cwd' | 'config' | 'profile' | 'seccompProfile' | 'landlockProfile'>): string {
  return JSON.stringify([params.cwd, params.config ?? null, params.profile ?? null, params.seccompProfile ?? null, params.landlockProfile ?? null]);
}

/** A profile file name (not "built-in default profile" or a profile's "WHERE: fragments …"). */
const PROFILE_FILE = /(\.(seccomp|landlock)\.(json|ya?ml|toml)|(^|\/)phantom-fragment\.ya?ml)$/i;

function absolute(file: string, cwd: string): string {
  return path.isAbsolute(file) ? file : path.resolve(cwd, file);
}

type KeyedParams = Pick<RunParams, 'cwd' | 'config' | 'profile' | 'seccompProfile' | 'landlockProfile' | 'explain'>;

/**
 * The notifications for a finished run, files made absolute (the runtime gives them so; a relative one is the run's
 * folder's). An explain run's inferred refusals are kept under a key of their own, beside what the run it explains
 * observed (an explain run records differently and need not report the same); a normal run replaces both.
 */
export function runDenialsNotifications(params: KeyedParams, command: string, denials: readonly Denial[], workspace?: string): RunDenialsParams[] {
  const explained = { run: `${runKey(params)}#explain`, command, denials: [] };
  if (params.explain) return [{ ...runDenialsParams(params, command, denials, workspace), run: explained.run }];
  return [runDenialsParams(params, command, denials, workspace), explained];
}

/** The notification for a finished run under its key. */
export function runDenialsParams(params: KeyedParams, command: string, denials: readonly Denial[], workspace?: string): RunDenialsParams {
  return {
    run: runKey(params),
    command,
    denials: denials.map((d) => {
      const out: RunDenial = {
        ...d,
        ...(d.source && PROFILE_FILE.test(d.source.file) ? { source: { ...d.source, file: absolute(d.source.file, params.cwd) } } : {}),
        ...(d.edit ? { edit: { ...d.edit, file: absolute(d.edit.file, params.cwd) } } : {}),
      };
      // A quick fix edits files of the workspace only: a repository's profile may name a shared or outside file
      // (`../../other/x.seccomp.json`), which the user edits knowingly, not with one click on a warning.
      if (workspace && out.edit && !insideFolder(out.edit.file, workspace)) {
        out.fix = `${out.fix ?? ''} (in ${out.edit.file}, outside the workspace: no quick fix)`.trim();
        delete out.edit;
      }
      return out;
    }),
  };
}

/**
 * The note of a run whose refusals the supervisor could not see (native/src/denials.c: a zygote run of a profile that
 * refuses sendmsg, which hands the listener over): its empty `denials` say nothing.
 */
const NOT_REPORTED = /^seccomp denials are not reported for this /;

/**
 * Whether a run's exit says what it refused: it started and its refusals were watched. A run that never started, or
 * one the supervisor could not watch, keeps the last warnings rather than clearing them.
 */
export function reportsDenials(exit: Pick<RunExit, 'timings' | 'denials' | 'notes'>): boolean {
  if ((exit.denials?.length ?? 0) > 0) return true;
  return exit.timings.spawnMs > 0 && !(exit.notes ?? []).some((n) => NOT_REPORTED.test(n));
}

/** The denials of the last runs, by run id, for the metrics panel's recent runs (the runtime keeps the runs themselves). */
export class RunDenialLog {
  private readonly byRun = new Map<string, { count: number; text: string }>();

  constructor(private readonly max = 50) {}

  record(runId: string, denials: readonly Denial[] | undefined, folder: string): void {
    const shown = shownDenials(denials);
    if (shown.length === 0) return;
    this.byRun.set(runId, { count: shown.reduce((n, d) => n + d.count, 0), text: refusedText(shown, folder)!.replace(/^refused: /, '') });
    while (this.byRun.size > this.max) this.byRun.delete(this.byRun.keys().next().value as string);
  }

  /** runId → "3 refused: mkdir "/ws/out" (job.seccomp.json:2) · …". */
  summaries(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [runId, { count, text }] of this.byRun) out[runId] = `${count} refused: ${text}`;
    return out;
  }
}

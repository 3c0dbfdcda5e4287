/** `phantom run`: one command in a sandbox, its stdio wired to the terminal; exit status = the command's. */
import os from 'node:os';
import path from 'node:path';
import { defineCommand, UsageError, type OptionTable, type OptionValues } from './cliArgs';
import { SANDBOX_OPTIONS, sandboxRequestFrom } from './cliSandboxOptions';
import { limitOutput, type LimitedExit } from '../sandbox/outputLimit';
import { writeFileSync } from 'node:fs';
import { denialLines, denialOrigin, exitDenials, type Denial } from '../denials/denials';
import { spawnSandbox, streamEnded, type SandboxExit } from '../sandbox/sandboxSpawn';
import { sandboxSpecFor } from '../sandbox/sandboxSpec';
import { CommandResolutionError } from '../sandbox/commandResolution';
import { explainLandlock, prepareExplain } from '../denials/explainRun';
import { auditedLandlockDenials } from '../denials/auditedLandlock';

/** Exit status when the sandbox could not be made (as `env`, `timeout` and container runtimes use it). */
const EXIT_SANDBOX_FAILED = 125;

const RUN_OPTIONS = {
  ...SANDBOX_OPTIONS,
  explain: { type: 'boolean', help: 'also record the paths the command uses and report what its Landlock layers refuse (inferred; each with the Landlock file or the filesystem setting, and the fix)' },
  report: { type: 'string', value: 'FILE', path: true, help: "write the run's report as JSON: its exit, what the sandbox refused (each with the profile line and the fix), its notes" },
  verbose: { type: 'boolean', short: 'v', help: 'print the notes of the sandbox, its start-up time and its own stalls' },
} as const satisfies OptionTable;

export const RUN_COMMAND = defineCommand({
  name: 'run',
  summary: 'run a command in a sandbox',
  operands: '[-- CMD ARGS...]',
  options: RUN_OPTIONS,
  details: 'Relative paths are resolved against the current directory. Exit status: the command\'s; 128+N when a signal N ended it; 125 the sandbox could not be made, 126 the command cannot be executed, 127 it was not found.',
  main: runRun,
});

async function runRun(values: OptionValues<typeof RUN_OPTIONS>, positionals: string[]): Promise<number> {
  const config = values.config ?? values.profile;
  if (positionals.length === 0 && !config) throw new UsageError('no command given (or --config/--profile whose run is used)');
  if (values.seccomp === path.resolve('unconfined')) {
    throw new UsageError('--seccomp unconfined is not offered: every run has a seccomp filter; give a profile file that allows what the command needs');
  }
  let prepared;
  try {
    const { params, limits } = sandboxRequestFrom(values, positionals);
    prepared = sandboxSpecFor(params, limits);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    console.error(`phantom: ${error instanceof Error ? error.message : String(error)}`);
    // A command that cannot be found is 127, one that cannot be executed 126, as a shell; else no sandbox (125).
    return error instanceof CommandResolutionError ? error.exitCode : EXIT_SANDBOX_FAILED;
  }
  for (const note of prepared.notes) console.error(`phantom: ${note}`);

  const t0 = performance.now();
  const origin = denialOrigin(prepared.spec, prepared.origin); // before the run: it may rewrite the workspace's files
  const explain = values.explain ? prepareExplain(prepared.spec, prepared.origin) : undefined;
  const sandbox = limitOutput(spawnSandbox({ ...(explain?.spec ?? prepared.spec), reportAs: 'phantom' }), prepared.outputBytes);
  let started = false;
  void sandbox.execed.then(() => (started = true));
  sandbox.stdout.pipe(process.stdout);
  sandbox.stderr.pipe(process.stderr);
  process.stdin.pipe(sandbox.stdin);
  sandbox.stdin.on('error', () => undefined); // the command may exit without reading its input
  // Ctrl+C and friends go to the sandbox (its init forwards them); the CLI waits for the exit report.
  let stoppedBy: NodeJS.Signals | undefined;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      stoppedBy ??= signal;
      sandbox.kill(signal);
    });
  }
  const exit = await sandbox.exited;
  // The denials come after the command's own output.
  await Promise.all([sandbox.stdout, sandbox.stderr].map((s) => (s.readableEnded || s.destroyed ? undefined : streamEnded(s))));
  const denials = [...(exitDenials(origin, exit) ?? []), ...auditedLandlockDenials(exit.rawDenials, prepared.spec, prepared.origin)];
  if (explain) {
    const explainNotes: string[] = [];
    const observed = new Set(denials.filter((d) => d.kind === 'landlock').map((d) => d.path));
    denials.push(...explainLandlock(explain, explainNotes).filter((d) => !observed.has(d.path))); // the kernel's record wins
    explain.dispose();
    for (const note of explainNotes) console.error(`phantom: ${note}`); // asked for: always shown
    exit.notes.push(...explainNotes);
  }
  for (const line of denialLines(denials)) console.error(`phantom: ${line}`);
  if (values.report) writeReport(values.report, exit, denials, [...prepared.notes, ...exit.notes], performance.now() - t0);
  process.stdin.unpipe(sandbox.stdin);
  process.stdin.pause();
  process.stdin.destroy();
  for (const note of exit.notes) if (values.verbose) console.error(`phantom: ${note}`);
  if (values.verbose && started) console.error(`phantom: started in ${exit.spawnMs.toFixed(2)} ms (cold)`);
  if (values.verbose && exit.pressure) {
    const p = exit.pressure;
    console.error(`phantom: its own stalls (cgroup PSI, some): cpu ${(p.cpuUs / 1000).toFixed(0)} ms, memory ${(p.memoryUs / 1000).toFixed(0)} ms, io ${(p.ioUs / 1000).toFixed(0)} ms (${p.group})`);
  }
  // Errors already written on stderr (by the helper, or for a sandbox that never started) are not repeated.
  if (exit.error && !exit.errorOnStderr) console.error(`phantom: ${exit.error}`);
  const ending = exitMessage(exit, prepared.spec.timeoutSeconds, stoppedBy);
  if (ending) console.error(`phantom: ${ending}`);
  if (exit.signal) {
    // As a shell reports it: 128 + the signal's number.
    const number = os.constants.signals[exit.signal as NodeJS.Signals];
    return number ? 128 + number : EXIT_SANDBOX_FAILED;
  }
  return exit.code ?? EXIT_SANDBOX_FAILED;
}

/** The line that says why a run ended when its own output cannot: its timeout, the user, a kill from elsewhere. */
export function exitMessage(exit: Pick<LimitedExit<SandboxExit>, 'signal' | 'timedOut' | 'error' | 'outputLimited'>, timeoutSeconds: number | undefined, stoppedBy: NodeJS.Signals | undefined): string | undefined {
  if (exit.outputLimited) return `the output limit of ${exit.outputLimited} bytes was reached: the run was stopped and the rest of its output dropped (limits.output)`;
  if (exit.timedOut) return timeoutSeconds === undefined ? 'stopped by its timeout' : `stopped after its ${timeoutSeconds} s timeout`;
  if (stoppedBy && exit.signal) return `stopped (${stoppedBy})`;
  if (exit.signal === 'SIGKILL' && !exit.error) return 'the command was killed by SIGKILL (by its memory limit, or from outside the sandbox)';
  return undefined;
}

/** `--report FILE`: the run as JSON (docs/sandbox.md, "Denials"). A report that cannot be written is said, not fatal. */
function writeReport(file: string, exit: LimitedExit<SandboxExit>, denials: Denial[], notes: string[], totalMs: number): void {
  const report = {
    exit: {
      code: exit.code, signal: exit.signal,
      ...(exit.timedOut ? { timedOut: true } : {}), ...(exit.outputLimited ? { outputLimited: exit.outputLimited } : {}), ...(exit.error ? { error: exit.error } : {}),
      timings: { spawnMs: exit.spawnMs, totalMs },
    },
    denials,
    notes,
  };
  try {
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  } catch (error) {
    console.error(`phantom: --report ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)} — the report was not written; give a writable path`);
  }
}

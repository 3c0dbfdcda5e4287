/** `phantom run`: one command in a sandbox, its stdio wired to the terminal; exit status = the command's. */
import os from 'node:os';
import path from 'node:path';
import { parseCli, parsePositiveNumber, parseSize, UsageError } from './cliArgs';
import type { NetworkMode } from './protocol';
import { limitOutput } from './outputLimit';
import { spawnSandbox } from './sandboxSpawn';
import { sandboxSpecFor } from './sandboxSpec';
import { ProfileLoadError } from './seccompProfileLoader';

const USAGE =
  'phantom run [--config FILE] [--profile NAME] [--file FILE] [--seccomp FILE] [--landlock FILE] [--best-effort] [--network none|loopback|host] [--ro PATH]... [--rw PATH]... ' +
  '[--memory SIZE] [--pids N] [--timeout SECONDS] [--env K=V]... -- CMD ARGS...';
/** Exit status when the sandbox could not be made (as `env`, `timeout` and container runtimes use it). */
const EXIT_SANDBOX_FAILED = 125;

export async function runRun(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(
    args,
    {
      // A seccomp / Landlock profile replaces the built-in default one; there is deliberately no "unconfined".
      config: { type: 'string' },
      profile: { type: 'string' },
      file: { type: 'string' },
      seccomp: { type: 'string' },
      landlock: { type: 'string' },
      'best-effort': { type: 'boolean' },
      network: { type: 'string' },
      ro: { type: 'string', multiple: true },
      rw: { type: 'string', multiple: true },
      memory: { type: 'string' },
      pids: { type: 'string' },
      timeout: { type: 'string' },
      env: { type: 'string', multiple: true },
      verbose: { type: 'boolean', short: 'v' },
    },
    USAGE,
  );
  // --profile without --config: the phantom-fragment.yaml of the current folder.
  const config = values.config ?? (values.profile ? 'phantom-fragment.yaml' : undefined);
  if (positionals.length === 0 && !config) throw new UsageError(`no command given (or --config/--profile whose run is used)\nUsage: ${USAGE}`);
  if (values.seccomp === 'unconfined') {
    throw new UsageError('--seccomp unconfined is not offered: every run has a seccomp filter; give a profile file that allows what the command needs');
  }
  const network = values.network as NetworkMode | undefined;
  if (network !== undefined && !['none', 'loopback', 'host'].includes(network)) throw new UsageError(`--network must be none, loopback or host, not '${network}'`);
  const env: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env '${pair}' must be KEY=VALUE`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  let prepared;
  try {
    prepared = sandboxSpecFor(
      {
        runId: 'cli',
        argv: positionals,
        cwd: process.cwd(),
        config: config ? path.resolve(config) : undefined,
        profile: values.profile,
        file: values.file ? path.resolve(values.file) : undefined,
        env,
        network,
        readOnly: values.ro ?? [],
        readWrite: values.rw ?? [],
        timeoutSeconds: values.timeout ? parsePositiveNumber(values.timeout, '--timeout') : undefined,
      },
      {
        memoryBytes: values.memory ? parseSize(values.memory, '--memory') : undefined,
        pids: values.pids ? parsePositiveNumber(values.pids, '--pids', true) : undefined,
        seccompProfile: values.seccomp,
        landlockProfile: values.landlock,
        bestEffort: values['best-effort'],
      },
    );
  } catch (error) {
    if (error instanceof UsageError) throw error;
    console.error(`phantom: ${error instanceof Error ? error.message : String(error)}`);
    // A profile that cannot be used: no sandbox (125). A command that cannot be found: 127, as a shell.
    return error instanceof ProfileLoadError ? EXIT_SANDBOX_FAILED : 127;
  }
  for (const note of prepared.notes) console.error(`phantom: ${note}`);

  const sandbox = limitOutput(spawnSandbox(prepared.spec), prepared.outputBytes);
  let started = false;
  void sandbox.execed.then(() => (started = true));
  sandbox.stdout.pipe(process.stdout);
  sandbox.stderr.pipe(process.stderr);
  process.stdin.pipe(sandbox.stdin);
  sandbox.stdin.on('error', () => undefined); // the command may exit without reading its input
  // Ctrl+C and friends go to the sandbox (its init forwards them); the CLI waits for the exit report.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => sandbox.kill(signal));
  const exit = await sandbox.exited;
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
  if (exit.signal) {
    // As a shell reports it: 128 + the signal's number.
    const number = os.constants.signals[exit.signal as NodeJS.Signals];
    if (exit.outputLimited) console.error(`phantom: the output limit of ${exit.outputLimited} bytes was reached: the run was stopped and the rest of its output dropped (limits.output)`);
    else if (exit.signal === 'SIGKILL' && !exit.error) console.error('phantom: the command was killed by SIGKILL (a memory or time limit?)');
    return number ? 128 + number : EXIT_SANDBOX_FAILED;
  }
  return exit.code ?? EXIT_SANDBOX_FAILED;
}

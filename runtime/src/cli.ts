/**
 * The `phantom` command-line tool: the same engine as the extension, for shells, CI and servers.
 * Each subcommand lives in its own module; this file only dispatches.
 */
import { runCheck } from './cliCheck';
import { runDoctor } from './cliDoctor';
import { runExplain } from './cliExplain';
import { runExport } from './cliExport';
import { runLearn } from './cliLearn';
import { runRun } from './cliRun';
import { runPressure } from './cliPressure';
import { runTrust, TRUST_USAGE } from './cliTrust';
import { BENCH_USAGE, runBench } from './cliBench';
import { UsageError } from './cliArgs';
import { RUNTIME_VERSION } from './version';

interface Subcommand {
  summary: string;
  usage: string;
  main(args: string[]): Promise<number>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  run: {
    summary: 'run a command in a sandbox',
    usage: 'phantom run [--network none|loopback|host] [--ro PATH]... [--rw PATH]... [--memory SIZE] [--pids N] [--timeout SECONDS] [--env K=V]... -- CMD ARGS...',
    main: runRun,
  },
  check: {
    summary: 'validate phantom-fragment.yaml, seccomp and Landlock profiles',
    usage: 'phantom check [--format text|json] FILE...',
    main: runCheck,
  },
  doctor: {
    summary: 'report which kernel features the sandbox can use here',
    usage: 'phantom doctor [--json]',
    main: runDoctor,
  },
  explain: {
    summary: 'print the effective policy of a profile of phantom-fragment.yaml',
    usage: 'phantom explain [--config FILE] --profile NAME [--json]',
    main: runExplain,
  },
  trust: {
    summary: 'approve a phantom-fragment.yaml that asks for more than the defaults (list, revoke)',
    usage: TRUST_USAGE,
    main: runTrust,
  },
  learn: {
    summary: 'learn the minimal seccomp profile of a command: record, propose, prove by replay',
    usage: 'phantom learn [--config FILE] [--profile NAME] [--runs K] [--format yaml|json] [--force] --out FILE -- CMD ARGS...',
    main: runLearn,
  },
  export: {
    summary: 'print a seccomp profile for Docker/Podman, Kubernetes (Security Profiles Operator) or systemd',
    usage: 'phantom export --to docker|spo|systemd FILE',
    main: runExport,
  },
  pressure: {
    summary: 'show the pressure stall information (PSI) of cpu, memory and io',
    usage: 'phantom pressure [--json] [--watch] [--interval MS]',
    main: runPressure,
  },
  bench: {
    summary: 'measure spawn latency (unsandboxed, bwrap, cold, warm zygote) and zygote memory',
    usage: BENCH_USAGE,
    main: runBench,
  },
};

function help(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((n) => n.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, s]) => `  ${name.padEnd(width)}  ${s.summary}`);
  return [
    `phantom ${RUNTIME_VERSION} — run code in Linux sandboxes (namespaces, Landlock, seccomp)`,
    '',
    'Usage: phantom <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'phantom <command> --help' for a command's options.",
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    console.log(RUNTIME_VERSION);
    return 0;
  }
  const subcommand = SUBCOMMANDS[name];
  if (!subcommand) {
    console.error(`phantom: unknown command '${name}'.\n\n${help()}`);
    return 2;
  }
  if (rest[0] === '--help' || rest[0] === '-h') {
    console.log(`Usage: ${subcommand.usage}\n\n${subcommand.summary}`);
    return 0;
  }
  return subcommand.main(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`phantom: ${error instanceof Error ? error.message : String(error)}`);
    // Usage errors exit 2 like other Unix tools; `run` reports its own failures with 125.
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);

/**
 * The `phantom` command-line tool: the same engine as the extension, for shells, CI and servers.
 * Each command lives in its own module (cliCommands.ts lists them); this file only dispatches.
 */
import { closest } from '../../../model';
import { runCommand, UsageError } from './cliArgs';
import { COMMANDS } from './cliCommands';
import { RUNTIME_VERSION } from '../version';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `phantom ${RUNTIME_VERSION} — run code in Linux sandboxes (namespaces, Landlock, seccomp)`,
    '',
    'Usage: phantom <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
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
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const suggestion = closest(name, COMMANDS.map((c) => c.name));
    console.error(`phantom: unknown command '${name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}\n\n${help()}`);
    return 2;
  }
  return runCommand(command, rest);
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

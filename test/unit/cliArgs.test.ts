/** The CLI's option tables: the parser and --help of every command come from one table (runtime/src/cli/cliArgs.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandHelp, defineCommand, parseCommand, usageLine, UsageError, type Command } from '../../runtime/src/cli/cliArgs';
import { COMMANDS } from '../../runtime/src/cli/cliCommands';
import { exitMessage } from '../../runtime/src/cli/cliRun';
import { proposalReview } from '../../runtime/src/cli/cliLearn';

/** The options a command's help lists: the `--name` at the start of each line of its Options section. */
function listedOptions(help: string): string[] {
  const section = help.split('\nOptions:\n')[1].split('\n\n')[0];
  return [...section.matchAll(/^ {2}(?:-[a-zA-Z], )?--([a-z][a-z0-9-]*)/gm)].map((m) => m[1]);
}

/** A value the option accepts, for parsing it once. */
function sampleArgs(name: string, spec: Command['options'][string]): string[] {
  if (spec.type === 'boolean') return [`--${name}`];
  return [`--${name}`, spec.choices ? spec.choices[0] : 'x'];
}

/** The arguments every required option needs, so that one other option can be parsed alone. */
function requiredArgs(command: Command, except: string): string[] {
  return Object.entries(command.options).flatMap(([n, s]) => (s.required && n !== except ? sampleArgs(n, s) : []));
}

test('every option a command accepts is listed in its --help, and its help lists nothing it refuses', () => {
  assert.ok(COMMANDS.length >= 8);
  for (const command of COMMANDS) {
    const help = commandHelp(command);
    const listed = listedOptions(help);
    assert.deepEqual(listed.sort(), [...Object.keys(command.options), 'help'].sort(), `phantom ${command.name} --help`);
    for (const name of listed) {
      const spec = name === 'help' ? undefined : command.options[name];
      const args = spec ? [...requiredArgs(command, name), ...sampleArgs(name, spec)] : ['--help'];
      assert.doesNotThrow(() => parseCommand(command, args, '/work'), `phantom ${command.name} ${args.join(' ')}`);
      assert.match(usageLine(command), name === 'help' ? /^phantom / : new RegExp(`--${name}\\b`), `usage of ${command.name} names --${name}`);
    }
    assert.throws(() => parseCommand(command, ['--no-such-option-here']), UsageError, `phantom ${command.name} refuses an unlisted option`);
  }
});

test('run --help shows the profile and policy options, learn --help shows --json (once missing)', () => {
  const help = (name: string) => commandHelp(COMMANDS.find((c) => c.name === name)!);
  for (const option of ['--config FILE', '--profile NAME', '--file FILE', '--seccomp FILE', '--landlock FILE', '--best-effort']) {
    assert.ok(help('run').includes(`\n  ${option} `), option);
  }
  assert.match(help('learn'), /^ {2}--json +print the result as one JSON object/m);
});

const demo = defineCommand({
  name: 'demo',
  summary: 'a command for the tests',
  operands: '[-- CMD ARGS...]',
  options: {
    network: { type: 'string', choices: ['none', 'loopback', 'host'], help: 'network' },
    rw: { type: 'string', value: 'PATH', multiple: true, path: true, help: 'read-write path' },
    out: { type: 'string', value: 'FILE', required: true, help: 'output' },
    runs: { type: 'string', value: 'K', default: '1', help: 'runs' },
    force: { type: 'boolean', help: 'force' },
  },
  main: async () => 0,
});

test('path options are resolved against the current directory; others are kept as given', () => {
  const { values, operands } = parseCommand(demo, ['--rw', './out', '--rw=/abs', '--out', 'rel.json', '--', 'ls', '-la'], '/home/user/ws');
  assert.deepEqual(values.rw, ['/home/user/ws/out', '/abs']);
  assert.equal(values.out, 'rel.json');
  assert.equal(values.runs, '1', 'the default');
  assert.equal(values.force, undefined);
  assert.deepEqual(operands, ['ls', '-la'], 'after --, options belong to the command');
});

test('an unknown option gets a did-you-mean and balanced quotes', () => {
  assert.throws(
    () => parseCommand(demo, ['--netwrk', 'none', '--out', 'x']),
    (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /^unknown option --netwrk for 'phantom demo'\. Did you mean --network\?/);
      assert.equal((e.message.match(/'/g) ?? []).length % 2, 0, e.message);
      return true;
    },
  );
  assert.throws(() => parseCommand(demo, ['-x', '--out', 'x']), /unknown option -x for 'phantom demo'\.(?! Did)/);
});

test('values are checked: choices, required, missing or option-like values, switches with values, operands', () => {
  assert.throws(() => parseCommand(demo, ['--out', 'x', '--network', 'wifi']), /--network must be none, loopback or host, not 'wifi'$/);
  assert.throws(() => parseCommand(demo, []), /--out FILE is required$/);
  assert.throws(() => parseCommand(demo, ['--out']), /--out needs a value: --out FILE$/);
  assert.throws(() => parseCommand(demo, ['--out', '--force']), /--out needs a value, not the option --force.*--out=--force/);
  assert.equal(parseCommand(demo, ['--out=--force']).values.out, '--force', 'an inline value is taken as meant');
  assert.throws(() => parseCommand(demo, ['--out', 'x', '--force=yes']), /--force takes no value/);
  const noOperands = defineCommand({ name: 'plain', summary: 's', options: {}, main: async () => 0 });
  assert.throws(() => parseCommand(noOperands, ['stray']), /unexpected argument 'stray': 'phantom plain' takes options only/);
  assert.equal(parseCommand(demo, ['--network', 'wifi', '-h']).help, true, '--help wins over the other arguments');
});

test('usage line and help are generated from the table', () => {
  assert.equal(usageLine(demo), 'phantom demo [--network none|loopback|host] [--rw PATH]... --out FILE [--runs K] [--force] [-- CMD ARGS...]');
  const help = commandHelp(demo);
  assert.match(help, /^ {2}--rw PATH +read-write path \(repeatable\)$/m);
  assert.match(help, /^ {2}--out FILE +output \(required\)$/m);
  assert.match(help, /^ {2}--runs K +runs \(default 1\)$/m);
  assert.match(help, /^ {2}-h, --help +show this help$/m);
});

test('a run that ends by its timeout or by the user says so, not "killed by SIGKILL"', () => {
  assert.equal(exitMessage({ signal: 'SIGKILL', timedOut: true }, 2, undefined), 'stopped after its 2 s timeout');
  assert.equal(exitMessage({ signal: 'SIGINT' }, 300, 'SIGINT'), 'stopped (SIGINT)');
  assert.match(exitMessage({ signal: 'SIGKILL' }, 300, undefined) ?? '', /killed by SIGKILL \(by its memory limit, or from outside the sandbox\)/);
  assert.equal(exitMessage({ signal: null }, 300, undefined), undefined, 'a normal exit says nothing');
});

test('a second learn into the same file says the file already matches, or points at the diff', () => {
  assert.match(proposalReview('p.json', '/w/p.json.proposed', true), /already allows every syscall .*nothing to change/);
  assert.match(proposalReview('p.json', '/w/p.json.proposed', false), /review the proposal \(the diff below\)/);
});

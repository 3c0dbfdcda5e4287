/**
 * The CLI's commands are declared, not hand-parsed: each command is one `defineCommand({...})` whose option table
 * is the only list of what it accepts. The parser, the usage line of errors and `--help` are all generated from
 * that table, so an option cannot be accepted without being documented (test/unit/cliArgs.test.ts checks it
 * for every command). A command's `main` receives the parsed values, never the raw arguments.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closest } from '../../../model';

export class UsageError extends Error {}

/** One option: what the parser accepts and the line `--help` shows, from the same entry. */
export interface OptionSpec {
  /** 'string' takes a value (`--out FILE`, `--out=FILE`), 'boolean' is a switch. */
  type: 'string' | 'boolean';
  /** What it does: the option's line in --help. */
  help: string;
  /** Placeholder of the value in usage and help (FILE, NAME, SECONDS); VALUE when not given. */
  value?: string;
  /** The values accepted: the placeholder becomes `a|b|c` and any other value is a usage error. */
  choices?: readonly string[];
  /** May be given more than once: the values arrive as an array (empty when not given). */
  multiple?: boolean;
  /** One-letter alias (`-v`). */
  short?: string;
  default?: string | boolean;
  /** Must be given (shown without brackets in the usage line). */
  required?: boolean;
  /** A file or folder: a relative value is resolved against the current directory. */
  path?: boolean;
}

export type OptionTable = Record<string, OptionSpec>;

type Scalar<S extends OptionSpec> = S['type'] extends 'boolean' ? boolean : S['choices'] extends readonly (infer C)[] ? C : string;
type Given<S extends OptionSpec> = S['multiple'] extends true ? Scalar<S>[] : Scalar<S>;
/** The parsed values of a table: an option without a default (and not required) may be undefined. */
export type OptionValues<T extends OptionTable> = {
  -readonly [K in keyof T]: T[K]['multiple'] extends true ? Given<T[K]> : T[K] extends { default: string | boolean } | { required: true } ? Given<T[K]> : Given<T[K]> | undefined;
};

export interface Command<T extends OptionTable = OptionTable> {
  name: string;
  /** One line for `phantom --help` and the command's own help. */
  summary: string;
  options: T;
  /** The positional arguments in the usage line (`FILE...`, `-- CMD ARGS...`); absent: none are accepted. */
  operands?: string;
  /** More help text after the options (examples, exit status). */
  details?: string;
  // A method (not a property) so that every Command<T> fits a list of Command.
  main(values: OptionValues<T>, operands: string[]): Promise<number>;
}

/** Declares a command; `const` keeps choices as literal types (`--network` is 'none' | 'loopback' | 'host'). */
export function defineCommand<const T extends OptionTable>(command: Command<T>): Command<T> {
  return command;
}

/** Every command accepts these; they are listed in its help like its own options. */
const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

function optionsOf(command: Command): OptionTable {
  return { ...command.options, help: HELP_OPTION };
}

function placeholder(spec: OptionSpec): string {
  return spec.choices ? spec.choices.join('|') : (spec.value ?? 'VALUE');
}

function flag(name: string, spec: OptionSpec): string {
  return spec.type === 'boolean' ? `--${name}` : `--${name} ${placeholder(spec)}`;
}

/** `phantom pressure [--json] [--watch] [--interval MS]`: the line errors end with. */
export function usageLine(command: Command): string {
  const parts = Object.entries(command.options).map(([name, spec]) => {
    const text = spec.required ? flag(name, spec) : `[${flag(name, spec)}]`;
    return spec.multiple ? `${text}...` : text;
  });
  return ['phantom', command.name, ...parts, ...(command.operands ? [command.operands] : [])].join(' ');
}

/** The command's --help: usage, summary, then one line per option (the same table the parser uses). */
export function commandHelp(command: Command): string {
  const rows = Object.entries(optionsOf(command)).map(([name, spec]) => {
    const left = `${spec.short ? `-${spec.short}, ` : ''}${flag(name, spec)}`;
    const notes = [
      spec.multiple ? 'repeatable' : '',
      spec.required ? 'required' : '',
      spec.default !== undefined && spec.default !== false ? `default ${String(spec.default)}` : '',
    ].filter(Boolean);
    return { left, right: notes.length ? `${spec.help} (${notes.join(', ')})` : spec.help };
  });
  const width = Math.min(30, Math.max(...rows.map((r) => r.left.length)));
  const lines = rows.map((r) => (r.left.length > width ? `  ${r.left}\n  ${' '.repeat(width)}  ${r.right}` : `  ${r.left.padEnd(width)}  ${r.right}`));
  return [`Usage: ${usageLine(command)}`, '', `${command.summary[0].toUpperCase()}${command.summary.slice(1)}.`, '', 'Options:', ...lines, ...(command.details ? ['', command.details] : [])].join('\n');
}

function list(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

export interface ParsedCommand<T extends OptionTable> {
  values: OptionValues<T>;
  operands: string[];
  /** -h/--help was given: print commandHelp() and nothing else. */
  help: boolean;
}

/** Parses a command's arguments with its table only. Throws UsageError naming the option and the fix. */
export function parseCommand<T extends OptionTable>(command: Command<T>, args: string[], cwd = process.cwd()): ParsedCommand<T> {
  const table = optionsOf(command);
  const config = Object.fromEntries(Object.entries(table).map(([name, s]) => [name, { type: s.type, ...(s.short ? { short: s.short } : {}) }]));
  // Non-strict, with tokens: the checks below give better messages than parseArgs' own (did-you-mean, balanced quotes).
  const { tokens } = parseArgs({ args, options: config, allowPositionals: true, strict: false, tokens: true });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { values: {} as OptionValues<T>, operands: [], help: true };
  const given: Record<string, unknown> = {};
  const operands: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') operands.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(table, token.name) ? table[token.name] : undefined;
    if (!spec) {
      const suggestion = token.rawName.startsWith('--') ? closest(token.name, Object.keys(table)) : undefined;
      const hint = suggestion ? ` Did you mean --${suggestion}?` : '';
      const after = command.operands?.includes('--') ? ' (options of the command itself go after --)' : '';
      throw new UsageError(`unknown option ${token.rawName} for 'phantom ${command.name}'.${hint}${after}`);
    }
    const name = `--${token.name}`;
    let value: string | boolean;
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${name} takes no value (given '${token.value}')`);
      value = true;
    } else {
      if (token.value === undefined) throw new UsageError(`${name} needs a value: ${flag(token.name, spec)}`);
      // `--out --force`: the value is almost certainly a forgotten one; `--out=--force` says it is meant.
      if (!token.inlineValue && token.value.startsWith('-') && token.value.length > 1) {
        throw new UsageError(`${name} needs a value, not the option ${token.value}: ${flag(token.name, spec)} (write ${name}=${token.value} if that is the value)`);
      }
      if (spec.choices && !spec.choices.includes(token.value)) throw new UsageError(`${name} must be ${list(spec.choices)}, not '${token.value}'`);
      value = spec.path ? path.resolve(cwd, token.value) : token.value;
    }
    if (spec.multiple) given[token.name] = [...((given[token.name] as unknown[] | undefined) ?? []), value];
    else given[token.name] = value;
  }
  for (const [name, spec] of Object.entries(command.options)) {
    if (given[name] !== undefined) continue;
    if (spec.required) throw new UsageError(`${flag(name, spec)} is required`);
    if (spec.multiple) given[name] = [];
    else if (spec.default !== undefined) given[name] = spec.default;
  }
  if (operands.length > 0 && !command.operands) throw new UsageError(`unexpected argument '${operands[0]}': 'phantom ${command.name}' takes options only`);
  return { values: given as OptionValues<T>, operands, help: false };
}

/** Runs a command as the CLI does: --help prints the help; a usage error carries the usage line. */
export async function runCommand<T extends OptionTable>(command: Command<T>, args: string[]): Promise<number> {
  try {
    const parsed = parseCommand(command, args);
    if (parsed.help) {
      console.log(commandHelp(command as unknown as Command));
      return 0;
    }
    return await command.main(parsed.values, parsed.operands);
  } catch (error) {
    if (error instanceof UsageError && !error.message.includes('\nUsage: ')) {
      throw new UsageError(`${error.message}\nUsage: ${usageLine(command as unknown as Command)}`);
    }
    throw error;
  }
}

/** "128M", "1G", "4096" → bytes. */
export function parseSize(text: string, option: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)([KMGkmg]?)$/.exec(text.trim());
  if (!match) throw new UsageError(`${option} '${text}' is not a size: use bytes or a number with K, M or G (e.g. 128M, 1G)`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.floor(Number(match[1]) * unit);
}

export function parsePositiveNumber(text: string, option: string, integer = false): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${option} '${text}' must be a positive ${integer ? 'whole number' : 'number'}`);
  }
  return value;
}

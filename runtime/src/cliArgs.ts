/** Shared option parsing for the CLI subcommands: node's parseArgs with errors a person can act on. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export function parseCli<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\nUsage: ${usage}`);
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

/**
 * Landlock profile files in landlockconfig's data model (JSON/YAML with camelCase keys, TOML with snake_case
 * keys) → a normalised model. Pure apart from reading the file; errors name the file, the place and the fix.
 */
import { refuseWhatCheckRefuses } from './checkAgreement';
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { landlockData } from '../../../model';
import { ProfileLoadError } from './seccompProfileLoader';

export interface LandlockConfig {
  abi?: number;
  variable: { name: string; literal: string[] }[];
  ruleset: { handledAccessFs: string[]; handledAccessNet: string[]; scoped: string[] }[];
  pathBeneath: { allowedAccess: string[]; parent: string[] }[];
  netPort: { allowedAccess: string[]; port: number[] }[];
}

const CAMEL_TO_SNAKE: Record<string, string> = landlockData.keys.camelToSnake;

export function parseLandlockProfile(text: string, file: string): LandlockConfig {
  const toml = file.endsWith('.toml');
  let raw: unknown;
  try {
    raw = toml ? parseToml(text) : parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (e) {
    const m = e as { message?: string; line?: number; column?: number; linePos?: { line: number; col: number }[] };
    const at = m.linePos?.[0] ? `:${m.linePos[0].line}:${m.linePos[0].col}` : m.line ? `:${m.line}:${m.column ?? 1}` : '';
    throw new ProfileLoadError(`${file}${at}: not valid ${toml ? 'TOML' : 'JSON or YAML'}: ${String(m.message).split('\n')[0]} — fix the syntax there`);
  }
  const fail = (where: string, problem: string, fix: string): never => {
    throw new ProfileLoadError(`${file}: ${where}: ${problem} — ${fix}`);
  };
  const key = (camel: string) => (toml ? (CAMEL_TO_SNAKE[camel] ?? camel) : camel);
  const obj = (v: unknown, where: string): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(where, 'expected a table/object', 'write keys and values');
  const onlyKeys = (o: Record<string, unknown>, where: string, allowed: string[]) => {
    const known = allowed.map(key);
    for (const k of Object.keys(o)) if (!known.includes(k)) fail(`${where}.${k}`, 'unknown key', `use one of ${known.join(', ')}`);
  };
  const list = <T>(v: unknown, where: string, item: (x: unknown, w: string) => T): T[] => {
    if (v == null) return [];
    if (!Array.isArray(v) || v.length === 0) return fail(where, 'expected a non-empty list', 'write a list, or remove the key');
    return v.map((x, i) => item(x, `${where}[${i}]`));
  };
  const str = (v: unknown, where: string): string => (typeof v === 'string' ? v : fail(where, 'expected a string', 'quote the value'));

  const top = obj(raw, '(top level)');
  onlyKeys(top, '(top level)', ['abi', 'variable', 'ruleset', 'pathBeneath', 'netPort']);
  const config: LandlockConfig = { variable: [], ruleset: [], pathBeneath: [], netPort: [] };
  if (top.abi != null) {
    if (typeof top.abi !== 'number' && typeof top.abi !== 'bigint') fail('abi', 'expected a whole number', 'write e.g. abi = 4');
    config.abi = Number(top.abi);
    if (!Number.isInteger(config.abi) || config.abi < 1) fail('abi', `${config.abi} is not a Landlock ABI`, 'use 1 or higher');
  }
  config.variable = list(top.variable, 'variable', (v, w) => {
    const o = obj(v, w);
    onlyKeys(o, w, ['name', 'literal']);
    const name = str(o.name, `${w}.name`);
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) fail(`${w}.name`, `'${name}' is not a variable name`, 'start with a letter, then letters, digits or _');
    return { name, literal: list(o.literal, `${w}.literal`, str) };
  });
  config.ruleset = list(top.ruleset, 'ruleset', (v, w) => {
    const o = obj(v, w);
    onlyKeys(o, w, ['handledAccessFs', 'handledAccessNet', 'scoped']);
    return {
      handledAccessFs: list(o[key('handledAccessFs')], `${w}.${key('handledAccessFs')}`, str),
      handledAccessNet: list(o[key('handledAccessNet')], `${w}.${key('handledAccessNet')}`, str),
      scoped: list(o.scoped, `${w}.scoped`, str),
    };
  });
  const pb = key('pathBeneath');
  config.pathBeneath = list(top[pb], pb, (v, w) => {
    const o = obj(v, w);
    onlyKeys(o, w, ['allowedAccess', 'parent']);
    return { allowedAccess: list(o[key('allowedAccess')], `${w}.${key('allowedAccess')}`, str), parent: list(o.parent, `${w}.parent`, str) };
  });
  const np = key('netPort');
  config.netPort = list(top[np], np, (v, w) => {
    const o = obj(v, w);
    onlyKeys(o, w, ['allowedAccess', 'port']);
    return {
      allowedAccess: list(o[key('allowedAccess')], `${w}.${key('allowedAccess')}`, str),
      port: list(o.port, `${w}.port`, (p, pw) => {
        const n = Number(p);
        return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : fail(pw, `${String(p)} is not a TCP port`, 'use 0 to 65535');
      }),
    };
  });
  if (!config.variable.length && !config.ruleset.length && !config.pathBeneath.length && !config.netPort.length)
    fail('(top level)', 'the profile has no variable, ruleset, pathBeneath or netPort', 'add at least one');
  return config;
}

export function loadLandlockProfile(file: string): LandlockConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ProfileLoadError(`${file}: cannot read the Landlock profile (${(e as NodeJS.ErrnoException).code ?? String(e)}) — check the path given to --landlock`);
  }
  refuseWhatCheckRefuses(file, text, 'landlock');
  return parseLandlockProfile(text, file);
}

/**
 * Seccomp profile files (OCI `LinuxSeccomp` plus Docker's extensions, JSON or YAML — JSON is YAML) → the
 * profile model the compiler takes. Pure apart from reading the file; every error names the file, the
 * place (line:column and key path) and the fix.
 */
import { refuseWhatCheckRefuses } from './checkAgreement';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { seccompData } from '../../../model';

export interface SeccompArg {
  index: number;
  value: number | bigint;
  valueTwo?: number | bigint;
  op: string;
}

/** Docker's includes/excludes of a rule, evaluated for the host (seccompCompiler.ts). */
export interface SeccompFilter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

export interface SeccompRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[];
  comment?: string;
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures: string[] }[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: SeccompRule[];
}

/** A profile that cannot be used; `message` is ready for the user (file, place, fix). Exit 125. */
export class ProfileLoadError extends Error {}

type Path = (string | number)[];

const ARCHITECTURES = new Set((seccompData.architectures as { name: string }[]).map((a) => a.name));
/** The actions whose return value carries an errno; OCI runtimes refuse errnoRet on any other (crun: "errno value specified for action"). */
const ERRNO_ACTIONS = new Set(['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE']);
/** libseccomp 2.5 (and so crun, runc and this runtime) refuses an errno of 4095 or more (seccomp_rule_add: EINVAL). */
const MAX_SECCOMP_ERRNO = 4094n;

function pathText(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('') || '(top level)';
}

/** Parses profile text; `file` only names it in errors. */
export function parseSeccompProfile(text: string, file: string): SeccompProfile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { intAsBigInt: true, lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = lineCounter.linePos(e.pos[0]);
    throw new ProfileLoadError(`${file}:${pos.line}:${pos.col}: not valid JSON or YAML: ${e.message.split('\n')[0]} — fix the syntax there`);
  }
  const fail = (path: Path, problem: string, fix: string): never => {
    const node = doc.getIn(path, true);
    const at = isNode(node) && node.range ? lineCounter.linePos(node.range[0]) : undefined;
    throw new ProfileLoadError(`${file}${at ? `:${at.line}:${at.col}` : ''}: ${pathText(path)}: ${problem} — ${fix}`);
  };
  const root: unknown = doc.toJS({ maxAliasCount: 100 });
  const obj = (v: unknown, path: Path): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(path, 'expected an object', 'write a mapping of keys');
  const str = (v: unknown, path: Path): string => (typeof v === 'string' ? v : fail(path, 'expected a string', 'quote the value'));
  const strList = (v: unknown, path: Path): string[] =>
    Array.isArray(v) ? v.map((x, i) => str(x, [...path, i])) : fail(path, 'expected a list of strings', 'write [ "a", "b" ]');
  const int = (v: unknown, path: Path, max: bigint): bigint => {
    const n = typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v;
    if (typeof n !== 'bigint' || n < 0n || n > max) return fail(path, `expected a whole number from 0 to ${max}`, 'fix the number');
    return n;
  };
  const small = (v: bigint) => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
  // What OCI runtimes refuse is refused here with their reason, at the place, rather than run differently.
  const errno = (v: unknown, path: Path, action: string, key: string): number => {
    if (!ERRNO_ACTIONS.has(action))
      fail(path, `${key} is given with ${action}, which returns no errno; OCI runtimes refuse the profile (crun: "errno value specified for action \`${action}\`")`,
        `remove ${key}, or use SCMP_ACT_ERRNO`);
    const n = int(v, path, 65535n);
    if (n > MAX_SECCOMP_ERRNO)
      fail(path, `${key} ${n} is above 4094: libseccomp refuses it (crun and runc: "seccomp_rule_add: Invalid argument")${n > 4095n ? ', and libc would not read it as an errno' : ''}`,
        'use an errno from 1 to 4094 (1 EPERM, 13 EACCES, 38 ENOSYS)');
    return Number(n);
  };
  const arch = (v: unknown, path: Path): string => {
    const a = str(v, path);
    if (!ARCHITECTURES.has(a)) fail(path, `unknown architecture '${a}' (crun: "seccomp unknown architecture")`, `use one of ${[...ARCHITECTURES].join(', ')}`);
    return a;
  };
  const archList = (v: unknown, path: Path): string[] =>
    Array.isArray(v) ? v.map((x, i) => arch(x, [...path, i])) : fail(path, 'expected a list of architectures', 'write [ "SCMP_ARCH_X86_64", ... ]');
  const filter = (v: unknown, path: Path): SeccompFilter => {
    const o = obj(v, path);
    const f: SeccompFilter = {};
    if (o.caps != null) f.caps = strList(o.caps, [...path, 'caps']);
    if (o.arches != null) f.arches = strList(o.arches, [...path, 'arches']);
    if (o.minKernel != null) {
      f.minKernel = str(o.minKernel, [...path, 'minKernel']);
      if (!/^\d+\.\d+/.test(f.minKernel)) fail([...path, 'minKernel'], `'${f.minKernel}' is not a kernel version`, 'write e.g. "4.8"');
    }
    return f;
  };

  const top = obj(root, []);
  if (top.defaultAction == null) fail([], 'defaultAction is missing', 'add e.g. defaultAction: SCMP_ACT_ERRNO');
  const profile: SeccompProfile = { defaultAction: str(top.defaultAction, ['defaultAction']) };
  if (top.defaultErrnoRet != null) profile.defaultErrnoRet = errno(top.defaultErrnoRet, ['defaultErrnoRet'], profile.defaultAction, 'defaultErrnoRet');
  if (top.architectures != null) profile.architectures = archList(top.architectures, ['architectures']);
  if (top.flags != null) profile.flags = strList(top.flags, ['flags']);
  if (top.listenerPath != null) profile.listenerPath = str(top.listenerPath, ['listenerPath']);
  if (top.listenerMetadata != null) profile.listenerMetadata = str(top.listenerMetadata, ['listenerMetadata']);
  if (top.archMap != null) {
    if (!Array.isArray(top.archMap)) fail(['archMap'], 'expected a list', 'write a list of { architecture, subArchitectures }');
    profile.archMap = (top.archMap as unknown[]).map((m, i) => {
      const o = obj(m, ['archMap', i]);
      return {
        architecture: arch(o.architecture, ['archMap', i, 'architecture']),
        subArchitectures: o.subArchitectures == null ? [] : archList(o.subArchitectures, ['archMap', i, 'subArchitectures']),
      };
    });
  }
  if (top.syscalls != null) {
    if (!Array.isArray(top.syscalls)) fail(['syscalls'], 'expected a list of rules', 'write syscalls: [ { names: [...], action: ... } ]');
    profile.syscalls = (top.syscalls as unknown[]).map((r, i) => {
      const p: Path = ['syscalls', i];
      const o = obj(r, p);
      if (o.names == null && typeof o.name === 'string') o.names = [o.name]; // the pre-OCI Docker spelling
      if (o.names == null) fail(p, 'names is missing', 'add names: [ "read", ... ]');
      if (o.action == null) fail(p, 'action is missing', 'add e.g. action: SCMP_ACT_ALLOW');
      const rule: SeccompRule = { names: strList(o.names, [...p, 'names']), action: str(o.action, [...p, 'action']) };
      if (o.errnoRet != null) rule.errnoRet = errno(o.errnoRet, [...p, 'errnoRet'], rule.action, 'errnoRet');
      if (o.comment != null) rule.comment = String(o.comment);
      if (o.includes != null) rule.includes = filter(o.includes, [...p, 'includes']);
      if (o.excludes != null) rule.excludes = filter(o.excludes, [...p, 'excludes']);
      if (o.args != null) {
        if (!Array.isArray(o.args)) fail([...p, 'args'], 'expected a list', 'write args: [ { index, value, op } ]');
        rule.args = (o.args as unknown[]).map((a, j) => {
          const ap: Path = [...p, 'args', j];
          const ao = obj(a, ap);
          const arg: SeccompArg = {
            index: Number(int(ao.index, [...ap, 'index'], 5n)),
            value: small(int(ao.value ?? 0n, [...ap, 'value'], 2n ** 64n - 1n)),
            op: str(ao.op, [...ap, 'op']),
          };
          if (ao.valueTwo != null) arg.valueTwo = small(int(ao.valueTwo, [...ap, 'valueTwo'], 2n ** 64n - 1n));
          return arg;
        });
      }
      return rule;
    });
  }
  return profile;
}

/** Reads and parses a profile file; errors are ProfileLoadError with the file named. `unreadableHint` names the
 * argument the file came from, for the message when it cannot be read. */
export function loadSeccompProfile(file: string, unreadableHint = 'check the path given to --seccomp'): { profile: SeccompProfile; text: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new ProfileLoadError(`${file}: cannot read the seccomp profile (${code}) — ${unreadableHint}`);
  }
  refuseWhatCheckRefuses(file, text, 'seccomp');
  // Parsing with positions costs ~20 ms for Docker's profile: a run reuses the model of identical text.
  const key = `${file}\0${createHash('sha256').update(text).digest('hex')}`;
  let profile = parsed.get(key);
  if (!profile) {
    profile = parseSeccompProfile(text, file);
    if (parsed.size > 64) parsed.clear();
    parsed.set(key, profile);
  }
  return { profile, text };
}

const parsed = new Map<string, SeccompProfile>();

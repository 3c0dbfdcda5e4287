/**
 * Learned usage → the proposed seccomp profile. Pure and deterministic: the same usage gives the same bytes.
 *
 * The profile is OCI/Docker-compatible (docs/learn-mode.md):
 * - `defaultAction: SCMP_ACT_ERRNO`, `defaultErrnoRet: 1` (EPERM), the NATIVE architecture only: a 32-bit
 *   compat ABI (x86 and x32 beside x86_64) is another syscall table, with entry points such as `socketcall`
 *   that an args rule on `socket` does not cover; the recording runs native-only too (seccompHardening.ts);
 * - ONE allow rule with every learned syscall, names sorted. OCI/Docker have one `comment` per rule, so the
 *   per-syscall descriptions go into that comment as a listing (`name: description (count)`) — and, in the
 *   YAML form, also as a `#` comment on each name's line;
 * - `args` rules for the syscalls whose risk is decided by an argument, when the recorded values are few
 *   (socket families, ioctl requests, prctl options, personality), each compared on the low 32 bits the kernel
 *   reads; ioctl never TIOCSTI/TIOCLINUX/TIOCSETD and socket never AF_ALG/AF_VSOCK, even when too many values
 *   were seen for a list; clone ALWAYS with the namespace-flag mask; the file-mode syscalls never with set-id
 *   bits; repeated indexes in one rule mean "any of" (runc and this runtime's compiler);
 * - never a syscall of NEVER_LEARNED (namespaces, mount API, bpf, keyring, io_uring, ptrace, …): the recording
 *   refuses them, and a usage file that lists them anyway (an old sidecar) is not believed;
 * - fixed rules a working process needs: `clone3` and `openat2` → ENOSYS (the C library then falls back to
 *   clone / openat, whose flags and mode a filter can check).
 */
import { syscallData } from '../../../model';
import { usedNames, type LearnedUsage } from './learnRecording';
import {
  AF_ALG, AF_VSOCK, CLONE_NAMESPACE_FLAGS, ENOSYS, EPERM, NEVER_LEARNED, REFUSED_IOCTLS, ioctlAllowArgs, noSetIdArg, socketAllowArgs,
} from '../policy/seccompHardening';

export { CLONE_NAMESPACE_FLAGS, ENOSYS, EPERM };
/** At most this many distinct recorded values become an args rule; more → the syscall is allowed outright. */
export const MAX_ARG_VALUES = 8;

export interface ProposedArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: 'SCMP_CMP_EQ' | 'SCMP_CMP_MASKED_EQ';
}

export interface ProposedRule {
  names: string[];
  action: 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO';
  errnoRet?: number;
  args?: ProposedArg[];
  comment: string;
}

export interface ProposedProfile {
  defaultAction: 'SCMP_ACT_ERRNO';
  defaultErrnoRet: number;
  architectures: string[];
  syscalls: ProposedRule[];
}

const descriptions = new Map((syscallData.syscalls as { name: string; desc?: string }[]).map((s) => [s.name, s.desc ?? '']));

export function describeSyscall(name: string): string {
  return descriptions.get(name) || 'no description in the syscall table';
}

/** The architectures a proposal lists: the native one only (see the header). */
export function profileArches(nativeArch: string): string[] {
  return [nativeArch];
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
const LOW32 = 0xffffffff;
/** Syscalls whose decisive argument is a C int / unsigned int: compared on its low 32 bits. */
const REFUSED_VALUES: Record<string, number[]> = { ioctl: Object.values(REFUSED_IOCTLS), socket: [AF_ALG, AF_VSOCK] };

function toProposed(args: { index: number; value: number | bigint; valueTwo?: number | bigint; op: string }[]): ProposedArg[] {
  return args.map((a) => ({ index: a.index, value: Number(a.value), valueTwo: Number(a.valueTwo ?? 0), op: a.op as ProposedArg['op'] }));
}

/** Why an argument-decided syscall gets the rule it gets; undefined = plain allow. */
function argsRule(name: string, usage: LearnedUsage, count: number): ProposedRule | undefined {
  const describe = `${name}: ${describeSyscall(name)} (${count})`;
  if (name === 'clone') {
    // Always masked: the deny layer refused namespace flags while learning, and a glibc that only called
    // clone3 falls back to clone at replay — with no recorded values at all.
    return {
      names: ['clone'], action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      comment: `${describe} — only without CLONE_NEW* flags: a new namespace would give the program every capability in it`,
    };
  }
  const mode = noSetIdArg(name);
  if (mode) {
    return { names: [name], action: 'SCMP_ACT_ALLOW', args: toProposed([mode]), comment: `${describe} — never with S_ISUID or S_ISGID in the mode (argument ${mode.index})` };
  }
  const a = usage.args[name];
  const refused = REFUSED_VALUES[name] ?? [];
  const values = a ? [...new Set(Object.keys(a.values).map((v) => Number(BigInt(v) & 0xffffffffn)))].filter((v) => !refused.includes(v)).sort((x, y) => x - y) : [];
  if (!a || a.many || values.length === 0 || values.length > MAX_ARG_VALUES) {
    // Too many values for a list: everything but the refused ones.
    if (name === 'ioctl') return { names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: toProposed(ioctlAllowArgs()), comment: `${describe} — any request but TIOCSTI, TIOCLINUX and TIOCSETD (terminal input injection)` };
    if (name === 'socket') return { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: toProposed(socketAllowArgs()), comment: `${describe} — any family but AF_ALG and AF_VSOCK` };
    return undefined;
  }
  const shown = values.map((v) => `0x${v.toString(16)}`).join(', ');
  return {
    names: [name], action: 'SCMP_ACT_ALLOW',
    args: values.map((v) => ({ index: a.index, value: LOW32, valueTwo: v, op: 'SCMP_CMP_MASKED_EQ' as const })),
    comment: `${describe} — only argument ${a.index} ∈ {${shown}}, the values recorded, compared on the 32 bits the kernel reads`,
  };
}

/** The syscalls of the native architecture a proposal may allow (NEVER_LEARNED removed), with their counts. */
function proposable(usage: LearnedUsage, nativeArch: string): { names: Record<string, number>; refused: string[] } {
  const names: Record<string, number> = {};
  const refused: string[] = [];
  for (const [n, c] of Object.entries(usage.arches[nativeArch] ?? {})) {
    if (NEVER_LEARNED[n]) refused.push(n);
    else names[n] = c;
  }
  return { names, refused: refused.sort() };
}

/** The rules that allow `names` (plain ones in one rule, argument-decided ones in their own). */
export function allowRules(names: Record<string, number>, usage: LearnedUsage, comment: (listing: string) => string): ProposedRule[] {
  const plain: string[] = [];
  const special: ProposedRule[] = [];
  for (const name of Object.keys(names).sort()) {
    if (name === 'clone3' || name === 'openat2' || NEVER_LEARNED[name]) continue;
    const rule = argsRule(name, usage, names[name]);
    if (rule) special.push(rule);
    else plain.push(name);
  }
  const listing = plain.map((n) => `${n}: ${describeSyscall(n)} (${names[n]})`).join('; ');
  return [...(plain.length ? [{ names: plain, action: 'SCMP_ACT_ALLOW' as const, comment: comment(listing) }] : []), ...special];
}

/** The fixed ENOSYS rules: the C library falls back to a call whose arguments a filter can check. */
export const FALLBACK_RULES: ProposedRule[] = [
  {
    names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS,
    comment: 'clone3 passes its flags in memory, where seccomp cannot check them: ENOSYS makes glibc fall back to clone',
  },
  {
    names: ['openat2'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS,
    comment: 'openat2 passes its mode in memory, where seccomp cannot check set-id bits: ENOSYS makes callers fall back to openat',
  },
];

/** The minimal profile for a usage. `nativeArch` is the OCI name of the host's architecture. */
export function proposeProfile(usage: LearnedUsage, nativeArch: string): ProposedProfile {
  const { names, refused } = proposable(usage, nativeArch);
  // glibc tries clone3 first; denied with ENOSYS it falls back to clone — which must then be allowed.
  if (names.clone3 !== undefined && names.clone === undefined) names.clone = 0;
  const others = Object.keys(usage.arches).filter((a) => a !== nativeArch);
  const arches = `for ${nativeArch} only${others.length ? ` (calls recorded on ${others.join(', ')} are not allowed)` : ''} — to allow another architecture, add it to architectures and learn on it`;
  const never = refused.length ? `; never proposed, whatever the usage says: ${refused.join(', ')}` : '';
  const rules = allowRules(names, usage, (listing) =>
    `learned by phantom learn from ${plural(usage.runs, 'run')} (${plural(usage.notifications, 'syscall')}), ${arches}${never}; name: description (calls): ${listing}`);
  return { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: EPERM, architectures: profileArches(nativeArch), syscalls: [...rules, ...FALLBACK_RULES] };
}

/** Names a profile allows outright or with args (ALLOW rules only). */
export function allowedNames(profile: { syscalls?: { names: string[]; action: string }[] }): Set<string> {
  const out = new Set<string>();
  for (const r of profile.syscalls ?? []) if (r.action === 'SCMP_ACT_ALLOW' || r.action === 'SCMP_ACT_LOG') r.names.forEach((n) => out.add(n));
  return out;
}

/** Learned names the profile does not allow (sorted): what "add missing only" adds. */
export function missingNames(profile: { syscalls?: { names: string[]; action: string }[] }, usage: LearnedUsage): string[] {
  const allowed = allowedNames(profile);
  const denied = new Set((profile.syscalls ?? []).filter((r) => r.action !== 'SCMP_ACT_ALLOW').flatMap((r) => r.names));
  return Object.keys(usedNames(usage))
    .filter((n) => !allowed.has(n) && !NEVER_LEARNED[n] && !((n === 'clone3' || n === 'openat2') && denied.has(n))).sort();
}

/** Allowed names the usage never used (sorted): the "never used by the last learn run" diagnostics. */
export function unusedNames(profile: { syscalls?: { names: string[]; action: string }[] }, usage: LearnedUsage): string[] {
  const used = usedNames(usage);
  return [...allowedNames(profile)].filter((n) => used[n] === undefined).sort();
}

/** The rules "add missing only" appends to an existing profile (argument-decided syscalls get their own). */
export function missingRules(names: string[], usage: LearnedUsage): ProposedRule[] {
  const counts = usedNames(usage);
  return allowRules(Object.fromEntries(names.map((n) => [n, counts[n] ?? 0])), usage, (listing) =>
    `added by phantom learn (${plural(usage.runs, 'run')}); name: description (calls): ${listing}`);
}

// ---- Rendering: fixed key order, fixed indentation: the same profile → the same bytes ------------------------

function ruleObject(r: ProposedRule): Record<string, unknown> {
  const o: Record<string, unknown> = { names: r.names, action: r.action };
  if (r.errnoRet !== undefined) o.errnoRet = r.errnoRet;
  if (r.args) o.args = r.args.map((a) => (a.valueTwo !== undefined ? { index: a.index, value: a.value, valueTwo: a.valueTwo, op: a.op } : { index: a.index, value: a.value, op: a.op }));
  o.comment = r.comment;
  return o;
}

export function renderJson(p: ProposedProfile): string {
  const o = { defaultAction: p.defaultAction, defaultErrnoRet: p.defaultErrnoRet, architectures: p.architectures, syscalls: p.syscalls.map(ruleObject) };
  return `${JSON.stringify(o, null, 2)}\n`;
}

const yamlString = (s: string) => JSON.stringify(s); // a JSON string is a valid double-quoted YAML scalar

/** YAML with a `#` comment per allowed name (description and call count). */
export function renderYaml(p: ProposedProfile, usage?: LearnedUsage): string {
  const counts = usage ? usedNames(usage) : {};
  const lines = [
    '# Seccomp profile learned by `phantom learn` (OCI/Docker format; `phantom export --to docker` gives the JSON).',
    `# Native architecture only (${p.architectures.join(', ')}): to allow another, add it under architectures and learn on it.`,
    `defaultAction: ${p.defaultAction}`,
    `defaultErrnoRet: ${p.defaultErrnoRet}`,
    'architectures:',
    ...p.architectures.map((a) => `  - ${a}`),
    'syscalls:',
  ];
  for (const r of p.syscalls) lines.push(...yamlRuleLines(r, counts, '  '));
  return `${lines.join('\n')}\n`;
}

/** One rule as YAML block-sequence lines at `indent` (a `#` description per name). */
export function yamlRuleLines(r: ProposedRule, counts: Record<string, number>, indent: string): string[] {
  const lines = [`${indent}- names:`];
  const width = Math.max(...r.names.map((n) => n.length));
  for (const n of r.names) {
    const c = counts[n];
    lines.push(`${indent}    - ${n.padEnd(width)}  # ${describeSyscall(n)}${c !== undefined ? ` (${c})` : ''}`);
  }
  lines.push(`${indent}  action: ${r.action}`);
  if (r.errnoRet !== undefined) lines.push(`${indent}  errnoRet: ${r.errnoRet}`);
  if (r.args) {
    lines.push(`${indent}  args:`);
    for (const a of r.args) {
      lines.push(`${indent}    - index: ${a.index}`, `${indent}      value: ${a.value}`);
      if (a.valueTwo !== undefined) lines.push(`${indent}      valueTwo: ${a.valueTwo}`);
      lines.push(`${indent}      op: ${a.op}`);
    }
  }
  lines.push(`${indent}  comment: ${yamlString(r.comment)}`);
  return lines;
}

export function renderProfile(p: ProposedProfile, format: 'json' | 'yaml', usage?: LearnedUsage): string {
  return format === 'yaml' ? renderYaml(p, usage) : renderJson(p);
}

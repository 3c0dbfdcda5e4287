/**
 * Learned usage → the proposed seccomp profile. Pure and deterministic: the same usage gives the same bytes.
 *
 * The profile is OCI/Docker-compatible (docs/learn-mode.md):
 * - `defaultAction: SCMP_ACT_ERRNO`, `defaultErrnoRet: 1` (EPERM), the native architecture and its compat ones;
 * - ONE allow rule with every learned syscall, names sorted. OCI/Docker have one `comment` per rule, so the
 *   per-syscall descriptions go into that comment as a listing (`name: description (count)`) — and, in the
 *   YAML form, also as a `#` comment on each name's line;
 * - `args` rules for the syscalls whose risk is decided by an argument, when the recorded values are few
 *   (socket families, ioctl requests, prctl options, personality); clone gets Docker's namespace-flag mask;
 *   repeated indexes in one rule mean "any of" (runc and this runtime's compiler);
 * - fixed rules a working process needs: `clone3` → ENOSYS (glibc then falls back to clone, whose flags a
 *   filter can check).
 */
import seccompData from '../../server/data/seccomp.json';
import syscallData from '../../server/data/syscalls.json';
import { usedNames, type LearnedUsage } from './learnRecording';

export const EPERM = 1;
export const ENOSYS = 38;
/** CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET (as defaultProfile.ts). */
export const CLONE_NAMESPACE_FLAGS = 0x7e020000;
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
const compatOf = new Map((seccompData.architectures as { name: string; compat?: string[] }[]).map((a) => [a.name, a.compat ?? []]));

export function describeSyscall(name: string): string {
  return descriptions.get(name) || 'no description in the syscall table';
}

/** The native architecture and its compat ones (Docker's archMap), e.g. x86_64 → x86_64, x86, x32. */
export function profileArches(nativeArch: string): string[] {
  return [nativeArch, ...(compatOf.get(nativeArch) ?? [])];
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** Why an argument-decided syscall gets the rule it gets; undefined = plain allow. */
function argsRule(name: string, usage: LearnedUsage, count: number): ProposedRule | undefined {
  const a = usage.args[name];
  if (!a) return undefined;
  const values = Object.keys(a.values).map((v) => BigInt(v)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  if (name === 'clone') {
    if (values.some((v) => (v & BigInt(CLONE_NAMESPACE_FLAGS)) !== 0n)) return undefined;
    return {
      names: ['clone'], action: 'SCMP_ACT_ALLOW',
      args: [{ index: a.index, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      comment: `clone: ${describeSyscall('clone')} (${count}) — only without CLONE_NEW* flags: no recorded call created a namespace`,
    };
  }
  if (a.many || values.length === 0 || values.length > MAX_ARG_VALUES || values.some((v) => v > BigInt(Number.MAX_SAFE_INTEGER))) return undefined;
  const shown = values.map((v) => `0x${v.toString(16)}`).join(', ');
  return {
    names: [name], action: 'SCMP_ACT_ALLOW',
    args: values.map((v) => ({ index: a.index, value: Number(v), op: 'SCMP_CMP_EQ' as const })),
    comment: `${name}: ${describeSyscall(name)} (${count}) — only argument ${a.index} ∈ {${shown}}, the values recorded`,
  };
}

/** The minimal profile for a usage. `nativeArch` is the OCI name of the host's architecture. */
export function proposeProfile(usage: LearnedUsage, nativeArch: string): ProposedProfile {
  const names = usedNames(usage);
  // glibc tries clone3 first; denied with ENOSYS it falls back to clone — which must then be allowed.
  if (names.clone3 !== undefined && names.clone === undefined) names.clone = 0;
  const plain: string[] = [];
  const special: ProposedRule[] = [];
  for (const name of Object.keys(names).sort()) {
    if (name === 'clone3') continue;
    const rule = argsRule(name, usage, names[name]);
    if (rule) special.push(rule);
    else plain.push(name);
  }
  const listing = plain.map((n) => `${n}: ${describeSyscall(n)} (${names[n]})`).join('; ');
  const rules: ProposedRule[] = [
    {
      names: plain, action: 'SCMP_ACT_ALLOW',
      comment: `learned by phantom learn from ${plural(usage.runs, 'run')} (${plural(usage.notifications, 'syscall')}); name: description (calls): ${listing}`,
    },
    ...special,
    {
      names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS,
      comment: 'clone3 passes its flags in memory, where seccomp cannot check them: ENOSYS makes glibc fall back to clone',
    },
  ];
  return { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: EPERM, architectures: profileArches(nativeArch), syscalls: rules };
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
  return Object.keys(usedNames(usage)).filter((n) => !allowed.has(n) && !(n === 'clone3' && denied.has('clone3'))).sort();
}

/** Allowed names the usage never used (sorted): the "never used by the last learn run" diagnostics. */
export function unusedNames(profile: { syscalls?: { names: string[]; action: string }[] }, usage: LearnedUsage): string[] {
  const used = usedNames(usage);
  return [...allowedNames(profile)].filter((n) => used[n] === undefined).sort();
}

/** The rule "add missing only" appends to an existing profile. */
export function missingRule(names: string[], usage: LearnedUsage): ProposedRule {
  const counts = usedNames(usage);
  return {
    names, action: 'SCMP_ACT_ALLOW',
    comment: `added by phantom learn (${plural(usage.runs, 'run')}); name: description (calls): ${names.map((n) => `${n}: ${describeSyscall(n)} (${counts[n] ?? 0})`).join('; ')}`,
  };
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
    `defaultAction: ${p.defaultAction}`,
    `defaultErrnoRet: ${p.defaultErrnoRet}`,
    'architectures:',
    ...p.architectures.map((a) => `  - ${a}`),
    'syscalls:',
  ];
  for (const r of p.syscalls) {
    lines.push('  - names:');
    const width = Math.max(...r.names.map((n) => n.length));
    for (const n of r.names) {
      const c = counts[n];
      lines.push(`      - ${n.padEnd(width)}  # ${describeSyscall(n)}${c !== undefined ? ` (${c})` : ''}`);
    }
    lines.push(`    action: ${r.action}`);
    if (r.errnoRet !== undefined) lines.push(`    errnoRet: ${r.errnoRet}`);
    if (r.args) {
      lines.push('    args:');
      for (const a of r.args) {
        lines.push(`      - index: ${a.index}`, `        value: ${a.value}`);
        if (a.valueTwo !== undefined) lines.push(`        valueTwo: ${a.valueTwo}`);
        lines.push(`        op: ${a.op}`);
      }
    }
    lines.push(`    comment: ${yamlString(r.comment)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderProfile(p: ProposedProfile, format: 'json' | 'yaml', usage?: LearnedUsage): string {
  return format === 'yaml' ? renderYaml(p, usage) : renderJson(p);
}

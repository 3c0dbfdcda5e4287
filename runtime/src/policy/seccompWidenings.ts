/**
 * What a seccomp profile allows that the built-in default profile does not: the syscall part of "is this
 * configuration wider than the defaults?" (policyWidenings.ts). Compared as the compiler applies the rules — per
 * syscall name, for this host (Docker's includes/excludes evaluated, archMap resolved), actions and argument
 * conditions included — so a profile cannot hide an allow-everything rule behind a different spelling.
 * Pure: the host facts are an argument.
 */
import { seccompData } from '../../../model';
import { DEFAULT_SECCOMP_PROFILE } from './defaultProfile';
import { AF_VSOCK, ioctlAllowArgs, maskedComplement, noSetIdArg } from './seccompHardening';
import { profileArchitectures, ruleApplies, type SeccompHost } from './seccompCompiler';
import type { SeccompArg, SeccompProfile, SeccompRule } from '../../../model';

/**
 * Actions under which the syscall runs. LOG runs it (and logs); TRACE without a tracer answers ENOSYS, and the
 * sandbox has no tracer, so it counts as a denial; NOTIFY is refused by the compiler.
 */
const RUNS = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG']);

const FLAG_WORDS: Record<string, string> = {
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 'turns off the kernel\u2019s speculative store bypass mitigation for the sandbox (seccomp flag SECCOMP_FILTER_FLAG_SPEC_ALLOW)',
};

/** One conjunction of argument comparisons (the compiler splits a rule whose indexes repeat into one per argument). */
type Group = SeccompArg[];

interface NameRules {
  /** Argument groups under which the syscall runs (an empty group: always). */
  runs: Group[];
  /** Rules with any other action (the default's exceptions, e.g. clone3 → ENOSYS). */
  others: SeccompRule[];
}

function groupsOf(rule: SeccompRule): Group[] {
  const args = rule.args ?? [];
  const indexes = new Set(args.map((a) => a.index));
  return indexes.size === args.length ? [args] : args.map((a) => [a]);
}

function byName(profile: SeccompProfile, host: SeccompHost): Map<string, NameRules> {
  const out = new Map<string, NameRules>();
  for (const rule of profile.syscalls ?? []) {
    if (!ruleApplies(rule, host)) continue;
    // A rule whose action is the default action changes nothing (the compiler skips it too).
    if (rule.action === profile.defaultAction && rule.errnoRet === profile.defaultErrnoRet) continue;
    for (const name of rule.names) {
      const entry = out.get(name) ?? { runs: [], others: [] };
      if (RUNS.has(rule.action)) entry.runs.push(...groupsOf(rule));
      else entry.others.push(rule);
      out.set(name, entry);
    }
  }
  return out;
}

const MASK64 = (1n << 64n) - 1n;
const big = (v: number | bigint | undefined) => BigInt(v ?? 0) & MASK64;

/** Does a 64-bit argument value satisfy one comparison (libseccomp's semantics)? */
function satisfies(cmp: SeccompArg, x: bigint): boolean {
  const v = big(cmp.value);
  switch (cmp.op) {
    case 'SCMP_CMP_EQ': return x === v;
    case 'SCMP_CMP_NE': return x !== v;
    case 'SCMP_CMP_LT': return x < v;
    case 'SCMP_CMP_LE': return x <= v;
    case 'SCMP_CMP_GT': return x > v;
    case 'SCMP_CMP_GE': return x >= v;
    case 'SCMP_CMP_MASKED_EQ': return (x & v) === big(cmp.valueTwo);
    default: return false; // an operator we cannot evaluate covers nothing
  }
}

const same = (a: Group, b: Group) =>
  a.length === b.length && a.every((x) => b.some((y) => y.index === x.index && y.op === x.op && big(y.value) === big(x.value) && big(y.valueTwo) === big(x.valueTwo)));

/**
 * Does one of the group's comparisons on `c`'s argument alone imply `c` (every value it lets through satisfies `c`)?
 * An EQ pins the value: it implies `c` when the value satisfies it. A MASKED_EQ `x & mA == vA` implies a base
 * MASKED_EQ `x & mB == vB` exactly when the base tests no bit that the group leaves free (mB ⊆ mA) and the group's
 * value has the base's value on those bits ((vA & mB) == vB); vA must lie within mA, or the group matches nothing
 * and is not reasoned about. (Learn mode's ioctl rules pin a request with the full 32-bit mask, which the default
 * profile's request-range masks cover.)
 */
function implies(group: Group, c: SeccompArg): boolean {
  return group.some((g) => {
    if (g.index !== c.index) return false;
    if (g.op === 'SCMP_CMP_EQ') return satisfies(c, big(g.value));
    if (g.op !== 'SCMP_CMP_MASKED_EQ' || c.op !== 'SCMP_CMP_MASKED_EQ') return false;
    const [mA, vA, mB, vB] = [big(g.value), big(g.valueTwo), big(c.value), big(c.valueTwo)];
    return (vA & ~mA & MASK64) === 0n && (mB & ~mA & MASK64) === 0n && (vA & mB) === vB;
  });
}

/**
 * Is every call a group lets through also let through by one of `base`? Exactly when the base runs the syscall
 * unconditionally, has the same comparisons, or has a group each of whose comparisons one of ours implies (an EQ
 * value that satisfies it, a narrower mask: `implies`). Anything else (a range of our own, a wider mask) is counted
 * as wider: asking once too often is safe, missing a widening is not.
 */
function covered(group: Group, base: Group[]): boolean {
  if (base.some((b) => b.length === 0 || same(b, group))) return true;
  if (group.length === 0) return false;
  return base.some((b) => b.every((c) => implies(group, c)));
}

const sameRule = (a: SeccompRule, b: SeccompRule) =>
  a.action === b.action && (a.errnoRet ?? null) === (b.errnoRet ?? null) && groupsOf(a).every((g) => groupsOf(b).some((h) => same(g, h)));

function describeArgs(group: Group): string {
  return group.map((c) => `arg${c.index} ${c.op.replace('SCMP_CMP_', '').toLowerCase()} ${c.op === 'SCMP_CMP_MASKED_EQ' ? `${hex(c.value)}→${hex(c.valueTwo)}` : hex(c.value)}`).join(', ');
}
const hex = (v: number | bigint | undefined) => `0x${big(v).toString(16)}`;

/** The plain-words list of what `profile` allows beyond `base` (default: the built-in profile) on `host`. */
export function seccompWidenings(profile: SeccompProfile, host: SeccompHost, base: SeccompProfile = DEFAULT_SECCOMP_PROFILE, network?: string): string[] {
  const out: string[] = [];
  // What the kernel enforces is the profile under the guard (--seccomp-guard and the set-id guard): judge that.
  profile = underGuard(profile, network);
  const compat = (seccompData.architectures as { name: string; compat: string[] }[]).find((a) => a.name === host.arch)?.compat ?? [];
  const baseArches = new Set(profileArchitectures(base, host));
  const extra = profileArchitectures(profile, host).filter((a) => compat.includes(a) && !baseArches.has(a));
  if (extra.length) out.push(`allows the ${extra.join(' and ')} system calls (the 32-bit entry points, where argument checks can be bypassed); the built-in profile allows only ${host.arch}`);
  for (const flag of profile.flags ?? []) if (FLAG_WORDS[flag]) out.push(FLAG_WORDS[flag]);

  const baseRules = byName(base, host);
  if (RUNS.has(profile.defaultAction)) {
    out.push(`allows every system call it does not list (defaultAction ${profile.defaultAction}), including namespaces, mount, ptrace and bpf`);
    return out;
  }
  for (const [name, mine] of [...byName(profile, host)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (mine.runs.length === 0) continue; // denied with some errno, killed or trapped: not wider
    const theirs = baseRules.get(name);
    if (!theirs || theirs.runs.length === 0) {
      out.push(`allows the system call ${name}, which the built-in profile denies`);
      continue;
    }
    const loose = mine.runs.find((g) => !covered(g, theirs.runs));
    if (loose) {
      out.push(`allows ${name} ${loose.length ? `when ${describeArgs(loose)}` : 'with any arguments'}; the built-in profile allows it only ${theirs.runs.map((g) => (g.length ? describeArgs(g) : 'always')).join(' or ')}`);
      continue;
    }
    // The base's exceptions for a syscall it runs (e.g. a refused ioctl request) must be kept.
    const dropped = theirs.others.filter((r) => !mine.others.some((m) => sameRule(m, r)));
    if (dropped.length) out.push(`allows ${name} without the built-in profile's exception${dropped.length > 1 ? 's' : ''}: ${dropped.map((r) => r.comment ?? r.action).join('; ')}`);
  }
  return out;
}

/**
 * The profile as the kernel enforces it beneath the guard every written profile gets (seccompHardening.ts
 * guardProfile: the terminal ioctls, set-id modes, AF_VSOCK unless the network is `host`): an unconditional allow of
 * a guarded name becomes the allows the guard leaves. So a plain `ioctl` or `openat` in a profile file is not wider
 * than the built-in profile's conditional ones — the guard refuses the same calls — while `socket` still is
 * (the guard does not refuse AF_ALG).
 */
export function underGuard(profile: SeccompProfile, network: string | undefined): SeccompProfile {
  const guarded = (name: string): SeccompRule[] | undefined => {
    const keep = (args: SeccompArg[]): SeccompRule[] => args.map((a) => ({ names: [name], action: 'SCMP_ACT_ALLOW', args: [a] }));
    if (name === 'ioctl') return keep(ioctlAllowArgs());
    if (name === 'socket' && network !== 'host') return keep(maskedComplement([AF_VSOCK]).map((b) => ({ index: 0, value: b.mask, valueTwo: b.value, op: 'SCMP_CMP_MASKED_EQ' as const })));
    const arg = noSetIdArg(name);
    return arg ? [{ names: [name], action: 'SCMP_ACT_ALLOW', args: [arg] }] : undefined;
  };
  const syscalls: SeccompRule[] = [];
  for (const rule of profile.syscalls ?? []) {
    if (rule.action !== 'SCMP_ACT_ALLOW' || rule.args?.length || rule.includes || rule.excludes) {
      syscalls.push(rule);
      continue;
    }
    const plain = rule.names.filter((n) => !guarded(n));
    if (plain.length) syscalls.push({ ...rule, names: plain });
    for (const n of rule.names) for (const g of guarded(n) ?? []) syscalls.push({ ...g, ...(rule.comment ? { comment: rule.comment } : {}) });
  }
  return { ...profile, syscalls };
}

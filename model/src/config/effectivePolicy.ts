/**
 * THE merge: the effective policy of a profile of `phantom-fragment.yaml`. One implementation — the
 * server shows it (hover, diagnostics), the runtime enforces it (`phantom explain`, runs). Pure and
 * deterministic: the same configuration always gives the same policy, in the same order.
 *
 * The rules (docs/configuration.md, "The effective policy"):
 *
 * 1. Fragments are expanded depth first, in the order they are listed: a fragment's own `fragments`
 *    come before it; each fragment is composed once (the first time it is reached); an unknown name or a
 *    cycle is a problem and is skipped. A fragment declared in the file replaces a built-in of its name.
 * 2. Syscalls: the union of every fragment's syscalls, sorted by name, each with the fragments that grant
 *    it. A profile's seccomp policy (file or inline) is the base; the union is allowed in addition.
 * 3. Landlock: the fragments' rules, in composition order, identical rules once. The profile's own policy (file or
 *    inline) is kept apart (`landlock.base`): the runtime applies it as a layer of its own on top of the fragments'
 *    one, so it narrows and never widens (layeredAccess.ts computes what all layers give each path).
 * 4. Network: the profile's own `network` wins when set. Unset, the most open mode any fragment needs
 *    (none < loopback < host), else `none`. A profile whose `network` is more closed than a fragment
 *    needs is a contradiction (warning): the run gets the profile's mode, the fragment's capability fails.
 * 5. Filesystem: fragments add paths in order; a path read-only in one fragment and read-write in another
 *    is read-write (composition adds capabilities). Then the profile's own paths, which win for the paths
 *    they name — a profile making read-only what a fragment needs read-write is a contradiction
 *    (warning). `hidden` is the union; hiding a path a fragment needs is a contradiction (warning).
 *    `privateTmp`: the profile's value when set, else false when a fragment asks for the host's /tmp,
 *    else true.
 * 6. Everything else (`run`, `match`, `env`, `limits`, `pool`, `bestEffort`, `unprotect`) is the profile's own;
 *    `pool` gets the schema's defaults (min 0, max 2).
 */
import { didYouMean } from '../didYouMean';
import type { PathSegment } from '../sourceTree';
import { builtinFragment, builtinFragmentNames } from './builtinFragments';
import { ALWAYS_LIMITS_TEXT, DEFAULT_PIDS } from './defaultLimits';
import { workspaceAccess } from './layeredAccess';
import {
  NETWORK_MODES,
  type FragmentSpec,
  type LimitsSpec,
  type NetPortRule,
  type NetworkMode,
  type PathBeneathRule,
  type PhantomConfig,
  type PolicySource,
} from './configModel';

/** The most seconds a `timeout` or `cpu` limit may be (a signed 32-bit count). */
export const LIMIT_SECONDS_MAX = 2_147_483_647;

export type PolicyProblemCode = 'unknown-fragment' | 'fragment-cycle' | 'network-contradiction' | 'access-contradiction' | 'pool-range' | 'limit-range';

export interface PolicyProblem {
  code: PolicyProblemCode;
  severity: 'error' | 'warning';
  message: string;
  /** Where in the configuration the problem is written (a JSON path), for the diagnostic's range. */
  path: PathSegment[];
}

export interface EffectivePolicy {
  profile: string;
  description?: string;
  run?: string[];
  match?: string[];
  /** Every fragment composed, in merge order (nested ones included, each once). */
  fragments: string[];
  /** The syscalls the fragments allow, sorted by name, with the fragments that grant each. */
  syscalls: { name: string; from: string[] }[];
  seccomp?: PolicySource;
  landlock: {
    base?: PolicySource;
    pathBeneath: (PathBeneathRule & { from: string })[];
    netPort: (NetPortRule & { from: string })[];
  };
  network: {
    mode: NetworkMode;
    setBy: 'profile' | 'fragment' | 'default';
    /** What each fragment that needs a network asks for, in merge order. */
    needs: { fragment: string; mode: NetworkMode }[];
  };
  filesystem: { readOnly: string[]; readWrite: string[]; hidden: string[]; privateTmp: boolean };
  /** Who decided each read-only or read-write path: "fragment NAME" or "profile NAME". */
  pathsFrom: Record<string, string>;
  env: Record<string, string>;
  limits: LimitsSpec;
  pool: { min: number; max: number };
  bestEffort: boolean;
  /** Protected paths this profile leaves writable (its own `unprotect`, as written): each is a widening. */
  unprotect: string[];
  problems: PolicyProblem[];
}

/** The fragment a name means in a configuration: the declared one, else the built-in one. */
export function fragmentNamed(config: PhantomConfig, name: string): FragmentSpec | undefined {
  return Object.hasOwn(config.fragments, name) ? config.fragments[name] : builtinFragment(name);
}

/** Every fragment name a configuration can use: built-in and declared, sorted. */
export function fragmentNames(config: PhantomConfig): string[] {
  return [...new Set([...builtinFragmentNames(), ...Object.keys(config.fragments)])].sort();
}

export interface Expansion {
  order: { name: string; spec: FragmentSpec }[];
  problems: PolicyProblem[];
}

/**
 * Expands fragment references depth first (rule 1). `refs` are the names as listed, with where each is
 * written. A reference made by a built-in fragment is reported at the in-file reference that led to it.
 */
export function expandFragments(config: PhantomConfig, refs: { name: string; path: PathSegment[] }[]): Expansion {
  const order: Expansion['order'] = [];
  const problems: PolicyProblem[] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (name: string, path: PathSegment[]): void => {
    if (name === '') return; // Not a name (the schema reports the item).
    const loop = stack.indexOf(name);
    if (loop >= 0) {
      const chain = [...stack.slice(loop), name].join(' → ');
      problems.push({ code: 'fragment-cycle', severity: 'error', path, message: `Fragment cycle: ${chain}. A fragment cannot include itself; remove one of these references.` });
      return;
    }
    if (done.has(name)) return;
    const spec = fragmentNamed(config, name);
    if (!spec) {
      problems.push({ code: 'unknown-fragment', severity: 'error', path, message: unknownFragmentMessage(config, name) });
      return;
    }
    const declared = Object.hasOwn(config.fragments, name);
    stack.push(name);
    (spec.fragments ?? []).forEach((child, i) => visit(child, declared ? ['fragments', name, 'fragments', i] : path));
    stack.pop();
    done.add(name);
    order.push({ name, spec });
  };
  for (const ref of refs) visit(ref.name, ref.path);
  return { order, problems };
}

export function unknownFragmentMessage(config: PhantomConfig, name: string): string {
  const hint = didYouMean(name, fragmentNames(config));
  if (hint) return `Unknown fragment '${name}'.${hint}`;
  if (Object.hasOwn(config.profiles, name)) return `Unknown fragment '${name}': '${name}' is a profile, and profiles cannot be composed; list its fragments instead.`;
  return `Unknown fragment '${name}': declare it under 'fragments', or use a built-in one (${builtinFragmentNames().join(', ')}).`;
}

function rank(mode: NetworkMode): number {
  return NETWORK_MODES.indexOf(mode);
}

function describeMode(mode: NetworkMode): string {
  return mode === 'host' ? 'the host network' : mode === 'loopback' ? 'a loopback network' : 'no network';
}

type Expanded = ReturnType<typeof expandFragments>['order'];

/** Step 2: each syscall the fragments grant, with the fragments that grant it. */
function syscallsOf(order: Expanded): Map<string, string[]> {
  const syscalls = new Map<string, string[]>();
  for (const { name: fragment, spec } of order) {
    for (const s of spec.syscalls ?? []) {
      const from = syscalls.get(s.name) ?? [];
      if (!from.includes(fragment)) from.push(fragment);
      syscalls.set(s.name, from);
    }
  }
  return syscalls;
}

/** Step 3: the fragments' Landlock rules, each once, with the fragment that wrote it first. */
function landlockOf(order: Expanded): EffectivePolicy['landlock'] {
  const pathBeneath: EffectivePolicy['landlock']['pathBeneath'] = [];
  const netPort: EffectivePolicy['landlock']['netPort'] = [];
  const seenRules = new Set<string>();
  for (const { name: fragment, spec } of order) {
    for (const r of spec.landlock?.pathBeneath ?? []) {
      const key = JSON.stringify(['p', r.allowedAccess, r.parent]);
      if (!seenRules.has(key)) pathBeneath.push({ allowedAccess: [...r.allowedAccess], parent: [...r.parent], from: fragment });
      seenRules.add(key);
    }
    for (const r of spec.landlock?.netPort ?? []) {
      const key = JSON.stringify(['n', r.allowedAccess, r.port]);
      if (!seenRules.has(key)) netPort.push({ allowedAccess: [...r.allowedAccess], port: [...r.port], from: fragment });
      seenRules.add(key);
    }
  }
  return { pathBeneath, netPort };
}

/** Step 4: the network mode — the profile's, else the widest a fragment needs; a profile narrower than a need is a warning. */
function networkOf(config: PhantomConfig, name: string, order: Expanded, problems: EffectivePolicy['problems']): EffectivePolicy['network'] {
  const profile = config.profiles[name];
  const base: PathSegment[] = ['profiles', name];
  const needs = order.filter((f) => f.spec.network !== undefined && f.spec.network !== 'none').map((f) => ({ fragment: f.name, mode: f.spec.network! }));
  const widest = needs.reduce<{ fragment: string; mode: NetworkMode } | undefined>((w, n) => (!w || rank(n.mode) > rank(w.mode) ? n : w), undefined);
  let network: EffectivePolicy['network'];
  if (profile.network !== undefined) {
    network = { mode: profile.network, setBy: 'profile', needs };
    const unmet = needs.filter((n) => rank(n.mode) > rank(profile.network!));
    if (widest && unmet.length > 0) {
      const who = unmet.length === 1 ? `fragment '${unmet[0].fragment}' needs` : `fragments ${unmet.map((n) => `'${n.fragment}'`).join(', ')} need`;
      problems.push({
        code: 'network-contradiction',
        severity: 'warning',
        path: [...base, 'network'],
        message: `Profile '${name}' sets network: ${profile.network}, but ${who} ${describeMode(widest.mode)}: what ${unmet.length === 1 ? 'it grants' : 'they grant'} will fail. Set network: ${widest.mode}, or remove ${unmet.length === 1 ? 'it' : 'them'}.`,
      });
    }
  } else {
    network = widest ? { mode: widest.mode, setBy: 'fragment', needs } : { mode: 'none', setBy: 'default', needs };
  }
  return network;
}

/** Step 5: what the sandbox sees — the fragments' paths, then the profile's own (which win), hidden paths, private /tmp. */
function filesystemOf(config: PhantomConfig, name: string, order: Expanded, problems: EffectivePolicy['problems']) {
  const profile = config.profiles[name];
  const base: PathSegment[] = ['profiles', name];
  const access = new Map<string, { mode: 'ro' | 'rw'; from: string }>();
  const hidden: string[] = [];
  const addHidden = (p: string) => {
    if (!hidden.includes(p)) hidden.push(p);
  };
  let fragmentPrivateTmp: boolean | undefined;
  for (const { name: fragment, spec } of order) {
    const fs = spec.filesystem;
    if (!fs) continue;
    for (const p of fs.readOnly ?? []) if (p && !access.has(p)) access.set(p, { mode: 'ro', from: fragment });
    for (const p of fs.readWrite ?? []) if (p && access.get(p)?.mode !== 'rw') access.set(p, { mode: 'rw', from: fragment });
    (fs.hidden ?? []).filter(Boolean).forEach(addHidden);
    if (fs.privateTmp === false) fragmentPrivateTmp = false;
  }
  const own = profile.filesystem ?? {};
  (own.readOnly ?? []).forEach((p, i) => {
    if (!p) return;
    const before = access.get(p);
    if (before?.mode === 'rw' && before.from !== name) {
      problems.push({
        code: 'access-contradiction',
        severity: 'warning',
        path: [...base, 'filesystem', 'readOnly', i],
        message: `'${p}' is read-write through fragment '${before.from}', but this profile makes it read-only (the profile wins): writes there will fail.`,
      });
    }
    access.set(p, { mode: 'ro', from: name });
  });
  for (const p of own.readWrite ?? []) if (p) access.set(p, { mode: 'rw', from: name });
  (own.hidden ?? []).forEach((p, i) => {
    if (!p) return;
    const needed = [...access.entries()].find(([path, a]) => a.from !== name && (path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`)));
    if (needed) {
      problems.push({
        code: 'access-contradiction',
        severity: 'warning',
        path: [...base, 'filesystem', 'hidden', i],
        message: `Hiding '${p}' hides '${needed[0]}', which fragment '${needed[1].from}' needs ${needed[1].mode === 'rw' ? 'read-write' : 'read-only'}.`,
      });
    }
    addHidden(p);
  });
  const readOnly = [...access.entries()].filter(([, a]) => a.mode === 'ro').map(([p]) => p);
  const readWrite = [...access.entries()].filter(([, a]) => a.mode === 'rw').map(([p]) => p);
  const privateTmp = own.privateTmp ?? fragmentPrivateTmp ?? true;
  return { access, own, filesystem: { readOnly, readWrite, hidden, privateTmp } };
}

/** Step 6: the profile's own settings that no fragment sets: the pool and the limits' ranges. */
function ownChecks(config: PhantomConfig, name: string, problems: EffectivePolicy['problems']): EffectivePolicy['pool'] {
  const profile = config.profiles[name];
  const base: PathSegment[] = ['profiles', name];
  const pool = { min: profile.pool?.min ?? 0, max: profile.pool?.max ?? 2 };
  if (pool.min > pool.max) {
    problems.push({
      code: 'pool-range',
      severity: 'error',
      path: [...base, 'pool', profile.pool?.min !== undefined ? 'min' : 'max'],
      message: `pool.min (${pool.min}) is above pool.max (${pool.max}): keep min at most max.`,
    });
  }

  // The wall-time timer (timerfd) and the CPU limit (RLIMIT_CPU) take whole seconds; beyond 2^31 - 1 the helper's
  // timer refuses the value (EINVAL), so the run could only fail: an error here, where the limit is written.
  for (const key of ['timeout', 'cpu'] as const) {
    const value = profile.limits?.[key];
    if (typeof value === 'number' && value > LIMIT_SECONDS_MAX) {
      problems.push({ code: 'limit-range', severity: 'error', path: [...base, 'limits', key], message: `limits.${key} (${value}) is above ${LIMIT_SECONDS_MAX} s, the most the kernel's timers take: write fewer seconds.` });
    }
  }
  return pool;
}

/** The effective policy of profile `name`, or undefined when the configuration has no such profile. */
export function effectivePolicy(config: PhantomConfig, name: string): EffectivePolicy | undefined {
  if (!Object.hasOwn(config.profiles, name)) return undefined;
  const profile = config.profiles[name];
  const base: PathSegment[] = ['profiles', name];
  const { order, problems } = expandFragments(config, (profile.fragments ?? []).map((f, i) => ({ name: f, path: [...base, 'fragments', i] })));
  const syscalls = syscallsOf(order);
  const landlock = landlockOf(order);
  const network = networkOf(config, name, order, problems);
  const { access, own, filesystem } = filesystemOf(config, name, order, problems);
  const pool = ownChecks(config, name, problems);

  const policy: EffectivePolicy = {
    profile: name,
    fragments: order.map((f) => f.name),
    syscalls: [...syscalls.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([s, from]) => ({ name: s, from })),
    landlock,
    network,
    filesystem,
    pathsFrom: Object.fromEntries([...access.entries()].map(([p, a]) => [p, [...(own.readOnly ?? []), ...(own.readWrite ?? [])].includes(p) ? `profile ${name}` : `fragment ${a.from}`])),
    env: { ...(profile.env ?? {}) },
    limits: { ...(profile.limits ?? {}) },
    pool,
    bestEffort: profile.bestEffort ?? false,
    unprotect: (profile.unprotect ?? []).filter(Boolean),
    problems,
  };
  if (profile.description !== undefined) policy.description = profile.description;
  if (profile.run) policy.run = [...profile.run];
  if (profile.match) policy.match = [...profile.match];
  if (profile.seccomp) policy.seccomp = profile.seccomp;
  if (profile.landlock) policy.landlock.base = profile.landlock;
  return policy;
}

/**
 * What a seccomp profile (OCI `LinuxSeccomp` data) allows: the names of its SCMP_ACT_ALLOW rules, or
 * `everything` when its default action allows. Rules with `includes`/`excludes` conditions are counted as
 * allowing (an upper bound).
 */
export function seccompAllowList(value: unknown): { everything: boolean; names: string[] } {
  const o = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const names = new Set<string>();
  for (const rule of Array.isArray(o.syscalls) ? o.syscalls : []) {
    const r = rule as Record<string, unknown> | null;
    if (!r || r.action !== 'SCMP_ACT_ALLOW') continue;
    if (typeof r.name === 'string') names.add(r.name);
    for (const n of Array.isArray(r.names) ? r.names : []) if (typeof n === 'string') names.add(n);
  }
  return { everything: o.defaultAction === 'SCMP_ACT_ALLOW', names: [...names].sort() };
}

/** A short, human summary of a policy (hover, `phantom explain`). `baseSyscalls`: what its seccomp base allows, when known. */
export function policySummary(policy: EffectivePolicy, baseSyscalls?: { everything: boolean; names: string[] }): string[] {
  const lines: string[] = [];
  const fromFragments = new Set(policy.syscalls.map((s) => s.name));
  const fragmentsPart = policy.fragments.length ? `fragments ${policy.fragments.join(', ')}` : 'no fragments';
  const seccompFile = policy.seccomp && 'file' in policy.seccomp ? policy.seccomp.file : policy.seccomp ? 'the inline seccomp profile' : undefined;
  if (baseSyscalls?.everything) {
    lines.push(`Syscalls: all (the seccomp default action allows)`);
  } else if (baseSyscalls) {
    const total = new Set([...fromFragments, ...baseSyscalls.names]).size;
    lines.push(`Syscalls: ${total} allowed (${fromFragments.size} from ${fragmentsPart}, ${baseSyscalls.names.length} from ${seccompFile ?? 'the seccomp profile'})`);
  } else if (seccompFile) {
    lines.push(`Syscalls: ${fromFragments.size} from ${fragmentsPart}, plus the rules of ${seccompFile}`);
  } else if (policy.fragments.length) {
    lines.push(`Syscalls: ${fromFragments.size} allowed (from ${fragmentsPart}); every other one fails with EPERM`);
  } else {
    lines.push('Syscalls: the built-in default profile (no seccomp profile, no fragments)');
  }
  const fs = policy.filesystem;
  const paths: string[] = [];
  if (fs.readOnly.length) paths.push(`read-only ${fs.readOnly.join(', ')}`);
  if (fs.readWrite.length) paths.push(`read-write ${fs.readWrite.join(', ')}`);
  if (fs.hidden.length) paths.push(`hidden ${fs.hidden.join(', ')}`);
  if (workspaceAccess(policy).access === 'none') paths.push('no access to ${workspaceFolder} (no fragment grants it)');
  paths.push(fs.privateTmp ? 'private /tmp' : "the host's /tmp");
  lines.push(`Paths: ${paths.join('; ')}`);
  const landlockRules = policy.landlock.pathBeneath.length + policy.landlock.netPort.length;
  const base = policy.landlock.base ? ('file' in policy.landlock.base ? policy.landlock.base.file : 'the inline Landlock profile') : undefined;
  const rulesOfFragments = landlockRules ? `${landlockRules} rule${landlockRules === 1 ? '' : 's'} from fragments` : undefined;
  // A profile composed from fragments gets its own policy as a second layer on top (it narrows, never widens).
  const layered = base && policy.fragments.length > 0;
  if (layered) lines.push(`Landlock: ${rulesOfFragments ?? 'the fragments\u2019 paths'}, then ${base} as a layer on top (it narrows, never widens)`);
  else if (base || landlockRules) lines.push(`Landlock: ${[base, rulesOfFragments].filter(Boolean).join(' + ')}`);
  const setBy = policy.network.setBy === 'profile' ? 'set by the profile' : policy.network.setBy === 'fragment' ? `needed by ${policy.network.needs.filter((n) => n.mode === policy.network.mode).map((n) => n.fragment).join(', ')}` : 'default';
  lines.push(`Network: ${policy.network.mode} (${setBy})`);
  const l = policy.limits;
  const limits = [
    `memory ${l.memory ?? '2 GiB or a quarter of RAM (default)'}`,
    `pids ${l.pids ?? `${DEFAULT_PIDS} (default)`}`,
    l.cpu !== undefined ? `cpu ${l.cpu} s` : undefined,
    `timeout ${l.timeout ?? 300} s${l.timeout === undefined ? ' (default)' : ''}`,
    `output ${l.output ?? '64 MiB (default)'}`,
  ].filter(Boolean);
  lines.push(`Limits: ${limits.join(', ')}`);
  lines.push(`Always: ${ALWAYS_LIMITS_TEXT}`);
  lines.push(`Protected (read-only in the sandbox): .git, .gitmodules, .vscode, .idea, .envrc, shell startup files, this configuration and its profile files${policy.unprotect.length ? `; unprotected by this profile: ${policy.unprotect.join(', ')}` : ''}`);
  lines.push(`Pool: ${policy.pool.min}–${policy.pool.max} warm zygotes`);
  return lines;
}

/**
 * "Is this configuration wider than the built-in default?" — the one decision behind the approval rule
 * (docs/sandbox.md, "Approval"). A repository's phantom-fragment.yaml is untrusted: whatever its effective policy
 * grants beyond what every run gets anyway — a path outside the workspace, a network, a syscall the default
 * denies, a Landlock right outside the workspace, best effort, an unprotected path — runs only once the user
 * approved it. And some host paths are refused even then.
 *
 * Pure: takes what the repository asks for (already merged and resolved by profileRun.ts / sandboxSpec.ts, paths
 * made real) and the host facts; returns plain words for the user.
 */
import path from 'node:path';
import { landlockData } from '../../../model';
import { compileLandlock, type LandlockPlan } from '../policy/landlockCompiler';
import type { LandlockConfig } from '../../../model';
import type { NetworkMode } from '../protocol';
import type { SeccompHost } from '../policy/seccompCompiler';
import type { SeccompProfile } from '../../../model';
import { seccompWidenings } from '../policy/seccompWidenings';

/** What a repository's configuration asks of one run; only the parts that came from it (not the user's flags). */
export interface AskedPolicy {
  /** The run's working directory (real path): read-write by default, so never a widening. */
  workspace: string;
  /** The network the configuration decides (absent when the user's own flag or setting decides it). */
  network?: NetworkMode;
  /** Host paths (real, absolute) the configuration makes visible. */
  readOnly: string[];
  readWrite: string[];
  /** The seccomp profile the configuration puts in force (absent: the built-in one). */
  seccomp?: SeccompProfile;
  /**
   * The configuration's Landlock policy (`base`: the profile's own, which replaces the built-in layer) and the
   * rules its fragments add to whichever layer applies (`extra`); relative parents are taken from `workspace`.
   */
  landlock: { base?: LandlockConfig; extra?: LandlockConfig };
  bestEffort?: boolean;
  /** Protected paths the configuration unprotects (`unprotect:`): each is a widening. */
  unprotect: string[];
}

export type WideningKind = 'network' | 'path' | 'syscall' | 'landlock' | 'best-effort' | 'unprotect';

export interface Widening {
  kind: WideningKind;
  /** Plain words, e.g. "writes /srv/data, outside the workspace". */
  text: string;
}

export interface DefaultFacts {
  seccompHost: SeccompHost;
  /** The default Landlock layer of this host for `workspace` (landlockCompiler.ts defaultLandlockPlan). */
  landlockDefault: LandlockPlan;
  /** Host folders every sandbox shows read-only (the system folders). */
  systemDirs: string[];
}

/** Is `p` the folder `dir` or inside it? (Both absolute and normalised.) */
export function isWithin(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

type FsRight = { name: string; value: number; abi: number };
const FS_RIGHTS = landlockData.accessFs as FsRight[];
/**
 * Rights that only act on device files: every device the sandbox can reach is one the default layer already
 * grants them on (its own /dev; host binds are nodev and /dev cannot be granted), so leaving them unhandled
 * widens nothing.
 */
const DEVICE_ONLY = new Set(['ioctl_dev']);

const rightNames = (mask: number) => FS_RIGHTS.filter((r) => (mask & r.value) !== 0).map((r) => r.name);

function networkWidening(mode: NetworkMode | undefined): Widening[] {
  if (!mode || mode === 'none') return [];
  return [{
    kind: 'network',
    text: mode === 'host'
      ? 'network: host — the host\u2019s network: the internet, the local network and every service listening on this machine'
      : 'network: loopback — a network of its own with 127.0.0.1 up (servers and clients inside the sandbox only)',
  }];
}

function pathWidenings(asked: AskedPolicy, facts: DefaultFacts): Widening[] {
  const out: Widening[] = [];
  for (const p of asked.readWrite) {
    if (!isWithin(p, asked.workspace)) out.push({ kind: 'path', text: `writes ${p}, outside the workspace` });
  }
  for (const p of asked.readOnly) {
    // The system folders are shown read-only to every sandbox: reading beneath them adds nothing.
    if (isWithin(p, asked.workspace) || facts.systemDirs.some((d) => isWithin(p, d)) || asked.readWrite.includes(p)) continue;
    out.push({ kind: 'path', text: `reads ${p}, outside the workspace` });
  }
  return out;
}

/** What the default layer allows beneath `p`: the rights of every default rule on `p` or a folder above it. */
function defaultAccessAt(p: string, plan: LandlockPlan): number {
  return plan.rules.reduce((m, r) => (r.path !== undefined && isWithin(p, r.path) ? m | r.access : m), 0);
}

function landlockWidenings(asked: AskedPolicy, facts: DefaultFacts): Widening[] {
  const { base, extra } = asked.landlock;
  if (!base && !extra) return [];
  const out: Widening[] = [];
  const plans = [base, extra].filter((c): c is LandlockConfig => c !== undefined).map((config) => compileLandlock(config, 'phantom-fragment.yaml', asked.workspace));
  const byPath = new Map<string, number>();
  for (const plan of plans) for (const r of plan.rules) if (r.path !== undefined) byPath.set(r.path, (byPath.get(r.path) ?? 0) | r.access);
  for (const [p, access] of byPath) {
    // The system folders are read-only mounts in every sandbox: no Landlock right can write there, and the default
    // layer already lets them be read and executed.
    if (isWithin(p, asked.workspace) || facts.systemDirs.some((d) => isWithin(p, d))) continue;
    const beyond = access & ~defaultAccessAt(p, facts.landlockDefault);
    if (beyond) out.push({ kind: 'landlock', text: `Landlock allows ${rightNames(beyond).join(', ')} beneath ${p}, outside the workspace` });
  }
  // The layers form one ruleset (their handled rights add up); without a policy of its own the profile keeps the
  // built-in layer, which handles every right. A right the ruleset does not handle is allowed everywhere.
  const handled = plans.reduce((m, plan) => m | plan.handledFs, base ? 0 : facts.landlockDefault.handledFs);
  const unhandled = rightNames(facts.landlockDefault.handledFs & ~handled).filter((n) => !DEVICE_ONLY.has(n));
  if (unhandled.length) out.push({ kind: 'landlock', text: `Landlock does not restrict ${unhandled.join(', ')} anywhere (the built-in layer restricts every right)` });
  if (asked.network === 'host') {
    const scoped = plans.reduce((m, plan) => m | plan.scoped, base ? 0 : facts.landlockDefault.scoped);
    if (facts.landlockDefault.scoped & ~scoped & 1) {
      out.push({ kind: 'landlock', text: 'Landlock does not scope abstract unix sockets: with the host network the sandbox can connect to the host\u2019s (X11, D-Bus, …)' });
    }
  }
  return out;
}

/** Every way `asked` is wider than the built-in default, in a stable order (network, paths, syscalls, Landlock, the rest). */
export function policyWidenings(asked: AskedPolicy, facts: DefaultFacts): Widening[] {
  return [
    ...networkWidening(asked.network),
    ...pathWidenings(asked, facts),
    ...(asked.seccomp ? seccompWidenings(asked.seccomp, facts.seccompHost, undefined, asked.network).map((text): Widening => ({ kind: 'syscall', text: `seccomp ${text}` })) : []),
    ...landlockWidenings(asked, facts),
    ...(asked.bestEffort ? [{ kind: 'best-effort' as const, text: 'bestEffort: what the kernel cannot apply is skipped (and reported) instead of failing the run' }] : []),
    ...asked.unprotect.map((p): Widening => ({ kind: 'unprotect', text: `unprotects ${p}: the sandbox may write it although host tools trust it` })),
  ];
}

export interface SensitivePaths {
  /** Never writable, nor anything inside or above them; readable when named exactly or below, not through a parent: `/`, `/etc`, `/usr`, `/proc`, `/sys`, `/dev`, `/run`, `/var/run`, `/boot`. */
  system: string[];
  /** Never writable as a whole nor through a parent; readable (exactly, or below): `/root` and the home folders. */
  homes: string[];
  /** Never writable, nor anything inside or above them (reading them is harmless): the runtime's folders, its state and cache folders. */
  runtime: string[];
}

/**
 * Grants refused even with approval: sensitive host paths are only ever read-only and named exactly. `paths` are
 * real and absolute. Returns one message per refused grant.
 */
export function sensitiveRefusals(asked: Pick<AskedPolicy, 'workspace' | 'readOnly' | 'readWrite'>, sensitive: SensitivePaths): string[] {
  const out: string[] = [];
  const sealed = [...sensitive.system, ...sensitive.runtime];
  const parentOf = (p: string, list: string[]) => list.find((s) => s !== p && isWithin(s, p));
  for (const p of asked.readWrite) {
    if (p === asked.workspace) continue; // the run's own folder is the user's choice, writable by default
    const hit = [...sealed, ...sensitive.homes].find((s) => s === p) ?? parentOf(p, [...sealed, ...sensitive.homes]) ?? sealed.find((s) => s !== '/' && isWithin(p, s)); // everything is inside /: only '/' itself counts
    if (hit !== undefined) out.push(`readWrite ${p}: ${hit === p ? `${p} is` : isWithin(hit, p) ? `it contains ${hit}, which is` : `it is inside ${hit},`} a sensitive host folder; it can only be granted read-only, named exactly`);
  }
  for (const p of asked.readOnly) {
    const hit = parentOf(p, [...sensitive.system, ...sensitive.homes]);
    if (hit !== undefined) out.push(`readOnly ${p}: it contains ${hit}, a sensitive host folder; name the folder you need instead (read-only, exactly)`);
  }
  return out;
}

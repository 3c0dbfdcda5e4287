/**
 * The Landlock side of a learn recording: the paths and TCP ports the workload used, each with the Landlock
 * rights the kernel checks for it (native/src/learn_paths.c writes them as kernel bitmasks). Pure: several runs
 * merge by OR-ing the rights per path, and `uncovered` says which recorded accesses a compiled Landlock layer
 * would refuse — the names a failing replay reports.
 */
import { landlockData } from '../../../model';
import type { LandlockPlan } from '../policy/landlockCompiler';

/** What learning recorded for Landlock (also kept as the `.landlock-learned.json` sidecar). */
export interface PathUsage {
  phantomLearnedPaths: 1;
  runs: number;
  /** Absolute path (as the sandbox sees it) → Landlock filesystem rights (bitmask). */
  paths: Record<string, number>;
  /** TCP port → Landlock network rights (bind_tcp 1, connect_tcp 2). */
  ports: Record<string, number>;
  /** The helper's table was full: some paths are missing (the replay shows whether it matters). */
  many: boolean;
  /** Path arguments that could not be read or resolved. */
  unreadable: number;
  /** Time the helper spent reading and resolving them (µs, summed over the runs). */
  pathUs: number;
}

interface RawPaths {
  pathUs?: number;
  pathsMany?: boolean;
  pathsUnreadable?: number;
  paths?: { path: string; access: number; count: number }[];
  ports?: { port: number; access: number; count: number }[];
}

export const FS_RIGHTS = landlockData.accessFs as { name: string; value: number; abi: number }[];
export const NET_RIGHTS = landlockData.accessNet as { name: string; value: number; abi: number }[];

export function emptyPathUsage(): PathUsage {
  return { phantomLearnedPaths: 1, runs: 0, paths: {}, ports: {}, many: false, unreadable: 0, pathUs: 0 };
}

/** The recording's "paths"/"ports" (a helper without them gives an empty usage for one run). */
export function pathUsageFromRecording(raw: unknown): PathUsage {
  const r = raw as RawPaths;
  const u = emptyPathUsage();
  u.runs = 1;
  u.many = r.pathsMany === true;
  u.unreadable = Number(r.pathsUnreadable ?? 0);
  u.pathUs = Number(r.pathUs ?? 0);
  for (const p of r.paths ?? []) if (typeof p.path === 'string' && p.path.startsWith('/')) u.paths[p.path] = (u.paths[p.path] ?? 0) | p.access;
  for (const p of r.ports ?? []) u.ports[String(p.port)] = (u.ports[String(p.port)] ?? 0) | p.access;
  return u;
}

export function mergePathUsage(...usages: PathUsage[]): PathUsage {
  const m = emptyPathUsage();
  for (const u of usages) {
    m.runs += u.runs;
    m.many ||= u.many;
    m.unreadable += u.unreadable;
    m.pathUs += u.pathUs;
    for (const [p, a] of Object.entries(u.paths)) m.paths[p] = (m.paths[p] ?? 0) | a;
    for (const [p, a] of Object.entries(u.ports)) m.ports[p] = (m.ports[p] ?? 0) | a;
  }
  // Sorted keys: the sidecar and everything made from it come out the same for the same runs.
  m.paths = Object.fromEntries(Object.entries(m.paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  m.ports = Object.fromEntries(Object.entries(m.ports).sort(([a], [b]) => Number(a) - Number(b)));
  return m;
}

export function parsePathUsage(text: string, source: string): PathUsage {
  const u = JSON.parse(text) as PathUsage;
  if (u?.phantomLearnedPaths !== 1 || typeof u.paths !== 'object' || typeof u.ports !== 'object')
    throw new Error(`${source}: not a Landlock learn sidecar (phantomLearnedPaths: 1) — delete it to learn afresh`);
  return mergePathUsage(u);
}

export function rightNames(mask: number, kind: 'fs' | 'net'): string[] {
  return (kind === 'fs' ? FS_RIGHTS : NET_RIGHTS).filter((r) => (mask & r.value) !== 0).map((r) => r.name);
}

function beneath(p: string, parent: string): boolean {
  return parent === '/' || p === parent || p.startsWith(`${parent}/`);
}

/** Recorded accesses a compiled layer refuses, as "right path" / "right port N" (sorted). */
export function uncovered(usage: PathUsage, plan: LandlockPlan): string[] {
  const out: string[] = [];
  for (const [p, mask] of Object.entries(usage.paths)) {
    let allowed = 0;
    for (const r of plan.rules) if (r.path !== undefined && beneath(p, r.path)) allowed |= r.access;
    const refused = mask & plan.handledFs & ~allowed;
    if (refused) out.push(`${rightNames(refused, 'fs').join('+')} ${p}`);
  }
  for (const [port, mask] of Object.entries(usage.ports)) {
    let allowed = 0;
    for (const r of plan.rules) if (r.port === Number(port)) allowed |= r.access;
    const refused = mask & plan.handledNet & ~allowed;
    if (refused) out.push(`${rightNames(refused, 'net').join('+')} port ${port}`);
  }
  return out.sort();
}

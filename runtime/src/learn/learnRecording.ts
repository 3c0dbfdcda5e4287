/**
 * The learn-mode recording model: what the helper wrote (`phantom-sandbox --learn`, native/src/learn.c) turned
 * into syscall NAMES per OCI architecture, with counts and the decisive arguments' values. Pure: numbers are
 * named with model/data/syscalls.json (the same table the editor uses), so the same recording always gives the
 * same usage. Several runs merge by adding counts (`--runs K`, learning again).
 */
import { seccompData, syscallData } from '../../../model';

/** What the helper writes (docs/learn-mode.md). Values are decimal strings: 64-bit values do not fit a JSON number. */
export interface RawRecording {
  phantomLearnRecording: 1;
  nativeArch: number;
  attached: boolean;
  exitStatus: number;
  notifications: number;
  diedWaiting: number;
  recordUs: number;
  error?: string;
  syscalls: { arch: number; nr: number; count: number }[];
  args: { arch: number; nr: number; index: number; many: boolean; values: [string, number][] }[];
}

/** Recorded values of one decisive argument of one syscall (all architectures together). */
export interface ArgUsage {
  index: number;
  /** value (decimal string) → count */
  values: Record<string, number>;
  /** More distinct values than the helper keeps: no args rule can be proposed. */
  many: boolean;
}

/** The usage of one or more learn runs: the proposal's input, also kept as the `.learned.json` sidecar. */
export interface LearnedUsage {
  phantomLearnedUsage: 1;
  runs: number;
  /** Total syscalls seen over all runs. */
  notifications: number;
  /** OCI architecture → syscall name → count. */
  arches: Record<string, Record<string, number>>;
  /** syscall name → its decisive argument. */
  args: Record<string, ArgUsage>;
  /** Numbers no table names, as "ARCH:nr" → count (shown, never allowed blindly). */
  unnamed: Record<string, number>;
}

interface ArchInfo { name: string; auditArch: string }
const ARCHES = seccompData.architectures as ArchInfo[];

let byArch: Map<string, Map<number, string>> | undefined;

/** The syscall name of `nr` on an OCI architecture, or undefined. */
export function syscallName(arch: string, nr: number): string | undefined {
  if (!byArch) {
    byArch = new Map();
    for (const s of syscallData.syscalls as { name: string; nr: Record<string, number> }[]) {
      for (const [a, n] of Object.entries(s.nr)) {
        let m = byArch.get(a);
        if (!m) byArch.set(a, (m = new Map()));
        if (!m.has(n)) m.set(n, s.name);
      }
    }
  }
  return byArch.get(arch)?.get(nr);
}

/** OCI name of an audit architecture token (seccomp_data.arch). */
export function archName(token: number): string {
  return ARCHES.find((a) => Number(a.auditArch) === token)?.name ?? `AUDIT_ARCH_0x${token.toString(16)}`;
}

export class RecordingError extends Error {}

export function parseRecording(text: string, source: string): RawRecording {
  let raw: RawRecording;
  try {
    raw = JSON.parse(text) as RawRecording;
  } catch (e) {
    throw new RecordingError(`${source}: the learn recording is not JSON (${(e as Error).message}) — the helper may have been killed while writing it`);
  }
  if (raw.phantomLearnRecording !== 1 || !Array.isArray(raw.syscalls)) throw new RecordingError(`${source}: not a phantom learn recording (version 1)`);
  return raw;
}

function sortedRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Canonical form: every map sorted by key, so JSON.stringify gives the same bytes for the same usage. */
export function normalizeUsage(u: LearnedUsage): LearnedUsage {
  return {
    phantomLearnedUsage: 1,
    runs: u.runs,
    notifications: u.notifications,
    arches: sortedRecord(Object.fromEntries(Object.entries(u.arches).map(([a, m]) => [a, sortedRecord(m)]))),
    args: sortedRecord(
      Object.fromEntries(
        Object.entries(u.args).map(([n, a]) => [n, { index: a.index, values: sortedRecord(a.values), many: a.many }]),
      ),
    ),
    unnamed: sortedRecord(u.unnamed),
  };
}

export function emptyUsage(): LearnedUsage {
  return { phantomLearnedUsage: 1, runs: 0, notifications: 0, arches: {}, args: {}, unnamed: {} };
}

/** One recording → usage (one run). */
export function usageFromRecording(raw: RawRecording): LearnedUsage {
  const u = emptyUsage();
  u.runs = 1;
  u.notifications = raw.notifications;
  for (const s of raw.syscalls) {
    const arch = archName(s.arch);
    const name = syscallName(arch, s.nr);
    if (!name) {
      u.unnamed[`${arch}:${s.nr}`] = (u.unnamed[`${arch}:${s.nr}`] ?? 0) + s.count;
      continue;
    }
    const m = (u.arches[arch] ??= {});
    m[name] = (m[name] ?? 0) + s.count;
  }
  for (const a of raw.args) {
    const name = syscallName(archName(a.arch), a.nr);
    if (!name) continue;
    const au = (u.args[name] ??= { index: a.index, values: {}, many: false });
    au.many ||= a.many;
    for (const [v, c] of a.values) au.values[v] = (au.values[v] ?? 0) + c;
  }
  return normalizeUsage(u);
}

/** Adds usages (runs, counts, argument values). */
export function mergeUsage(...usages: LearnedUsage[]): LearnedUsage {
  const out = emptyUsage();
  for (const u of usages) {
    out.runs += u.runs;
    out.notifications += u.notifications;
    for (const [arch, m] of Object.entries(u.arches)) {
      const o = (out.arches[arch] ??= {});
      for (const [n, c] of Object.entries(m)) o[n] = (o[n] ?? 0) + c;
    }
    for (const [n, a] of Object.entries(u.args)) {
      const o = (out.args[n] ??= { index: a.index, values: {}, many: false });
      o.many ||= a.many;
      for (const [v, c] of Object.entries(a.values)) o.values[v] = (o.values[v] ?? 0) + c;
    }
    for (const [k, c] of Object.entries(u.unnamed)) out.unnamed[k] = (out.unnamed[k] ?? 0) + c;
  }
  return normalizeUsage(out);
}

/** Every syscall name used on any architecture → total count, sorted by name. */
export function usedNames(u: LearnedUsage): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of Object.values(u.arches)) for (const [n, c] of Object.entries(m)) out[n] = (out[n] ?? 0) + c;
  return sortedRecord(out);
}

export function parseUsage(text: string, source: string): LearnedUsage {
  let u: LearnedUsage;
  try {
    u = JSON.parse(text) as LearnedUsage;
  } catch (e) {
    throw new RecordingError(`${source}: not JSON (${(e as Error).message})`);
  }
  if (u.phantomLearnedUsage !== 1 || typeof u.arches !== 'object') throw new RecordingError(`${source}: not a phantom learned-usage file (version 1)`);
  return normalizeUsage({ ...emptyUsage(), ...u });
}

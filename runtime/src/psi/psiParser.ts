/**
 * Pressure stall information (PSI) as data: parses the text of /proc/pressure/{cpu,memory,io} and of a cgroup's
 * `*.pressure` files, and writes PSI trigger lines. Pure: no files, no processes.
 *
 * The kernel's format (Documentation/accounting/psi.rst), one line per kind:
 *   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * avg* are percentages of wall time stalled over 10/60/300 s; total is the stall time in microseconds.
 * `full` is missing from /proc/pressure/cpu on kernels before 5.13: it is kept only when the file has it.
 */

export const PSI_RESOURCES = ['cpu', 'memory', 'io'] as const;
export type PsiResource = (typeof PSI_RESOURCES)[number];
export type PsiKind = 'some' | 'full';

export interface PsiLine {
  avg10: number;
  avg60: number;
  avg300: number;
  /** Microseconds stalled since boot (monotonic). */
  total: number;
}

export interface PsiResourcePressure {
  some: PsiLine;
  full?: PsiLine;
}

/** One reading of the three resources, the shape `phantom pressure --json` prints. */
export type PsiSnapshot = Record<PsiResource, PsiResourcePressure>;

export class PsiParseError extends Error {}

const LINE = /^(some|full)((?:\s+[a-z0-9]+=[^\s]+)+)\s*$/;
const FIELDS = ['avg10', 'avg60', 'avg300', 'total'] as const;

/**
 * Parses one pressure file's text. `source` names the file in error messages.
 * Throws PsiParseError when a line is malformed or `some` is missing; unknown extra fields are ignored
 * (a future kernel may add some), unknown line kinds too.
 */
export function parsePressureFile(text: string, source: string): PsiResourcePressure {
  const lines: Partial<Record<PsiKind, PsiLine>> = {};
  const rows = text.split('\n');
  rows.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const match = LINE.exec(line);
    if (!match) {
      if (/^(some|full)\b/.test(line)) throw new PsiParseError(`${source}:${index + 1}: malformed pressure line '${line}' — expected 'some avg10=N avg60=N avg300=N total=N'`);
      return; // a kind this parser does not know: ignored on purpose, the known ones still count
    }
    const kind = match[1] as PsiKind;
    const values = new Map<string, string>();
    for (const pair of match[2].trim().split(/\s+/)) {
      const eq = pair.indexOf('=');
      values.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const parsed = {} as PsiLine;
    for (const field of FIELDS) {
      const value = values.get(field);
      const number = value === undefined ? NaN : Number(value);
      if (value === undefined || value === '' || !Number.isFinite(number) || number < 0) {
        throw new PsiParseError(`${source}:${index + 1}: ${kind} ${value === undefined ? `has no ${field}` : `${field}='${value}' is not a non-negative number`}`);
      }
      parsed[field] = number;
    }
    lines[kind] = parsed;
  });
  if (!lines.some) throw new PsiParseError(`${source}: no 'some' line — is this a pressure file? (got ${JSON.stringify(text.slice(0, 80))})`);
  return lines.full ? { some: lines.some, full: lines.full } : { some: lines.some };
}

/** Parses the three files' texts into one snapshot. */
export function parsePressureFiles(texts: Record<PsiResource, string>, sourceOf: (resource: PsiResource) => string): PsiSnapshot {
  return {
    cpu: parsePressureFile(texts.cpu, sourceOf('cpu')),
    memory: parsePressureFile(texts.memory, sourceOf('memory')),
    io: parsePressureFile(texts.io, sourceOf('io')),
  };
}

/** The figure the status bar, the thresholds and admission use: avg10 of `some`. */
export function headline(snapshot: PsiSnapshot): Record<PsiResource, number> {
  return { cpu: snapshot.cpu.some.avg10, memory: snapshot.memory.some.avg10, io: snapshot.io.some.avg10 };
}

/** A PSI trigger: fire when `kind` stall time reaches `percent` of `windowMs`. */
export interface PsiTriggerSpec {
  resource: PsiResource;
  kind: PsiKind;
  /** Percentage of the window (0 < percent ≤ 100). */
  percent: number;
  /** Window in milliseconds: 500–10,000, and a multiple of 2,000 when the process lacks CAP_SYS_RESOURCE. */
  windowMs: number;
}

/** Smallest and largest trigger windows the kernel accepts, and the granularity without CAP_SYS_RESOURCE. */
export const TRIGGER_WINDOW_MIN_MS = 500;
export const TRIGGER_WINDOW_MAX_MS = 10_000;
export const UNPRIVILEGED_WINDOW_STEP_MS = 2_000;

/**
 * The line written to a pressure file to arm a trigger, e.g. `some 300000 2000000` (stall µs, window µs).
 * Throws when the kernel would refuse it, with the rule that it breaks.
 */
export function triggerLine(spec: PsiTriggerSpec, privileged = false): string {
  const what = `${spec.resource} trigger (${spec.kind} ${spec.percent}% of ${spec.windowMs} ms)`;
  if (!(spec.windowMs >= TRIGGER_WINDOW_MIN_MS && spec.windowMs <= TRIGGER_WINDOW_MAX_MS)) {
    throw new RangeError(`${what}: the window must be between ${TRIGGER_WINDOW_MIN_MS} ms and ${TRIGGER_WINDOW_MAX_MS} ms`);
  }
  if (!privileged && spec.windowMs % UNPRIVILEGED_WINDOW_STEP_MS !== 0) {
    throw new RangeError(`${what}: without CAP_SYS_RESOURCE the kernel only accepts windows that are multiples of 2 s (e.g. 2000 ms)`);
  }
  if (!(spec.percent > 0 && spec.percent <= 100)) throw new RangeError(`${what}: the percentage must be above 0 and at most 100`);
  const windowUs = spec.windowMs * 1000;
  const stallUs = Math.max(1, Math.round((spec.percent / 100) * windowUs));
  return `${spec.kind} ${stallUs} ${windowUs}`;
}

/** The path of the cgroup v2 group in /proc/PID/cgroup text (the `0::/path` line), or null on a v1-only process. */
export function cgroup2PathOf(procCgroup: string): string | null {
  for (const line of procCgroup.split('\n')) {
    if (line.startsWith('0::')) return line.slice(3).trim() || '/';
  }
  return null;
}

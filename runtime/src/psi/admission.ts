/**
 * Pressure-aware admission: from the PSI figures and `orchestrator.pressure` of phantom-fragment.yaml, decides
 * whether a new spawn runs, waits (bounded) or is refused, and whether pools may refill. Pure functions of data;
 * the only effectful piece, waitForAdmission, takes its clock and sleep as arguments.
 *
 * Each resource is judged by its avg10 `some` percentage (the share of the last 10 s in which at least one task
 * stalled on it). Defaults (used for every field the file leaves out; the one table is DEFAULT_PRESSURE of the
 * configuration model, the schema's `orchestrator.pressure.*.default`):
 *   cpu     warning 50, critical 90, onWarning ignore, onCritical defer
 *   memory  warning 20, critical 60, onWarning defer,  onCritical reject
 *   io      warning 40, critical 80, onWarning ignore, onCritical defer
 * (DEFAULT_PRESSURE of the configuration model, the schema's defaults.)
 * Memory is strictest: a new sandbox under memory pressure makes every process slower (reclaim) and risks the
 * OOM killer, whereas CPU pressure only makes it start later. A deferred spawn waits at most MAX_DEFER_MS and then
 * runs anyway with a note (the user asked for it; refusing after a wait would be the worst of both).
 */
import { DEFAULT_PRESSURE, type AdmissionAction, type PressureRule } from '../../../model';
import { PSI_RESOURCES, type PsiResource } from './psiParser';
import type { PressureRules } from '../protocol';

export type { AdmissionAction, PressureRule };
export type PressureLevel = 'ok' | 'warning' | 'critical';

export type { PressureRules };
export type ResolvedPressureRules = Record<PsiResource, PressureRule>;

/** The defaults written in the schema (orchestrator.pressure.*.default): one table, in the configuration model. */
export const DEFAULT_PRESSURE_RULES: ResolvedPressureRules = DEFAULT_PRESSURE;

/** Longest wait of a deferred spawn before it runs anyway. */
export const MAX_DEFER_MS = 10_000;
/** How often a deferred spawn looks at the pressure again. */
export const DEFER_POLL_MS = 500;

/** The rules of the file over the defaults, field by field. */
export function resolvePressureRules(rules: PressureRules = {}): ResolvedPressureRules {
  const resolved = {} as ResolvedPressureRules;
  for (const resource of PSI_RESOURCES) resolved[resource] = { ...DEFAULT_PRESSURE_RULES[resource], ...stripUndefined(rules[resource] ?? {}) };
  return resolved;
}

function stripUndefined(rule: Partial<PressureRule>): Partial<PressureRule> {
  return Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined)) as Partial<PressureRule>;
}

/** The level of one figure: critical at or above `critical`, warning at or above `warning`. */
export function levelOf(percent: number, rule: Pick<PressureRule, 'warning' | 'critical'>): PressureLevel {
  if (percent >= rule.critical) return 'critical';
  if (percent >= rule.warning) return 'warning';
  return 'ok';
}

export function pressureLevels(figures: Record<PsiResource, number>, rules: ResolvedPressureRules): Record<PsiResource, PressureLevel> {
  return { cpu: levelOf(figures.cpu, rules.cpu), memory: levelOf(figures.memory, rules.memory), io: levelOf(figures.io, rules.io) };
}

export interface AdmissionDecision {
  action: 'run' | 'defer' | 'reject';
  /** The resource behind a defer or reject (the worst one). */
  resource?: PsiResource;
  level?: PressureLevel;
  /** For people: why, with the figure and the threshold. */
  reason: string;
}

const SEVERITY = { run: 0, defer: 1, reject: 2 } as const;

/** Decides for one new spawn from avg10 `some` figures. The strictest resource wins (reject > defer > run). */
export function decideAdmission(figures: Record<PsiResource, number>, rules: ResolvedPressureRules): AdmissionDecision {
  let decision: AdmissionDecision = { action: 'run', reason: 'pressure is below the thresholds' };
  for (const resource of PSI_RESOURCES) {
    const rule = rules[resource];
    const level = levelOf(figures[resource], rule);
    if (level === 'ok') continue;
    const configured = level === 'critical' ? rule.onCritical : rule.onWarning;
    const action = configured === 'ignore' ? 'run' : configured;
    if (SEVERITY[action] <= SEVERITY[decision.action]) continue;
    const threshold = level === 'critical' ? rule.critical : rule.warning;
    decision = {
      action,
      resource,
      level,
      reason: `${resource} pressure ${figures[resource].toFixed(1)}% (avg10 some) is at or above the ${level} threshold ${threshold}% (orchestrator.pressure.${resource}.on${level === 'critical' ? 'Critical' : 'Warning'}: ${configured})`,
    };
  }
  return decision;
}

/** Pools stop refilling while memory is at warning or above: a warm zygote is memory held for a maybe. */
export function poolsMayRefill(figures: Record<PsiResource, number>, rules: ResolvedPressureRules): boolean {
  return levelOf(figures.memory, rules.memory) === 'ok';
}

export interface AdmissionOutcome {
  action: 'run' | 'reject';
  /** How long the spawn waited (0 when it was not deferred). */
  waitedMs: number;
  /** Set when the spawn was deferred or rejected: what the user is told. */
  reason?: string;
  /** true when a deferred spawn ran because the wait reached its bound, not because the pressure fell. */
  timedOut?: boolean;
}

export interface AdmissionClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * Decides, waiting while the decision is `defer`: rechecks every `pollMs` until the pressure falls (run),
 * rises to a reject, or `maxDeferMs` passes (run anyway, timedOut). `onDefer` is called once, when the wait starts.
 * `figures` returns null when PSI is unavailable: then every spawn runs.
 */
export async function waitForAdmission(
  figures: () => Record<PsiResource, number> | null,
  rules: ResolvedPressureRules,
  clock: AdmissionClock,
  options: { maxDeferMs?: number; pollMs?: number; onDefer?: (decision: AdmissionDecision, maxDeferMs: number) => void } = {},
): Promise<AdmissionOutcome> {
  const maxDeferMs = options.maxDeferMs ?? MAX_DEFER_MS;
  const pollMs = options.pollMs ?? DEFER_POLL_MS;
  const started = clock.now();
  let firstDefer: AdmissionDecision | undefined;
  while (true) {
    const current = figures();
    const decision = current ? decideAdmission(current, rules) : { action: 'run' as const, reason: 'PSI unavailable' };
    const waitedMs = clock.now() - started;
    if (decision.action === 'reject') return { action: 'reject', waitedMs, reason: decision.reason };
    if (decision.action === 'run') return firstDefer ? { action: 'run', waitedMs, reason: `deferred ${Math.round(waitedMs)} ms: ${firstDefer.reason}` } : { action: 'run', waitedMs };
    if (!firstDefer) {
      firstDefer = decision;
      options.onDefer?.(decision, maxDeferMs);
    }
    if (waitedMs >= maxDeferMs) return { action: 'run', waitedMs, timedOut: true, reason: `ran after the longest wait (${maxDeferMs} ms): ${decision.reason}` };
    await clock.sleep(Math.min(pollMs, maxDeferMs - waitedMs));
  }
}

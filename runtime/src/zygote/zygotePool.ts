/**
 * Zygote pool policy: how many warm zygotes one profile key should have. Pure functions of data (demand,
 * clock, bounds, pressure); zygoteManager.ts owns the processes and asks `planPool` what to do.
 *
 * - Demand is an exponentially weighted rate of run arrivals (per second, time constant `tauMs`): each
 *   arrival adds 1/tau, and the rate decays as e^(-Δt/tau) in between.
 * - The target covers `coverMs` of that demand, at least one zygote once runs have arrived (a pool is warmed
 *   after the first run, never before), clamped to the profile's `pool.min`..`pool.max`.
 * - Idle: no arrival for `idleMs` → the target falls back to `pool.min` (retired zygotes free their memory).
 * - Memory pressure (admission.ts `poolsMayRefill`): nothing is spawned and the pool shrinks to `pool.min` —
 *   a warm zygote is memory held for a maybe.
 * - Zygotes that die during setup back off: after `maxSetupFailures` in a row the pool stops refilling for
 *   `failureBackoffMs` (runs go cold) instead of spawning broken sandboxes in a loop.
 */

export interface PoolBounds {
  /** Zygotes kept warm even when idle (once the pool exists). */
  min: number;
  /** Most zygotes kept warm when demand is high. */
  max: number;
}

/** phantom-fragment.schema.json `profile.pool` defaults. */
export const DEFAULT_POOL_BOUNDS: PoolBounds = { min: 0, max: 2 };

export interface PoolTuning {
  /** Time constant of the arrival-rate average. */
  tauMs: number;
  /** How much of the demand the warm zygotes should cover. */
  coverMs: number;
  /** No run for this long: shrink to `min`. */
  idleMs: number;
  /** Setup failures in a row that pause refilling. */
  maxSetupFailures: number;
  failureBackoffMs: number;
}

export const DEFAULT_POOL_TUNING: PoolTuning = { tauMs: 10_000, coverMs: 1_000, idleMs: 60_000, maxSetupFailures: 3, failureBackoffMs: 30_000 };

export interface Demand {
  /** Arrivals per second at `at`. */
  rate: number;
  /** When `rate` was last updated (ms, any monotonic clock). */
  at: number;
  /** The last arrival, or null before the first. */
  lastArrival: number | null;
}

export const NO_DEMAND: Demand = { rate: 0, at: 0, lastArrival: null };

/** The rate decayed to `now`. */
export function demandRate(demand: Demand, now: number, tuning: PoolTuning = DEFAULT_POOL_TUNING): number {
  const dt = Math.max(0, now - demand.at);
  return demand.rate * Math.exp(-dt / tuning.tauMs);
}

/** A run arrived at `now`. */
export function recordArrival(demand: Demand, now: number, tuning: PoolTuning = DEFAULT_POOL_TUNING): Demand {
  return { rate: demandRate(demand, now, tuning) + 1000 / tuning.tauMs, at: now, lastArrival: now };
}

export function clampBounds(bounds: Partial<PoolBounds> | undefined): PoolBounds {
  const min = Math.max(0, Math.floor(bounds?.min ?? DEFAULT_POOL_BOUNDS.min));
  const max = Math.max(min, Math.floor(bounds?.max ?? Math.max(min, DEFAULT_POOL_BOUNDS.max)));
  return { min, max };
}

/** Warm zygotes wanted at `now`. */
export function targetSize(demand: Demand, now: number, bounds: PoolBounds, tuning: PoolTuning = DEFAULT_POOL_TUNING): number {
  if (demand.lastArrival === null || now - demand.lastArrival >= tuning.idleMs) return bounds.min;
  const wanted = Math.max(1, Math.ceil((demandRate(demand, now, tuning) * tuning.coverMs) / 1000));
  return Math.min(bounds.max, Math.max(bounds.min, wanted));
}

export interface PoolInput {
  demand: Demand;
  now: number;
  bounds: PoolBounds;
  /** Zygotes waiting for a command. */
  ready: number;
  /** Zygotes still being set up. */
  starting: number;
  /** false under memory pressure (admission.ts poolsMayRefill). */
  mayRefill: boolean;
  /** Zygotes that died during setup since the last one that became ready. */
  setupFailures: number;
  /** When the last setup failure happened (ms), or null. */
  lastFailureAt: number | null;
  tuning?: PoolTuning;
}

export interface PoolPlan {
  target: number;
  /** Zygotes to start now. */
  spawn: number;
  /** Ready zygotes to retire now. */
  retire: number;
  /** Why spawning is held back, when it is. */
  heldBack?: 'memory pressure' | 'setup failures';
}

export function planPool(input: PoolInput): PoolPlan {
  const tuning = input.tuning ?? DEFAULT_POOL_TUNING;
  let target = targetSize(input.demand, input.now, input.bounds, tuning);
  let heldBack: PoolPlan['heldBack'];
  let maySpawn = true;
  if (!input.mayRefill) {
    heldBack = 'memory pressure';
    target = input.bounds.min;
    maySpawn = false;
  } else if (
    input.setupFailures >= tuning.maxSetupFailures &&
    input.lastFailureAt !== null &&
    input.now - input.lastFailureAt < tuning.failureBackoffMs
  ) {
    heldBack = 'setup failures';
    maySpawn = false;
  }
  const spawn = maySpawn ? Math.max(0, target - input.ready - input.starting) : 0;
  const retire = Math.max(0, input.ready - target);
  return { target, spawn, retire, ...(heldBack ? { heldBack } : {}) };
}

/** When the plan should be looked at again without a new arrival: when idleness starts (to shrink). */
export function nextReviewMs(demand: Demand, now: number, tuning: PoolTuning = DEFAULT_POOL_TUNING): number | null {
  if (demand.lastArrival === null) return null;
  const idleAt = demand.lastArrival + tuning.idleMs;
  return idleAt > now ? idleAt - now : null;
}

// The zygote pool policy (runtime/src/zygote/zygotePool.ts): pure functions of demand, clock, bounds and pressure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clampBounds,
  DEFAULT_POOL_TUNING,
  demandRate,
  NO_DEMAND,
  nextReviewMs,
  planPool,
  recordArrival,
  targetSize,
  type Demand,
  type PoolInput,
} from '../../runtime/src/zygote/zygotePool';

const bounds = { min: 0, max: 4 };

function arrivals(times: number[]): Demand {
  return times.reduce((d, t) => recordArrival(d, t), NO_DEMAND);
}

function plan(over: Partial<PoolInput>) {
  return planPool({ demand: arrivals([0]), now: 1, bounds, ready: 0, starting: 0, mayRefill: true, setupFailures: 0, lastFailureAt: null, ...over });
}

test('no pool before the first run: the target is the minimum (0 by default)', () => {
  assert.equal(targetSize(NO_DEMAND, 0, bounds), 0);
  assert.deepEqual(plan({ demand: NO_DEMAND }), { target: 0, spawn: 0, retire: 0 });
});

test('after the first run one zygote is warmed in the background', () => {
  assert.deepEqual(plan({}), { target: 1, spawn: 1, retire: 0 });
  // one already starting: nothing more to spawn
  assert.equal(plan({ starting: 1 }).spawn, 0);
});

test('demand is an exponentially decaying rate of arrivals', () => {
  const d = recordArrival(NO_DEMAND, 0);
  assert.ok(Math.abs(demandRate(d, 0) - 1000 / DEFAULT_POOL_TUNING.tauMs) < 1e-9);
  assert.ok(Math.abs(demandRate(d, DEFAULT_POOL_TUNING.tauMs) - demandRate(d, 0) / Math.E) < 1e-9);
});

test('a burst of runs grows the target up to max, never beyond', () => {
  const burst = arrivals(Array.from({ length: 30 }, (_, i) => i * 100)); // 10 runs/s for 3 s
  const now = 3000;
  const target = targetSize(burst, now, bounds);
  assert.ok(target > 1, `target ${target} should exceed 1 under ~10 runs/s`);
  assert.ok(target <= bounds.max);
  assert.equal(targetSize(burst, now, { min: 0, max: 2 }), 2);
  assert.equal(plan({ demand: burst, now, ready: 1 }).spawn, target - 1);
});

test('idle: no run for idleMs shrinks the pool to min and retires the rest', () => {
  const demand = arrivals([0, 100, 200]);
  const later = 200 + DEFAULT_POOL_TUNING.idleMs;
  assert.deepEqual(plan({ demand, now: later, ready: 2 }), { target: 0, spawn: 0, retire: 2 });
  assert.deepEqual(plan({ demand, now: later, ready: 2, bounds: { min: 1, max: 4 } }), { target: 1, spawn: 0, retire: 1 });
});

test('min is kept even when idle, once the pool exists', () => {
  const demand = arrivals([0]);
  assert.equal(plan({ demand, now: 10 * DEFAULT_POOL_TUNING.idleMs, bounds: { min: 2, max: 4 }, ready: 0 }).spawn, 2);
});

test('memory pressure: nothing is spawned and the pool shrinks to min', () => {
  const burst = arrivals(Array.from({ length: 30 }, (_, i) => i * 100));
  assert.deepEqual(plan({ demand: burst, now: 3000, ready: 3, mayRefill: false }), { target: 0, spawn: 0, retire: 3, heldBack: 'memory pressure' });
  assert.deepEqual(plan({ demand: burst, now: 3000, ready: 0, mayRefill: false, bounds: { min: 1, max: 4 } }), {
    target: 1,
    spawn: 0,
    retire: 0,
    heldBack: 'memory pressure',
  });
});

test('setup failures in a row pause refilling for a while, then it tries again', () => {
  const t = DEFAULT_POOL_TUNING;
  const failing = { setupFailures: t.maxSetupFailures, lastFailureAt: 1 };
  assert.deepEqual(plan({ ...failing, now: 2 }), { target: 1, spawn: 0, retire: 0, heldBack: 'setup failures' });
  assert.equal(plan({ ...failing, now: 2 + t.failureBackoffMs }).spawn, 1);
  assert.equal(plan({ setupFailures: t.maxSetupFailures - 1, lastFailureAt: 1, now: 2 }).spawn, 1);
});

test('bounds are clamped: max at least min, defaults 0..2', () => {
  assert.deepEqual(clampBounds(undefined), { min: 0, max: 2 });
  assert.deepEqual(clampBounds({ min: 3 }), { min: 3, max: 3 });
  assert.deepEqual(clampBounds({ min: 2, max: 1 }), { min: 2, max: 2 });
  assert.deepEqual(clampBounds({ min: -1, max: 5.7 }), { min: 0, max: 5 });
});

test('the next review is when idleness begins', () => {
  assert.equal(nextReviewMs(NO_DEMAND, 0), null);
  assert.equal(nextReviewMs(arrivals([100]), 100), DEFAULT_POOL_TUNING.idleMs);
  assert.equal(nextReviewMs(arrivals([100]), 100 + DEFAULT_POOL_TUNING.idleMs), null);
});

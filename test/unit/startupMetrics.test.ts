/** Startup metrics (runtime/src/runs/startupMetrics.ts): percentiles, windows, counters, recent runs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyStats, percentile, StartupMetrics, type RecentRun } from '../../runtime/src/runs/startupMetrics';

const run = (i: number, over: Partial<RecentRun> = {}): RecentRun => ({
  runId: `r${i}`,
  profile: 'python',
  command: `python3 job${i}.py`,
  warm: false,
  startupMs: i,
  exitCode: 0,
  signal: null,
  endedAt: 1_700_000_000_000 + i,
  ...over,
});

test('nearest-rank percentiles', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 95), 95);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([], 50), null);
  assert.deepEqual(latencyStats([3, 1, 2]), { count: 3, p50: 2, p95: 3, p99: 3, samples: [3, 1, 2] });
});

test('latencies per profile and kind over a bounded window', () => {
  const metrics = new StartupMetrics(10, 5);
  for (let i = 1; i <= 25; i++) metrics.recordRun(run(i));
  metrics.recordRun(run(100, { profile: 'shell', warm: true, startupMs: 1.5 }));
  const snapshot = metrics.snapshot();
  assert.equal(snapshot.pools, 'cold only');
  assert.deepEqual(snapshot.profiles.map((p) => p.profile), ['python', 'shell']);
  const python = snapshot.profiles[0];
  assert.equal(python.cold.count, 10, 'only the last 10 starts count');
  assert.deepEqual(python.cold.samples, [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
  assert.equal(python.cold.p50, 20);
  assert.equal(python.cold.p99, 25);
  assert.equal(python.warm.count, 0);
  assert.equal(python.warm.p50, null);
  assert.equal(snapshot.profiles[1].warm.p50, 1.5);
});

test('a start that never made a sandbox is listed but not counted in the latencies', () => {
  const metrics = new StartupMetrics();
  metrics.recordRun(run(1, { startupMs: null, exitCode: 125, error: 'landlock_add_rule(/x): ENOENT' }));
  const snapshot = metrics.snapshot();
  assert.equal(snapshot.profiles[0].cold.count, 0);
  assert.equal(snapshot.recentRuns[0].error, 'landlock_add_rule(/x): ENOENT');
});

test('recent runs: newest first, bounded', () => {
  const metrics = new StartupMetrics(10, 3);
  for (let i = 1; i <= 5; i++) metrics.recordRun(run(i));
  assert.deepEqual(metrics.recentRuns().map((r) => r.runId), ['r5', 'r4', 'r3']);
  assert.deepEqual(metrics.recentRuns(1).map((r) => r.runId), ['r5']);
});

test('counters: deferred, rejected, learn runs, pool events; pools are 0 while cold only', () => {
  const metrics = new StartupMetrics();
  metrics.countDeferred('python');
  metrics.countDeferred('python');
  metrics.countRejected('python');
  metrics.countLearnRun('python');
  metrics.countPool('python', 'miss');
  metrics.countPool('python', 'refill');
  metrics.countPool('python', 'hit');
  const [python] = metrics.snapshot().profiles;
  assert.equal(python.deferred, 2);
  assert.equal(python.rejected, 1);
  assert.equal(python.learnRuns, 1);
  assert.deepEqual(python.pool, { size: 0, min: 0, max: 0, hits: 1, misses: 1, refills: 1 });
});

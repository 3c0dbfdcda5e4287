/** The metrics panel's pool rows (client/src/metricsRows.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolRows } from '../../client/src/metricsRows';
import { StartupMetrics } from '../../runtime/src/runs/startupMetrics';

test("a profile's declared pool shows before its first run (was max 0, or no row)", () => {
  const empty = new StartupMetrics().snapshot();
  assert.deepEqual(poolRows(empty, [{ profile: 'python', min: 1, max: 2 }]), [['python', 0, 1, 2, 0, 0, 0, 0, 0, 0]]);
  const metrics = new StartupMetrics();
  metrics.countLearnRun('python');
  assert.deepEqual(poolRows(metrics.snapshot(), [{ profile: 'python', min: 1, max: 2 }])[0].slice(0, 4), ['python', 0, 1, 2]);
});

test('live pool figures win once the pool exists', () => {
  const metrics = new StartupMetrics();
  metrics.countPool('python', 'hit');
  metrics.setPoolSource(() => [{ profile: 'python', ready: 1, min: 1, max: 3 }]);
  assert.deepEqual(poolRows(metrics.snapshot(), [{ profile: 'python', min: 1, max: 2 }])[0].slice(0, 5), ['python', 1, 1, 3, 1]);
});

/** `phantom bench --learn`: the figures are all there (one round: shape, not speed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchLearn, describeLearnBench, DOCKER_DEFAULT_NAMES } from '../../runtime/src/bench/benchLearn';

test('bench --learn measures plain, strace, sandbox and learn per workload, and the Python profile size', async () => {
  const result = (await benchLearn({ runs: 1 })) as {
    learn: { workload: string; medianMs: Record<string, number>; ratios: Record<string, number>; syscallsLearned: number }[];
    pythonProfile: { allowed: number; dockerDefault: number };
  };
  assert.ok(result.learn.some((w) => w.workload.startsWith('python3')) && result.learn.some((w) => w.workload.startsWith('tar')));
  for (const w of result.learn) {
    for (const way of ['plain', 'sandbox', 'learn']) assert.ok(w.medianMs[way] > 0, `${w.workload}: ${way}`);
    assert.ok(w.syscallsLearned > 10, `${w.workload}: ${w.syscallsLearned} syscalls learned`);
  }
  assert.equal(result.pythonProfile.dockerDefault, DOCKER_DEFAULT_NAMES);
  assert.ok(result.pythonProfile.allowed <= 0.2 * DOCKER_DEFAULT_NAMES, `${result.pythonProfile.allowed} names`);
  assert.match(describeLearnBench(result).join('\n'), /learned Python profile: \d+ names/);
});

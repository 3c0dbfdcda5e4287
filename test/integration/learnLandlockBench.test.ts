/** `phantom bench --learn`: the Landlock recording's overhead beside seccomp-only learning (one round: shape, not speed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchLearn, describeLearnBench } from '../../runtime/src/bench/benchLearn';

test('bench --learn measures learn with and without the path recording, and the paths recorded', async () => {
  const result = (await benchLearn({ runs: 1 })) as {
    learn: { workload: string; medianMs: Record<string, number>; ratios: Record<string, number>; landlockRecording: { pathUs: number; paths: number; ports: number } }[];
  };
  for (const w of result.learn) {
    assert.ok(w.medianMs.learnSyscalls > 0, `${w.workload}: learnSyscalls`);
    assert.ok(w.ratios.landlockRecordingOverSyscallsOnly > 0, `${w.workload}: ratio`);
    assert.ok(w.landlockRecording.paths > 0, `${w.workload}: ${w.landlockRecording.paths} paths recorded`);
    assert.ok(w.landlockRecording.pathUs > 0, `${w.workload}: the path recording's own time is measured`);
  }
  assert.match(describeLearnBench(result).join('\n'), /learn without paths/);
});

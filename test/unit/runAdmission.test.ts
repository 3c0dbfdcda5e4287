/**
 * Admission inside the run lifecycle (runtime/src/runs/runManager.ts submit): a run refused under pressure, or cancelled
 * while it waits, is reported once as exit 125 with the reason and recorded; no sandbox is made. The admission is
 * given as data (what psiService.ts decides from PSI figures, admission.ts): the decision, not the kernel, is tested.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdmissionOutcome } from '../../runtime/src/psi/admission';
import type { RunExit, RunParams } from '../../runtime/src/protocol';
import { RunManager, type RunAdmission } from '../../runtime/src/runs/runManager';
import { StartupMetrics } from '../../runtime/src/runs/startupMetrics';

function manager(admission: RunAdmission) {
  const exits: RunExit[] = [];
  const deferred: string[] = [];
  const metrics = new StartupMetrics();
  const runs = new RunManager({ output: () => undefined, exit: (e) => exits.push(e), deferred: (d) => deferred.push(d.reason) }, metrics, undefined, admission);
  return { runs, exits, deferred, metrics };
}

const params: RunParams = { runId: 'r1', argv: ['/bin/true'], cwd: '/', profile: 'p' };

test('a run refused under pressure ends with 125 and the reason, counted and recorded', async () => {
  const { runs, exits, deferred, metrics } = manager({
    admit: async (onDefer) => {
      onDefer('memory 70% ≥ critical 60%', 10_000);
      return { action: 'reject', waitedMs: 500, reason: 'memory 70% ≥ critical 60%' };
    },
  });
  await runs.submit(params);
  assert.deepEqual(deferred, ['memory 70% ≥ critical 60%']);
  assert.equal(exits.length, 1);
  assert.equal(exits[0].code, 125);
  assert.equal(exits[0].error, 'refused under pressure: memory 70% ≥ critical 60%');
  assert.equal(exits[0].timings.queueMs, 500);
  const profile = metrics.snapshot().profiles.find((p) => p.profile === 'p');
  assert.deepEqual([profile?.deferred, profile?.rejected], [1, 1]);
  assert.equal(metrics.recentRuns()[0].error, 'refused under pressure: memory 70% ≥ critical 60%');
  assert.equal(runs.activeRuns, 0, 'no sandbox was made');
});

test('a run cancelled while it waits never starts; a second submit of a waiting run is refused', async () => {
  let admit!: (outcome: AdmissionOutcome) => void;
  const { runs, exits } = manager({ admit: () => new Promise((resolve) => (admit = resolve)) });
  const submitted = runs.submit(params);
  await assert.rejects(runs.submit(params), /already running/);
  assert.equal(runs.cancel('r1'), true, 'the waiting run is known to cancel');
  admit({ action: 'run', waitedMs: 20 });
  await submitted;
  assert.equal(exits.length, 1);
  assert.deepEqual([exits[0].code, exits[0].error], [125, 'cancelled while waiting for the pressure to fall']);
  assert.equal(runs.cancel('r1'), false, 'nothing left to cancel');
});

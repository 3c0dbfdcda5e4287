/** The metrics charts' threshold lines (client/src/pressureLines.ts) come from orchestrator.pressure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admissionLines } from '../../client/src/pressureLines';
import { resolvePressureRules } from '../../runtime/src/psi/admission';

test('lines at the levels that defer or reject, named; ignored levels draw nothing', () => {
  // Before: the charts drew the status-bar settings (20 / 50) whatever the configuration said.
  const lines = admissionLines(resolvePressureRules({ memory: { warning: 20, critical: 60, onWarning: 'defer', onCritical: 'reject' } }));
  assert.deepEqual(lines.memory.map((l) => [l.percent, l.action, l.label]), [
    [20, 'defer', 'defers spawns ≥ 20% (warning)'],
    [60, 'reject', 'rejects spawns ≥ 60% (critical)'],
  ]);
  // Defaults: cpu warning is ignore, critical defer at 90.
  assert.deepEqual(lines.cpu.map((l) => [l.percent, l.action]), [[90, 'defer']]);
  const none = admissionLines(resolvePressureRules({ io: { onWarning: 'ignore', onCritical: 'ignore' } }));
  assert.deepEqual(none.io, []);
});

/** Pressure levels and admission (runtime/src/psi/admission.ts): pure rules, and the bounded wait with a fake clock. */
import { DEFAULT_PRESSURE } from '../../model/src/config/configModel';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideAdmission,
  DEFAULT_PRESSURE_RULES,
  levelOf,
  poolsMayRefill,
  pressureLevels,
  resolvePressureRules,
  waitForAdmission,
  type AdmissionClock,
} from '../../runtime/src/psi/admission';
import type { PsiResource } from '../../runtime/src/psi/psiParser';

const calm = { cpu: 1, memory: 0, io: 0 };
const figures = (f: Partial<Record<PsiResource, number>>) => ({ ...calm, ...f });

test('levels: warning and critical from the threshold up (inclusive)', () => {
  const rule = { warning: 20, critical: 50 };
  assert.equal(levelOf(19.99, rule), 'ok');
  assert.equal(levelOf(20, rule), 'warning');
  assert.equal(levelOf(49.9, rule), 'warning');
  assert.equal(levelOf(50, rule), 'critical');
  assert.deepEqual(pressureLevels(figures({ cpu: 95, memory: 25 }), DEFAULT_PRESSURE_RULES), { cpu: 'critical', memory: 'warning', io: 'ok' });
});

test("the defaults are the schema's (one table, in the configuration model)", () => {
  assert.deepEqual(DEFAULT_PRESSURE_RULES, DEFAULT_PRESSURE);
});

test('the file overrides the defaults field by field', () => {
  const rules = resolvePressureRules({ cpu: { critical: 70, onCritical: 'reject' }, io: { warning: undefined } });
  assert.deepEqual(rules.cpu, { warning: 50, critical: 70, onWarning: 'ignore', onCritical: 'reject' });
  assert.deepEqual(rules.io, DEFAULT_PRESSURE_RULES.io);
  assert.deepEqual(rules.memory, DEFAULT_PRESSURE_RULES.memory);
});

test('below every threshold a spawn runs', () => {
  assert.equal(decideAdmission(calm, DEFAULT_PRESSURE_RULES).action, 'run');
});

test('ignore runs, defer defers, reject rejects — with the reason', () => {
  const rules = DEFAULT_PRESSURE_RULES;
  assert.equal(decideAdmission(figures({ cpu: 60 }), rules).action, 'run'); // cpu onWarning: ignore
  const deferred = decideAdmission(figures({ cpu: 92.5 }), rules);
  assert.equal(deferred.action, 'defer');
  assert.equal(deferred.resource, 'cpu');
  assert.match(deferred.reason, /^cpu pressure 92\.5% \(avg10 some\) is at or above the critical threshold 90% \(orchestrator\.pressure\.cpu\.onCritical: defer\)$/);
  const rejected = decideAdmission(figures({ memory: 61 }), rules);
  assert.equal(rejected.action, 'reject');
  assert.match(rejected.reason, /memory pressure 61\.0% .* critical threshold 60%/);
});

test('the strictest resource wins: reject over defer over run', () => {
  const decision = decideAdmission(figures({ cpu: 99, io: 95, memory: 65 }), DEFAULT_PRESSURE_RULES);
  assert.equal(decision.action, 'reject');
  assert.equal(decision.resource, 'memory');
  const allIgnore = resolvePressureRules({
    cpu: { onWarning: 'ignore', onCritical: 'ignore' },
    memory: { onWarning: 'ignore', onCritical: 'ignore' },
    io: { onWarning: 'ignore', onCritical: 'ignore' },
  });
  assert.equal(decideAdmission(figures({ cpu: 100, memory: 100, io: 100 }), allIgnore).action, 'run');
});

test('pools stop refilling from the memory warning level', () => {
  assert.equal(poolsMayRefill(calm, DEFAULT_PRESSURE_RULES), true);
  assert.equal(poolsMayRefill(figures({ cpu: 100 }), DEFAULT_PRESSURE_RULES), true);
  assert.equal(poolsMayRefill(figures({ memory: 19.9 }), DEFAULT_PRESSURE_RULES), true);
  assert.equal(poolsMayRefill(figures({ memory: 20 }), DEFAULT_PRESSURE_RULES), false);
});

/** A clock whose sleep advances time at once. */
function fakeClock(): AdmissionClock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

test('a deferred spawn runs as soon as the pressure falls, telling once why it waited', async () => {
  const clock = fakeClock();
  const series = [figures({ cpu: 95 }), figures({ cpu: 93 }), figures({ cpu: 40 })];
  const defers: string[] = [];
  const outcome = await waitForAdmission(() => series.shift() ?? calm, DEFAULT_PRESSURE_RULES, clock, { pollMs: 500, onDefer: (d) => defers.push(d.reason) });
  assert.equal(outcome.action, 'run');
  assert.equal(outcome.waitedMs, 1000);
  assert.equal(outcome.timedOut, undefined);
  assert.match(outcome.reason!, /^deferred 1000 ms: cpu pressure 95\.0%/);
  assert.equal(defers.length, 1);
});

test('the wait is bounded: after maxDeferMs the spawn runs anyway, marked timedOut', async () => {
  const clock = fakeClock();
  const outcome = await waitForAdmission(() => figures({ io: 99 }), DEFAULT_PRESSURE_RULES, clock, { maxDeferMs: 2000, pollMs: 700 });
  assert.equal(outcome.action, 'run');
  assert.equal(outcome.timedOut, true);
  assert.equal(outcome.waitedMs, 2000);
  assert.deepEqual(clock.slept, [700, 700, 600]);
  assert.match(outcome.reason!, /ran after the longest wait \(2000 ms\): io pressure/);
});

test('pressure rising to a reject during the wait rejects', async () => {
  const clock = fakeClock();
  const series = [figures({ cpu: 95 }), figures({ cpu: 95, memory: 70 })];
  const outcome = await waitForAdmission(() => series.shift() ?? calm, DEFAULT_PRESSURE_RULES, clock);
  assert.equal(outcome.action, 'reject');
  assert.match(outcome.reason!, /memory pressure 70\.0%/);
});

test('without PSI every spawn runs at once', async () => {
  const outcome = await waitForAdmission(() => null, DEFAULT_PRESSURE_RULES, fakeClock());
  assert.deepEqual(outcome, { action: 'run', waitedMs: 0 });
});

/** The runtime's PSI and metrics methods (runtime/src/protocol.ts) over its real JSON-RPC stdio. */
import { DEFAULT_PRESSURE_RULES } from '../../runtime/src/psi/admission';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  MetricsSnapshotRequest,
  PressureNotification,
  PressureSampleRequest,
  PressureSubscribeRequest,
  PressureUnsubscribeRequest,
  RecentRunsRequest,
  RunDeferredNotification,
  SetPressureRulesRequest,
  type PressureSample,
} from '../../runtime/src/protocol';
import { TestRuntime } from '../support/runtimeClient';

const HAS_PSI = fs.existsSync('/proc/pressure/cpu');

test('the current sample, then a 1 s stream with triggers armed, then unsubscribe', { skip: !HAS_PSI && 'no /proc/pressure', timeout: 20_000 }, async () => {
  const runtime = new TestRuntime();
  try {
    const sample = await runtime.connection.sendRequest(PressureSampleRequest);
    assert.ok(sample.available, sample.available ? '' : sample.reason);
    assert.equal(typeof sample.system.cpu.some.avg10, 'number');

    const samples: PressureSample[] = [];
    runtime.connection.onNotification(PressureNotification, (s) => void samples.push(s));
    const subscription = await runtime.connection.sendRequest(PressureSubscribeRequest, { intervalMs: 1000 });
    assert.equal(subscription.available, true);
    assert.equal(subscription.triggerError, undefined);
    // One trigger per resource at its warning threshold (the schema's defaults) over a 2 s window.
    const expected = (['cpu', 'memory', 'io'] as const).map((r) => `${r}: some ${DEFAULT_PRESSURE_RULES[r].warning * 20000} 2000000`);
    assert.deepEqual(subscription.triggers, expected);
    const started = Date.now();
    while (samples.filter((s) => s.available).length < 2) await new Promise((r) => setTimeout(r, 50));
    assert.ok(Date.now() - started < 3500, 'two samples within about two seconds');

    await runtime.connection.sendRequest(PressureUnsubscribeRequest);
    const count = samples.length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(samples.length, count, 'no samples after unsubscribe');
  } finally {
    assert.equal(await runtime.stop(), 0, runtime.stderr);
  }
});

test('a run shows in the metrics: cold start latency, recent runs, the warm pool it started', { timeout: 30_000 }, async () => {
  const runtime = new TestRuntime();
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-metrics-'));
  try {
    const run = await runtime.run({ argv: ['/bin/sh', '-c', 'exit 3'], cwd, profile: 'shell' });
    assert.equal(run.exit.code, 3, run.exit.error ?? run.stderr);
    const metrics = await runtime.connection.sendRequest(MetricsSnapshotRequest);
    assert.equal(metrics.pools, 'pooled'); // zygote pools serve runs (zygoteManager.ts); the first run is cold
    const shell = metrics.profiles.find((p) => p.profile === 'shell');
    assert.ok(shell, JSON.stringify(metrics));
    assert.equal(shell.cold.count, 1);
    assert.ok(shell.cold.p50! > 0 && shell.cold.p50 === shell.cold.p99);
    assert.equal(shell.warm.count, 0);
    assert.equal(shell.pool.misses, 1);
    assert.ok(shell.pool.size <= 1, 'at most the one zygote warmed after the first run');
    const [recent] = await runtime.connection.sendRequest(RecentRunsRequest, { limit: 5 });
    assert.equal(recent.command, '/bin/sh -c exit 3');
    assert.equal(recent.exitCode, 3);
    assert.equal(recent.warm, false);
    assert.ok(recent.startupMs! > 0);
  } finally {
    await runtime.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});

test('admission: a threshold of 0 with onCritical reject refuses the run; with defer it waits (bounded) then runs', { skip: !HAS_PSI && 'no /proc/pressure', timeout: 30_000 }, async () => {
  const runtime = new TestRuntime();
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-admission-'));
  try {
    await runtime.connection.sendRequest(SetPressureRulesRequest, { rules: { cpu: { warning: 0, critical: 0, onCritical: 'reject' } } });
    const refused = await runtime.run({ argv: ['/bin/true'], cwd, profile: 'p' });
    assert.equal(refused.exit.code, 125);
    assert.match(refused.exit.error ?? '', /^refused under pressure: cpu pressure [0-9.]+% \(avg10 some\) is at or above the critical threshold 0%/);

    const deferrals: { runId: string; reason: string; maxWaitMs: number }[] = [];
    runtime.connection.onNotification(RunDeferredNotification, (d) => void deferrals.push(d));
    await runtime.connection.sendRequest(SetPressureRulesRequest, { rules: { cpu: { warning: 0, critical: 0, onCritical: 'defer' } }, maxDeferMs: 300 });
    const started = Date.now();
    const ran = await runtime.run({ argv: ['/bin/true'], cwd, profile: 'p', runId: 'deferred-run' });
    assert.equal(ran.exit.code, 0, ran.exit.error);
    assert.ok(Date.now() - started >= 300, 'the run waited for the bound');
    assert.deepEqual(deferrals.map((d) => [d.runId, d.maxWaitMs]), [['deferred-run', 300]]);

    const [profile] = (await runtime.connection.sendRequest(MetricsSnapshotRequest)).profiles;
    assert.equal(profile.rejected, 1);
    assert.equal(profile.deferred, 1);
    assert.equal(profile.cold.count, 1, 'only the run that started counts');
  } finally {
    await runtime.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});

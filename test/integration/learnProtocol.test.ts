/** The runtime's `phantom/learn` request over the real JSON-RPC protocol: proposal texts, progress, cancellation. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc';
import { LearnProfileRequest, LearnProgressNotification, MetricsSnapshotRequest, PressureRulesRequest } from '../../runtime/src/protocol';

import { TestRuntime } from '../support/runtimeClient';
import { loadSeccompProfile as loadSeccompModel } from '../../model';

let runtime: TestRuntime;
let workdir: string;

before(() => {
  runtime = new TestRuntime();
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-learn-protocol-'));
});

after(async () => {
  assert.equal(await runtime.stop(), 0);
  fs.rmSync(workdir, { recursive: true, force: true });
});

test('phantom/learn: verified minimal profile, "add missing only" on the current text, progress lines', async () => {
  const progress: string[] = [];
  const sub = runtime.connection.onNotification(LearnProgressNotification, (p) => {
    if (p.learnId === 'l1') progress.push(p.message);
  });
  const existing = 'defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - names: [read, write] # mine\n    action: SCMP_ACT_ALLOW\n';
  const r = await runtime.connection.sendRequest(LearnProfileRequest, { learnId: 'l1', argv: ['/bin/echo', 'hi'], cwd: workdir, format: 'yaml', existingText: existing });
  sub.dispose();
  assert.equal(r.status, 'verified', r.reason);
  assert.ok(r.usedNames.includes('execve'));
  assert.ok(!r.missing.includes('read') && r.missing.includes('execve'));
  assert.match(r.addMissingText, /# mine/);
  // The plain names in one rule, the argument-decided ones (openat: no set-id mode) in their own.
  const added = loadSeccompModel('x', r.addMissingText).profile().syscalls!.slice(1);
  assert.deepEqual(added.flatMap((rule) => rule.names).sort(), [...r.missing].sort());
  assert.deepEqual(added.find((rule) => rule.names.includes('openat'))?.args, [{ index: 3, value: 0o6000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
  assert.equal(loadSeccompModel('x', r.minimalText).profile().defaultAction, 'SCMP_ACT_ERRNO');
  assert.ok(progress.some((m) => /recording run 2 of 2/.test(m)) && progress.some((m) => /replaying/.test(m)), progress.join(' | '));
});

test('phantom/learn: cancelling kills the sandbox and the request fails', async () => {
  const source = new CancellationTokenSource();
  const started = Date.now();
  const pending = runtime.connection.sendRequest(LearnProfileRequest, { learnId: 'l2', argv: ['/bin/sleep', '30'], cwd: workdir, format: 'json' }, source.token);
  setTimeout(() => source.cancel(), 500);
  await assert.rejects(pending);
  assert.ok(Date.now() - started < 10_000, 'the sleep was not waited for');
});

test('phantom/learn counts as a learn run of its profile in the metrics (was always 0)', async () => {
  await runtime.connection.sendRequest(LearnProfileRequest, { learnId: 'l3', argv: ['/bin/true'], cwd: workdir, format: 'json', profile: 'learned-one' });
  const metrics = await runtime.connection.sendRequest(MetricsSnapshotRequest);
  const entry = metrics.profiles.find((p) => p.profile === 'learned-one');
  assert.equal(entry?.learnRuns, 1, JSON.stringify(metrics.profiles));
  assert.ok((metrics.profiles.find((p) => p.profile === 'default')?.learnRuns ?? 0) >= 1, 'the learn runs without a profile count under "default"');
});

test('phantom/pressureRules: the configuration\'s orchestrator.pressure over the defaults', async () => {
  const config = path.join(workdir, 'phantom-fragment.yaml');
  fs.writeFileSync(config, 'version: 1\nprofiles: {}\norchestrator:\n  pressure:\n    memory: { warning: 20, onWarning: defer }\n');
  const r = await runtime.connection.sendRequest(PressureRulesRequest, { config });
  assert.equal(r.source, config);
  assert.equal(r.rules.memory.warning, 20);
  assert.equal(r.rules.memory.onWarning, 'defer');
  assert.equal(r.rules.cpu.critical, 90, 'defaults fill the rest');
  const defaults = await runtime.connection.sendRequest(PressureRulesRequest, {});
  assert.equal(defaults.source, 'defaults');
});

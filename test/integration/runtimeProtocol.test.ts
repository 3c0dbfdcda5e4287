/** The built runtime over its real JSON-RPC protocol, running real sandboxes on the real kernel. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { KernelFeaturesRequest, PingRequest, RunCancelRequest, RunStdinNotification } from '../../runtime/src/protocol';
import { TestRuntime } from '../support/runtimeClient';

let runtime: TestRuntime;
let workdir: string;

before(() => {
  runtime = new TestRuntime();
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-protocol-'));
});

after(async () => {
  assert.equal(await runtime.stop(), 0, 'the runtime exits cleanly when its input closes');
  fs.rmSync(workdir, { recursive: true, force: true });
});

test('ping and kernel features answer', async () => {
  const ping = await runtime.connection.sendRequest(PingRequest);
  assert.match(ping.version, /^\d+\.\d+\.\d+/);
  const features = await runtime.connection.sendRequest(KernelFeaturesRequest);
  assert.equal(features.landlockAbi >= 1, true);
  assert.ok(features.checks.find((c) => c.id === 'userns')?.ok);
});

test('a run streams its output and reports its exit with timings', async () => {
  const { stdout, exit } = await runtime.run({ argv: ['sh', '-c', 'echo hello from the sandbox; exit 3'], cwd: workdir });
  assert.equal(stdout, 'hello from the sandbox\n');
  assert.equal(exit.code, 3);
  assert.ok(exit.timings.spawnMs > 0 && exit.timings.totalMs >= exit.timings.spawnMs, JSON.stringify(exit.timings));
  assert.equal(exit.timings.warm, false);
});

test('the run is in its own namespaces: another hostname, no network, few processes', async () => {
  const { stdout, exit } = await runtime.run({
    argv: ['sh', '-c', 'hostname; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; ls /proc | grep -c "^[0-9]"'],
    cwd: workdir,
  });
  assert.equal(exit.code, 0, exit.error);
  const [hostname, ...rest] = stdout.trim().split('\n');
  assert.equal(hostname, 'phantom');
  assert.notEqual(hostname, os.hostname());
  assert.deepEqual(rest.slice(0, -1), ['lo']);
  assert.ok(Number(rest.at(-1)) <= 4, `processes visible: ${rest.at(-1)}`);
});

test('standard input reaches the command', async () => {
  const result = await runtime.run({ argv: ['sh', '-c', 'read line; echo "got:$line"'], cwd: workdir }, (runId) => {
    void runtime.connection.sendNotification(RunStdinNotification, { runId, data: 'typed text\n', eof: true });
  });
  assert.equal(result.stdout, 'got:typed text\n');
});

test('cancel stops the whole run, children included', async () => {
  // A sleep duration nothing else on the machine uses marks the run's processes in the process table.
  const marker = `sleep ${900 + (process.pid % 97)}.25`;
  const result = await runtime.run({ argv: ['sh', '-c', `${marker} & ${marker}`], cwd: workdir }, (runId) => {
    setTimeout(() => void runtime.connection.sendRequest(RunCancelRequest, { runId }), 300);
  });
  assert.notEqual(result.exit.code, 0);
  const left = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.trim() === marker);
  assert.deepEqual(left, []);
});

test('a command that does not exist is reported as 127 with a clear error', async () => {
  const { exit } = await runtime.run({ argv: ['no-such-command-phantom'], cwd: workdir });
  assert.equal(exit.code, 127);
  assert.match(exit.error ?? '', /no-such-command-phantom/);
});

test("a run's phantom-fragment.yaml decides admission: orchestrator.pressure at reject refuses the spawn with the reason", async () => {
  const dir = fs.mkdtempSync(path.join(workdir, 'pressure-'));
  const config = path.join(dir, 'phantom-fragment.yaml');
  // Thresholds of 0 are always crossed: the rule itself is what is tested, whatever the machine's load.
  fs.writeFileSync(config, 'version: 1\nprofiles:\n  any:\n    run: [true]\norchestrator:\n  pressure:\n    cpu: { warning: 0, critical: 0, onWarning: reject, onCritical: reject }\n');
  const { exit } = await runtime.run({ argv: [], cwd: dir, config, profile: 'any' });
  assert.equal(exit.code, 125);
  assert.match(exit.error ?? '', /^refused under pressure: cpu pressure [\d.]+% \(avg10 some\) is at or above the critical threshold 0% \(orchestrator\.pressure\.cpu\.onCritical: reject\)$/);
  const relaxed = config.replace(/phantom-fragment\.yaml$/, 'relaxed.yaml');
  fs.writeFileSync(relaxed, 'version: 1\nprofiles:\n  any:\n    run: [sh, -c, "echo admitted"]\norchestrator:\n  pressure:\n    cpu: { warning: 0, critical: 0, onWarning: ignore, onCritical: ignore }\n');
  const admitted = await runtime.run({ argv: [], cwd: dir, config: relaxed, profile: 'any' });
  assert.equal(admitted.exit.code, 0, admitted.exit.error);
  assert.equal(admitted.stdout, 'admitted\n');
});

test("a run with limits reports its own stall time from its cgroup v2 group's pressure files", async () => {
  // Two busy loops per CPU inside the sandbox: its tasks wait for a CPU most of the time.
  const loops = 2 * os.availableParallelism();
  const burn = `for i in $(seq ${loops}); do (while :; do :; done) & done; sleep 1.5; kill 0`;
  // Every run has limits (its own or the defaults), so every run has a group of its own.
  const { exit } = await runtime.run({ argv: ['sh', '-c', burn], cwd: workdir });
  assert.ok(exit.pressure, `a run with the default limits has its own group: ${JSON.stringify(exit)}`);
  const dir = fs.mkdtempSync(path.join(workdir, 'stalls-'));
  const config = path.join(dir, 'phantom-fragment.yaml');
  fs.writeFileSync(config, `version: 1\nprofiles:\n  burn:\n    run: [sh, -c, "${burn}"]\n    limits:\n      memory: 256M\n`);
  const limited = await runtime.run({ argv: [], cwd: dir, config, profile: 'burn' });
  assert.ok(limited.exit.pressure, `no pressure in the exit report: ${JSON.stringify(limited.exit)}`);
  assert.ok(limited.exit.pressure.cpuMs > 300, `cpu stall ${limited.exit.pressure.cpuMs} ms over a 1.5 s burn of ${loops} loops`);
  assert.ok(limited.exit.pressure.memoryMs >= 0 && limited.exit.pressure.ioMs >= 0);
});

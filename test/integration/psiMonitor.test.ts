/**
 * The PSI monitor on the real kernel: sampling cost, a trigger fired by CPU load from child processes,
 * the kernel's answer to a window it refuses, and per-cgroup pressure on this hybrid host.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cgroupPressureOf } from '../../runtime/src/psi/psiCgroup';
import { PsiMonitor } from '../../runtime/src/psi/psiMonitor';
import { PsiTriggerWaiter, triggerWriteError } from '../../runtime/src/psi/psiTriggers';

const HAS_PSI = fs.existsSync('/proc/pressure/cpu');

test('sampling the three files with pread on kept fds costs microseconds', { skip: !HAS_PSI && 'no /proc/pressure' }, async (t) => {
  const monitor = new PsiMonitor();
  try {
    const rounds = 2000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) monitor.read();
    const perSampleUs = Number(process.hrtime.bigint() - start) / 1000 / rounds;
    t.diagnostic(`one sample (3 preads + parse): ${perSampleUs.toFixed(1)} µs`);
    assert.ok(perSampleUs < 1000, `a sample took ${perSampleUs} µs`);
  } finally {
    await monitor.dispose();
  }
});

/** N busy loops in their own process group, killed by the caller (and by `timeout` if the test dies). */
function burnCpu(loops: number, seconds: number): ChildProcess[] {
  return Array.from({ length: loops }, () => spawn('timeout', [String(seconds), 'sh', '-c', 'while :; do :; done'], { detached: true, stdio: 'ignore' }));
}

function kill(children: ChildProcess[]): void {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone (timeout ended it): nothing to kill
    }
  }
}

test('CPU load from child processes raises cpu pressure and fires the trigger', { skip: !HAS_PSI && 'no /proc/pressure', timeout: 30_000 }, async (t) => {
  const monitor = new PsiMonitor();
  const fired: number[] = [];
  // 80% of a 2 s window: only a machine with more runnable tasks than cores gets there.
  monitor.armTriggers([{ resource: 'cpu', kind: 'some', percent: 80, windowMs: 2000 }], (event) => fired.push(event.at));
  let children: ChildProcess[] = [];
  try {
    await new Promise((r) => setTimeout(r, 200));
    const before = monitor.read().cpu.some;
    const started = Date.now();
    // Two loops per CPU: every runqueue has a task waiting, so `some` (aggregated over CPUs) nears 100%.
    // (cores + 1 loops stall only one runqueue: about 1/cores of the time.)
    children = burnCpu(2 * (await import('node:os')).availableParallelism(), 15);
    const deadline = started + 8000;
    while (Date.now() < deadline && !fired.some((at) => at >= started)) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    const atTrigger = monitor.read().cpu.some;
    const elapsedUs = (Date.now() - started) * 1000;
    // avg10 is recomputed by the kernel every 2 s and starts high when the machine was already busy: give it
    // a few periods of the (15 s) load to show the rise.
    const avgDeadline = Date.now() + 8000;
    while (Date.now() < avgDeadline && !(monitor.read().cpu.some.avg10 > before.avg10 || monitor.read().cpu.some.avg10 > 50)) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const after = monitor.read().cpu.some;
    const stalledShare = (atTrigger.total - before.total) / elapsedUs;
    const first = fired.find((at) => at >= started);
    t.diagnostic(`cpu some stalled ${(stalledShare * 100).toFixed(0)}% of the burn; avg10 ${before.avg10} → ${after.avg10}; trigger fired ${first === undefined ? 'never' : `${first - started} ms`} after the load started`);
    assert.ok(after.total > before.total, 'the cpu some total grows under load');
    assert.ok(stalledShare > 0.5, `cpu some stalled only ${stalledShare * 100}% of the time under load`);
    assert.ok(after.avg10 > before.avg10 || after.avg10 > 50, `avg10 did not rise: ${before.avg10} → ${after.avg10}`);
    assert.notEqual(first, undefined, 'the cpu trigger fired under load');
  } finally {
    kill(children);
    await monitor.dispose();
  }
});

test('the kernel refuses a 1 s window without CAP_SYS_RESOURCE and the message names the 2 s rule', { skip: !HAS_PSI && 'no /proc/pressure' }, () => {
  const fd = fs.openSync('/proc/pressure/cpu', fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  try {
    assert.throws(
      () => {
        try {
          fs.writeSync(fd, 'some 150000 1000000\0');
        } catch (error) {
          throw triggerWriteError('/proc/pressure/cpu', 'some 150000 1000000', error as NodeJS.ErrnoException);
        }
      },
      /write\("some 150000 1000000"\) to \/proc\/pressure\/cpu: EINVAL — .*without CAP_SYS_RESOURCE, a multiple of 2 s/,
    );
  } finally {
    fs.closeSync(fd);
  }
});

test('a trigger waiter wakes for dispose and closes its fds', { skip: !HAS_PSI && 'no /proc/pressure' }, async () => {
  const fdsBefore = fs.readdirSync('/proc/self/fd').length;
  const waiter = new PsiTriggerWaiter('/proc/pressure', [{ resource: 'io', kind: 'full', percent: 100, windowMs: 10_000 }], () => undefined);
  assert.deepEqual(waiter.lines, ['io: full 10000000 10000000']);
  const started = Date.now();
  await waiter.dispose();
  assert.ok(Date.now() - started < 1000, 'dispose returns promptly');
  assert.equal(fs.readdirSync('/proc/self/fd').length, fdsBefore);
});

test('per-cgroup pressure: none for a process in the root group, figures for one in its own v2 group', { skip: !HAS_PSI && 'no /proc/pressure' }, async (t) => {
  const self = cgroupPressureOf(process.pid);
  if (!self.available) t.diagnostic(`this test process: ${self.reason}`);
  const mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  const mount = / - cgroup2 /.test(mountinfo) ? mountinfo.split('\n').find((l) => / - cgroup2 /.test(l))!.split(' ')[4] : null;
  if (!mount) return t.skip('no cgroup v2 hierarchy mounted');
  const group = path.join(mount, `phantom-psi-test-${process.pid}`);
  try {
    fs.mkdirSync(group);
  } catch (error) {
    return t.skip(`cannot create a cgroup v2 group here: ${(error as Error).message}`);
  }
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    fs.writeFileSync(path.join(group, 'cgroup.procs'), String(child.pid));
    const pressure = cgroupPressureOf(child.pid!);
    assert.ok(pressure.available, pressure.available ? '' : pressure.reason);
    assert.equal(pressure.directory, group);
    assert.equal(typeof pressure.pressure.cpu.some.total, 'number');
    assert.equal(typeof pressure.pressure.memory.some.avg10, 'number');
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    fs.rmdirSync(group);
  }
});

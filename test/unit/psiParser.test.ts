/** PSI parsing (runtime/src/psi/psiParser.ts) and the monitor over fixture directories (runtime/src/psi/psiMonitor.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cgroup2PathOf, headline, parsePressureFile, PsiParseError, triggerLine } from '../../runtime/src/psi/psiParser';
import { openPsiMonitor, PsiMonitor } from '../../runtime/src/psi/psiMonitor';
import { FIXTURES } from '../support/fixtures';

const PSI = path.join(FIXTURES, 'psi');
const read = (relative: string) => fs.readFileSync(path.join(PSI, relative), 'utf8');

test('parses some and full lines with the kernel numbers', () => {
  const cpu = parsePressureFile(read('linux-6.18/cpu'), 'cpu');
  assert.deepEqual(cpu, {
    some: { avg10: 3.21, avg60: 20.99, avg300: 17.67, total: 209882161 },
    full: { avg10: 0, avg60: 0, avg300: 0, total: 0 },
  });
});

test('a cpu file without full (kernels before 5.13) has no full key', () => {
  const cpu = parsePressureFile(read('linux-5.10/cpu'), 'cpu');
  assert.deepEqual(Object.keys(cpu), ['some']);
  assert.equal(cpu.some.total, 123456789);
});

test('unknown extra fields are ignored', () => {
  assert.equal(parsePressureFile(read('cgroup/cpu.pressure'), 'cpu.pressure').some.total, 5);
});

test('a malformed number names the file, the line and the field', () => {
  assert.throws(() => parsePressureFile(read('malformed/cpu'), '/proc/pressure/cpu'), (e: Error) => {
    assert.ok(e instanceof PsiParseError);
    assert.match(e.message, /^\/proc\/pressure\/cpu:1: some avg10='abc' is not a non-negative number/);
    return true;
  });
});

test('a missing field is reported', () => {
  assert.throws(() => parsePressureFile(read('malformed/io'), 'io'), /io:1: some has no total/);
});

test('text without a some line is not a pressure file', () => {
  assert.throws(() => parsePressureFile('', 'empty'), /empty: no 'some' line/);
  assert.throws(() => parsePressureFile('hello world\n', 'x'), /no 'some' line/);
  assert.throws(() => parsePressureFile('some\n', 'x'), /malformed pressure line/);
});

test('headline is avg10 of some per resource', () => {
  const monitor = new PsiMonitor(path.join(PSI, 'linux-5.10'));
  try {
    assert.deepEqual(headline(monitor.read()), { cpu: 12.5, memory: 45, io: 0 });
  } finally {
    void monitor.dispose();
  }
});

test('the monitor re-reads kept fds (pread at offset 0) and sees changes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-psi-'));
  try {
    for (const f of ['cpu', 'memory', 'io']) fs.copyFileSync(path.join(PSI, 'linux-6.18', f), path.join(dir, f));
    const monitor = new PsiMonitor(dir);
    try {
      assert.equal(monitor.read().cpu.some.avg10, 3.21);
      fs.writeFileSync(path.join(dir, 'cpu'), 'some avg10=7.00 avg60=0.00 avg300=0.00 total=9\n'); // same inode: the kept fd sees it
      assert.equal(monitor.read().cpu.some.avg10, 7);
      assert.equal(monitor.read().cpu.full, undefined);
    } finally {
      void monitor.dispose();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing pressure file gives a reason naming the file and CONFIG_PSI, not a crash', () => {
  const opened = openPsiMonitor(path.join(PSI, 'missing-io'));
  assert.ok('reason' in opened);
  assert.match(opened.reason, /missing-io\/io: ENOENT — this kernel has no pressure stall information \(PSI\): it needs CONFIG_PSI=y/);
  const none = openPsiMonitor(path.join(PSI, 'no-such-dir'));
  assert.ok('reason' in none && /ENOENT/.test(none.reason));
});

test('a malformed pressure file gives a reason, not a crash', () => {
  const opened = openPsiMonitor(path.join(PSI, 'malformed'));
  assert.ok('reason' in opened);
  assert.match(opened.reason, /PSI unreadable: .*malformed\/cpu:1: some avg10='abc'/);
});

test('trigger lines: stall and window in microseconds', () => {
  assert.equal(triggerLine({ resource: 'cpu', kind: 'some', percent: 15, windowMs: 2000 }), 'some 300000 2000000');
  assert.equal(triggerLine({ resource: 'memory', kind: 'full', percent: 100, windowMs: 10000 }), 'full 10000000 10000000');
  assert.equal(triggerLine({ resource: 'io', kind: 'some', percent: 15, windowMs: 1000 }, true), 'some 150000 1000000');
});

test('trigger lines the kernel would refuse are refused with the rule', () => {
  assert.throws(() => triggerLine({ resource: 'cpu', kind: 'some', percent: 15, windowMs: 1000 }), /multiples of 2 s/);
  assert.throws(() => triggerLine({ resource: 'cpu', kind: 'some', percent: 15, windowMs: 12000 }), /between 500 ms and 10000 ms/);
  assert.throws(() => triggerLine({ resource: 'cpu', kind: 'some', percent: 0, windowMs: 2000 }), /above 0 and at most 100/);
});

test('the cgroup v2 path of a process', () => {
  assert.equal(cgroup2PathOf(read('cgroup/proc-cgroup-v2')), '/user.slice/user-1000.slice/session-2.scope');
  assert.equal(cgroup2PathOf(read('cgroup/proc-cgroup-root')), '/');
  assert.equal(cgroup2PathOf(read('cgroup/proc-cgroup-v1-only')), null);
});

// The learn-mode model and proposal: pure functions of recordings (fixtures recorded by the real helper).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../support/fixtures';
import { mergeUsage, parseRecording, parseUsage, syscallName, usageFromRecording, usedNames } from '../../runtime/src/learn/learnRecording';
import { missingNames, proposeProfile, renderJson, renderYaml, unusedNames, ENOSYS } from '../../runtime/src/learn/learnProposal';
import { loadSeccompProfile as loadSeccompModel } from '../../model';

const recording = (name: string) => parseRecording(fs.readFileSync(path.join(FIXTURES, 'learn', name), 'utf8'), name);
const python = () => usageFromRecording(recording('python.recording.json'));
const sh = () => usageFromRecording(recording('sh.recording.json'));

test('numbers are named per architecture from syscalls.json', () => {
  assert.equal(syscallName('SCMP_ARCH_X86_64', 59), 'execve');
  assert.equal(syscallName('SCMP_ARCH_X86', 11), 'execve');
  assert.equal(syscallName('SCMP_ARCH_X86_64', 99999), undefined);
});

test('a recording becomes usage with names, counts and decisive arguments', () => {
  const u = python();
  assert.equal(u.runs, 1);
  const names = usedNames(u);
  for (const n of ['execve', 'read', 'mmap', 'socket', 'exit_group']) assert.ok(names[n] > 0, `${n} missing from ${Object.keys(names).join(',')}`);
  assert.deepEqual(Object.keys(u.args.socket.values), ['1'], 'AF_UNIX (1) is the only family recorded');
});

test('the same recording gives the same bytes (JSON and YAML)', () => {
  const a = proposeProfile(python(), 'SCMP_ARCH_X86_64');
  const b = proposeProfile(usageFromRecording(JSON.parse(JSON.stringify(recording('python.recording.json')))), 'SCMP_ARCH_X86_64');
  assert.equal(renderJson(a), renderJson(b));
  assert.equal(renderYaml(a, python()), renderYaml(b, python()));
});

test('the proposal: ERRNO(EPERM) default, the native architecture only, one sorted allow rule, args rules, clone3 ENOSYS', () => {
  const p = proposeProfile(python(), 'SCMP_ARCH_X86_64');
  assert.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(p.defaultErrnoRet, 1);
  assert.deepEqual(p.architectures, ['SCMP_ARCH_X86_64']);
  assert.match(p.syscalls[0].comment, /for SCMP_ARCH_X86_64 only .*to allow another architecture, add it to architectures/);
  const main = p.syscalls[0];
  assert.deepEqual(main.names, [...main.names].sort());
  assert.ok(!main.names.includes('socket'), 'socket has its own args rule');
  assert.match(main.comment, /execve: execute program \(1\)/);
  const socket = p.syscalls.find((r) => r.names[0] === 'socket')!;
  assert.deepEqual(socket.args, [{ index: 0, value: 0xffffffff, valueTwo: 1, op: 'SCMP_CMP_MASKED_EQ' }], 'the family on its low 32 bits');
  const clone3 = p.syscalls.find((r) => r.names[0] === 'clone3')!;
  assert.equal(clone3.action, 'SCMP_ACT_ERRNO');
  assert.equal(clone3.errnoRet, ENOSYS);
});

test('clone gets the namespace-flag mask when no recorded call created a namespace', () => {
  const p = proposeProfile(sh(), 'SCMP_ARCH_X86_64');
  const clone = p.syscalls.find((r) => r.names[0] === 'clone')!;
  assert.deepEqual(clone.args, [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
});

test('the rendered profiles load with the runtime\'s own profile loader (OCI/Docker shape)', () => {
  const p = proposeProfile(mergeUsage(python(), sh()), 'SCMP_ARCH_X86_64');
  for (const text of [renderJson(p), renderYaml(p, python())]) {
    const loaded = loadSeccompModel('learned', text).profile();
    assert.equal(loaded.syscalls?.length, p.syscalls.length);
    assert.deepEqual(loaded.syscalls?.[0].names, p.syscalls[0].names);
  }
  assert.match(renderYaml(p, python()), /^ {6}- execve +# execute program \(\d+\)$/m);
});

test('runs merge: counts add, names unite', () => {
  const m = mergeUsage(python(), sh());
  assert.equal(m.runs, 2);
  assert.equal(usedNames(m).execve, usedNames(python()).execve + usedNames(sh()).execve);
  assert.equal(mergeUsage(python(), sh()).notifications, mergeUsage(sh(), python()).notifications);
  assert.equal(JSON.stringify(mergeUsage(python(), sh())), JSON.stringify(mergeUsage(sh(), python())), 'merge order does not change the bytes');
  assert.deepEqual(parseUsage(JSON.stringify(m), 'x'), m);
});

test('missing and unused names against an existing profile', () => {
  const p = proposeProfile(sh(), 'SCMP_ARCH_X86_64');
  const missing = missingNames(p, python());
  assert.ok(missing.includes('socket') || usedNames(sh()).socket !== undefined);
  assert.ok(!missing.includes('clone3'), 'clone3 is answered ENOSYS on purpose, never "missing"');
  const unused = unusedNames(p, python());
  for (const n of unused) assert.equal(usedNames(python())[n], undefined);
});

test('hardening of every proposal: clone always masked, never-learned names dropped, set-id modes refused, int arguments on 32 bits', () => {
  const u = python();
  const arch = 'SCMP_ARCH_X86_64';
  const tampered = mergeUsage(u, {
    ...u, runs: 1, notifications: 4,
    arches: { [arch]: { unshare: 1, clone3: 2, chmod: 1, openat2: 1 }, SCMP_ARCH_X86: { socketcall: 3 } },
    args: { ioctl: { index: 1, values: Object.fromEntries(Array.from({ length: 70 }, (_, i) => [String(0x5400 + i), 1])), many: true }, socket: { index: 0, values: { '4294967336': 1, '1': 1 }, many: false } },
    unnamed: {},
  });
  const p = proposeProfile(tampered, arch);
  const allowed = p.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW');
  const names = allowed.flatMap((r) => r.names);
  assert.ok(!names.includes('unshare'), 'unshare is never proposed');
  assert.ok(!names.includes('socketcall'), 'calls of another architecture are not proposed');
  assert.match(p.syscalls[0].comment, /never proposed, whatever the usage says: unshare/);
  const rule = (n: string) => allowed.find((r) => r.names.includes(n))!;
  assert.deepEqual(rule('clone').args, [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
  assert.deepEqual(rule('chmod').args, [{ index: 1, value: 0o6000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
  assert.deepEqual(rule('socket').args, [{ index: 0, value: 0xffffffff, valueTwo: 1, op: 'SCMP_CMP_MASKED_EQ' }], '0x100000028 is AF_VSOCK: dropped');
  const ioctl = rule('ioctl').args!;
  assert.ok(ioctl.length > 8 && ioctl.every((a) => a.op === 'SCMP_CMP_MASKED_EQ' && a.value <= 0xffffffff));
  assert.ok(!ioctl.some((a) => ((0x5412 & a.value) >>> 0) === a.valueTwo), 'TIOCSTI is not covered');
  assert.deepEqual(p.syscalls.filter((r) => r.action === 'SCMP_ACT_ERRNO').map((r) => [r.names[0], r.errnoRet]), [['clone3', ENOSYS], ['openat2', ENOSYS]]);
  assert.deepEqual(missingNames(p, tampered).filter((n) => n === 'unshare'), []);
});

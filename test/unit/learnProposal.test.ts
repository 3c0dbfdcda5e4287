// The learn-mode model and proposal: pure functions of recordings (fixtures recorded by the real helper).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../support/fixtures';
import { mergeUsage, parseRecording, parseUsage, syscallName, usageFromRecording, usedNames } from '../../runtime/src/learnRecording';
import { missingNames, proposeProfile, renderJson, renderYaml, unusedNames, ENOSYS } from '../../runtime/src/learnProposal';
import { parseSeccompProfile } from '../../runtime/src/seccompProfileLoader';

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

test('the proposal: ERRNO(EPERM) default, native + compat arches, one sorted allow rule, args rules, clone3 ENOSYS', () => {
  const p = proposeProfile(python(), 'SCMP_ARCH_X86_64');
  assert.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(p.defaultErrnoRet, 1);
  assert.deepEqual(p.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const main = p.syscalls[0];
  assert.deepEqual(main.names, [...main.names].sort());
  assert.ok(!main.names.includes('socket'), 'socket has its own args rule');
  assert.match(main.comment, /execve: execute program \(1\)/);
  const socket = p.syscalls.find((r) => r.names[0] === 'socket')!;
  assert.deepEqual(socket.args, [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }]);
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
    const loaded = parseSeccompProfile(text, 'learned');
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

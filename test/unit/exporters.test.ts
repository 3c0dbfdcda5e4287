// phantom export: resolution as Docker does it, the targets' forms, exact 64-bit values (real consumers: test/integration/exports*.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../support/fixtures';
import { parseRecording, usageFromRecording } from '../../runtime/src/learn/learnRecording';
import { proposeProfile, renderJson } from '../../runtime/src/learn/learnProposal';
import { exportProfile, toDocker } from '../../runtime/src/exports/exporters';
import { archOption, capsOption, kernelOption, resolveProfile, ResolveError } from '../../runtime/src/exports/exportResolve';
import { k8sName } from '../../runtime/src/exports/exportSpo';
import { loadSeccompProfile as loadSeccompModel } from '../../model';

const learned = () => {
  const u = usageFromRecording(parseRecording(fs.readFileSync(path.join(FIXTURES, 'learn/python.recording.json'), 'utf8'), 'x'));
  return loadSeccompModel('learned.json', renderJson(proposeProfile(u, 'SCMP_ARCH_X86_64'))).profile();
};
const docker = () => loadSeccompModel('docker-default.seccomp.json', fs.readFileSync(path.join(FIXTURES, 'profiles/docker-default.seccomp.json'), 'utf8')).profile();
const NONE = { caps: [], arch: 'SCMP_ARCH_X86_64', kernel: '6.8.0' };

test('docker: the Docker JSON round-trips through the loader', () => {
  const p = learned();
  assert.deepEqual(loadSeccompModel('docker.json', toDocker(p)).profile(), p);
});

test("resolution: Docker's includes/excludes for the capabilities, archMap for the architecture, minKernel for the kernel", () => {
  const names = (caps: string[], arch = 'SCMP_ARCH_X86_64', kernel = '6.8.0') =>
    new Set(resolveProfile(docker(), { caps, arch, kernel }).profile.syscalls!.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names));
  const none = names([]);
  for (const gated of ['mount', 'unshare', 'setns', 'bpf', 'chroot', 'perf_event_open', 'kcmp']) assert.ok(!none.has(gated), gated);
  assert.ok(names(['CAP_SYS_ADMIN']).has('mount'));
  assert.ok(none.has('ptrace'), 'ptrace from 4.8');
  assert.ok(!names([], 'SCMP_ARCH_X86_64', '4.4').has('ptrace'), 'not on 4.4');
  const r = resolveProfile(docker(), NONE);
  assert.deepEqual(r.profile.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.deepEqual(resolveProfile(docker(), { ...NONE, arch: 'SCMP_ARCH_AARCH64' }).profile.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.ok(r.profile.syscalls!.every((s) => !s.includes && !s.excludes && !s.comment));
  assert.equal(r.profile.archMap, undefined);
});

test('options: --arch takes OCI and Docker names, --caps adds CAP_, --kernel needs a version', () => {
  assert.equal(archOption('amd64'), 'SCMP_ARCH_X86_64');
  assert.equal(archOption('SCMP_ARCH_AARCH64'), 'SCMP_ARCH_AARCH64');
  assert.equal(archOption('x86_64'), 'SCMP_ARCH_X86_64');
  assert.throws(() => archOption('vax'), ResolveError);
  assert.deepEqual(capsOption('sys_admin, CAP_NET_ADMIN'), ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN']);
  assert.deepEqual(capsOption('none'), []);
  assert.throws(() => capsOption('CAP_FLY'), /not a Linux capability/);
  assert.throws(() => kernelOption('latest'), /not a kernel version/);
});

test('64-bit values: written as their digits, read back as the same bigint', () => {
  const p = loadSeccompModel('x.yaml', 'defaultAction: SCMP_ACT_ALLOW\nsyscalls:\n  - names: [lseek]\n    action: SCMP_ACT_ERRNO\n    args: [{ index: 1, value: 0xffffffffffffff00, valueTwo: 9007199254740993, op: SCMP_CMP_EQ }]\n').profile();
  for (const to of ['docker', 'oci'] as const) {
    const { text } = exportProfile(p, to, { target: NONE, name: 'x.yaml' });
    assert.match(text, /"value": 18446744073709551360,/);
    assert.match(text, /"valueTwo": 9007199254740993,/);
    const again = loadSeccompModel('again.json', text).profile();
    assert.equal(again.syscalls![0].args![0].value, 0xffffffffffffff00n);
    assert.equal(again.syscalls![0].args![0].valueTwo, 9007199254740993n);
  }
});

test('spo: a SeccompProfile with a Kubernetes name, the resolution annotated, nothing the CRD lacks', () => {
  const { text, notes } = exportProfile(learned(), 'spo', { target: NONE, name: 'My Python.seccomp.json' });
  const r = JSON.parse(text) as { apiVersion: string; kind: string; metadata: { name: string; annotations: Record<string, string> }; spec: Record<string, unknown> & { syscalls: Record<string, unknown>[] } };
  assert.equal(r.apiVersion, 'security-profiles-operator.x-k8s.io/v1beta1');
  assert.equal(r.kind, 'SeccompProfile');
  assert.equal(r.metadata.name, 'my-python');
  assert.match(r.metadata.annotations['phantom-fragment/exported'], /^phantom export --to spo: resolved from My Python\.seccomp\.json for no capabilities/);
  assert.ok(r.spec.syscalls.every((s) => s.comment === undefined && s.includes === undefined));
  assert.equal(r.spec.defaultErrnoRet, undefined);
  assert.ok(notes[0].startsWith('resolved from'));
  assert.equal(k8sName('a'.repeat(80)), 'a'.repeat(63));
});

test('systemd: allow list with the error number, native architectures, every unsayable rule in a comment', () => {
  const { text } = exportProfile(learned(), 'systemd', { target: NONE, name: 'learned.json' });
  assert.match(text, /^SystemCallArchitectures=native$/m, 'learned profiles list the native architecture only');
  assert.match(text, /^SystemCallErrorNumber=EPERM$/m);
  assert.match(text, /^SystemCallFilter=.*\bexecve\b.*$/m);
  assert.match(text, /^# syscalls\[\d+\] clone3 → SCMP_ACT_ERRNO\(38\): .*EPERM instead$/m);
  assert.match(text, /^# systemd adds its @default set/m);
  assert.doesNotMatch(text, /^SystemCallFilter=~/m, 'no deny list after an allow list: systemd would only remove names');
});

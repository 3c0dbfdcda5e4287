// phantom export: the same profile for Docker, the Security Profiles Operator and systemd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../support/fixtures';
import { parseRecording, usageFromRecording } from '../../runtime/src/learnRecording';
import { proposeProfile, renderJson } from '../../runtime/src/learnProposal';
import { toDocker, toSpo, toSystemd } from '../../runtime/src/exporters';
import { parseSeccompProfile } from '../../runtime/src/seccompProfileLoader';

const profile = () => {
  const u = usageFromRecording(parseRecording(fs.readFileSync(path.join(FIXTURES, 'learn/python.recording.json'), 'utf8'), 'x'));
  return parseSeccompProfile(renderJson(proposeProfile(u, 'SCMP_ARCH_X86_64')), 'learned.json');
};

test('docker: the OCI JSON round-trips through the loader', () => {
  const p = profile();
  const again = parseSeccompProfile(toDocker(p), 'docker.json');
  assert.deepEqual(again, p);
});

test('spo: a SeccompProfile resource with the OCI spec and a Kubernetes name', () => {
  const r = JSON.parse(toSpo(profile(), 'My Python.seccomp.json')) as { apiVersion: string; kind: string; metadata: { name: string }; spec: { defaultAction: string; syscalls: { comment?: string }[] } };
  assert.equal(r.apiVersion, 'security-profiles-operator.x-k8s.io/v1beta1');
  assert.equal(r.kind, 'SeccompProfile');
  assert.equal(r.metadata.name, 'my-python');
  assert.equal(r.spec.defaultAction, 'SCMP_ACT_ERRNO');
  assert.ok(r.spec.syscalls.every((s) => s.comment === undefined), 'SPO has no comment field');
});

test('systemd: SystemCallFilter allow-list, error number, architectures, ENOSYS rule, args caveat', () => {
  const text = toSystemd(profile());
  assert.match(text, /^SystemCallArchitectures=x86-64$/m, "learned profiles list the native architecture only");
  assert.match(text, /^SystemCallErrorNumber=EPERM$/m);
  assert.match(text, /^SystemCallFilter=.*\bexecve\b.*$/m);
  assert.match(text, /^SystemCallFilter=~clone3:ENOSYS$/m);
  assert.match(text, /^# systemd cannot check arguments: .*socket/m);
});

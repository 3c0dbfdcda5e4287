import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { denialLines, explainDenials, type RawDenial } from '../../runtime/src/denials/denials';
import { DEFAULT_PROFILE_NAME, DEFAULT_SECCOMP_PROFILE } from '../../runtime/src/policy/defaultProfile';
import { loadSeccompProfile } from '../../runtime/src/policy/seccompProfileLoader';
import * as scmp from '../../native/bindings/libseccomp';
import { FIXTURES } from '../support/fixtures';

const FILE = path.join(FIXTURES, 'denials/job.seccomp.yaml');
const ARCH = scmp.seccomp_arch_native();
const nr = (name: string) => scmp.seccomp_syscall_resolve_name(name);
const raw = (name: string, extra: Partial<RawDenial> = {}): RawDenial => ({ arch: ARCH, nr: nr(name), errno: 1, count: 1, ...extra });
const loaded = loadSeccompProfile(FILE);
const origin = { profile: loaded.profile, source: FILE, text: loaded.text };

test('a rule that refuses the call is named by its line, with its comment and how to lift it', () => {
  const [d] = explainDenials([raw('mkdirat', { errno: 13, path: '/ws/out', count: 3 })], origin, null);
  assert.deepEqual(d.source, { file: FILE, line: 7, reason: 'the job never makes folders' });
  assert.equal(d.result, 'EACCES');
  assert.equal(d.count, 3);
  assert.match(d.fix!, /remove `mkdirat` from the SCMP_ACT_ERRNO rule at line 7/);
});

test('the defaultAction refuses a call no rule names: its line, and the fix adds it to the first allow rule', () => {
  const [d] = explainDenials([raw('unlinkat', { path: '/ws/x' })], origin, null);
  assert.deepEqual(d.source, { file: FILE, line: 2, reason: 'defaultAction SCMP_ACT_ERRNO' });
  assert.match(d.fix!, /^add `unlinkat` to the rule at line 5/);
  assert.match(d.fix!, /add fragment `/);
});

test('a call an allow rule only allows with conditions says which argument failed them', () => {
  const [d] = explainDenials([raw('socket', { arg: '2' })], origin, null);
  assert.equal(d.argument, 'AF_INET');
  assert.match(d.fix!, /the rule at line 11 allows `socket` only with its argument conditions; this call \(AF_INET\)/);
});

test('the built-in profile: its name and the reason of the refusal; expected probes are marked and not printed', () => {
  const denials = explainDenials([raw('socket', { arg: '40' }), raw('io_uring_setup')], { profile: DEFAULT_SECCOMP_PROFILE, source: DEFAULT_PROFILE_NAME }, null);
  assert.equal(denials[0].source?.file, DEFAULT_PROFILE_NAME);
  assert.match(denials[0].source?.reason ?? '', /AF_VSOCK/);
  assert.equal(denials[1].expected, true);
  const lines = denialLines(denials);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^refused socket \(AF_VSOCK\) → EPERM by built-in default profile/);
});

test('fragments and SIGSYS: a fragments-only profile names its fragments; a kill is a denial without a syscall', () => {
  const core = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] };
  const denials = explainDenials([raw('mkdir')], { profile: core, source: 'phantom-fragment.yaml: profiles.job: fragments core' }, 'SIGSYS');
  assert.equal(denials[0].source?.fragment, 'core');
  assert.match(denials[0].fix!, /^add fragment `/);
  assert.equal(denials[1].result, 'SIGSYS');
  assert.equal(denials[1].syscall, undefined);
});

test('a path from the workload is quoted on stderr (no control characters reach the terminal)', () => {
  const [line] = denialLines(explainDenials([raw('mkdir', { path: 'a\u001b[2Jb' })], origin, null));
  assert.ok(!line.includes('\u001b'), line);
  assert.match(line, /"a\\u001b\[2Jb"/);
});

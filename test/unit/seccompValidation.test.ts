/** The semantic checks of seccomp profiles, one fixture per check with the problem at a known place. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateDocument } from '../../model/src/validation';
import { fixtureDocument, textDocument } from '../support/fixtures';

/** [line, column, code, message] of every diagnostic, 1-based. */
function found(relative: string) {
  return validateDocument(fixtureDocument(relative)).map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.code, d.message]);
}

test('an unknown syscall is a warning with a suggestion; names libseccomp lacks are still known', () => {
  assert.deepEqual(found('seccomp/unknown-syscall.seccomp.json'), [
    [7, 9, 'seccomp-unknown-syscall', "Unknown syscall 'opne'. Did you mean 'open'?"],
    [9, 9, 'seccomp-unknown-syscall', "Unknown syscall 'zzzzzzzzzzzz'."],
  ]);
});

test('a syscall of another architecture only is information, not an error', () => {
  const [d, ...rest] = validateDocument(fixtureDocument('seccomp/other-arch.seccomp.yaml'));
  assert.equal(rest.length, 0);
  assert.deepEqual([d.range.start.line + 1, d.range.start.character + 1, d.code, d.severity], [7, 9, 'seccomp-syscall-other-arch', 3]);
  assert.equal(d.message, "'set_tls' does not exist on this profile's architectures (SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32), only on SCMP_ARCH_ARM.");
});

test('32-bit-only names are fine when archMap brings in their architecture', () => {
  assert.deepEqual(found('seccomp/archmap-32bit.seccomp.yaml'), []);
});

test('a syscall listed twice, in one rule or in two rules with the same action', () => {
  const expected = (json: boolean) => [
    [6, json ? 34 : 9, 'seccomp-duplicate-syscall', "'read' is listed twice in this rule."],
    [json ? 10 : 10, json ? 26 : 9, 'seccomp-duplicate-syscall', `'write' is already listed with SCMP_ACT_ALLOW in the rule at line ${json ? 5 : 3}.`],
  ];
  assert.deepEqual(found('seccomp/duplicate.seccomp.json'), expected(true));
  assert.deepEqual(found('seccomp/duplicate.seccomp.yaml'), expected(false));
});

test('one syscall under two actions with the same conditions; different conditions are legitimate', () => {
  assert.deepEqual(found('seccomp/conflict.seccomp.yaml'), [
    [5, 13, 'seccomp-conflicting-action', "'write' is also listed under SCMP_ACT_ALLOW (line 3) with the same conditions: a syscall cannot take two actions."],
  ]);
});

test('a rule with args shadowed by an earlier unconditional rule', () => {
  assert.deepEqual(found('seccomp/shadowed.seccomp.json'), [
    [6, 7, 'seccomp-shadowed-rule', 'This rule has no effect: its syscalls are already matched without conditions by the rule at line 4.'],
  ]);
});

test('an args index beyond the syscall parameter count', () => {
  assert.deepEqual(found('seccomp/arg-index.seccomp.yaml'), [
    [12, 18, 'seccomp-arg-index', "Argument index 0 is beyond the parameters of 'getpid', which takes no arguments."],
    [16, 16, 'seccomp-arg-index', "Argument index 3 is beyond the parameters of 'socket', which takes 3 (index 0–2)."],
  ]);
});

test('errnoRet and defaultErrnoRet on actions that return no errno: errors, as OCI runtimes refuse them', () => {
  assert.deepEqual(found('seccomp/errno-ignored.seccomp.yaml'), [
    [2, 1, 'seccomp-errno-refused', 'defaultErrnoRet with SCMP_ACT_KILL_PROCESS: OCI runtimes refuse the profile (crun: "errno value specified for action `SCMP_ACT_KILL_PROCESS`"), and so does phantom run. Only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno: remove defaultErrnoRet.'],
    [9, 5, 'seccomp-errno-refused', 'errnoRet with SCMP_ACT_ALLOW: OCI runtimes refuse the profile (crun: "errno value specified for action `SCMP_ACT_ALLOW`"), and so does phantom run. Only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return an errno: remove errnoRet or change the action.'],
  ]);
  const severities = validateDocument(fixtureDocument('seccomp/errno-ignored.seccomp.yaml')).map((d) => d.severity);
  assert.deepEqual(severities, [1, 1]);
});

test('errnoRet of 4095 and above (libseccomp and phantom run refuse it) is an error with the libc reason', () => {
  const d = validateDocument(textDocument('x.seccomp.yaml', 'defaultAction: SCMP_ACT_ALLOW\nsyscalls:\n  - names: [getcwd]\n    action: SCMP_ACT_ERRNO\n    errnoRet: 12345\n  - names: [chmod]\n    action: SCMP_ACT_ERRNO\n    errnoRet: 4094\n'));
  assert.deepEqual(d.map((x) => [x.range.start.line + 1, x.severity, x.code]), [[5, 1, 'seccomp-errno-range']]);
  assert.match(d[0].message, /libc reads only 1–4095 as an errno/);
});

test('listenerMetadata without listenerPath', () => {
  assert.deepEqual(found('seccomp/listener.seccomp.json'), [
    [3, 3, 'seccomp-metadata-without-listener', 'listenerMetadata is only sent to a listener: add listenerPath (the supervisor socket) or remove it.'],
    [4, 48, 'seccomp-notify-unsupported', 'SCMP_ACT_NOTIFY needs a supervisor, which phantom run does not give an enforced run: it refuses the profile. Use SCMP_ACT_ERRNO, or `phantom learn` to record syscalls.'],
  ]);
});

test('SCMP_ACT_NOTIFY as the default action is an error', () => {
  const [d, ...rest] = validateDocument(fixtureDocument('seccomp/notify-default.seccomp.yaml'));
  assert.equal(rest.length, 0);
  assert.deepEqual([d.range.start.line + 1, d.range.start.character + 1, d.code, d.severity], [1, 16, 'seccomp-notify-default', 1]);
});

test('x86_64 without its compat architectures', () => {
  assert.deepEqual(found('seccomp/compat.seccomp.json'), [
    [3, 21, 'seccomp-missing-compat-arch', 'SCMP_ARCH_X86_64 is listed without its compat architectures SCMP_ARCH_X86, SCMP_ARCH_X32: 32-bit syscalls then get the bad-architecture action.'],
  ]);
  assert.deepEqual(found('seccomp/compat.seccomp.yaml'), [
    [3, 5, 'seccomp-missing-compat-arch', 'SCMP_ARCH_X86_64 is listed without its compat architectures SCMP_ARCH_X86: 32-bit syscalls then get the bad-architecture action.'],
  ]);
});

test('every semantic message stays under 200 characters', () => {
  const long = 'x'.repeat(500);
  const doc = textDocument('a.seccomp.yaml', `defaultAction: SCMP_ACT_ERRNO\narchitectures: [SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_AARCH64]\nsyscalls:\n  - names: [${long}, set_tls]\n    action: SCMP_ACT_ALLOW\n`);
  const all = validateDocument(doc);
  assert.ok(all.length >= 1);
  for (const d of all) assert.ok(d.message.length < 200, d.message);
});

test('an argument value just above 2^64-1 is an error although it rounds to the schema maximum as a JS number', () => {
  for (const name of ['x.seccomp.yaml', 'x.seccomp.json']) {
    const text = name.endsWith('json')
      ? '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["lseek"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 18446744073709551616, "op": "SCMP_CMP_EQ"}]}]}'
      : 'defaultAction: SCMP_ACT_ALLOW\nsyscalls:\n  - names: [lseek]\n    action: SCMP_ACT_ERRNO\n    args: [{ index: 1, value: 18446744073709551616, valueTwo: 0xffffffffffffffff, op: SCMP_CMP_EQ }]\n';
    const d = validateDocument(textDocument(name, text));
    assert.deepEqual(d.map((x) => [x.severity, x.code]), [[1, 'schema-range']], name);
    assert.match(d[0].message, /value 18446744073709551616 is above 2\^64−1/);
  }
});

// Seccomp profile loading and compilation through the real libseccomp (koffi): pure functions of data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES } from '../support/fixtures';
import { CLONE_NAMESPACE_FLAGS, DEFAULT_SECCOMP_PROFILE, REMOVED_FROM_DOCKER } from '../../runtime/src/policy/defaultProfile';
import { compiledSeccompFile, compileSeccomp, profileArchitectures, ruleApplies, type SeccompHost } from '../../runtime/src/policy/seccompCompiler';
import { loadSeccompProfile } from '../../runtime/src/policy/seccompProfileLoader';
import { ProfileLoadError } from '../../model';
import { compilePolicies } from '../../runtime/src/sandbox/sandboxPolicy';
import { POLICY_SEALS } from '../../runtime/src/sandbox/memoryFiles';
import { F_GET_SEALS, fcntl } from '../../native/bindings/libc';
import { loadSeccompProfile as loadSeccompModel } from '../../model';

const AMD64: SeccompHost = { arch: 'SCMP_ARCH_X86_64', kernel: '6.18.0', caps: [] };

test("Docker's default profile loads from JSON and YAML with the same model and compiles", () => {
  const json = loadSeccompProfile(path.join(FIXTURES, 'profiles/docker-default.seccomp.json')).profile;
  const yaml = loadSeccompProfile(path.join(FIXTURES, 'profiles/docker-default.seccomp.yaml')).profile;
  assert.deepEqual(yaml, json);
  const compiled = compileSeccomp(json, 'docker-default');
  assert.ok(compiled.instructions > 100);
  assert.equal(compiled.bpf.length % 8, 0);
  assert.match(compiled.notes.join('\n'), /unknown to libseccomp .* skipped \(as runc does\): .*statmount/);
});

test('includes/excludes are evaluated as Docker does, for a host without capabilities', () => {
  const rule = (extra: object) => ({ names: ['x'], action: 'SCMP_ACT_ALLOW', ...extra });
  assert.equal(ruleApplies(rule({}), AMD64), true);
  assert.equal(ruleApplies(rule({ includes: { caps: ['CAP_SYS_ADMIN'] } }), AMD64), false);
  assert.equal(ruleApplies(rule({ excludes: { caps: ['CAP_SYS_ADMIN'] } }), AMD64), true);
  assert.equal(ruleApplies(rule({ includes: { arches: ['amd64', 'x32'] } }), AMD64), true);
  assert.equal(ruleApplies(rule({ includes: { arches: ['arm64'] } }), AMD64), false);
  assert.equal(ruleApplies(rule({ excludes: { arches: ['amd64'] } }), AMD64), false);
  assert.equal(ruleApplies(rule({ includes: { minKernel: '4.8' } }), AMD64), true);
  assert.equal(ruleApplies(rule({ includes: { minKernel: '7.1' } }), AMD64), false);
  assert.equal(ruleApplies(rule({ excludes: { minKernel: '6.18' } }), AMD64), false);
});

test('archMap adds the native architecture and its sub-architectures only', () => {
  const profile = loadSeccompModel('p.yaml', 'defaultAction: SCMP_ACT_ERRNO\narchMap:\n  - {architecture: SCMP_ARCH_X86_64, subArchitectures: [SCMP_ARCH_X86]}\n  - {architecture: SCMP_ARCH_AARCH64, subArchitectures: [SCMP_ARCH_ARM]}\n').profile();
  assert.deepEqual(profileArchitectures(profile, AMD64), ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']);
});

test('errors are check\'s: they name the file, line:column, the problem and the fix', () => {
  const refused = (file: string, text: string, message: RegExp) =>
    assert.throws(() => loadSeccompModel(file, text).profile(), (e: Error) => e instanceof ProfileLoadError && message.test(e.message), `${file}`);
  refused('p.yaml', 'defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - names: read\n    action: SCMP_ACT_ALLOW\n',
    /^p\.yaml:3:12: 'names' should be a list, not a string\. \[schema-type\] — 'phantom check p\.yaml' lists every problem$/);
  refused('p.json', '{"syscalls": []}', /^p\.json:1:1: Missing required key 'defaultAction' at the top level\. \[schema-required\] — 'phantom check p\.json'/);
  refused('p.json', '{"defaultAction": "SCMP_ACT_ERRNO",', /^p\.json:1:\d+: .* \[syntax\]/);
  refused('n.yaml', 'defaultAction: SCMP_ACT_ALLOW\nsyscalls: [{names: [read], action: SCMP_ACT_NOTIFY}]', /^n\.yaml:2:\d+: SCMP_ACT_NOTIFY needs a supervisor.* Use SCMP_ACT_ERRNO/);
  refused('o.yaml', 'defaultAction: SCMP_ACT_ALLOW\nsyscalls: [{names: [read], action: SCMP_ACT_ERRNO, args: [{index: 0, value: 1, op: SCMP_CMP_EQUALS}]}]', /^o\.yaml:2:84: "SCMP_CMP_EQUALS" is not allowed for 'op'\. \[schema-enum\]/);
  // The compiler still refuses what reaches it unchecked (a model built in code), with the rule's place.
  assert.throws(() => compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_NOTIFY' }] }, 'n.yaml'),
    /n\.yaml: syscalls\[0\]\.action: SCMP_ACT_NOTIFY needs a supervisor/);
  assert.throws(() => compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQUALS' }] }] }, 'o.yaml'),
    /o\.yaml: syscalls\[0\]: unknown operator 'SCMP_CMP_EQUALS'/);
});

test('64-bit argument values survive loading (no float rounding)', () => {
  const p = loadSeccompModel('big.json', '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}]}]}').profile();
  assert.equal(p.syscalls?.[0].args?.[0].value, 18446744073709551615n);
  assert.ok(compileSeccomp(p, 'big.json').instructions > 0);
});

test('the default profile: Docker no-capability set minus the documented removals; denied families never allowed', () => {
  const docker = JSON.parse(readFileSync(path.join(FIXTURES, 'profiles/docker-default.seccomp.json'), 'utf8')) as { syscalls: { names: string[]; includes?: object; excludes?: object; args?: unknown }[] };
  const allowed = new Set(DEFAULT_SECCOMP_PROFILE.syscalls!.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names));
  for (const name of docker.syscalls[0].names) assert.ok(allowed.has(name) || name in REMOVED_FROM_DOCKER, `${name} from Docker's default is neither allowed nor listed as removed`);
  const dockerNames = new Set(docker.syscalls.flatMap((r) => r.names));
  for (const name of allowed) assert.ok(dockerNames.has(name), `${name} is allowed but Docker's default never allows it`);
  for (const name of ['unshare', 'setns', 'mount', 'umount2', 'pivot_root', 'fsopen', 'fsmount', 'fsconfig', 'move_mount', 'open_tree',
    'mount_setattr', 'ptrace', 'process_vm_readv', 'process_vm_writev', 'bpf', 'keyctl', 'add_key', 'request_key', 'perf_event_open',
    'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'kexec_load', 'kexec_file_load', 'init_module', 'finit_module',
    'delete_module', 'userfaultfd', 'clone3']) assert.ok(!allowed.has(name), `${name} must not be allowed`);
  const clone = DEFAULT_SECCOMP_PROFILE.syscalls!.filter((r) => r.names.includes('clone'));
  assert.deepEqual(clone.map((r) => r.args), [[{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]]);
  const clone3 = DEFAULT_SECCOMP_PROFILE.syscalls!.find((r) => r.names.includes('clone3'));
  assert.equal(clone3?.errnoRet, 38);
  for (const rule of DEFAULT_SECCOMP_PROFILE.syscalls!) assert.ok(rule.comment && rule.comment.length > 10, `rule ${rule.names.join(',')} has no comment`);
});

test('compiled programs are cached by content, on disk and in memory', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-bpf-'));
  try {
    const first = compiledSeccompFile(DEFAULT_SECCOMP_PROFILE, 'default', dir);
    assert.deepEqual(readFileSync(first.file), first.bpf);
    const t0 = performance.now();
    const again = compiledSeccompFile(DEFAULT_SECCOMP_PROFILE, 'default', dir);
    assert.ok(performance.now() - t0 < 5, 'a cached profile is not recompiled');
    assert.equal(again.file, first.file);
    const other = compiledSeccompFile({ ...DEFAULT_SECCOMP_PROFILE, defaultErrnoRet: 38 }, 'other', dir);
    assert.notEqual(other.file, first.file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compilePolicies reuses a result only while the profile files it was made from are unchanged', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-policies-'));
  try {
    const file = path.join(dir, 'p.seccomp.json');
    const profile = (action: string) => JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['ptrace'], action }] });
    const input = { cwd: dir, readOnly: [], readWrite: [], seccompProfile: file };
    const bpfOf = (args: string[]) => args[args.indexOf('--seccomp-bpf') + 1];
    writeFileSync(file, profile('SCMP_ACT_ERRNO'));
    const first = bpfOf(compilePolicies(input).helperArgs);
    assert.equal(bpfOf(compilePolicies(input).helperArgs), first, 'unchanged: the same program');
    // Same length, new content: a stale program here would run a sandbox under the old policy.
    writeFileSync(file, profile('SCMP_ACT_TRACE'));
    assert.notEqual(bpfOf(compilePolicies(input).helperArgs), first, 'changed file: compiled again');
    writeFileSync(file, profile('SCMP_ACT_ERRNO'));
    assert.equal(bpfOf(compilePolicies(input).helperArgs), first, 'back to the first content: its program');
    // What the helper gets is a sealed memory file, never a cache file a sandbox could have rewritten.
    assert.match(first, new RegExp(`^/proc/${process.pid}/fd/\\d+$`));
    const fd = openSync(first, 'r');
    try {
      assert.equal(fcntl(fd, F_GET_SEALS) & POLICY_SEALS, POLICY_SEALS, 'sealed against writes, resizing and unsealing');
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

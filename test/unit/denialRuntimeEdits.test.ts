/** Denials as structured edits (Denial.edit), network refusals and the sources they name (runtime/src/denialSources.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { denialLines, explainDenials, type RawDenial } from '../../runtime/src/denials/denials';
import { lineOfKey, loopbackAddress, networkDenial } from '../../runtime/src/denials/denialSources';
import { loadSeccompProfile } from '../../runtime/src/policy/seccompProfileLoader';
import * as scmp from '../../native/bindings/libseccomp';
import { FIXTURES } from '../support/fixtures';

const FILE = path.join(FIXTURES, 'denials/job.seccomp.yaml');
const ARCH = scmp.seccomp_arch_native();
const raw = (name: string, extra: Partial<RawDenial> = {}): RawDenial => ({ arch: ARCH, nr: scmp.seccomp_syscall_resolve_name(name), errno: 1, count: 1, ...extra });
const loaded = loadSeccompProfile(FILE);

test('a call the defaultAction refuses: the edit adds it to the allow rule at its line, in the absolute file', () => {
  const [d] = explainDenials([raw('unlinkat')], { profile: loaded.profile, source: FILE, text: loaded.text }, null);
  assert.deepEqual(d.edit, { kind: 'seccompAllow', file: FILE, line: 5, syscall: 'unlinkat' });
});

test('no edit where the fix is not an addition (a refusing rule, argument conditions, an expected probe)', () => {
  const origin = { profile: loaded.profile, source: FILE, text: loaded.text };
  const [rule, conditional, probe] = explainDenials([raw('mkdirat'), raw('socket', { arg: '2' }), raw('io_uring_setup')], origin, null);
  assert.equal(rule.edit, undefined);
  assert.equal(conditional.edit, undefined);
  assert.equal(probe.expected, true);
  assert.equal(probe.edit, undefined);
});

test('a profile composed from fragments: the edit adds the fragment that grants the call to that profile', () => {
  const core = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] };
  const config = '/ws/phantom-fragment.yaml';
  const configText = 'profiles:\n  job:\n    run: [mkdir, x]\n    fragments: [core]\n';
  const [d] = explainDenials([raw('mkdir')], { profile: core, source: `${config}: profile 'job': fragments core`, run: { config, profile: 'job', configText, networkFrom: 'profile' } }, null);
  assert.deepEqual(d.source, { file: config, line: 4, fragment: 'core', reason: 'none of the fragments core grants it' });
  assert.equal(d.edit?.kind, 'addFragment');
  assert.deepEqual(d.edit, { kind: 'addFragment', file: config, profile: 'job', fragment: d.fix!.match(/`([^`]+)`/)![1] });
});

const CONFIG_TEXT = 'profiles:\n  job:\n    run: [python3, main.py]\n    network: none\n  other:\n    run: [true]\n';

test('network: the address, the network: line of the profile, the least fix (loopback for a loopback address) and its edit', () => {
  const run = { config: '/ws/phantom-fragment.yaml', profile: 'job', configText: CONFIG_TEXT, networkFrom: 'profile' as const };
  const d = networkDenial({ count: 2, address: '127.0.0.1:8080' }, 'connect', 'none', run);
  assert.equal(d.kind, 'network');
  assert.equal(d.address, '127.0.0.1:8080');
  assert.deepEqual(d.source, { file: run.config, line: 4, reason: "network: none of profile 'job'" });
  assert.deepEqual(d.edit, { kind: 'network', file: run.config, profile: 'job', mode: 'loopback' });
  const far = networkDenial({ count: 1, address: '10.0.0.1:443' }, 'connect', 'loopback', run);
  assert.equal(far.edit?.kind === 'network' && far.edit.mode, 'host');
  const unset = networkDenial({ count: 1, address: '10.0.0.1:443' }, 'connect', 'none', { ...run, profile: 'other' });
  assert.deepEqual(unset.source, { file: run.config, line: 5, reason: "profile 'other' sets no network: the default is none" });
  const flag = networkDenial({ count: 1, address: '[::1]:22' }, 'connect', 'none', { ...run, networkFrom: 'request' });
  assert.equal(flag.source?.file, '--network none');
  assert.equal(flag.edit, undefined, 'the command line is not a file to edit');
  assert.match(denialLines([d])[0], /^refused connect to 127\.0\.0\.1:8080 ×2 by \/ws\/phantom-fragment\.yaml:4 — /);
});

test('loopback addresses: 127/8, 0.0.0.0, ::1, ::, v4-mapped loopback', () => {
  for (const a of ['127.0.0.1:1', '127.9.9.9:2', '0.0.0.0:3', '[::1]:4', '[::]:5', '[::ffff:127.0.0.1]:6']) assert.ok(loopbackAddress(a), a);
  for (const a of ['10.0.0.1:1', '[2001:db8::1]:2', '[::ffff:10.0.0.1]:3', '128.0.0.1:4']) assert.ok(!loopbackAddress(a), a);
});

test('lineOfKey: the deepest key found, and whether the whole path was', () => {
  assert.deepEqual(lineOfKey(CONFIG_TEXT, 'c.yaml', ['profiles', 'job', 'network']), { line: 4, found: true });
  assert.deepEqual(lineOfKey(CONFIG_TEXT, 'c.yaml', ['profiles', 'other', 'network']), { line: 5, found: false });
  assert.equal(lineOfKey('{', 'c.json', ['x']), undefined);
});

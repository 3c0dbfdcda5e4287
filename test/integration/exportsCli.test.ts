/** `phantom export` and `phantom check` as a shell user meets them: --help lists every option, bad options are usage errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES } from '../support/fixtures';
import { phantom } from '../support/consumers';

const DOCKER = path.join(FIXTURES, 'profiles/docker-default.seccomp.json');

test('--help of export and check names every option', () => {
  const exp = phantom(['export', '--help']);
  assert.equal(exp.code, 0);
  for (const o of ['--to docker', '--to oci', '--to spo', '--to systemd', '--resolve', '--caps', '--arch', '--kernel', '--quiet']) assert.ok(exp.stdout.includes(o), o);
  const check = phantom(['check', '--help']);
  assert.equal(check.code, 0);
  for (const o of ['--format text|json|sarif', '--output FILE']) assert.ok(check.stdout.includes(o), o);
});

test('usage errors exit 2 with the fix; an unreadable profile exits 1 naming it', () => {
  const cases: [string[], RegExp][] = [
    [['export', '--to', 'oci', '--resolve', DOCKER], /--resolve is for --to docker/],
    [['export', '--to', 'oci', '--arch', 'vax', DOCKER], /--arch 'vax' is not an architecture/],
    [['export', '--to', 'oci', '--caps', 'CAP_FLY', DOCKER], /'CAP_FLY' is not a Linux capability/],
    [['export', '--to', 'oci', '--kernel', 'new', DOCKER], /--kernel 'new' is not a kernel version/],
    [['export', '--to', 'podman', DOCKER], /--to must be docker, oci, spo or systemd, not 'podman'/],
    [['check', '--format', 'xml', DOCKER], /--format must be text, json or sarif/],
  ];
  for (const [args, message] of cases) {
    const r = phantom(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const missing = phantom(['export', '--to', 'oci', 'nope.seccomp.json']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.seccomp\.json: cannot read the seccomp profile \(ENOENT\)/);
});

test('--arch, --caps and --kernel change what is resolved, and the note says for what', () => {
  const arm = phantom(['export', '--to', 'oci', '--arch', 'arm64', '--kernel', '4.4', '--caps', 'sys_ptrace', DOCKER]);
  assert.equal(arm.code, 0, arm.stderr);
  const p = JSON.parse(arm.stdout) as { architectures: string[]; syscalls: { names: string[]; action: string }[] };
  assert.deepEqual(p.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.ok(p.syscalls.some((s) => s.action === 'SCMP_ACT_ALLOW' && s.names.includes('ptrace')), 'CAP_SYS_PTRACE allows ptrace on any kernel');
  assert.match(arm.stderr, /for capabilities CAP_SYS_PTRACE, architecture SCMP_ARCH_AARCH64, kernel 4\.4/);
  assert.equal(phantom(['export', '--to', 'oci', '--quiet', DOCKER]).stderr, '');
});

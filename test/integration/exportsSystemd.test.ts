/**
 * `phantom export --to systemd` read by systemd itself: `systemd-analyze verify` accepts the exported lines in a
 * unit (it warns, without failing, on every name or errno it cannot parse: the test fails on any warning about
 * them), and `systemd-analyze syscall-filter @known` knows every exported name (or, for names newer than the
 * systemd build, systemd resolves it alone without a warning). The form follows the default
 * action, and every rule systemd cannot express is named in a comment.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../support/fixtures';
import { phantom, scratch } from '../support/consumers';

const SOURCES = ['profiles/docker-default.seccomp.json', ...['allow-default', 'kill-default', 'trap-default', 'errno-default', 'log-default', 'u64'].map((n) => `exports/${n}.seccomp.yaml`)];

let dir: string;
let known: Set<string>;

before(() => {
  dir = scratch('exports-systemd');
  const r = spawnSync('systemd-analyze', ['syscall-filter', '@known'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `systemd-analyze syscall-filter (install systemd: scripts/ensure-test-tools.mjs): ${r.stderr}`);
  known = new Set([...r.stdout.matchAll(/^ {4}([a-z0-9_]+)$/gm)].map((m) => m[1]));
  assert.ok(known.size > 400, `systemd knows ${known.size} syscalls`);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function exportSystemd(source: string): string {
  const r = phantom(['export', '--to', 'systemd', '--quiet', path.join(FIXTURES, source)]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** Names in SystemCallFilter= / SystemCallLog= lines (without ~ and :errno). */
function exportedNames(text: string): string[] {
  return [...text.matchAll(/^SystemCall(?:Filter|Log)=~?(.*)$/gm)].flatMap((m) => m[1].split(/\s+/).filter(Boolean).map((e) => e.split(':')[0]));
}

for (const source of SOURCES) {
  test(`${path.basename(source)}: systemd-analyze verify accepts the export and knows every name`, () => {
    const text = exportSystemd(source);
    const unit = path.join(dir, `${path.basename(source).replace(/\W+/g, '-')}.service`);
    fs.writeFileSync(unit, `[Unit]\nDescription=phantom export test\n\n[Service]\nExecStart=/bin/true\n${text}`);
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const ours = r.stderr.split('\n').filter((l) => l.includes(path.basename(unit)));
    assert.deepEqual(ours, [], 'systemd warns about an exported line');
    const names = exportedNames(text);
    assert.ok(names.length > 0);
    // systemd's @known table is its build's kernel headers; a newer name (cachestat for systemd 252) is still
    // resolved through libseccomp at load time. Each such name must pass verify alone, without a warning.
    for (const name of names.filter((n) => !known.has(n))) {
      const single = path.join(dir, `single-${name}.service`);
      fs.writeFileSync(single, `[Unit]\nDescription=phantom export test\n\n[Service]\nExecStart=/bin/true\nSystemCallFilter=${name}\n`);
      const v = spawnSync('systemd-analyze', ['verify', '--man=no', single], { encoding: 'utf8' });
      assert.equal(v.status, 0, v.stderr);
      assert.doesNotMatch(v.stderr, /Failed to parse/, `systemd does not know ${name}`);
    }
    assert.ok(names.filter((n) => known.has(n)).length > names.length * 0.9, 'nearly every name is in systemd-analyze syscall-filter @known');
  });
}

test('deny list from a default ALLOW: kill actions, LOG rules, per-rule errnos and conditions all said', () => {
  const text = exportSystemd('exports/allow-default.seccomp.yaml');
  assert.match(text, /^SystemCallFilter=~.*\bgetsid:kill\b.*\bgetpriority:kill\b/m);
  assert.match(text, /^SystemCallFilter=~.*\bumask:kill\b/m, 'TRAP: killed, the stricter side');
  assert.match(text, /^SystemCallFilter=~.*\bsched_yield:ENOSYS\b/m, 'TRACE without a tracer');
  assert.match(text, /^SystemCallFilter=~.*\bgetcwd:4094\b/m);
  assert.match(text, /^SystemCallLog=getppid$/m);
  assert.doesNotMatch(text, /^SystemCallErrorNumber=/m);
  for (const rule of ['syscalls\\[0\\] getsid → SCMP_ACT_KILL', 'syscalls\\[3\\] umask → SCMP_ACT_TRAP', 'syscalls\\[9\\] dup → SCMP_ACT_ERRNO\\(6\\) if arg0 NE 1000', 'syscalls\\[14\\] flock'])
    assert.match(text, new RegExp(`^# ${rule}`, 'm'), rule);
  assert.equal((text.match(/\blseek:/g) ?? []).length, 1, 'a name once per list');
});

test("allow list from Docker's default: @default stated, conditions and clone3's own errno named, compat arches kept", () => {
  const text = exportSystemd('profiles/docker-default.seccomp.json');
  assert.match(text, /^SystemCallErrorNumber=EPERM$/m);
  assert.match(text, /^SystemCallArchitectures=x86-64 x86 x32$/m);
  assert.match(text, /^# systemd adds its @default set/m);
  assert.match(text, /^# syscalls\[\d+\] clone → SCMP_ACT_ALLOW if arg0 MASKED_EQ/m);
  assert.match(text, /^# syscalls\[\d+\] clone3 → SCMP_ACT_ERRNO\(38\): .* get EPERM instead/m);
  // Resolved for no capabilities: the capability-gated allows are not in the list.
  const allowed = new Set(text.match(/^SystemCallFilter=(.*)$/m)![1].split(' '));
  for (const gated of ['mount', 'unshare', 'setns', 'bpf', 'chroot', 'perf_event_open', 'kcmp']) assert.ok(!allowed.has(gated), gated);
  assert.ok(allowed.has('read') && allowed.has('ptrace'), 'ptrace: allowed from kernel 4.8 on');
});

test('kill and trap defaults: SystemCallErrorNumber=kill, with what differs said; a native-only profile says native', () => {
  const kill = exportSystemd('exports/kill-default.seccomp.yaml');
  assert.match(kill, /^SystemCallErrorNumber=kill$/m);
  assert.match(kill, /^# syscalls\[\d+\] getcwd → SCMP_ACT_ERRNO\(4094\): .* killed instead/m);
  const trap = exportSystemd('exports/trap-default.seccomp.yaml');
  assert.match(trap, /^SystemCallErrorNumber=kill$/m);
  assert.match(trap, /^# defaultAction SCMP_ACT_TRAP: /m);
  assert.match(exportSystemd('exports/u64.seccomp.yaml'), /^SystemCallArchitectures=native$/m);
  assert.match(exportSystemd('exports/errno-default.seccomp.yaml'), /^SystemCallErrorNumber=ENOSYS$/m);
});

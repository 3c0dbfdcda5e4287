/**
 * Every denial explained (docs/sandbox.md, "Denials"): real runs on the real kernel, as root and as nobody. A refused
 * call reaches the helper's supervisor, is answered with the profile's own errno, and comes back in
 * `phantom run --report` and on stderr with the profile file, the line that refused it and a fix.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { denialOrigin, exitDenials } from '../../runtime/src/denials/denials';
import type { Denial } from '../../runtime/src/protocol';
import type { SandboxSpec } from '../../runtime/src/sandbox/sandboxSpawn';
import { ZygoteManager } from '../../runtime/src/zygote/zygoteManager';
import { REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
let dir: string;
let learned: string;

interface Report { exit: { code: number | null; signal: string | null }; denials: Denial[]; notes: string[] }

/** `phantom run` in `dir` (as nobody with `asNobody`), with its report. */
function run(args: string[], asNobody = false): { code: number | null; stdout: string; stderr: string; report: Report } {
  const report = path.join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const cli = [process.execPath, CLI, 'run', '--report', report, ...args];
  const r = asNobody
    ? spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'env', 'HOME=/nonexistent', ...cli], { cwd: dir, encoding: 'utf8', timeout: 60_000 })
    : spawnSync(cli[0], cli.slice(1), { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, report: JSON.parse(readFileSync(report, 'utf8')) as Report };
}

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-denials-'));
  chmodSync(dir, 0o777);
  learned = path.join(dir, 'echo.seccomp.json');
  const r = spawnSync(process.execPath, [CLI, 'learn', '--out', learned, '--', '/bin/echo', 'x'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  chmodSync(learned, 0o644);
});
after(() => rmSync(dir, { recursive: true, force: true }));

for (const asNobody of [false, true]) {
  test(`a profile learned from echo refuses mkdir: the report names mkdir, the profile's defaultAction line and a fix${asNobody ? ' (as nobody)' : ' (as root)'}`, () => {
    const target = path.join(dir, asNobody ? 'made-by-nobody' : 'made-by-root');
    const r = run(['--seccomp', learned, '--', '/bin/mkdir', target], asNobody);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Operation not permitted/, 'the profile\'s errno (EPERM) is what mkdir got');
    const mkdir = r.report.denials.find((d) => d.syscall === 'mkdir' || d.syscall === 'mkdirat');
    assert.ok(mkdir, JSON.stringify(r.report.denials));
    assert.equal(mkdir.kind, 'seccomp');
    assert.equal(mkdir.path, target, 'the path is read from the workload');
    assert.equal(mkdir.result, 'EPERM');
    assert.equal(mkdir.source?.file, learned);
    const lines = readFileSync(learned, 'utf8').split('\n');
    assert.match(lines[mkdir.source!.line! - 1], /"defaultAction"/, `line ${mkdir.source?.line} is the defaultAction that refused it`);
    const rule = /add `(mkdir|mkdirat)` to the rule at line (\d+)/.exec(mkdir.fix ?? '');
    assert.ok(rule, mkdir.fix);
    assert.match(lines[Number(rule[2]) - 1], /\{/, 'the fix names the line of an allow rule');
    // One line per distinct denial on stderr, after the command's own output.
    const at = r.stderr.indexOf(`phantom: refused ${mkdir.syscall} "${target}"`);
    assert.ok(at > r.stderr.indexOf('Operation not permitted'), r.stderr);
    assert.ok(r.stderr.slice(at).includes(`${learned}:${mkdir.source!.line}`), r.stderr);
  });
}

test('the answer is the profile\'s own errno for that rule (EACCES here), and the fix applied makes the run succeed', () => {
  const profile = path.join(dir, 'eacces.seccomp.json');
  const base = JSON.parse(readFileSync(learned, 'utf8')) as { defaultErrnoRet: number; syscalls: { names: string[] }[] };
  writeFileSync(profile, JSON.stringify({ ...base, defaultErrnoRet: 13 }, null, 2));
  const target = path.join(dir, 'eacces-dir');
  const r = run(['--seccomp', profile, '--', '/bin/mkdir', target]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Permission denied/);
  const mkdir = r.report.denials.find((d) => d.syscall === 'mkdir')!;
  assert.equal(mkdir.result, 'EACCES');
  // The fix, applied as it says ("add `mkdir` to the rule at line N": the first rule).
  base.syscalls[0].names.push(mkdir.syscall!, 'statfs');
  writeFileSync(profile, JSON.stringify(base, null, 2));
  const again = run(['--seccomp', profile, '--', '/bin/mkdir', target]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(again.report.denials.filter((d) => !d.expected), []);
});

test('a kill action stays a kernel kill: the run ends by SIGSYS and the report says the profile killed it', () => {
  const profile = path.join(dir, 'kill.seccomp.json');
  const base = JSON.parse(readFileSync(learned, 'utf8')) as Record<string, unknown>;
  writeFileSync(profile, JSON.stringify({ ...base, defaultAction: 'SCMP_ACT_KILL_PROCESS', defaultErrnoRet: undefined }, null, 2));
  const r = run(['--seccomp', profile, '--', '/bin/mkdir', path.join(dir, 'killed')]);
  assert.equal(r.report.exit.signal, 'SIGSYS', r.stderr);
  const killed = r.report.denials.find((d) => d.result === 'SIGSYS');
  assert.ok(killed, JSON.stringify(r.report.denials));
  assert.equal(killed.source?.file, profile);
});

for (const [name, argv] of [
  ['python3 -c print(1)', ['python3', '-c', 'print(1)']],
  ['node -e 1', ['node', '-e', '1']],
  ["sh -c 'ls /usr/bin'", ['sh', '-c', 'ls /usr/bin']],
] as const) {
  test(`${name} in the default sandbox reports no denial that is not expected`, () => {
    const r = run(['--', ...argv]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.report.denials.filter((d) => !d.expected), [], JSON.stringify(r.report.denials));
    assert.doesNotMatch(r.stderr, /phantom: refused/);
  });
}

test('the built-in profile\'s refusals are reported with its reason and the decisive argument (unshare, AF_VSOCK)', () => {
  const r = run(['--', '/bin/sh', '-c', 'unshare -U true 2>/dev/null; python3 -c "import socket; socket.socket(40, 1)" 2>/dev/null; true']);
  assert.equal(r.code, 0, r.stderr);
  const unshare = r.report.denials.find((d) => d.syscall === 'unshare');
  assert.ok(unshare, JSON.stringify(r.report.denials));
  assert.equal(unshare.source?.file, 'built-in default profile');
  assert.equal(unshare.argument, '0x10000000', 'CLONE_NEWUSER, read from the call');
  const vsock = r.report.denials.find((d) => d.syscall === 'socket');
  assert.equal(vsock?.argument, 'AF_VSOCK', JSON.stringify(r.report.denials));
  assert.match(vsock.source?.reason ?? '', /AF_VSOCK/);
  assert.match(r.stderr, /phantom: refused unshare \(0x10000000\) → EPERM by built-in default profile/);
});

/** A warm run (a zygote's primed workload) of `argv` under `seccompProfile` (default: the built-in profile). */
async function warmRun(argv: string[], seccompProfile?: string) {
  const manager = new ZygoteManager({ acceptTimeoutMs: 5000 });
  try {
    const spec: SandboxSpec = { argv, cwd: dir, env: { PATH: '/usr/bin:/bin' }, network: 'none', readOnly: [], readWrite: [], timeoutSeconds: 30, ...(seccompProfile ? { seccompProfile } : {}) };
    await manager.spawn(spec).exited;
    assert.ok(await manager.whenWarm(spec), 'a zygote became ready');
    const origin = denialOrigin(spec);
    const p = manager.spawn(spec);
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.stdout.resume();
    p.stdin.end();
    const exit = await p.exited;
    return { exit, stderr, denials: exitDenials(origin, exit) ?? [] };
  } finally {
    manager.dispose();
  }
}

test('warm runs report denials too (the listener is handed over with SCM_RIGHTS when the profile allows sendmsg)', async () => {
  const r = await warmRun(['/bin/sh', '-c', 'unshare -U true; echo done']);
  assert.equal(r.exit.warm, true, r.exit.notes.join('; '));
  assert.equal(r.exit.code, 0, r.stderr);
  assert.match(r.stderr, /Operation not permitted/);
  assert.ok(r.denials.some((d) => d.syscall === 'unshare' && d.source?.file === 'built-in default profile'), JSON.stringify(r.denials));
});

test('a warm run under a profile that refuses sendmsg keeps its refusals and says it reports none', async () => {
  const r = await warmRun(['/bin/mkdir', path.join(dir, 'warm-mkdir')], learned);
  assert.equal(r.exit.warm, true, r.exit.notes.join('; '));
  assert.equal(r.exit.code, 1, r.stderr);
  assert.match(r.stderr, /Operation not permitted/, 'refused with the profile\'s errno, as without the supervisor');
  assert.ok(r.exit.notes.some((n) => /seccomp denials are not reported for this zygote run/.test(n)), r.exit.notes.join('; '));
});

test('attack: the workload swaps its profile file for a FIFO during the run — the runtime does not block, the lines are those it ran', () => {
  const profile = path.join(dir, 'swapped.seccomp.json');
  writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] }, null, 2));
  chmodSync(profile, 0o666);
  const r = run(['--seccomp', profile, '--', '/bin/sh', '-c', `rm -f ${profile} && mkfifo ${profile} && mkdir ${path.join(dir, 'never')}; true`]);
  assert.equal(r.code, 0, r.stderr);
  const mkdir = r.report.denials.find((d) => d.syscall === 'mkdir' || d.syscall === 'mkdirat');
  assert.ok(mkdir, JSON.stringify(r.report.denials));
  assert.deepEqual(mkdir.source, { file: profile, line: 4 }, 'the rule\'s line in the file as it was run');
  rmSync(profile, { force: true });
});

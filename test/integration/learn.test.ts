// Learn mode on the REAL kernel with the REAL helper (build first: node scripts/build.mjs): record, propose,
// prove by replay; the learned profiles then hold the same workloads 20 times out of 20 and stop others.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, REPO } from '../support/fixtures';
import { helperPath, type SandboxSpec } from '../../runtime/src/sandbox/sandboxSpawn';
import { sandboxSpecFor } from '../../runtime/src/sandbox/sandboxSpec';
import { captureRun, learnProfile, recordOnce } from '../../runtime/src/learn/learnRun';
import { parseRecording, usageFromRecording, usedNames } from '../../runtime/src/learn/learnRecording';
import { renderJson, type ProposedProfile } from '../../runtime/src/learn/learnProposal';

const CLI = path.join(REPO, 'dist/cli.js');
/** Landlock's filesystem rights, as the recording counts them. */
const LL_READ_FILE = 1 << 2;
const LL_READ_DIR = 1 << 3;
let cwd: string;

before(() => {
  cwd = mkdtempSync(path.join(os.tmpdir(), 'phantom-learn-test-'));
});
after(() => rmSync(cwd, { recursive: true, force: true }));

function spec(argv: string[]): SandboxSpec {
  return sandboxSpecFor({ runId: 't', argv, cwd, timeoutSeconds: 60 }).spec;
}

function profileFile(p: ProposedProfile, name: string, errno?: number): string {
  const file = path.join(cwd, name);
  const o = JSON.parse(renderJson(p)) as Record<string, unknown>;
  if (errno !== undefined) o.defaultErrnoRet = errno;
  writeFileSync(file, JSON.stringify(o, null, 2));
  return file;
}

const workloads: [string, string[]][] = [
  ['python3 (pyenv)', ['python3', '-c', 'import json, threading; t = threading.Thread(target=print, args=("t",)); t.start(); t.join(); print(json.dumps({"a": [1, 2]}))']],
  ['python3 (Debian /usr/bin/python3)', ['/usr/bin/python3', '-c', 'import json, sqlite3; print(json.dumps(sqlite3.sqlite_version_info[:1] and 1))']],
  ['node', ['node', '-e', 'console.log(JSON.stringify({n: 1 + 1}))']],
  ['sh and coreutils', ['/bin/sh', '-c', 'echo a b c | tr a-z A-Z; ls /usr/share | head -n 3 | wc -l; seq 3 | sort -r']],
];

for (const [name, argv] of workloads) {
  test(`${name}: learn → proven by replay → same output 20 times out of 20 under the profile`, { timeout: 180_000 }, async () => {
    const result = await learnProfile({ argv, cwd, timeoutSeconds: 60 });
    assert.ok(result.replay.status === 'verified' || result.replay.status === 'fixed', `replay ${result.replay.status}: ${result.replay.reason}`);
    const reference = result.recorded[0];
    assert.equal(reference.code, 0, reference.stderr);
    const file = profileFile(result.profile, `${name.replace(/\W+/g, '_')}.seccomp.json`);
    let same = 0;
    const failures: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await captureRun({ ...spec(argv), seccompProfile: file });
      if (r.code === reference.code && r.stdout === reference.stdout) same++;
      else failures.push(`exit ${r.code ?? r.signal}: ${r.stderr.trim().slice(-300)}`);
    }
    assert.equal(same, 20, failures.join('\n'));
    const allowed = result.profile.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names).length;
    assert.ok(allowed < 90, `${allowed} syscalls allowed: a learned profile is far smaller than Docker's 426`);
  });
}

test('a learned python profile allows at most 20% of the 426 names of Docker\'s default', async () => {
  const r = await learnProfile({ argv: ['python3', '-c', 'import json, sqlite3'], cwd });
  const allowed = r.profile.syscalls.filter((x) => x.action === 'SCMP_ACT_ALLOW').flatMap((x) => x.names);
  assert.ok(allowed.length <= 0.2 * 426, `${allowed.length} names allowed`);
});

test('a profile learned from `true` stops python3', async () => {
  const r = await learnProfile({ argv: ['/bin/true'], cwd });
  assert.equal(r.replay.status, 'verified');
  const file = profileFile(r.profile, 'true.seccomp.json');
  const py = await captureRun({ ...spec(['python3', '-c', 'print("escaped")']), seccompProfile: file });
  assert.notEqual(py.code, 0, 'python3 ran under the profile learned from true');
  assert.ok(!py.stdout.includes('escaped'));
});

test('a syscall outside the learned set gets the profile\'s errno', async () => {
  const r = await learnProfile({ argv: ['/usr/bin/python3', '-c', 'print(1)'], cwd });
  assert.ok(!usedNames(r.usage).mkdir, 'the learn run does not mkdir');
  const file = profileFile(r.profile, 'errno.seccomp.json', 13 /* EACCES instead of the proposal's EPERM */);
  const code = 'import os\ntry:\n    os.mkdir("d")\n    print("made")\nexcept OSError as e:\n    print("errno", e.errno)';
  const run = await captureRun({ ...spec(['/usr/bin/python3', '-c', code]), seccompProfile: file });
  assert.equal(run.stdout.trim(), 'errno 13', run.stderr);
});

test('the hand-off leaves no syscall unfiltered: a libc-free program records exactly execve, getpid, exit', async () => {
  const exe = path.join(cwd, 'first-syscalls');
  const cc = spawnSync('cc', ['-static', '-nostdlib', '-O1', '-o', exe, path.join(FIXTURES, 'learn/first-syscalls.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, `cc failed (install gcc): ${cc.stderr}`);
  const { capture, usage } = await recordOnce(spec([exe]));
  assert.equal(capture.code, 7);
  assert.deepEqual(usedNames(usage), { execve: 1, exit: 1, getpid: 1 });
});

test('every child is followed: a shell pipeline records the children\'s execve too', async () => {
  const { usage } = await recordOnce(spec(['/bin/sh', '-c', '/bin/ls / | /usr/bin/wc -l']));
  assert.ok(usedNames(usage).execve >= 3, `execve counted ${usedNames(usage).execve} times`);
});

test("recorded paths are looked up in the sandbox's own root: an absolute link is never followed into the host's", async () => {
  // The workload links to a folder that exists only on the host (/root is not shown in the sandbox) and opens the
  // link. Looked up through /proc/PID/root/…, the link's absolute target was resolved against the HELPER's root: the
  // host folder was found, the open recorded as read_dir (the host's answer leaking into the proposal) and, in
  // --explain, a missing path taken for a present one. Resolved inside the sandbox's root, it is a file read.
  const hostOnly = mkdtempSync('/root/.phantom-learn-host-only-');
  mkdirSync(path.join(hostOnly, 'sub'));
  try {
    const { capture, paths } = await recordOnce(spec(['/bin/sh', '-c', `ln -sfn ${hostOnly} link; cat link 2>/dev/null; cat link/sub 2>/dev/null; rm -f link; echo done`]));
    assert.equal(capture.stdout, 'done\n', capture.stderr);
    const link = path.join(cwd, 'link');
    const rights = paths.paths[link];
    assert.ok(rights !== undefined, `no record of ${link}: ${JSON.stringify(paths.paths)}`);
    assert.equal(rights & LL_READ_DIR, 0, `the link's host target decided the right: ${rights}`);
    assert.notEqual(rights & LL_READ_FILE, 0, `a read of ${link} is a read_file: ${rights}`);
    const sub = paths.paths[path.join(link, 'sub')];
    if (sub !== undefined) assert.equal(sub & LL_READ_DIR, 0, `link/sub was looked up on the host: ${sub}`);
  } finally {
    rmSync(hostOnly, { recursive: true, force: true });
  }
});

test('learn mode works with the helper run unprivileged (setpriv uid 65534)', () => {
  const dir = mkdtempSync('/var/tmp/phantom-learn-unpriv-');
  chownSync(dir, 65534, 65534);
  try {
    const rec = path.join(dir, 'rec.json');
    const r = spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', helperPath(), '--cwd', dir, '--learn', rec, '--', '/bin/echo', 'hi'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    const usage = usageFromRecording(parseRecording(readFileSync(rec, 'utf8'), rec));
    assert.ok(usedNames(usage).execve === 1 && usedNames(usage).write >= 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('phantom learn CLI: writes a new file, never overwrites (FILE.proposed + diff), --runs merges; phantom export', () => {
  const out = path.join(cwd, 'cli.seccomp.yaml');
  const first = spawnSync(process.execPath, [CLI, 'learn', '--out', out, '--', '/bin/echo', 'x'], { cwd, encoding: 'utf8' });
  assert.equal(first.status, 0, first.stderr);
  const text = readFileSync(out, 'utf8');
  assert.match(text, /^defaultAction: SCMP_ACT_ERRNO$/m);
  const again = spawnSync(process.execPath, [CLI, 'learn', '--runs', '2', '--out', out, '--', '/bin/ls', '/usr'], { cwd, encoding: 'utf8' });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(readFileSync(out, 'utf8'), text, 'the existing file is untouched');
  const proposed = readFileSync(`${out}.proposed`, 'utf8');
  assert.match(proposed, /getdents64/, 'learning again adds what ls needs');
  assert.match(again.stdout, /^\+.*getdents64/m, 'the diff is printed');
  assert.ok(proposed.startsWith(text.split('\n')[0]), 'the existing profile is added to, not replaced');
  const sidecar = JSON.parse(readFileSync(`${out}.proposed.learned.json`, 'utf8')) as { runs: number };
  assert.equal(sidecar.runs, 4, 'two earlier runs (the default) + two new ones');
  const exp = spawnSync(process.execPath, [CLI, 'export', '--to', 'systemd', out], { encoding: 'utf8' });
  assert.equal(exp.status, 0, exp.stderr);
  assert.match(exp.stdout, /^SystemCallFilter=.*execve/m);
  const docker = spawnSync(process.execPath, [CLI, 'export', '--to', 'docker', out], { encoding: 'utf8' });
  assert.equal((JSON.parse(docker.stdout) as { defaultAction: string }).defaultAction, 'SCMP_ACT_ERRNO');
});

test('a replay that fails is fixed by a notify pass: the missing syscalls are found and added', async () => {
  const dir = mkdtempSync(path.join(cwd, 'fix-'));
  // First run (the learn run) takes one path, every later run another: the replay under the first proposal fails.
  const script = 'if [ -e marker ]; then mkdir d && rmdir d && echo ok; else : > marker && echo ok; fi';
  const r = await learnProfile({ argv: ['/bin/sh', '-c', script], cwd: dir, runs: 1 });
  assert.equal(r.replay.status, 'fixed', r.replay.reason);
  assert.ok(r.replay.added.includes('mkdir') && r.replay.added.includes('rmdir'), r.replay.added.join(', '));
  // A fix is reported as nondeterminism, not hidden.
  assert.ok(r.varying.includes('mkdir'), r.varying.join(', '));
  assert.ok(r.notes.some((n) => /matched only after adding .*mkdir.*not deterministic and the profile may be incomplete/.test(n)), r.notes.join(' | '));
  // With the default two runs the second run already takes the other path: verified, and the difference named.
  const twice = await learnProfile({ argv: ['/bin/sh', '-c', script], cwd: mkdtempSync(path.join(cwd, 'fix-')) });
  assert.equal(twice.replay.status, 'verified', twice.replay.reason);
  assert.ok(twice.varying.includes('mkdir') && twice.varying.includes('rmdir'), twice.varying.join(', '));
  assert.ok(twice.notes.some((n) => /2 recorded runs did not make the same syscalls/.test(n)), twice.notes.join(' | '));
});

test('a proposal whose replay keeps failing is flagged, never offered as working (CLI: FILE.unverified, exit 1)', async () => {
  const r = await learnProfile({ argv: ['/bin/date', '+%N'], cwd });
  assert.equal(r.replay.status, 'failed');
  assert.match(r.replay.reason ?? '', /not deterministic/);
  const out = path.join(cwd, 'random.seccomp.json');
  const cli = spawnSync(process.execPath, [CLI, 'learn', '--out', out, '--', '/bin/date', '+%N'], { cwd, encoding: 'utf8' });
  assert.equal(cli.status, 1, cli.stderr);
  assert.match(cli.stderr, /FAILED/);
  assert.ok(!existsSync(out), 'nothing at --out');
  assert.ok(existsSync(`${out}.unverified`));
});

test('deterministic: `true` learned three times gives the same profile bytes', async () => {
  const texts = new Set<string>();
  for (let i = 0; i < 3; i++) texts.add(renderJson((await learnProfile({ argv: ['/bin/true'], cwd, noReplay: true })).profile));
  assert.equal(texts.size, 1);
});

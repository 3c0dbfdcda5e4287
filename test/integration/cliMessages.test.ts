/** What the built `phantom` CLI (dist/cli.js) says to a person trying it: help, paths, endings, errors. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
let cwd: string;
let state: string;

before(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-cli-messages-'));
  // Approvals of this file's own (never the user's state folder), outside the runs' folder.
  state = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-cli-messages-state-'));
});
after(() => {
  fs.rmSync(cwd, { recursive: true, force: true });
  fs.rmSync(state, { recursive: true, force: true });
});

function phantom(args: string[]) {
  const env = { ...process.env, XDG_STATE_HOME: state };
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, env, input: '', encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The helper's internal name never reaches a CLI user. */
function assertNoHelperName(stderr: string) {
  assert.doesNotMatch(stderr, /phantom-sandbox/, stderr);
}

test('run --help and learn --help list every option they accept', () => {
  const run = phantom(['run', '--help']);
  assert.equal(run.code, 0);
  for (const option of ['--config', '--profile', '--file', '--seccomp', '--landlock', '--best-effort', '--network', '--ro', '--rw', '--timeout', '--verbose']) {
    assert.match(run.stdout, new RegExp(`^ {2}(-v, )?${option}\\b`, 'm'), option);
  }
  const learn = phantom(['learn', '--help']);
  assert.equal(learn.code, 0);
  for (const option of ['--json', '--timeout', '--out', '--runs', '--force']) assert.match(learn.stdout, new RegExp(`^ {2}${option}\\b`, 'm'), option);
});

test("--rw ./out from the README works: relative paths are the current directory's", () => {
  fs.mkdirSync(path.join(cwd, 'out'), { recursive: true });
  const r = phantom(['run', '--rw', './out', '--ro', '.', '--', 'sh', '-c', 'echo made > out/made.txt']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.readFileSync(path.join(cwd, 'out/made.txt'), 'utf8'), 'made\n');
});

test("the helper's errors reach a CLI user as phantom:, never phantom-sandbox:", () => {
  const r = phantom(['run', '--rw', './no-such-folder', '--', 'true']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^phantom: resolve_paths: --rw .*\/no-such-folder: openat2\(.*\): ENOENT .*it does not exist/m);
  assertNoHelperName(r.stderr);
  const root = phantom(['run', '--ro', '/proc', '--', 'true']);
  assert.equal(root.code, 125);
  assert.match(root.stderr, /^phantom: arguments: cannot bind \/proc/m);
  assertNoHelperName(root.stderr);
});

test("learn's sandbox errors say phantom: too", () => {
  const dir = path.join(cwd, 'bad-profile');
  fs.mkdirSync(dir, { recursive: true });
  // /proc cannot be bound (the sandbox makes its own): the helper refuses it.
  fs.writeFileSync(path.join(dir, 'phantom-fragment.yaml'), 'version: 1\nprofiles:\n  p:\n    run: [/bin/true]\n    filesystem:\n      readOnly: [/proc]\n');
  // Reading /proc is more than the defaults give: approved first, so that the helper is what refuses it.
  const trust = phantom(['trust', '--config', path.join(dir, 'phantom-fragment.yaml'), '--profile', 'p']);
  assert.equal(trust.code, 0, trust.stdout + trust.stderr);
  const r = phantom(['learn', '--config', path.join(dir, 'phantom-fragment.yaml'), '--profile', 'p', '--out', path.join(dir, 'p.seccomp.json')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^phantom: .*cannot bind \/proc: the sandbox makes its own/m);
  assertNoHelperName(r.stderr);
});

test('a run stopped by --timeout says "stopped after its 2 s timeout"', () => {
  const r = phantom(['run', '--timeout', '2', '--', 'sleep', '30']);
  assert.equal(r.code, 137, 'killed, as a shell reports it');
  assert.match(r.stderr, /^phantom: stopped after its 2 s timeout$/m);
  assert.doesNotMatch(r.stderr, /memory or time limit/);
});

test('a run stopped by the user (Ctrl+C) says "stopped"', async () => {
  const child = spawn(process.execPath, [CLI, 'run', '--', 'sh', '-c', 'echo ready; exec sleep 30'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  while (!stdout.includes('ready')) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.match(stderr, /^phantom: stopped \(SIGINT\)$/m);
  assert.doesNotMatch(stderr, /SIGKILL/);
});

test('a second learn into an existing file says it already matches, a learn that adds shows the diff', () => {
  const out = 'learned.seccomp.json';
  const first = phantom(['learn', '--out', out, '--', 'true']);
  assert.equal(first.code, 0, first.stderr);
  const again = phantom(['learn', '--out', out, '--', 'true']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /learned\.seccomp\.json already allows every syscall these runs used: nothing to change/);
  assert.doesNotMatch(again.stderr, /review the proposal/);
  const more = phantom(['learn', '--out', out, '--', 'ls', '/']);
  assert.equal(more.code, 0, more.stderr);
  assert.match(more.stderr, /review the proposal \(the diff below\)/);
  assert.match(more.stdout, /^\+\+\+ .*learned\.seccomp\.json\.proposed/m);
  assert.match(more.stdout, /^\+ +"write",?$/m, 'ls writes its listing, true writes nothing: the diff adds write');
});

test('export names its own FILE argument when the file cannot be read, not --seccomp', () => {
  const r = phantom(['export', '--to', 'docker', 'nope.json']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /nope\.json: cannot read the seccomp profile \(ENOENT\) — check the FILE given to phantom export/);
  assert.doesNotMatch(r.stderr, /--seccomp/);
});

test('an unknown option gets a did-you-mean, with balanced quotes', () => {
  const r = phantom(['run', '--netwrk', 'none', '--', 'true']);
  assert.equal(r.code, 2);
  const first = r.stderr.split('\n')[0];
  assert.match(first, /^phantom: unknown option --netwrk for 'phantom run'\. Did you mean --network\?/);
  assert.equal((first.match(/'/g) ?? []).length % 2, 0, first);
  assert.match(r.stderr, /^Usage: phantom run /m);
});

test('a file without execute permission exits 126, as a shell, with the fix', () => {
  fs.writeFileSync(path.join(cwd, 'script.sh'), '#!/bin/sh\necho hi\n', { mode: 0o644 });
  const r = phantom(['run', '--', './script.sh']);
  assert.equal(r.code, 126);
  assert.match(r.stderr, /^phantom: cannot execute .*\/script\.sh: it is not an executable file — give it execute permission \(chmod \+x\)/m);
  const shell = spawnSync('sh', ['-c', './script.sh'], { cwd, encoding: 'utf8' });
  assert.equal(shell.status, 126, 'the status a shell gives');
});

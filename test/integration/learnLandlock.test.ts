// Landlock learn mode on the real kernel: `phantom learn --landlock-out` records the paths and ports of a
// Python, a Node and a shell workload, proposes a landlockconfig profile, proves it by replay (stacked on the
// sandbox's own layer, alone and with the learned seccomp profile), and the proposal refuses what the workload
// never did.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/fixtures';
import { sandboxSpecFor } from '../../runtime/src/sandbox/sandboxSpec';
import { captureRun } from '../../runtime/src/learn/learnRun';
import { parsePathUsage } from '../../runtime/src/learn/learnPaths';
import { proposeLandlock, renderLandlock } from '../../runtime/src/learn/landlockProposal';
import { compileLandlock } from '../../runtime/src/policy/landlockCompiler';
import { loadLandlockProfile } from '../../runtime/src/policy/landlockProfileLoader';

const CLI = path.join(REPO, 'dist/cli.js');

interface LandlockSummary { varying: string[]; note?: string; written: string; status: string; reason?: string; added: string[]; replays: { alone: number; withSeccomp: number }; abi: number; ports: number[] }
interface Summary { status?: string; landlock: LandlockSummary }
const REPLAYS = '5';
const PORT = 47123;
let ws: string;
let outside: string;
let out: string;

before(() => {
  const build = spawnSync(process.execPath, [path.join(REPO, 'scripts/build.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  ws = mkdtempSync(path.join(os.tmpdir(), 'learn-ll-ws-'));
  // Outside the workspace and outside /tmp (which the sandbox grants whole): a folder shown with --ro.
  outside = mkdtempSync('/var/tmp/learn-ll-ro-');
  chmodSync(outside, 0o755); // the sandbox user is not the owner: it must be able to read it (DAC), Landlock decides the rest
  out = mkdtempSync(path.join(os.tmpdir(), 'learn-ll-out-'));
  mkdirSync(path.join(outside, 'data'));
  mkdirSync(path.join(outside, 'other'));
  writeFileSync(path.join(outside, 'data', 'a.txt'), 'hello\n');
  writeFileSync(path.join(outside, 'data', 'w.txt'), '');
  writeFileSync(path.join(outside, 'other', 'b.txt'), 'beside\n');
  writeFileSync(path.join(ws, 'input.txt'), 'in\n');
  writeFileSync(path.join(ws, 'work.py'), [
    'import socket',
    "print(len(open('/etc/hostname').read()) > 0)",
    `print(open(${JSON.stringify(path.join(outside, 'data', 'a.txt'))}).read().strip())`,
    "print(open('input.txt').read().strip())",
    "open('out.txt', 'w').write('x')",
    "open('/tmp/scratch.txt', 'w').write('y')",
    `s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', ${PORT})); s.listen(); s.close()`,
    "print('ok')",
  ].join('\n'));
});

after(() => {
  for (const d of [ws, outside, out]) rmSync(d, { recursive: true, force: true });
});

function learn(name: string, argv: string[], extra: string[] = [], expect?: RegExp): { summary: Summary; file: string; text: string } {
  // The workload works in the sandbox (else its failing runs would replay "alike" and prove little).
  const run = spawnSync(process.execPath, [CLI, 'run', ...extra, '--', ...argv], { cwd: ws, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  if (expect) assert.match(run.stdout, expect);
  const file = path.join(out, `${name}.landlock.yaml`);
  const r = spawnSync(process.execPath, [CLI, 'learn', '--json', '--replays', REPLAYS, '--out', path.join(out, `${name}.seccomp.json`), '--landlock-out', file, ...extra, '--', ...argv],
    { cwd: ws, encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const summary = JSON.parse(r.stdout) as Summary;
  return { summary, file, text: readFileSync(file, 'utf8') };
}

function assertNeverWide(text: string) {
  const parents = [...text.matchAll(/parent: \[(.*)\]/g)].flatMap((m) => JSON.parse(`[${m[1]}]`) as string[]);
  assert.ok(parents.length > 0);
  for (const bad of ['/', '/home', '/root', os.homedir(), '/etc', '/var', '/var/tmp']) assert.ok(!parents.includes(bad), `never grants ${bad}: ${parents.join(', ')}`);
}

function assertCheckClean(file: string) {
  const check = spawnSync(process.execPath, [CLI, 'check', file], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.doesNotMatch(check.stdout + check.stderr, /\b(error|warning):/, check.stdout);
}

/** Runs a Python probe in a sandbox (optionally showing `outside` read-write), with the proposal stacked or not. */
async function probe(code: string | string[], stack: string | undefined, readWriteOutside = false) {
  const { spec } = sandboxSpecFor({
    runId: 'probe', argv: typeof code === 'string' ? ['python3', '-c', code] : code, cwd: ws, network: 'loopback',
    readOnly: readWriteOutside ? [] : [outside], readWrite: readWriteOutside ? [outside] : [],
  });
  return captureRun({ ...spec, ...(stack ? { landlockStack: stack } : {}) });
}

const TRY = (body: string) => `import errno, socket\ntry:\n    ${body}\n    print('allowed')\nexcept OSError as e:\n    print('refused', errno.errorcode[e.errno])`;

test('python: learned Landlock profile is clean, replays alone and with seccomp, refuses what the workload never did', async () => {
  const { summary, file, text } = learn('py', ['python3', 'work.py'], ['--network', 'loopback', '--ro', outside], /True\nhello\nin\nok\n/);
  assert.equal(summary.status, 'verified', JSON.stringify(summary));
  assert.equal(summary.landlock.status, 'verified', JSON.stringify(summary.landlock));
  assert.deepEqual(summary.landlock.replays, { alone: Number(REPLAYS), withSeccomp: Number(REPLAYS) });
  assert.equal(summary.landlock.abi, 4, 'bind_tcp: ABI 4');
  assert.deepEqual(summary.landlock.ports, [PORT]);
  assert.match(text, /parent: \["\$\{workspaceFolder\}"\]/);
  assert.match(text, new RegExp(`parent: \\["${path.join(outside, 'data').replace(/[/.]/g, '\\$&')}"\\]`), 'the folder read, not its parent');
  assert.match(text, /parent: \["\/etc\/hostname"\]/);
  assertNeverWide(text);
  assertCheckClean(file);

  // Each refusal is the proposal's: the same probe without the stacked layer is allowed.
  const beside = TRY(`open(${JSON.stringify(path.join(outside, 'other', 'b.txt'))}).read()`);
  assert.match((await probe(beside, file)).stdout, /refused EACCES/);
  assert.match((await probe(beside, undefined)).stdout, /allowed/);
  // A write where it only read (the probe's sandbox shows the folder read-write: only Landlock can refuse).
  const write = TRY(`open(${JSON.stringify(path.join(outside, 'data', 'w.txt'))}, 'a').write('x')`);
  assert.match((await probe(write, file, true)).stdout, /refused EACCES/);
  assert.match((await probe(write, undefined, true)).stdout, /allowed/);
  const port = TRY(`s = socket.socket(); s.bind(('127.0.0.1', ${PORT + 1}))`);
  assert.match((await probe(port, file)).stdout, /refused EACCES/);
  assert.match((await probe(port, undefined)).stdout, /allowed/);
  assert.match((await probe(TRY(`s = socket.socket(); s.bind(('127.0.0.1', ${PORT}))`), file)).stdout, /allowed/, 'the port it used');
  assert.match((await probe(TRY("open('/etc/shadow').read()"), file)).stdout, /refused EACCES/);
});

test('the same recording gives byte-identical proposals; TOML, YAML and JSON compile to the same rules', () => {
  const file = path.join(out, 'py.landlock.yaml');
  const usage = parsePathUsage(readFileSync(`${file}.learned.json`, 'utf8'), 'sidecar');
  const text = readFileSync(file, 'utf8');
  assert.equal(renderLandlock(proposeLandlock(usage, ws), 'yaml'), text, 'the sidecar regenerates the same bytes');
  const plans = (['json', 'yaml', 'toml'] as const).map((format) => {
    const a = renderLandlock(proposeLandlock(usage, ws), format);
    assert.equal(renderLandlock(proposeLandlock(usage, ws), format), a);
    const f = path.join(out, `same.landlock.${format}`);
    writeFileSync(f, a);
    assertCheckClean(f);
    const plan = compileLandlock(loadLandlockProfile(f), f, ws);
    return { ...plan, rules: [...plan.rules].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))) };
  });
  assert.deepEqual(plans[1], plans[0]);
  assert.deepEqual(plans[2], plans[0]);
});

test('node: learned Landlock profile replays alone and with seccomp, refuses a folder beside the one it read', async () => {
  const script = `const fs = require('fs'); console.log(fs.readFileSync(${JSON.stringify(path.join(outside, 'data', 'a.txt'))}, 'utf8').trim()); ` +
    "fs.writeFileSync('node-out.txt', 'n'); console.log(fs.readdirSync('.').includes('input.txt'));";
  const { summary, file, text } = learn('node', ['node', '-e', script], ['--ro', outside], /hello\ntrue\n/);
  assert.equal(summary.landlock.status, 'verified', JSON.stringify(summary.landlock));
  assert.deepEqual(summary.landlock.replays, { alone: Number(REPLAYS), withSeccomp: Number(REPLAYS) });
  assertNeverWide(text);
  assertCheckClean(file);
  const beside = `try { require('fs').readFileSync(${JSON.stringify(path.join(outside, 'other', 'b.txt'))}); console.log('allowed') } catch (e) { console.log('refused', e.code) }`;
  assert.match((await probe(['node', '-e', beside], file)).stdout, /refused EACCES/);
  assert.match((await probe(['node', '-e', beside], undefined)).stdout, /allowed/);
});

test('shell pipeline: learned Landlock profile replays and refuses /etc/shadow', async () => {
  const { summary, file, text } = learn('sh', ['/bin/sh', '-c', 'cat input.txt | tr a-z A-Z > shout.txt && cat shout.txt && ls /usr/share >/dev/null && echo done'], [], /IN\ndone\n/);
  assert.equal(summary.landlock.status, 'verified', JSON.stringify(summary.landlock));
  assert.deepEqual(summary.landlock.replays, { alone: Number(REPLAYS), withSeccomp: Number(REPLAYS) });
  assertNeverWide(text);
  assertCheckClean(file);
  const shadow = await probe(['/bin/sh', '-c', 'cat /etc/shadow >/dev/null && echo allowed || echo refused'], file);
  assert.match(shadow.stdout, /refused/);
  assert.match(shadow.stderr, /Permission denied/);
});

test('a replay that fails is fixed by a notify pass that names the refused access', () => {
  // The recorded run (one) never reads the file beside; every later run does: the first replay fails.
  const flag = path.join(ws, 'seen');
  rmSync(flag, { force: true });
  const code = `import os\nif os.path.exists('seen'):\n    print(open(${JSON.stringify(path.join(outside, 'other', 'b.txt'))}).read().strip())\nelse:\n    open('seen', 'w').write('1')\n    print('beside')`;
  const file = path.join(out, 'flaky.landlock.yaml');
  const r = spawnSync(process.execPath, [CLI, 'learn', '--json', '--runs', '1', '--replays', '1', '--landlock-out', file, '--ro', outside, '--', 'python3', '-c', code],
    { cwd: ws, encoding: 'utf8', timeout: 240_000 });
  const summary = JSON.parse(r.stdout) as Summary;
  // The notify pass sees the read of the folder beside and adds it: fixed, with the access named.
  assert.equal(summary.landlock.status, 'fixed', JSON.stringify(summary.landlock));
  assert.ok(summary.landlock.added.some((a: string) => a === `read_file ${path.join(outside, 'other', 'b.txt')}`), JSON.stringify(summary.landlock.added));
  assert.equal(r.status, 0);
});

test('a proposal that cannot be proven is never offered as verified: FILE.unverified, the reason, exit 1', () => {
  // Its output differs on every run: no replay can match, and the notify pass finds no refused access to add.
  const file = path.join(out, 'random.landlock.yaml');
  const r = spawnSync(process.execPath, [CLI, 'learn', '--json', '--runs', '1', '--replays', '1', '--landlock-out', file, '--', 'python3', '-c', 'import os; print(os.urandom(8).hex())'],
    { cwd: ws, encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const summary = JSON.parse(r.stdout) as Summary;
  assert.equal(summary.landlock.status, 'failed');
  assert.equal(summary.landlock.written, `${file}.unverified`);
  assert.match(summary.landlock.reason ?? "", /stdout differs.*found no recorded access the proposal refuses/);
  assert.ok(!existsSync(file), 'nothing is written as if it worked');
});

test('runs that use different paths are reported as nondeterministic, with the rules seen in only some runs', () => {
  // The first recorded run reads the folder outside, the second does not.
  const flag = path.join(ws, 'second');
  rmSync(flag, { force: true });
  const code = `import os\nif not os.path.exists('second'):\n    open('second', 'w').write('1')\n    open(${JSON.stringify(path.join(outside, 'data', 'a.txt'))}).read()\nprint('x')`;
  const file = path.join(out, 'varying.landlock.yaml');
  const r = spawnSync(process.execPath, [CLI, 'learn', '--json', '--runs', '2', '--replays', '1', '--landlock-out', file, '--ro', outside, '--', 'python3', '-c', code],
    { cwd: ws, encoding: 'utf8', timeout: 240_000 });
  const summary = JSON.parse(r.stdout) as Summary;
  assert.ok(summary.landlock.varying.includes(`read_file ${path.join(outside, 'data')}`), JSON.stringify(summary.landlock.varying));
  assert.match(summary.landlock.note ?? '', /not deterministic and the Landlock profile may be incomplete/);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

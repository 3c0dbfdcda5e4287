#!/usr/bin/env node
// `npm test`: everything on a fresh machine of this kind — installs what the tests need, builds, lints, then
// runs the three layers (unit, integration, e2e; the e2e layer packages the .vsix first and tests it installed)
// and ends with one line per layer and the total.
// Uses only Node's built-ins at the top: node_modules may not exist yet.
//   node scripts/test.mjs [--layer unit|integration|e2e]... [--no-install]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.flatMap((a, i) => (a === '--layer' ? [args[i + 1]] : []));
const out = path.join(root, 'test-output');
fs.mkdirSync(out, { recursive: true });

function step(title, command, commandArgs, options = {}) {
  console.log(`\n=== ${title}: ${command} ${commandArgs.join(' ')}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw new Error(`${title}: ${result.error.message}`);
  return result.status ?? 1;
}

function must(title, command, commandArgs, options) {
  const status = step(title, command, commandArgs, options);
  if (status !== 0) {
    console.error(`\n${title} failed (exit ${status}).`);
    process.exit(status);
  }
}

// 1. npm packages: install when node_modules is missing or older than the lock file.
const installed = path.join(root, 'node_modules/.package-lock.json');
const lock = path.join(root, 'package-lock.json');
if (!args.includes('--no-install') && (!fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs)) {
  must('install', 'npm', ['ci', '--no-audit', '--no-fund']);
}
// 2. Test tools of the machine (chromium, code-server, crun, systemd-analyze, …) for the integration and e2e layers.
if (!args.includes('--no-install') && (only.length === 0 || only.includes('e2e') || only.includes('integration'))) must('test tools', process.execPath, ['scripts/ensure-test-tools.mjs']);
// 3. Build everything (native helper included), then lint and type-check.
must('build', process.execPath, ['scripts/build.mjs']);
if (only.length === 0) {
  must('lint', process.execPath, ['node_modules/eslint/bin/eslint.js', '--max-warnings=0', '.']);
  must('type-check', process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.', '--noEmit']);
  // The webview script runs in a browser: it has its own config with the DOM types.
  must('type-check (webview)', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'client/media', '--noEmit']);
  // The committed domain tables (model/data/) are what scripts/gen-domain-data.mjs makes from its sources.
  must('domain data', process.execPath, ['scripts/gen-domain-data.mjs', '--check']);
}

function testFiles(dir, suffix) {
  const folder = path.join(root, dir);
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * The most a layer may take, in minutes (it takes a fraction of it on this machine kind: unit ~2, integration ~10,
 * e2e ~6). A test file that hangs — a test that never settles, or a process that never exits after its tests — is
 * then stopped and reported as a failure of its layer, and the other layers still run, instead of the whole run
 * waiting until CI's own limit (90 minutes) ends it with no verdict.
 */
const LAYER_MINUTES = { unit: 12, integration: 35, e2e: 25 };
/** One test may take 10 minutes unless it says otherwise ({ timeout }): past that it is cancelled, by name. */
const TEST_TIMEOUT_MS = 600_000;

/** Runs node's test runner on the files and reads the counts from its TAP report. */
function layer(name, files, extra = []) {
  const tap = path.join(out, `${name}.tap`);
  fs.rmSync(tap, { force: true });
  const minutes = LAYER_MINUTES[name];
  // coreutils' timeout puts the runner and its test-file processes in a process group of its own and ends the
  // whole group: SIGTERM at the limit, SIGKILL 20 s later. Exit 124 (or 137 after the SIGKILL) means it fired.
  const status = step(`${name} tests`, 'timeout', [
    '--kill-after=20s', `${minutes}m`, process.execPath,
    '--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...extra, ...files,
  ]);
  const report = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  const count = (key) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(report)?.[1] ?? 0);
  // A report cut short (the runner stopped or died) has no totals: its tests are counted line by line, and the layer
  // fails whatever they say. So does any exit but 0 that no failing test explains.
  const complete = /^# pass \d+$/m.test(report);
  const lines = (re) => (report.match(re) ?? []).length;
  const passed = complete ? count('pass') : lines(/^ok \d+ - /gm);
  const failed = complete ? count('fail') + count('cancelled') : lines(/^not ok \d+ - /gm);
  let stopped;
  if (status === 124 || status === 137) stopped = `stopped after ${minutes} minutes: a test file did not finish (the last lines of its output above say which)`;
  else if (!complete && report !== '') stopped = `the test runner ended (exit ${status}) before its report was complete`;
  else if (status !== 0 && failed === 0) stopped = `the test runner exited ${status} with no failing test`;
  return { name, passed, failed, skipped: count('skipped') + count('todo'), ran: report !== '', failures: failuresIn(report), stopped };
}

/**
 * Each failed test of a TAP report with the first lines of its error, so the end of the log (all a CI summary
 * may keep) says why, not only that. Suites that failed only through their subtests are left out.
 */
function failuresIn(report) {
  const lines = report.split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
    if (!head) continue;
    const block = [];
    if (lines[i + 1]?.trim() === '---') {
      for (let j = i + 2; j < lines.length && lines[j] !== `${head[1]}  ...`; j++) block.push(lines[j].slice(head[1].length + 2));
    }
    if (block.some((l) => l.startsWith("failureType: 'subtestsFailed'"))) continue;
    const start = block.findIndex((l) => l.startsWith('error:'));
    const end = block.findIndex((l, k) => k > start && /^(code|name|expected|actual|operator|stack):/.test(l));
    const error = start < 0 ? [] : block.slice(start, end < 0 ? undefined : end).filter((l) => l.trim() !== '');
    found.push({ name: head[2], error: error.slice(0, 20) });
  }
  return found;
}

const layers = [
  ['unit', () => layer('unit', testFiles('test/unit', '.test.ts'))],
  ['integration', () => layer('integration', testFiles('test/integration', '.test.ts'))],
  // The e2e layer tests the extension as a user installs it: the .vsix that `npm run package` builds and checks
  // (scripts/package.mjs), installed into each run's fresh code-server profile (test/e2e/codeServer.ts).
  ['e2e', () => {
    must('package', process.execPath, ['scripts/package.mjs']);
    return layer('e2e', testFiles('test/e2e', '.e2e.test.ts'));
  }],
];

const results = [];
for (const [name, run] of layers) if (only.length === 0 || only.includes(name)) results.push(run());

console.log('');
for (const r of results) {
  for (const f of r.failures) {
    console.log(`FAILED (${r.name}): ${f.name}`);
    for (const line of f.error) console.log(`    ${line}`);
  }
}
let passed = 0;
let failed = 0;
for (const r of results) {
  // A layer that ran nothing, or that skipped anything on this machine, has not tested what it should.
  const problems = [];
  if (!r.ran || r.passed + r.failed === 0) problems.push('ran no test');
  if (r.skipped > 0 && process.env.PHANTOM_ALLOW_SKIP !== '1') problems.push(`${r.skipped} skipped (nothing may skip on this machine kind)`);
  if (r.stopped) problems.push(r.stopped);
  console.log(`${r.name}: ${r.passed} passed${r.failed ? `, ${r.failed} failed` : ''}${problems.length ? ` — ${problems.join('; ')}` : ''}`);
  passed += r.passed;
  failed += r.failed + (problems.length ? 1 : 0);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

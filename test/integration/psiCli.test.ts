/** `phantom pressure` (dist/cli.js, built by scripts/build.mjs) against /proc/pressure read around it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parsePressureFile, PSI_RESOURCES, type PsiSnapshot } from '../../runtime/src/psi/psiParser';
import { REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
const HAS_PSI = fs.existsSync('/proc/pressure/cpu');

function readProc(): PsiSnapshot {
  const snapshot = {} as PsiSnapshot;
  for (const r of PSI_RESOURCES) snapshot[r] = parsePressureFile(fs.readFileSync(`/proc/pressure/${r}`, 'utf8'), r);
  return snapshot;
}

test('phantom --help lists pressure', () => {
  const result = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  assert.match(result.stdout, /^ {2}pressure +show the pressure stall information/m);
});

test('phantom pressure --json agrees with /proc/pressure read just before and after', { skip: !HAS_PSI && 'no /proc/pressure' }, () => {
  const before = readProc();
  const started = Date.now();
  const result = spawnSync(process.execPath, [CLI, 'pressure', '--json'], { encoding: 'utf8', timeout: 30_000 });
  const after = readProc();
  // The kernel recomputes the averages every 2 s: with a slower run two updates may fall in between.
  const checkAverages = Date.now() - started < 1900;
  assert.equal(result.status, 0, result.stderr);
  const printed = JSON.parse(result.stdout) as PsiSnapshot;
  assert.deepEqual(Object.keys(printed), ['cpu', 'memory', 'io']);
  for (const resource of PSI_RESOURCES) {
    // Exactly the kinds the kernel's file has (cpu full since 5.13), each with exactly the four figures.
    assert.deepEqual(Object.keys(printed[resource]), Object.keys(before[resource]), resource);
    for (const kind of ['some', 'full'] as const) {
      const line = printed[resource][kind];
      if (!line) continue;
      assert.deepEqual(Object.keys(line), ['avg10', 'avg60', 'avg300', 'total']);
      const [b, a] = [before[resource][kind]!, after[resource][kind]!];
      assert.ok(b.total <= line.total && line.total <= a.total, `${resource} ${kind} total ${line.total} is not between ${b.total} and ${a.total}`);
      for (const avg of ['avg10', 'avg60', 'avg300'] as const) {
        assert.ok(line[avg] >= 0 && line[avg] <= 100, `${resource} ${kind} ${avg}=${line[avg]}`);
        if (!checkAverages) continue;
        // The kernel updates the averages every 2 s: the printed one is one of the values seen around it.
        const lo = Math.min(b[avg], a[avg]);
        const hi = Math.max(b[avg], a[avg]);
        assert.ok(line[avg] >= lo - 0.01 && line[avg] <= hi + 0.01, `${resource} ${kind} ${avg}=${line[avg]} not within [${lo}, ${hi}]`);
      }
    }
  }
});

test('phantom pressure prints a table; --watch --json prints one object per line until interrupted', { skip: !HAS_PSI && 'no /proc/pressure', timeout: 20_000 }, async () => {
  const table = spawnSync(process.execPath, [CLI, 'pressure'], { encoding: 'utf8' });
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /^cpu +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+/m);

  const child = spawn(process.execPath, [CLI, 'pressure', '--watch', '--json', '--interval', '200'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  while (out.split('\n').filter(Boolean).length < 3) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGINT');
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 0);
  for (const line of out.split('\n').filter(Boolean)) assert.deepEqual(Object.keys(JSON.parse(line)), ['cpu', 'memory', 'io']);
});

test('phantom pressure rejects unknown options with the usage', () => {
  const result = spawnSync(process.execPath, [CLI, 'pressure', '--frobnicate'], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /Usage: phantom pressure \[--json\] \[--watch\] \[--interval MS\]/);
});

// `phantom bench --spawn --json` prints one JSON object of the documented shape. Timing targets are NOT asserted
// here: performance is measured by the benchmark itself, not by timed tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const CLI = path.resolve(__dirname, '../../dist/cli.js');

test('phantom bench --spawn --json prints p50/p99 per way of spawning, ratios and the zygote memory', () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run node scripts/build.mjs first`);
  const r = spawnSync(process.execPath, [CLI, 'bench', '--spawn', '--json', '--runs', '3'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown> & {
    spawn: Record<string, { p50Ms: number; p99Ms: number } | null>;
    ratios: Record<string, number | null>;
    targets: { name: string; met: boolean | null }[];
  };
  for (const kind of ['unsandboxed', 'cold', 'warm', ...(existsSync('/usr/bin/bwrap') ? ['bwrap'] : [])]) {
    const s = out.spawn[kind];
    assert.ok(s, `spawn.${kind} measured`);
    assert.ok(s.p50Ms > 0 && s.p99Ms >= s.p50Ms, `spawn.${kind}: ${JSON.stringify(s)}`);
  }
  assert.deepEqual(Object.keys(out.ratios).sort(), ['bwrapOverWarm', 'coldOverUnsandboxed', 'warmOverUnsandboxed']);
  assert.equal(typeof out.zygoteRssKiB, 'number');
  assert.ok((out.zygoteRssKiB as number) > 0);
  assert.equal(out.targets.length, 4);
  assert.equal(out.warmMisses, 0, 'every warm measurement was served by a zygote');
});

test('phantom bench --help names the kinds', () => {
  const r = spawnSync(process.execPath, [CLI, 'bench', '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /phantom bench \[--spawn\].*\[--json\] \[--runs N\]/);
});

#!/usr/bin/env node
// Builds the native sandbox helper: native/src/*.c -> dist/native/phantom-sandbox.
//   node scripts/build-native.mjs [--force]
// Uses $CC or cc; skips the build when the output is newer than every source.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'native/src');
const out = path.join(root, 'dist/native/phantom-sandbox');
const force = process.argv.includes('--force');

const sources = readdirSync(srcDir).filter((f) => f.endsWith('.c')).sort().map((f) => path.join(srcDir, f));
const inputs = [...sources, ...readdirSync(srcDir).filter((f) => f.endsWith('.h')).map((f) => path.join(srcDir, f)),
  fileURLToPath(import.meta.url)];

const newestInput = Math.max(...inputs.map((f) => statSync(f).mtimeMs));
if (!force && existsSync(out) && statSync(out).mtimeMs > newestInput) {
  console.log(`build-native: ${path.relative(root, out)} is up to date`);
  process.exit(0);
}

const cc = process.env.CC || 'cc';
const probe = spawnSync(cc, ['--version'], { stdio: 'ignore' });
if (probe.error) {
  console.error(`build-native: C compiler "${cc}" not found (${probe.error.code}); install one with \`apt-get install gcc\` or set CC`);
  process.exit(1);
}

mkdirSync(path.dirname(out), { recursive: true });
// Linked statically where the C library allows it (Debian's libc6-dev ships libc.a): no dynamic loader and no
// relocations at each start (a cold sandbox starts ~0.5 ms sooner on the reference VM, `phantom bench --spawn`),
// and a waiting zygote keeps fewer pages. Without libc.a it is linked dynamically, with a note.
const common = ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-O2', '-o', out, ...sources, '-lm'];
let args = [...common, '-static-pie']; // static, and still position-independent: ASLR as a dynamic build has
let result = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
if (result.status !== 0 && /cannot find -lc|cannot find -lm/.test(result.stderr ?? '')) {
  console.log('build-native: no static C library (libc.a; Debian: libc6-dev): linking dynamically, each sandbox start pays the dynamic loader');
  args = common;
  result = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
}
if (result.stderr) process.stderr.write(result.stderr);
if (result.status !== 0) {
  console.error(`build-native: ${cc} ${args.join(' ')} failed`);
  process.exit(result.status ?? 1);
}
console.log(`build-native: built ${path.relative(root, out)}${args.includes('-static-pie') ? ' (static-pie)' : ''}`);

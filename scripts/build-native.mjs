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
const args = ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-O2', '-o', out, ...sources, '-lm'];
const result = spawnSync(cc, args, { stdio: 'inherit' });
if (result.status !== 0) {
  console.error(`build-native: ${cc} ${args.join(' ')} failed`);
  process.exit(result.status ?? 1);
}
console.log(`build-native: built ${path.relative(root, out)}`);

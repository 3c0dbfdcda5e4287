#!/usr/bin/env node
// Builds the native sandbox helper: native/src/*.c -> dist/native/<platform>-<arch>/phantom-sandbox.
//   node scripts/build-native.mjs [--all] [--force]
// Without --all, for this machine only (`npm run build`, `npm start`); with --all, for every target of
// scripts/targets.mjs (`npm run package`: one .vsix carries linux-x64 and linux-arm64), the other architecture with
// its cross compiler (`<gnu>-gcc`; ensure-test-tools.mjs installs Debian's). dist/native/phantom-sandbox is a link
// to this machine's helper, for the checkout's scripts and tests (not packaged: .vscodeignore).
// Uses $CC or cc for this machine ($CC_LINUX_ARM64 / $CC_LINUX_X64 for a cross build); skips a target whose
// output is newer than every source.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { TARGETS, compilerFor, elfMachine, nativeTarget } from './targets.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'native/src');
const nativeDir = path.join(root, 'dist/native');
const force = process.argv.includes('--force');
const all = process.argv.includes('--all');

const sources = fs.readdirSync(srcDir).filter((f) => f.endsWith('.c')).sort().map((f) => path.join(srcDir, f));
const inputs = [...sources, ...fs.readdirSync(srcDir).filter((f) => f.endsWith('.h')).map((f) => path.join(srcDir, f)),
  fileURLToPath(import.meta.url), path.join(root, 'scripts/targets.mjs')];
const newestInput = Math.max(...inputs.map((f) => fs.statSync(f).mtimeMs));

const here = nativeTarget();
if (!here) {
  console.error(`build-native: no helper target for ${process.platform}-${process.arch} (supported: ${TARGETS.map((t) => t.name).join(', ')})`);
  process.exit(1);
}

function fail(message) {
  console.error(`build-native: ${message}`);
  process.exit(1);
}

function build(target) {
  const out = path.join(nativeDir, target.name, 'phantom-sandbox');
  if (!force && fs.existsSync(out) && fs.statSync(out).mtimeMs > newestInput) {
    console.log(`build-native: ${path.relative(root, out)} is up to date`);
    return;
  }
  const cc = compilerFor(target);
  const cross = target !== here;
  const probe = spawnSync(cc, ['--version'], { stdio: 'ignore' });
  if (probe.error) {
    fail(cross
      ? `the ${target.name} helper needs the cross compiler "${cc}", which is not installed (${probe.error.code}): ` +
        `\`npm run test-tools\` installs it, or \`sudo apt-get install -y ${target.debian.join(' ')}\` (or set CC_${target.name.replace('-', '_').toUpperCase()})`
      : `C compiler "${cc}" not found (${probe.error.code}); install one with \`apt-get install gcc\` or set CC`);
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // Linked statically where the C library allows it (Debian's libc6-dev, and libc6-dev-<arch>-cross for a cross
  // build, ship libc.a): no dynamic loader and no relocations at each start (a cold sandbox starts ~0.5 ms sooner on
  // the reference VM, `phantom bench --spawn`), and a waiting zygote keeps fewer pages. Without libc.a it is linked
  // dynamically, with a note.
  const common = ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-O2', '-o', out, ...sources, '-lm'];
  let args = [...common, '-static-pie']; // static, and still position-independent: ASLR as a dynamic build has
  let result = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0 && /cannot find -lc|cannot find -lm/.test(result.stderr ?? '')) {
    console.log(`build-native: no static C library for ${target.name} (libc.a; Debian: ${cross ? target.debian[1] : 'libc6-dev'}): ` +
      'linking dynamically, each sandbox start pays the dynamic loader');
    args = common;
    result = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  }
  if (result.stderr) process.stderr.write(result.stderr);
  if (result.status !== 0) fail(`${cc} ${args.join(' ')} failed`);
  const elf = elfMachine(out);
  if (elf.machine !== target.eMachine) fail(`${cc} built ${path.relative(root, out)} for ELF machine ${elf.machine ?? elf.problem}, not ${target.machine} (${target.eMachine})`);
  console.log(`build-native: built ${path.relative(root, out)}${args.includes('-static-pie') ? ' (static-pie)' : ''}${cross ? ` with ${cc}` : ''}`);
}

for (const target of all ? TARGETS : [here]) build(target);

// The checkout's own path to this machine's helper: a relative link, so dist/ can move.
const link = path.join(nativeDir, 'phantom-sandbox');
const to = path.join(here.name, 'phantom-sandbox');
let current;
try {
  current = fs.lstatSync(link).isSymbolicLink() ? fs.readlinkSync(link) : 'a file';
} catch {
  current = undefined;
}
if (current !== to) {
  fs.rmSync(link, { force: true });
  fs.symlinkSync(to, link);
}

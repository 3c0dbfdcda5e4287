#!/usr/bin/env node
// Builds everything: the native helper (C, system compiler) and one esbuild bundle per process.
//   node scripts/build.mjs [--production] [--all-targets] [--watch]
import { build, context } from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { webviewOptions } from './build-webview.mjs';
import { koffiAddon } from './koffi-addons.mjs';
import { TARGETS, elfMachine, nativeTarget } from './targets.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// --all-targets (npm run package): the helper and koffi's addon for every target of scripts/targets.mjs, so one
// .vsix runs on linux-x64 and linux-arm64; otherwise for this machine only.
const allTargets = process.argv.includes('--all-targets');
const native = spawnSync(process.execPath, [path.join(root, 'scripts/build-native.mjs'), ...(allTargets ? ['--all'] : [])], { stdio: 'inherit' });
if (native.status !== 0) process.exit(native.status ?? 1);

copyKoffiAddons(allTargets ? TARGETS : [nativeTarget()]);

// The schema validators compiled ahead of time (model/generated/, not in git): the bundles import them.
const validators = spawnSync(process.execPath, [path.join(root, 'scripts/gen-schema-validators.mjs')], { stdio: 'inherit' });
if (validators.status !== 0) process.exit(validators.status ?? 1);

/**
 * koffi's API is its native addon, which npm installs in the optional package @koromix/koffi-<platform>-<arch>.
 * The bundles load it from dist/native/koffi/<platform>_<arch>/ (native/bindings/koffi.ts, chosen at run time), so
 * neither the extension nor the CLI depends on node_modules at run time: copy each target's addon there
 * (scripts/koffi-addons.mjs), with koffi's licence (MIT; the platform packages are koffi's, under the same licence).
 */
function copyKoffiAddons(targets) {
  const dir = path.join(root, 'dist/native/koffi');
  for (const target of targets) {
    let from;
    try {
      from = koffiAddon(root, target);
    } catch (e) {
      console.error(`build: koffi's native module for ${target.name} is missing: ${e.message}`);
      process.exit(1);
    }
    const elf = elfMachine(from);
    if (elf.machine !== target.eMachine) {
      console.error(`build: ${path.relative(root, from)} is for ELF machine ${elf.machine ?? elf.problem}, not ${target.machine}`);
      process.exit(1);
    }
    fs.mkdirSync(path.join(dir, target.koffi), { recursive: true });
    fs.copyFileSync(from, path.join(dir, target.koffi, 'koffi.node'));
  }
  fs.copyFileSync(path.join(root, 'node_modules/koffi/LICENSE.txt'), path.join(dir, 'LICENSE.txt'));
}

/**
 * One bundle per process; each is a single CommonJS file for Node 20 that needs nothing from node_modules:
 * every JavaScript dependency is bundled, and koffi is loaded from its native addon (see copyKoffiAddons).
 */
const shippedKoffi = { PHANTOM_SHIPPED_KOFFI: 'true' };
const bundles = [
  { entry: 'client/src/extension.ts', out: 'dist/client.js', external: ['vscode'] },
  { entry: 'server/src/server.ts', out: 'dist/server.js', external: [] },
  // `koffi` itself is never reached from a bundle (PHANTOM_SHIPPED_KOFFI): external keeps esbuild from pulling it in.
  { entry: 'runtime/src/runtimeMain.ts', out: 'dist/runtime.js', external: ['koffi'], define: shippedKoffi },
  { entry: 'runtime/src/cli/cli.ts', out: 'dist/cli.js', external: ['koffi'], banner: '#!/usr/bin/env node', define: shippedKoffi },
];

const options = (b) => ({
  entryPoints: [path.join(root, b.entry)],
  outfile: path.join(root, b.out),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Prefer ES modules: jsonc-parser's UMD build hides its requires from the bundler.
  mainFields: ['module', 'main'],
  sourcemap: production ? false : 'linked',
  minify: production,
  // Comments kept in a bundle may hold non-ASCII (em dashes): V8 then keeps the whole source as a two-byte
  // string. Without them the server's 1.5 MB bundle is ASCII: 1.6 MiB less resident (docs/performance.md).
  minifyWhitespace: production || b.out === 'dist/server.js',
  external: b.external,
  define: b.define,
  banner: b.banner ? { js: b.banner } : undefined,
  logLevel: 'warning',
  legalComments: 'none',
});

if (watch) {
  for (const b of bundles) await (await context(options(b))).watch();
  await (await context(webviewOptions(production))).watch();
  console.log('build: watching for changes');
} else {
  await Promise.all([...bundles.map((b) => build(options(b))), build(webviewOptions(production))]);
  spawnSync('chmod', ['+x', path.join(root, 'dist/cli.js')]);
  console.log(`build: ${bundles.map((b) => b.out).join(', ')}, dist/webview/metrics.{js,css}${production ? ' (production)' : ''}`);
}

#!/usr/bin/env node
// Builds everything: the native helper (C, system compiler) and one esbuild bundle per process.
//   node scripts/build.mjs [--production] [--watch]
import { build, context } from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { webviewOptions } from './build-webview.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const native = spawnSync(process.execPath, [path.join(root, 'scripts/build-native.mjs')], { stdio: 'inherit' });
if (native.status !== 0) process.exit(native.status ?? 1);

copyKoffiAddon();

/**
 * koffi's API is its native addon, which npm installs in the optional package @koromix/koffi-<platform>-<arch>.
 * The bundles load it from dist/native/koffi/<platform>_<arch>/ (native/bindings/koffi.ts), so neither the
 * extension nor the CLI depends on node_modules at run time: copy the addon of this machine there, with koffi's
 * licence (MIT).
 */
function copyKoffiAddon() {
  const triplet = `${process.platform}_${process.arch}`;
  const pkg = path.join(root, 'node_modules/@koromix', `koffi-${process.platform}-${process.arch}`);
  const from = path.join(pkg, triplet, 'koffi.node');
  if (!fs.existsSync(from)) {
    console.error(`build: koffi's native module for ${process.platform}-${process.arch} is missing: ${path.relative(root, from)} ` +
      `(npm installs it as koffi's optional dependency @koromix/koffi-${process.platform}-${process.arch}; run npm ci)`);
    process.exit(1);
  }
  const dir = path.join(root, 'dist/native/koffi');
  fs.mkdirSync(path.join(dir, triplet), { recursive: true });
  fs.copyFileSync(from, path.join(dir, triplet, 'koffi.node'));
  fs.copyFileSync(path.join(root, 'node_modules/koffi/LICENSE.txt'), path.join(dir, 'LICENSE.txt'));
}

/**
 * One bundle per process; each is a single CommonJS file for Node 20 that needs nothing from node_modules:
 * every JavaScript dependency is bundled, and koffi is loaded from its native addon (see copyKoffiAddon).
 */
const shippedKoffi = { PHANTOM_SHIPPED_KOFFI: 'true' };
const bundles = [
  { entry: 'client/src/extension.ts', out: 'dist/client.js', external: ['vscode'] },
  { entry: 'server/src/server.ts', out: 'dist/server.js', external: [] },
  // `koffi` itself is never reached from a bundle (PHANTOM_SHIPPED_KOFFI): external keeps esbuild from pulling it in.
  { entry: 'runtime/src/runtimeMain.ts', out: 'dist/runtime.js', external: ['koffi'], define: shippedKoffi },
  { entry: 'runtime/src/cli.ts', out: 'dist/cli.js', external: ['koffi'], banner: '#!/usr/bin/env node', define: shippedKoffi },
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

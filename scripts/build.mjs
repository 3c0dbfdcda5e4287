#!/usr/bin/env node
// Builds everything: the native helper (C, system compiler) and one esbuild bundle per process.
//   node scripts/build.mjs [--production] [--watch]
import { build, context } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { webviewOptions } from './build-webview.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const native = spawnSync(process.execPath, [path.join(root, 'scripts/build-native.mjs')], { stdio: 'inherit' });
if (native.status !== 0) process.exit(native.status ?? 1);

/** One bundle per process; each is a single CommonJS file for Node 20. */
const bundles = [
  { entry: 'client/src/extension.ts', out: 'dist/client.js', external: ['vscode'] },
  { entry: 'server/src/server.ts', out: 'dist/server.js', external: [] },
  // koffi ships a native addon: it stays a real dependency, loaded from node_modules.
  { entry: 'runtime/src/runtimeMain.ts', out: 'dist/runtime.js', external: ['koffi'] },
  { entry: 'runtime/src/cli.ts', out: 'dist/cli.js', external: ['koffi'], banner: '#!/usr/bin/env node' },
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

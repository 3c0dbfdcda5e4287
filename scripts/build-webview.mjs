#!/usr/bin/env node
// Bundles the metrics panel's webview (client/media/metrics.ts with uPlot and the styles) into dist/webview/,
// the only folder the webview may load from (localResourceRoots):
//   dist/webview/metrics.js, dist/webview/metrics.css
//   node scripts/build-webview.mjs [--production] [--watch]
// Also importable: `import { webviewOptions } from './build-webview.mjs'` for scripts/build.mjs.
import { build, context } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function webviewOptions(production = false) {
  return {
    entryPoints: [path.join(root, 'client/media/metrics.ts')],
    outfile: path.join(root, 'dist/webview/metrics.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    legalComments: 'none',
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const production = process.argv.includes('--production');
  if (process.argv.includes('--watch')) {
    await (await context(webviewOptions(production))).watch();
    console.log('build-webview: watching for changes');
  } else {
    await build(webviewOptions(production));
    console.log(`build-webview: dist/webview/metrics.js, dist/webview/metrics.css${production ? ' (production)' : ''}`);
  }
}

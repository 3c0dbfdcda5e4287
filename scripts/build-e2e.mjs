#!/usr/bin/env node
// Bundles the extension-host tests (test/e2e/extensionHost/index.ts + every *.test.ts next to it) into
// dist/test/extensionHost/index.js: one CommonJS file for the extension host, `vscode` external.
//   node scripts/build-e2e.mjs
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'test/e2e/extensionHost');
const outfile = path.join(root, 'dist/test/extensionHost/index.js');

const testFiles = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts'))
  .sort();
if (testFiles.length === 0) {
  console.error(`build-e2e: no *.test.ts in ${path.relative(root, dir)}`);
  process.exit(1);
}

// The entry re-exports run() and imports the test files so that they register their tests.
const contents = [`export { run } from './index';`, ...testFiles.map((f) => `import './${f}';`)].join('\n');

await build({
  stdin: { contents, resolveDir: dir, sourcefile: 'extension-host-tests.ts', loader: 'ts' },
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['vscode'],
  logLevel: 'warning',
});
console.log(`build-e2e: ${path.relative(root, outfile)} (${testFiles.join(', ')})`);

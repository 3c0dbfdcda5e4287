/**
 * Entry of the extension-host tests, written to the @vscode/test-electron `run()` contract: VS Code loads
 * this module in the extension host (`extensionTestsPath`) and calls `run()`; a rejected promise means
 * failure (exit code 1), a resolved one success (0).
 *
 * scripts/build-e2e.mjs bundles it with every `*.test.ts` of this folder into
 * dist/test/extensionHost/index.js (`vscode` external). Results are printed with a `[phantom-e2e]` prefix
 * (the extension host's console reaches the browser console / Electron's stdout) and, when
 * PHANTOM_E2E_RESULTS names a file, written there as JSON.
 */
import fs from 'node:fs';
import { runAll } from './harness';

export async function run(): Promise<void> {
  const log = (line: string) => console.log(`[phantom-e2e] ${line}`);
  const started = Date.now();
  const results = await runAll(log);
  const failed = results.filter((r) => !r.ok);
  const summary = `${results.length - failed.length} passed, ${failed.length} failed (${Date.now() - started} ms)`;
  log(summary);
  const out = process.env.PHANTOM_E2E_RESULTS;
  if (out) fs.writeFileSync(out, JSON.stringify({ summary, results }, null, 2));
  if (results.length === 0) throw new Error('no extension-host tests were registered (bundle built without test files?)');
  if (failed.length) throw new Error(`extension-host tests failed: ${failed.map((f) => f.name).join(', ')}`);
}

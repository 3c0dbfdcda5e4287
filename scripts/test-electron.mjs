#!/usr/bin/env node
// Runs the extension-host tests (test/e2e/extensionHost, bundled to dist/test/extensionHost/index.js) in a
// downloaded desktop VS Code with @vscode/test-electron's runTests — the usual way on a developer machine or
// CI with internet access (and a display: use xvfb-run on a headless Linux).
// On machines that cannot download VS Code (like the offline test machines), it fails with the download
// error: there the same suite runs inside code-server, see test/e2e/extensionHost.e2e.test.ts.
//   node scripts/test-electron.mjs [--version 1.100.3]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const version = args.includes('--version') ? args[args.indexOf('--version') + 1] : '1.100.3';

const fail = (msg) => {
  console.error(`test-electron: ERROR: ${msg}`);
  process.exit(1);
};

// The extension under test: this repository (or PHANTOM_E2E_EXTENSION, as in the code-server layer).
const extension = process.env.PHANTOM_E2E_EXTENSION ? path.resolve(process.env.PHANTOM_E2E_EXTENSION) : root;
const pkg = JSON.parse(fs.readFileSync(path.join(extension, 'package.json'), 'utf8'));
if (!fs.existsSync(path.join(extension, pkg.main))) fail(`${path.join(extension, pkg.main)} is missing: run \`npm run build\` first`);
const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-e2e.mjs')], { stdio: 'inherit' });
if (build.status !== 0) fail('scripts/build-e2e.mjs failed');

const { runTests } = await import('@vscode/test-electron');

const runDir = path.join(root, 'test-output/electron', new Date().toISOString().replace(/[:.]/g, '-'));
const workspace = path.join(runDir, 'workspace');
fs.cpSync(path.join(root, 'test/fixtures/e2e-workspace'), workspace, { recursive: true });
// Short user-data dir: VS Code's IPC socket path lives there and must stay under 108 bytes.
const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-electron-'));
const results = path.join(runDir, 'extension-host-results.json');

let exitCode = 1;
let error;
try {
  exitCode = await runTests({
    version,
    cachePath: path.join(root, '.vscode-test'),
    extensionDevelopmentPath: extension,
    extensionTestsPath: path.join(root, 'dist/test/extensionHost/index.js'),
    extensionTestsEnv: { PHANTOM_E2E_RESULTS: results },
    launchArgs: [
      workspace,
      '--disable-extensions', // other installed extensions stay out of the way
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      `--user-data-dir=${userData}`,
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
  });
  console.log(`test-electron: VS Code ${version} exited with ${exitCode}; results in ${path.relative(root, results)}`);
} catch (e) {
  error = e;
} finally {
  fs.rmSync(userData, { recursive: true, force: true });
}
if (error) {
  const msg = error instanceof Error ? error.message : String(error);
  if (/download|getaddrinfo|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|update\.code\.visualstudio\.com/i.test(`${msg} ${error?.stack ?? ''}`)) {
    fail(
      `could not download VS Code ${version}: ${msg}\n` +
        'This machine cannot reach update.code.visualstudio.com. The same extension-host suite runs offline in ' +
        'code-server: node --import tsx --test test/e2e/extensionHost.e2e.test.ts',
    );
  }
  fail(`runTests failed: ${error?.stack ?? msg}`);
}
process.exit(exitCode);

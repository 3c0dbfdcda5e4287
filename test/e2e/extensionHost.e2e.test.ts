/**
 * Extension-host tests (test/e2e/extensionHost/, @vscode/test-electron `run()` contract) run inside the real
 * extension host of code-server: the workbench URL's payload carries extensionDevelopmentPath and
 * extensionTestsPath; VS Code calls window.codeAutomationExit(code, logs) when run() settles. In the installed mode
 * (the default) the development path is an empty driver extension, so the tests run against the installed .vsix.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { E2E_WORKSPACE, EXTENSION_MODE, PACKAGE_VSIX, REPO_ROOT, extensionUnderTest, startCodeServer, testDriverExtension, type CodeServer } from './codeServer';
import { openWorkbench, withTimeout, type Workbench } from './workbench';

const TESTS_BUNDLE = path.join(REPO_ROOT, 'dist/test/extensionHost/index.js');
// Every extension-host test in one window, one after the other (about 2 minutes on a quiet 2-core machine).
const RUN_TIMEOUT_MS = 240_000;
const expectedFile = path.join(REPO_ROOT, 'test-output/e2e', `extension-host-expected-${process.pid}.txt`);

interface Results {
  summary: string;
  results: { name: string; ok: boolean; ms: number; error?: string }[];
}

describe('extension-host tests in code-server', { timeout: 300_000 }, () => {
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  let exit: { code: number; logs: unknown } | undefined;
  let results: Results | undefined;

  before(async () => {
    const extension = extensionUnderTest();
    const build = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-e2e.mjs')], { encoding: 'utf8' });
    assert.equal(build.status, 0, `scripts/build-e2e.mjs failed:\n${build.stdout}${build.stderr}`);

    const resultsFile = path.join(REPO_ROOT, 'test-output/e2e', `extension-host-results-${process.pid}.json`);
    fs.rmSync(resultsFile, { force: true });
    // The installed copy's folder is only known once installed: the tests read it from a file named here.
    server = await startCodeServer({
      name: 'extension-host',
      workspaceTemplate: E2E_WORKSPACE,
      env: { PHANTOM_E2E_RESULTS: resultsFile, PHANTOM_E2E_EXPECTED_EXTENSION_FILE: expectedFile },
    });
    fs.writeFileSync(expectedFile, server.installedExtension ?? extension ?? '');
    console.log(`# extension under test: ${EXTENSION_MODE === 'installed' ? `${PACKAGE_VSIX} installed in ${server.installedExtension}` : extension}`);
    let done!: (v: { code: number; logs: unknown }) => void;
    const exited = new Promise<{ code: number; logs: unknown }>((r) => (done = r));
    wb = await openWorkbench(server, {
      folder: server.workspace,
      extensionDevelopmentPath: extension ?? testDriverExtension(server),
      extensionTestsPath: TESTS_BUNDLE,
      onAutomationExit: (code, logs) => done({ code, logs }),
    });
    exit = await withTimeout(exited, RUN_TIMEOUT_MS);
    await wb.screenshot(exit ? `extension-host-exit-${exit.code}` : 'FAILED-extension-host-timeout');
    // The window's logs handed to codeAutomationExit (window.log, …): keep them with the run.
    if (exit && Array.isArray(exit.logs)) {
      for (const log of exit.logs as { relativePath: string; contents: string }[]) {
        const file = path.join(server.runDir, 'window-logs', log.relativePath);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, log.contents);
      }
    }
    if (fs.existsSync(resultsFile)) {
      results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Results;
      fs.renameSync(resultsFile, path.join(server.runDir, 'extension-host-results.json'));
    }
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
    fs.rmSync(expectedFile, { force: true });
    if (server) console.log(`# e2e run folder: ${server.runDir}`);
  });

  it('run() settles and reports through codeAutomationExit', () => {
    const seen = wb?.consoleLines.filter((l) => l.includes('[phantom-e2e]') || /error/i.test(l)).slice(-20).join('\n');
    assert.ok(exit, `codeAutomationExit was not called within ${RUN_TIMEOUT_MS} ms. Console:\n${seen}`);
    assert.ok(results, `no results file: run() did not get far (exit code ${exit.code}). Console:\n${seen}`);
  });

  it('every extension-host test passes', (t) => {
    assert.ok(results && exit, 'no results (see the previous test)');
    for (const r of results.results) t.diagnostic(`${r.ok ? 'ok' : 'FAILED'} - ${r.name} (${r.ms} ms)`);
    const failed = results.results.filter((r) => !r.ok);
    assert.deepEqual(
      failed.map((f) => `${f.name}: ${f.error}`),
      [],
      `${results.summary}; run folder ${server?.runDir}`,
    );
    assert.equal(exit.code, 0, `codeAutomationExit code ${exit.code} although every test passed`);
  });
});

/**
 * End-to-end: a runtime that cannot start (here one that fails the way a .vsix without koffi's native module
 * did) is shown where the user looks — the status bar item turns into "Phantom: runtime failed — show log", a
 * run's terminal prints the runtime's own error (not "connection got disposed"), "Restart Runtime" is offered —
 * and the metrics panel shows an empty state instead of charts with a 1970 time axis.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { E2E_WORKSPACE, OUTPUT_ROOT, extensionUnderTest, startCodeServer, type CodeServer } from './codeServer';
import { openFile, openWorkbench, readNotifications, readStatusBar, runCommand, waitFor, waitForTerminalText, withScreenshots, type Workbench } from './workbench';

/** A runtime bundle that dies at load with koffi's own message (a real Node error: source line, caret, stack). */
const BROKEN_RUNTIME = `// Stands in for dist/runtime.js of a package without @koromix/koffi-linux-x64.
function init() {
  throw new Error('Cannot find the native Koffi module; did you bundle it correctly?');
}
init();
`;

describe('a runtime that cannot start (code-server + Chromium)', { timeout: 200_000 }, () => {
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  const runtime = path.join(OUTPUT_ROOT, `broken-runtime-${process.pid}.js`);

  before(async () => {
    fs.mkdirSync(OUTPUT_ROOT, { recursive: true });
    fs.writeFileSync(runtime, BROKEN_RUNTIME);
    // phantom.runtime.path is the user's own setting (a workspace cannot set it): trusted.
    server = await startCodeServer({ name: 'runtime-failure', workspaceTemplate: E2E_WORKSPACE, settings: { 'phantom.runtime.path': runtime } });
    wb = await openWorkbench(server, { folder: server.workspace, extensionDevelopmentPath: extensionUnderTest() });
  });

  after(async () => {
    if (wb) {
      await wb.screenshot('final-window');
      await wb.close();
    }
    await server?.stop();
    fs.rmSync(runtime, { force: true });
    if (server) console.log(`# e2e run folder: ${server.runDir}`);
  });

  it('the status bar says the runtime failed, and a notification with its own error offers Restart Runtime', { timeout: 90_000 }, async (t) => {
    await withScreenshots(wb!, 'runtime-failed-status', async () => {
      await openFile(wb!, 'hello.py');
      const items = await waitFor(
        'the status bar item "Phantom: runtime failed — show log"',
        () => readStatusBar(wb!),
        (is) => is.some((i) => /Phantom: runtime failed — show log/.test(i.text)),
        { timeoutMs: 60_000, show: (is) => (is ?? []).map((i) => i.text || i.label).join(' | ') },
      );
      t.diagnostic(`status bar: ${items.map((i) => i.text).join(' | ')}`);
      const notes = await waitFor('the notification offering Restart Runtime', () => readNotifications(wb!), (ns) => ns.some((n) => /Restart Runtime/.test(n) && /Koffi/.test(n)), { show: (ns) => JSON.stringify(ns) });
      t.diagnostic(`notification: ${notes.find((n) => /Koffi/.test(n))}`);
    });
  });

  it('a run prints the runtime\'s own error in its terminal, not "connection got disposed"', { timeout: 60_000 }, async (t) => {
    await withScreenshots(wb!, 'runtime-failed-run', async () => {
      await openFile(wb!, 'hello.py');
      await runCommand(wb!, 'Phantom: Run in Sandbox');
      const terminal = await waitForTerminalText(wb!, /Cannot find the native Koffi module/, { name: 'hello.py' });
      t.diagnostic(`terminal:\n${terminal.text}`);
      assert.doesNotMatch(terminal.text, /connection got disposed/i);
      assert.match(terminal.text, /Phantom runtime exited with code 1/);
      assert.match(terminal.text, /■ not started/);
    });
  });

  it('the metrics panel shows an empty state before any pressure sample (no 1970 axis)', { timeout: 60_000 }, async (t) => {
    await withScreenshots(wb!, 'metrics-empty-state', async () => {
      await runCommand(wb!, 'Phantom: Show Metrics');
      const text = await waitFor(
        'the "waiting for the first pressure sample" empty state in the metrics webview',
        async () => {
          for (const f of wb!.page.frames()) {
            const n = await f.locator('[data-testid="psi-waiting"]').count().catch(() => 0);
            if (n > 0) return await f.locator('[data-testid="metrics-app"]').innerText();
          }
          return '';
        },
        (v) => /waiting for the first pressure sample/.test(v),
      );
      t.diagnostic(`metrics panel:\n${text}`);
      assert.doesNotMatch(text, /1970/);
      for (const f of wb!.page.frames()) assert.equal(await f.locator('[data-testid^="psi-chart-"] canvas').count().catch(() => 0), 0, 'no chart is drawn without data');
    });
  });
});

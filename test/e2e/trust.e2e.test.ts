/**
 * End-to-end, Workspace Trust: the folder opens untrusted (Restricted Mode). The language features still work —
 * a planted mistake shows in Problems — but "Run in Sandbox" runs nothing and says the folder must be trusted,
 * with VS Code's own button to manage trust.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { E2E_WORKSPACE, extensionUnderTest, startCodeServer, type CodeServer } from './codeServer';
import { openFile, openWorkbench, readNotifications, readStatusBar, readTerminal, runCommand, sleep, waitFor, waitForProblem, withScreenshots, type Workbench } from './workbench';

describe('Phantom Fragment in Restricted Mode (code-server + Chromium, Workspace Trust on)', { timeout: 180_000 }, () => {
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;

  before(async () => {
    server = await startCodeServer({ name: 'trust', workspaceTemplate: E2E_WORKSPACE, workspaceTrust: true });
    wb = await openWorkbench(server, { folder: server.workspace, extensionDevelopmentPath: extensionUnderTest() });
  });

  after(async () => {
    if (wb) {
      await wb.screenshot('final-window');
      await wb.close();
    }
    await server?.stop();
    if (server) console.log(`# e2e run folder: ${server.runDir}`);
  });

  it('the window is in Restricted Mode', { timeout: 60_000 }, async () => {
    await withScreenshots(wb!, 'restricted-mode', async () => {
      await waitFor(
        'the "Restricted Mode" indicator in the status bar',
        () => readStatusBar(wb!),
        (items) => items.some((i) => /Restricted Mode/i.test(`${i.text} ${i.label}`)),
        { show: (items) => (items ?? []).map((i) => i.text || i.label).join(' | ') },
      );
    });
  });

  it('diagnostics still appear: the language features read text only', { timeout: 60_000 }, async (t) => {
    await withScreenshots(wb!, 'restricted-diagnostics', async () => {
      await openFile(wb!, 'broken/phantom-fragment.yaml');
      const problem = await waitForProblem(wb!, `with source "phantom" saying "Unknown key 'netwrk'"`, (p) => p.source === 'phantom' && /Unknown key ['"]?netwrk\b/i.test(p.message ?? ''));
      t.diagnostic(`problem row: ${problem.cells.join(' | ')}`);
    });
  });

  it('"Run in Sandbox" explains that the folder must be trusted, offers the trust button, and runs nothing', { timeout: 60_000 }, async (t) => {
    await withScreenshots(wb!, 'restricted-run-in-sandbox', async () => {
      await openFile(wb!, 'hello.py');
      await runCommand(wb!, 'Phantom: Run in Sandbox');
      const notes = await waitFor(
        'a notification saying Run in Sandbox needs a trusted folder',
        () => readNotifications(wb!),
        (ns) => ns.some((n) => /Run in Sandbox needs a trusted folder/.test(n) && /Restricted Mode/.test(n)),
        { show: (ns) => JSON.stringify(ns) },
      );
      t.diagnostic(`notification: ${notes.find((n) => /trusted folder/.test(n))}`);
      const button = wb!.page.locator('.notifications-toasts .monaco-button', { hasText: 'Manage Workspace Trust' }).first();
      await button.waitFor({ state: 'visible', timeout: 10_000 });
      // Nothing ran: no run terminal appeared (give a wrongly started run time to show up).
      await sleep(1500);
      const terminals = await readTerminal(wb!);
      assert.ok(!terminals.terminals.some((x) => /hello\.py/.test(x.name) || /Hello from the sandbox/.test(x.text)), `a run happened: ${JSON.stringify(terminals.terminals)}`);
      // The button is VS Code's own: it opens the Workspace Trust editor.
      await button.click();
      await waitFor(
        'the Workspace Trust editor',
        async () => (await wb!.page.locator('.tabs-container .tab.active').first().getAttribute('aria-label', { timeout: 1000 })) ?? '',
        (label) => /Workspace Trust/i.test(label),
        { show: (v) => `active tab ${JSON.stringify(v)}` },
      );
    });
  });
});

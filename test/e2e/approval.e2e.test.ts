/**
 * End-to-end: the approval dialog in a real VS Code (code-server + Chromium). A workspace whose
 * phantom-fragment.yaml asks for a network runs only after the user answers the modal dialog that lists it:
 * Cancel runs nothing, Allow once runs this time only, Always records the approval in the user's state folder
 * (the one `phantom trust` uses) and later runs ask no more.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extensionUnderTest, REPO_ROOT, startCodeServer, type CodeServer } from './codeServer';
import { openFile, openWorkbench, readTerminal, runCommand, sleep, waitFor, waitForTerminalText, withScreenshots, type Workbench } from './workbench';

const TEMPLATE = path.join(REPO_ROOT, 'test/fixtures/e2e-approval');

/** The modal dialog's message, detail and buttons, or undefined while none is shown. */
async function readDialog(wb: Workbench): Promise<{ text: string; buttons: string[] } | undefined> {
  const box = wb.page.locator('.monaco-dialog-box');
  if (!(await box.isVisible().catch(() => false))) return undefined;
  const text = await box.innerText();
  const buttons = await box.locator('.dialog-buttons .monaco-button').allInnerTexts();
  return { text, buttons: buttons.map((b) => b.trim()) };
}

async function answerDialog(wb: Workbench, button: string): Promise<string> {
  const dialog = await waitFor('the approval dialog', () => readDialog(wb), (d) => d !== undefined && d.buttons.includes(button), {
    show: (d) => JSON.stringify(d),
  });
  await wb.page.locator('.monaco-dialog-box .dialog-buttons .monaco-button', { hasText: button }).first().click();
  await waitFor('the dialog to close', () => readDialog(wb), (d) => d === undefined);
  return dialog!.text;
}

/** Waits until the terminals together show `n` runs of ask.sh (each run prints one line; terminals stay open). */
async function waitForRuns(wb: Workbench, n: number): Promise<void> {
  await waitFor(`${n} run(s) of ask.sh in the terminals`, () => readTerminal(wb), (s) => (s.text.match(/approved run \d+/g) ?? []).length >= n, {
    show: (s) => s?.text ?? '',
  });
}

describe('approval dialog (code-server + Chromium)', { timeout: 180_000 }, () => {
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;

  before(async () => {
    server = await startCodeServer({ name: 'approval', workspaceTemplate: TEMPLATE });
    wb = await openWorkbench(server, { folder: server.workspace, extensionDevelopmentPath: extensionUnderTest() });
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
    if (server) console.log(`# e2e run folder: ${server.runDir}`);
  });

  const store = () => path.join(server!.runDir, 'xdg/state/phantom-fragment/approvals.json');

  it('lists the widening; Cancel runs nothing, Allow once runs once, Always records it and asks no more', { timeout: 150_000 }, async (t) => {
    await withScreenshots(wb!, 'approval-dialog', async () => {
      await openFile(wb!, 'ask.sh');

      await runCommand(wb!, 'Phantom: Run in Sandbox');
      const text = await answerDialog(wb!, 'Cancel');
      t.diagnostic(`dialog:\n${text}`);
      assert.match(text, /Profile 'net' of phantom-fragment\.yaml asks for more than the built-in sandbox gives/);
      assert.match(text, /network: loopback/, 'the widening in plain words');
      assert.match(text, /Allow once/);
      assert.match(text, /Always for this version/);
      await waitForTerminalText(wb!, /not run: the configuration asks for more than the defaults and was not approved/, { name: 'ask.sh' });
      assert.equal(fs.existsSync(store()), false, 'Cancel records nothing');

      await runCommand(wb!, 'Phantom: Run in Sandbox');
      await answerDialog(wb!, 'Allow once');
      await waitForRuns(wb!, 1);
      assert.equal(fs.existsSync(store()), false, 'Allow once records nothing');

      await runCommand(wb!, 'Phantom: Run in Sandbox');
      await answerDialog(wb!, 'Always for this version');
      await waitForRuns(wb!, 2);
      const records = JSON.parse(fs.readFileSync(store(), 'utf8')) as { approvals: { profile: string; widenings: string[] }[] };
      assert.equal(records.approvals.length, 1);
      assert.equal(records.approvals[0].profile, 'net');
      assert.match(records.approvals[0].widenings.join('\n'), /network: loopback/);

      await runCommand(wb!, 'Phantom: Run in Sandbox');
      await sleep(1500);
      assert.equal(await readDialog(wb!), undefined, 'an approved configuration asks no more');
      await waitForRuns(wb!, 3);
    });
  });
});

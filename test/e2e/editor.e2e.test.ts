/**
 * End-to-end, in a real VS Code (code-server) through headless Chromium: profile intelligence as a user meets
 * it (Problems panel, quick fix, hover) and a sandboxed run that must fail visibly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { E2E_WORKSPACE, extensionUnderTest, startCodeServer, type CodeServer } from './codeServer';
import { goToLine, openFile, openWorkbench, readProblems, runCommand, waitFor, waitForProblem, waitForTerminalText, withScreenshots, type Workbench } from './workbench';

describe('Profile intelligence and runs in VS Code (code-server + Chromium)', { timeout: 240_000 }, () => {
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;

  before(async () => {
    server = await startCodeServer({ name: 'editor', workspaceTemplate: E2E_WORKSPACE });
    wb = await openWorkbench(server, { folder: server.workspace, extensionDevelopmentPath: extensionUnderTest() });
  });

  after(async () => {
    if (wb) {
      await wb.screenshot('final-window');
      await wb.close();
    }
    await server?.stop();
  });


  it('a misspelled syscall shows its "did you mean" in Problems and the quick fix repairs it', { timeout: 90_000 }, async (t) => {
    await withScreenshots(wb!, 'syscall-quick-fix', async () => {
      await openFile(wb!, 'profiles-demo/typo.seccomp.json');
      const problem = await waitForProblem(wb!, `saying "Unknown syscall 'wirte'. Did you mean 'write'?"`, (p) =>
        p.source === 'phantom' && /Unknown syscall 'wirte'\. Did you mean 'write'\?/.test(p.message ?? ''),
      );
      t.diagnostic(`problem: ${problem.cells.join(' | ')}`);
      assert.match(problem.cells[2], /typo\.seccomp\.json/);
      assert.match(problem.cells[2], /Ln 5\b/);
      await goToLine(wb!, 5, 37);
      await wb!.page.keyboard.press('Control+.');
      // The menu opens with its first action focused; Enter applies it, as a user would.
      const action = wb!.page.locator('.action-widget .monaco-list-row.action.focused').first();
      await action.waitFor({ state: 'visible', timeout: 15_000 });
      const label = (await action.getAttribute('aria-label')) ?? '';
      t.diagnostic(`quick fix: ${label}`);
      assert.equal(label, "Change to 'write'");
      await wb!.page.keyboard.press('Enter');
      await waitFor(
        'the fixed name "write" in the editor',
        () => wb!.page.locator('.editor-instance .view-lines').first().innerText(),
        (text) => /"read", "openat", "write"/.test(text.replace(/\u00a0/g, ' ')),
      );
      await waitFor(
        "the 'wirte' problem to disappear",
        () => readProblems(wb!),
        (rows) => !rows.some((p) => /wirte/.test(p.message ?? p.text)),
      );
    });
  });

  it('an unknown fragment name is flagged in the Problems panel with a suggestion', { timeout: 60_000 }, async () => {
    await withScreenshots(wb!, 'unknown-fragment', async () => {
      await openFile(wb!, 'profiles-typo/phantom-fragment.yaml');
      const problem = await waitForProblem(wb!, `saying "Unknown fragment 'netwrok-client'"`, (p) =>
        p.source === 'phantom' && /Unknown fragment 'netwrok-client'\. Did you mean 'network-client'\?/.test(p.message ?? ''),
      );
      assert.match(problem.cells[2], /Ln 10\b/);
    });
  });

  it("hover on a profile's name shows its effective policy", { timeout: 60_000 }, async (t) => {
    await withScreenshots(wb!, 'profile-hover', async () => {
      await openFile(wb!, 'profiles-demo/phantom-fragment.yaml');
      await goToLine(wb!, 3, 5);
      await runCommand(wb!, 'Show or Focus Hover');
      const hover = await waitFor(
        'a hover with the effective policy of profile python',
        async () => (await wb!.page.locator('.monaco-hover:visible').first().innerText({ timeout: 1000 }).catch(() => '')).replace(/\u00a0/g, ' '),
        (text) => /python/.test(text) && /Syscalls: \d+ allowed/.test(text) && /Network: none/i.test(text),
      );
      t.diagnostic(`hover:\n${hover}`);
    });
  });

  it('a script that reads /root fails visibly in its terminal, with the startup figure', { timeout: 60_000 }, async (t) => {
    await withScreenshots(wb!, 'read-root-fails', async () => {
      await openFile(wb!, 'read-root.py');
      await runCommand(wb!, 'Phantom: Run in Sandbox');
      const terminal = await waitForTerminalText(wb!, /exit status 1/, { name: 'read-root.py' });
      t.diagnostic(`terminal:\n${terminal.text}`);
      assert.match(terminal.text, /FileNotFoundError: .*No such file or directory: '\/root\/\.bashrc'/);
      assert.match(terminal.text, /started in [\d.]+ ms \((cold|warm)\)/);
    });
  });
});

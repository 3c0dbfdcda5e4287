/**
 * End-to-end: the real extension in a real VS Code (code-server 4.100.3) driven through headless Chromium, as a
 * user has it: the .vsix of `npm run package` installed into a fresh profile (test/e2e/codeServer.ts).
 * Nothing is mocked. Run: node scripts/test.mjs --layer e2e (it builds the package first).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { E2E_WORKSPACE, extensionUnderTest, startCodeServer, type CodeServer } from './codeServer';
import {
  goToLine,
  openFile,
  openWorkbench,
  readStatusBar,
  runCommand,
  waitFor,
  waitForProblem,
  waitForTerminalText,
  withScreenshots,
  type Workbench,
} from './workbench';

/** What the README test reads of an <img> in the page. */
interface BrowserImage {
  naturalWidth: number;
  complete: boolean;
  ownerDocument: { querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }> };
}

describe('Phantom Fragment in VS Code (code-server + Chromium)', { timeout: 240_000 }, () => {
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;

  before(async () => {
    const extension = extensionUnderTest();
    server = await startCodeServer({ name: 'ui', workspaceTemplate: E2E_WORKSPACE });
    console.log(`# extension under test: ${server.installedExtension ? `installed in ${server.installedExtension}` : extension}`);
    wb = await openWorkbench(server, { folder: server.workspace, extensionDevelopmentPath: extension });
  });

  after(async () => {
    if (wb) {
      await wb.screenshot('final-window');
      await wb.close();
    }
    await server?.stop();
    if (server) console.log(`# e2e run folder: ${server.runDir}`);
  });

  it('shows a diagnostic from the extension for an unknown key in the Problems panel', { timeout: 60_000 }, async (t) => {
    await withScreenshots(wb!, 'problems-unknown-key', async () => {
      await openFile(wb!, 'broken/phantom-fragment.yaml');
      // The wording belongs to the language server ("Unknown key 'netwrk' in 'py'. Did you mean
      // 'network'?"); what must hold: it is ours (source "phantom"), it names the offending key, and it
      // points at the right file and line.
      const problem = await waitForProblem(
        wb!,
        `with source "phantom" saying "Unknown key 'netwrk'"`,
        (p) => p.source === 'phantom' && /Unknown key ['"]?netwrk\b/i.test(p.message ?? ''),
      );
      t.diagnostic(`problem row: ${problem.cells.join(' | ')}`);
      assert.match(problem.cells[2], /broken\/phantom-fragment\.yaml/, 'the problem is not on broken/phantom-fragment.yaml');
      assert.match(problem.cells[2], /Ln 6\b/, 'the problem is not on line 6 (the netwrk line)');
    });
  });

  it('"Phantom: Run in Sandbox" runs hello.py and shows its output in a terminal', { timeout: 60_000 }, async (t) => {
    await withScreenshots(wb!, 'run-in-sandbox-hello-py', async () => {
      await openFile(wb!, 'hello.py');
      await runCommand(wb!, 'Phantom: Run in Sandbox');
      const terminal = await waitForTerminalText(wb!, 'Hello from the sandbox', { name: 'hello.py' });
      t.diagnostic(`terminal [${terminal.name}]:\n${terminal.text}`);
      assert.match(terminal.text, /uid\W*\d+/, 'the second line of hello.py (its uid) is missing');
      assert.match(terminal.text, /\[profile: built-in default\]/, 'the header names the profile');
      assert.match(terminal.text, /started in [\d.]+ ms \((warm|cold)\)/, 'the header gives the startup figure');
      const status = await readStatusBar(wb!);
      t.diagnostic(`status bar: ${status.map((s) => s.text || s.label).join(' | ')}`);
    });
  });

  it('the status bar shows live pressure and the metrics panel shows charts and the run', { timeout: 90_000 }, async (t) => {
    await withScreenshots(wb!, 'metrics-panel', async () => {
      const item = await waitFor(
        'the pressure item "CPU n% · MEM n% · IO n%" in the status bar',
        () => readStatusBar(wb!),
        (items) => items.some((i) => /CPU \d+% · MEM \d+% · IO \d+%/.test(i.text)),
        { show: (items) => (items ?? []).map((i) => i.text || i.label).join(' | ') },
      );
      t.diagnostic(`status bar: ${item.map((i) => i.text).join(' | ')}`);
      await runCommand(wb!, 'Phantom: Show Metrics');
      // A webview is an iframe inside an iframe: find the frame that holds the panel's app.
      const frame = await waitFor(
        'the Phantom Metrics webview with a drawn CPU chart',
        async () => {
          for (const f of wb!.page.frames()) {
            if ((await f.locator('[data-testid="psi-chart-cpu"] canvas').count().catch(() => 0)) > 0) return f;
          }
          return undefined;
        },
        (f) => f !== undefined,
        { show: () => `${wb!.page.frames().length} frames, none with the chart` },
      );
      const runs = await waitFor(
        'hello.py in the recent-runs table',
        () => frame!.locator('[data-testid="recent-runs"]').innerText(),
        (text) => /hello\.py/.test(text),
      );
      t.diagnostic(`recent runs:\n${runs}`);
      assert.match(runs, /cold/);
      assert.ok((await frame!.locator('[data-testid^="psi-chart-"] canvas').count()) >= 3, 'the cpu, memory and io charts are drawn');
      await wb!.screenshot('metrics-panel-open');
    });
  });

  it('the "Learn seccomp profile" code action learns from a command and opens the diff of the proposal', { timeout: 120_000 }, async (t) => {
    await withScreenshots(wb!, 'learn-code-action-diff', async () => {
      const page = wb!.page;
      await openFile(wb!, 'profiles-demo/typo.seccomp.json');
      await goToLine(wb!, 2, 5);
      // The code action menu (Ctrl+.): the server offers "Learn seccomp profile" anywhere in a seccomp profile.
      const row = page.locator('.action-widget .monaco-list-row.action[aria-label="Learn seccomp profile"]').first();
      await waitFor(
        'the "Learn seccomp profile" action in the code action menu (Ctrl+.)',
        async () => {
          if (!(await row.isVisible())) {
            await page.keyboard.press('Escape');
            await page.keyboard.press('Control+.');
          }
          return row.isVisible({ timeout: 2000 });
        },
        (visible) => visible,
        { timeoutMs: 30_000 },
      );
      // Choose it with the keyboard as a user would (a pointer-block layer covers the menu while it settles).
      const focused = page.locator('.action-widget .monaco-list-row.action.focused').first();
      for (let i = 0; i < 10 && (await focused.getAttribute('aria-label', { timeout: 2000 })) !== 'Learn seccomp profile'; i++) {
        await page.keyboard.press('ArrowDown');
      }
      assert.equal(await focused.getAttribute('aria-label'), 'Learn seccomp profile', 'the action could not be selected');
      await page.keyboard.press('Enter');
      // The command asks which command to learn from.
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill('python3 hello.py');
      await input.press('Enter');
      const tab = await waitFor(
        'a diff editor "typo.seccomp.json ↔ learned from `python3 hello.py`"',
        async () => (await page.locator('.tabs-container .tab.active').first().getAttribute('aria-label', { timeout: 1000 })) ?? '',
        (label) => /typo\.seccomp\.json ↔ learned from/.test(label),
        { timeoutMs: 90_000, show: (v) => `active tab ${JSON.stringify(v)}` },
      );
      t.diagnostic(`diff tab: ${tab}`);
      assert.ok(await page.locator('.monaco-diff-editor').first().isVisible(), 'the active editor is a diff editor');
      const proposed = await waitFor(
        'the proposed (right) side of the diff to show the learned profile',
        () => page.locator('.monaco-diff-editor .editor.modified .view-lines').first().innerText({ timeout: 1000 }),
        (text) => /SCMP_ACT_ERRNO/.test(text) && /"names"/.test(text.replace(/\u00a0/g, ' ')),
      );
      t.diagnostic(`proposed:\n${proposed.slice(0, 400)}`);
      await wb!.screenshot('learn-diff-open');
      // Whatever asks whether to apply it (a dialog or a notification), leave it unanswered: nothing is applied.
      await page.keyboard.press('Escape');
    });
  });

  it("the extension's details page shows the README with its screenshot, and its docs links point into the package", { timeout: 60_000 }, async (t) => {
    await withScreenshots(wb!, 'extension-details-readme', async () => {
      const page = wb!.page;
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Shift+X');
      const row = page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'Phantom Fragment' }).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await row.click();
      // The README is drawn in a webview (an iframe in an iframe) whose policy allows only https: and data: images.
      const image = await waitFor(
        "the README's screenshot, loaded, in the details page",
        async () => {
          for (const f of page.frames()) {
            // Runs in the page (no DOM types in this project): the image's state and the page's link targets.
            const found = await f.locator('img[alt^="Phantom Fragment in VS Code"]').evaluateAll((els) =>
              els.map((e) => {
                const img = e as unknown as BrowserImage;
                return { width: img.naturalWidth, complete: img.complete, links: Array.from(img.ownerDocument.querySelectorAll('a'), (a) => a.getAttribute('href') ?? '') };
              }),
            ).catch(() => []);
            if (found.length) return found[0];
          }
          return undefined;
        },
        (img) => img !== undefined && img.complete && img.width > 0,
        { show: (img) => JSON.stringify(img ? { width: img.width, complete: img.complete } : 'no README image in any frame') },
      );
      t.diagnostic(`screenshot drawn ${image!.width} px wide`);
      if (server!.installedExtension) {
        const docs = image!.links.filter((l) => /^docs\//.test(l));
        assert.ok(docs.length > 0, `no docs/ links in the README: ${image!.links.join(', ')}`);
        for (const link of docs) assert.ok(fs.existsSync(path.join(server!.installedExtension, link.split('#')[0])), `${link} is not in the installed extension`);
      }
    });
  });

  it('saves a screenshot of the window with the test output', async () => {
    const file = await wb!.screenshot('window');
    const png = fs.readFileSync(file);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG', `${file} is not a PNG`);
    assert.ok(png.length > 10_000, `${file} is suspiciously small (${png.length} bytes)`);
  });
});

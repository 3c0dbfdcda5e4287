/**
 * End-to-end, what the sandbox refused as a user meets it (docs/editor.md, "When a run is refused"): a script whose
 * seccomp profile was learned from it and then lost `mkdir` runs in the sandbox from the editor; the run terminal's
 * footer says what was refused, by which file and line, and offers Explain; the Problems panel shows the refusal on
 * the profile's `defaultAction` line; its quick fix, applied from the editor, makes the next run succeed; the
 * metrics panel lists the run with its denial.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { extensionUnderTest, REPO_ROOT, startCodeServer, type CodeServer } from './codeServer';
import { goToLine, openFile, openWorkbench, readProblems, readStatusBar, runCommand, waitFor, waitForProblem, waitForTerminalText, withScreenshots, type Workbench } from './workbench';

const TEMPLATE = path.join(REPO_ROOT, 'test/fixtures/e2e-denials');

/** Terminal text with the rows of a wrapped line joined again (the footer is long). */
const unwrapped = (text: string) => text.replace(/\n/g, '');

describe('denials in VS Code: terminal footer, Problems and its quick fix (code-server + Chromium)', { timeout: 300_000 }, () => {
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  let defaultActionLine = 0;

  before(async () => {
    server = await startCodeServer({ name: 'denials', workspaceTemplate: TEMPLATE });
    const ws = server.workspace!;
    // The profile learned from the script itself (what "Learn seccomp profile" proposes), then mkdir taken out of it.
    const learn = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist/cli.js'), 'learn', '--out', 'job.seccomp.json', '--', 'bash', 'make-out.sh'], { cwd: ws, encoding: 'utf8', timeout: 120_000 });
    assert.equal(learn.status, 0, learn.stderr);
    const profile = JSON.parse(fs.readFileSync(path.join(ws, 'job.seccomp.json'), 'utf8')) as { syscalls: { names: string[] }[] };
    profile.syscalls = profile.syscalls.filter((r) => !r.names.includes('mkdir') && !r.names.includes('mkdirat'));
    const text = `${JSON.stringify(profile, null, 2)}\n`;
    fs.writeFileSync(path.join(ws, 'job.seccomp.json'), text);
    defaultActionLine = text.split('\n').findIndex((l) => /"defaultAction"/.test(l)) + 1;
    for (const f of fs.readdirSync(ws)) if (f.endsWith('.learned.json')) fs.rmSync(path.join(ws, f));
    fs.rmSync(path.join(ws, 'out'), { recursive: true, force: true }); // the learn runs made it
    wb = await openWorkbench(server, { folder: ws, extensionDevelopmentPath: extensionUnderTest() });
    await waitFor('the pressure item in the status bar', () => readStatusBar(wb!), (items) => items.some((i) => /CPU \d+%/.test(i.text)), { timeoutMs: 90_000 });
  });

  after(async () => {
    if (wb) {
      await wb.screenshot('final-window');
      await wb.close();
    }
    await server?.stop();
    if (server) console.log(`# e2e run folder: ${server.runDir}`);
  });

  it('the refused mkdir is in the footer (file:line, Explain) and in Problems on the defaultAction line', { timeout: 120_000 }, async (t) => {
    await withScreenshots(wb!, 'refused-footer-problems', async () => {
      await openFile(wb!, 'make-out.sh');
      await runCommand(wb!, 'Phantom: Run in Sandbox');
      const terminal = await waitForTerminalText(wb!, /■ exit status 1/, { name: 'make-out.sh', timeoutMs: 60_000 });
      t.diagnostic(terminal.text);
      const text = unwrapped(terminal.text);
      assert.match(text, /mkdir: cannot create directory ‘out’: Operation not permitted/);
      assert.match(text, new RegExp(`■ exit status 1 \\(.*\\) · refused: mkdir "[^"]*/out" \\(job\\.seccomp\\.json:${defaultActionLine}\\) — Explain`));
      const problem = await waitForProblem(wb!, 'saying the last run refused mkdir', (p) => p.source === 'phantom' && /^refused mkdir ".*\/out" \(EPERM\) in the last run \(profile job on make-out\.sh\) — add `mkdir` to the rule at line \d+/.test(p.message ?? ''));
      t.diagnostic(`problem: ${problem.cells.join(' | ')}`);
      assert.match(problem.cells[0], /run-denied$/, 'its code');
      assert.match(problem.cells[2], new RegExp(`job\\.seccomp\\.json\\[Ln ${defaultActionLine}, Col \\d+\\]`), 'on the line that refused it, the profile not even open');
    });
  });

  it('Explain runs it again in its terminal with its path syscalls recorded; the observed refusal stays in Problems', { timeout: 120_000 }, async (t) => {
    await withScreenshots(wb!, 'explain', async () => {
      await runCommand(wb!, 'Phantom: Explain Last Sandboxed Run');
      const terminal = await waitForTerminalText(wb!, /\[profile: job · explain: path syscalls recorded\][^]*■ exit status 1/, { name: 'make-out.sh', timeoutMs: 60_000 });
      t.diagnostic(terminal.text);
      const explained = unwrapped(terminal.text).split('explain: path syscalls recorded]')[1];
      assert.doesNotMatch(explained, /— Explain/, 'no Explain after an explain run');
      await waitForProblem(wb!, 'still saying the last run refused mkdir', (p) => p.source === 'phantom' && /^refused mkdir /.test(p.message ?? ''));
    });
  });

  it('the quick fix adds mkdir to the allow rule; the next run succeeds and the problem is gone', { timeout: 150_000 }, async (t) => {
    await withScreenshots(wb!, 'quick-fix-next-run', async () => {
      await openFile(wb!, 'job.seccomp.json');
      const page = wb!.page;
      await goToLine(wb!, defaultActionLine, 5);
      await page.keyboard.press('Control+.');
      const action = page.locator('.action-widget .monaco-list-row.action.focused').first();
      await action.waitFor({ state: 'visible', timeout: 15_000 });
      const label = (await action.getAttribute('aria-label')) ?? '';
      t.diagnostic(`quick fix: ${label}`);
      assert.match(label, /^Allow `mkdir`: add it to the rule at line \d+$/);
      await page.keyboard.press('Enter');
      await waitFor('the fixed profile with mkdir in the editor', () => page.locator('.editor-instance .view-lines').first().innerText(), (v) => /"mkdir"/.test(v.replace(/\u00a0/g, ' ')));
      await waitFor('the refused-mkdir problem to go (its fix is in the file)', () => readProblems(wb!), (rows) => !rows.some((p) => /refused mkdir/.test(p.message ?? p.text)));
      // Run again from the script; the profile (unsaved after the fix) is saved first, so the run uses it.
      await openFile(wb!, 'make-out.sh');
      await runCommand(wb!, 'Phantom: Run in Sandbox');
      const terminal = await waitForTerminalText(wb!, /■ exit status 0/, { name: 'make-out.sh', timeoutMs: 60_000 });
      t.diagnostic(terminal.text);
      assert.match(terminal.text, /made out/);
      assert.ok(fs.statSync(path.join(server!.workspace!, 'out')).isDirectory(), 'the folder was made');
      assert.match(fs.readFileSync(path.join(server!.workspace!, 'job.seccomp.json'), 'utf8'), /"mkdir"/, 'the fix is saved');
      const rows = await readProblems(wb!);
      assert.ok(!rows.some((p) => /refused/.test(p.message ?? p.text)), JSON.stringify(rows.map((r) => r.cells)));
    });
  });

  it('the metrics panel lists the failed run with its denial', { timeout: 90_000 }, async (t) => {
    await withScreenshots(wb!, 'metrics-denials', async () => {
      await runCommand(wb!, 'Phantom: Show Metrics');
      const frame = (await waitFor(
        'the metrics webview with its recent runs',
        async () => {
          for (const f of wb!.page.frames()) if ((await f.locator('[data-testid="recent-runs"]').count().catch(() => 0)) > 0) return f;
          return undefined;
        },
        (f) => f !== undefined,
      )) as Frame;
      const runs = await waitFor(
        'a recent run with its refused mkdir',
        () => frame.locator('[data-testid="recent-runs"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''))),
        (rs) => rs.some((r) => /^1 refused: mkdir ".*\/out" \(job\.seccomp\.json:\d+\)$/.test(r[6] ?? '')),
        { show: (rs) => JSON.stringify(rs) },
      );
      t.diagnostic(JSON.stringify(runs));
      assert.ok(runs.some((r) => r[5] === '0' && r[6] === '—'), 'the run after the fix refused nothing');
    });
  });
});

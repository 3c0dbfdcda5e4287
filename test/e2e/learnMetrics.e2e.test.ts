/**
 * End-to-end, learn and metrics as a user meets them: the learn proposal is a diff with its choices in the diff
 * editor's title (no modal dialog hiding it), "Add Missing Syscalls Only" keeps every line the user wrote; the
 * metrics panel draws the configuration's admission levels (named), shows a declared pool before its first run,
 * counts learn runs and names the command of a profile run.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { E2E_WORKSPACE, extensionUnderTest, startCodeServer, type CodeServer } from './codeServer';
import { openFile, openWorkbench, readStatusBar, runCommand, waitFor, waitForTerminalText, withScreenshots, type Workbench } from './workbench';

const CONFIG = `version: 1
profiles:
  hello:
    description: The workspace's Python scripts, no network.
    match: ["*.py"]
    run: [python3, "\${file}"]
    fragments: [python, workspace-read]
    network: none
    pool: { min: 1, max: 2 }
  idle:
    description: Never run in this test.
    run: ["true"]
    pool: { min: 0, max: 3 }
orchestrator:
  pressure:
    memory:
      warning: 20
      critical: 60
      onWarning: defer
      onCritical: reject
`;

/** The user's own layout: names on one line, four-space indentation. */
const MINE = `{
    "defaultAction": "SCMP_ACT_ERRNO",
    "syscalls": [
        { "names": ["read", "write"], "action": "SCMP_ACT_ALLOW" }
    ]
}
`;

describe('learn and metrics in VS Code (code-server + Chromium)', { timeout: 300_000 }, () => {
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;

  before(async () => {
    server = await startCodeServer({ name: 'learn-metrics', workspaceTemplate: E2E_WORKSPACE });
    const ws = server.workspace!;
    fs.writeFileSync(path.join(ws, 'phantom-fragment.yaml'), CONFIG);
    fs.mkdirSync(path.join(ws, 'learn-demo'));
    fs.writeFileSync(path.join(ws, 'learn-demo/mine.seccomp.json'), MINE);
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

  /** Opens the Phantom walkthrough; returns each step's done state. */
  async function walkthroughSteps(expectDone: boolean): Promise<{ step: string; done: boolean }[]> {
    const page = wb!.page;
    await runCommand(wb!, 'Welcome: Open Walkthrough...');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill('Get started with Phantom Fragment');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await waitFor('the Phantom walkthrough in the list', async () => (await rows.first().getAttribute('aria-label', { timeout: 1000 })) ?? '', (l) => /Phantom Fragment/.test(l));
    await input.press('Enter');
    return waitFor(
      `the four steps, each ${expectDone ? 'checked' : 'unchecked'}`,
      () =>
        // Each step's checkbox: [data-done-step-id] with aria-checked (VS Code 1.100's walkthrough page).
        page.locator('.gettingStartedContainer [data-done-step-id]').evaluateAll((els) =>
          els.map((e) => ({ step: e.getAttribute('data-done-step-id') ?? '', done: e.getAttribute('aria-checked') === 'true' })),
        ),
      (ss) => ss.length === 4 && ss.every((x) => x.done === expectDone),
      { show: (ss) => JSON.stringify(ss) },
    );
  }

  it('the walkthrough starts with no step done (as on install, where it opens by itself)', { timeout: 60_000 }, async () => {
    await withScreenshots(wb!, 'walkthrough-start', async () => {
      await walkthroughSteps(false);
    });
  });

  it('a profile run from Run in Sandbox (its header shows argv as given)', { timeout: 90_000 }, async (t) => {
    await withScreenshots(wb!, 'profile-run', async () => {
      await openFile(wb!, 'hello.py');
      await runCommand(wb!, 'Phantom: Run in Sandbox');
      const terminal = await waitForTerminalText(wb!, /■ exit status 0/, { name: 'hello.py', timeoutMs: 60_000 });
      t.diagnostic(terminal.text);
      assert.match(terminal.text, /\[profile: hello\]/);
      assert.doesNotMatch(terminal.text, /\.\.\//, 'no path.relative detours in the header');
      // The notes are folded into one line (they were one line each); the details are in the log.
      assert.equal(terminal.text.split('\n').filter((l) => /^note:|\d+ notes \(/.test(l)).length, 1, 'one summary line for the notes');
    });
  });

  it('a stopped run says "stopped" (not SIGKILL), and its header shows argv as given', { timeout: 90_000 }, async (t) => {
    await withScreenshots(wb!, 'stopped-run', async () => {
      await openFile(wb!, 'wait.sh');
      await runCommand(wb!, 'Phantom: Run in Sandbox');
      // No profile of the configuration matches a .sh file: pick the built-in default.
      const input = wb!.page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill('Built-in default');
      await input.press('Enter');
      await waitForTerminalText(wb!, /^waiting$/m, { name: 'wait.sh', timeoutMs: 60_000 });
      await runCommand(wb!, 'Phantom: Stop Sandboxed Run');
      const terminal = await waitForTerminalText(wb!, /■ stopped/, { name: 'wait.sh' });
      t.diagnostic(terminal.text);
      assert.match(terminal.text, /▶ Phantom: wait\.sh — bash wait\.sh {2}\[profile: built-in default\]/);
      assert.doesNotMatch(terminal.text, /SIGKILL/);
    });
  });

  it('learn: the proposal diff stays readable (no modal), Add Missing Syscalls Only keeps the user\'s lines', { timeout: 150_000 }, async (t) => {
    await withScreenshots(wb!, 'learn-non-modal', async () => {
      const page = wb!.page;
      await openFile(wb!, 'learn-demo/mine.seccomp.json');
      await runCommand(wb!, 'Phantom: Learn Seccomp Profile');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill('python3 hello.py');
      await input.press('Enter');
      await waitFor(
        'the diff of mine.seccomp.json against the learned proposal',
        async () => (await page.locator('.tabs-container .tab.active').first().getAttribute('aria-label', { timeout: 1000 })) ?? '',
        (label) => /mine\.seccomp\.json ↔ learned from/.test(label),
        { timeoutMs: 120_000, show: (v) => `active tab ${JSON.stringify(v)}` },
      );
      const addMissing = page.locator('.editor-actions .action-label[aria-label^="Add Missing Syscalls Only"]').first();
      await addMissing.waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'a modal dialog covers the diff');
      assert.ok(await page.locator('.editor-actions .action-label[aria-label^="Replace with Minimal Profile"]').first().isVisible());
      await wb!.screenshot('learn-diff-with-title-buttons');
      await addMissing.click();
      const text = await waitFor(
        'mine.seccomp.json with the added rule',
        async () => {
          const label = (await page.locator('.tabs-container .tab.active').first().getAttribute('aria-label', { timeout: 1000 })) ?? '';
          if (!/mine\.seccomp\.json/.test(label) || /↔/.test(label)) return '';
          return (await page.locator('.editor-instance .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
        },
        (v) => /Added by learn mode/.test(v),
        { timeoutMs: 30_000 },
      );
      t.diagnostic(text);
      // The user's own line is untouched (a comma added after it), not re-printed one name per line.
      assert.match(text, /\{ "names": \["read", "write"\], "action": "SCMP_ACT_ALLOW" \},/);
      assert.match(text, /^ {4}"defaultAction": "SCMP_ACT_ERRNO",$/m);
      assert.match(text, /"names": \["/, 'the added names are on one line');
    });
  });

  async function metricsFrame(): Promise<Frame> {
    await runCommand(wb!, 'Phantom: Show Metrics');
    return (await waitFor(
      'the metrics webview with its pool table',
      async () => {
        for (const f of wb!.page.frames()) if ((await f.locator('[data-testid="pool-table"]').count().catch(() => 0)) > 0) return f;
        return undefined;
      },
      (f) => f !== undefined,
    ))!;
  }

  it('metrics: admission levels from orchestrator.pressure, declared pools, learn runs, the command of a profile run', { timeout: 90_000 }, async (t) => {
    await withScreenshots(wb!, 'metrics-configured', async () => {
      const frame = await metricsFrame();
      const source = await frame.locator('[data-testid="psi-lines-source"]').innerText();
      t.diagnostic(source);
      assert.match(source, /orchestrator\.pressure of workspace\/phantom-fragment\.yaml/);
      const memory = await waitFor('the memory chart legend', () => frame.locator('[data-testid="psi-chart-memory"]').innerText(), (v) => /rejects spawns ≥ 60%/.test(v));
      assert.match(memory, /defers spawns ≥ 20% \(warning\)/);
      const rows = async (testid: string) =>
        frame.locator(`[data-testid="${testid}"] tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
      const pools = await waitFor('the pool rows with the learn run counted', () => rows('pool-table'), (rs) => rs.some((r) => r[0] === 'default' && Number(r[7]) >= 1), { show: (rs) => JSON.stringify(rs) });
      t.diagnostic(JSON.stringify(pools));
      assert.deepEqual(pools.find((r) => r[0] === 'idle')?.slice(0, 4), ['idle', '0', '0', '3'], 'a pool that never ran shows its declared bounds');
      assert.equal(pools.find((r) => r[0] === 'hello')?.[3], '2');
      const runs = await rows('recent-runs');
      const hello = runs.find((r) => r[1] === 'hello');
      assert.ok(hello && /^python3 \S*hello\.py$/.test(hello[2]), `the command column of the profile run: ${JSON.stringify(runs)}`);
    });
  });

  it('one "Phantom" log channel (no second "Phantom Fragment" one) with each run and learn run in it', { timeout: 60_000 }, async (t) => {
    await withScreenshots(wb!, 'log-channel', async () => {
      await runCommand(wb!, 'Phantom: Show Log');
      const page = wb!.page;
      // The output view draws only the lines in sight: read the whole log from the file VS Code writes it to.
      const logFile = () => {
        const found: string[] = [];
        const walk = (dir: string) => {
          for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            if (e.isDirectory()) walk(path.join(dir, e.name));
            else if (e.name === 'Phantom.log') found.push(path.join(dir, e.name));
          }
        };
        walk(path.join(server!.userDataDir, 'logs'));
        return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
      };
      const text = await waitFor(
        'the "Phantom" log with the runs and the learn run',
        async () => logFile(),
        (v) => /run \w+: the profile's run on hello\.py \[profile: hello of /.test(v) && /learn: .*mine\.seccomp\.json from `python3 hello\.py`/.test(v),
        { show: (v) => (v ?? '').slice(-2000) },
      );
      t.diagnostic(text.slice(-1500));
      await waitFor('the log in the output view', () => page.locator('.part.panel .output-view .view-lines').first().innerText({ timeout: 1000 }).catch(() => ''), (v) => /\[info\]/.test(v));
      assert.match(text, /run \w+: (exit status 0|started in)/);
      const channels = await page.locator('.part.panel select.monaco-select-box option').evaluateAll((os) => os.map((o) => o.textContent ?? ''));
      t.diagnostic(`channels: ${JSON.stringify(channels)}`);
      assert.ok(channels.includes('Phantom'), `no "Phantom" channel among ${JSON.stringify(channels)}`);
      assert.ok(!channels.some((c) => /Phantom Fragment/.test(c)), `a second channel: ${JSON.stringify(channels)}`);
    });
  });

  it('the walkthrough: each step done once the user did it (config opened, a run, a learn run, the metrics)', { timeout: 90_000 }, async (t) => {
    await withScreenshots(wb!, 'walkthrough', async () => {
      await openFile(wb!, 'phantom-fragment.yaml');
      t.diagnostic(JSON.stringify(await walkthroughSteps(true)));
    });
  });
});

/**
 * End-to-end, tasks and the run terminal: a tasks.json task of type `phantom` runs a profile from "Tasks: Run
 * Task" in the sandbox; the profiles of phantom-fragment.yaml are offered as detected tasks; and a workload that
 * prints escape sequences (a window title, a screen clear, a fake green exit footer) cannot fake the footer,
 * clear Phantom's header or set the title.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { E2E_WORKSPACE, extensionUnderTest, startCodeServer, type CodeServer } from './codeServer';
import { openWorkbench, readStatusBar, waitFor, waitForProblem, waitForTerminalText, withScreenshots, type Workbench } from './workbench';

const CONFIG = `version: 1
profiles:
  hello:
    description: The workspace's Python scripts, no network.
    match: ["*.py"]
    run: [python3, "\${file}"]
    fragments: [python, workspace-read]
    network: none
    pool: { min: 0, max: 3 }
`;

const TASKS = {
  version: '2.0.0',
  tasks: [
    { label: 'sandboxed hello', type: 'phantom', profile: 'hello', file: 'hello.py', problemMatcher: ['$phantom'] },
    { label: 'fake footer', type: 'phantom', profile: 'hello', file: 'fake_footer.py', problemMatcher: [] },
    { label: 'broken config', type: 'phantom', profile: 'x', config: 'bad/phantom-fragment.yaml', problemMatcher: ['$phantom'] },
  ],
};

/** A workload that tries to act on the terminal: set its title, clear it, print a footer that says success. */
const FAKE_FOOTER = String.raw`import sys
sys.stdout.write("\x1b]0;PWNED-TITLE\x07")
sys.stdout.write("\x1b]2;PWNED-TITLE\x1b\\")
sys.stdout.write("\x1b[2J\x1b[3J\x1b[H")
print("workload output")
print("\x1b[0m\x1b[32m\u25a0 exit status 0\x1b[0m (ran 0.01 s)")
# Conceal switched on and left on: the real footer must still show.
sys.stdout.write("\x1b[8m")
sys.stdout.flush()
sys.exit(3)
`;

describe('phantom tasks and the run terminal (code-server + Chromium)', { timeout: 240_000 }, () => {
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;

  before(async () => {
    server = await startCodeServer({
      name: 'tasks',
      workspaceTemplate: E2E_WORKSPACE,
      // A title set by an escape sequence would show in the terminal's name.
      settings: { 'terminal.integrated.tabs.title': '${process}${separator}${sequence}', 'terminal.integrated.tabs.description': '${sequence}' },
    });
    const ws = server.workspace!;
    fs.writeFileSync(path.join(ws, 'phantom-fragment.yaml'), CONFIG);
    fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.vscode/tasks.json'), JSON.stringify(TASKS, null, 2));
    fs.writeFileSync(path.join(ws, 'fake_footer.py'), FAKE_FOOTER);
    fs.mkdirSync(path.join(ws, 'bad'));
    fs.writeFileSync(path.join(ws, 'bad/phantom-fragment.yaml'), 'version: 1\nprofiles:\n\tx: 1\n');
    wb = await openWorkbench(server, { folder: ws, extensionDevelopmentPath: extensionUnderTest() });
    // The extension is active and its runtime runs once the pressure item shows.
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

  /** "Tasks: Run Task", then the row whose label has `label` (typed into the quick pick). */
  async function runTask(label: string): Promise<void> {
    await openTaskPicker();
    await pick(label);
  }

  /**
   * VS Code lists "Tasks: Run Task" only once its task system is ready (context key taskCommandsRegistered), and
   * the picker first asks every provider for its tasks: both take long on a busy machine, so the command is
   * given again when the palette did not have it yet or no picker came.
   */
  async function openTaskPicker(): Promise<void> {
    const input = wb!.page.locator('.quick-input-widget .quick-input-box input');
    for (let attempt = 1; ; attempt++) {
      const ran: true | Error = await paletteCommand('Tasks: Run Task').then(() => true as const, (e: Error) => e);
      const shown = ran === true && (await input.waitFor({ state: 'visible', timeout: 20_000 }).then(() => true, () => false));
      if (shown) return;
      if (attempt === 5) throw new Error(`"Tasks: Run Task" showed no task picker after 5 attempts${ran instanceof Error ? `: ${ran.message}` : ''}`);
      await wb!.page.keyboard.press('Escape');
    }
  }

  /** Runs the palette's row labelled exactly `label` (the first row may be a recently used neighbour). */
  async function paletteCommand(label: string): Promise<void> {
    const page = wb!.page;
    await page.keyboard.press('Escape');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    if (!(await input.isVisible())) await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await input.fill(`>${label}`);
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
    await row.first().waitFor({ state: 'visible', timeout: 15_000 });
    await row.first().click();
  }

  async function pick(label: string): Promise<void> {
    const input = wb!.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill(label);
    const rows = wb!.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await waitFor(
      `"${label}" in the first row of the quick pick`,
      async () => (await rows.first().getAttribute('aria-label', { timeout: 1000 })) ?? '',
      // A task type's group row reads "All phantom tasks" to screen readers.
      (first) => first.toLowerCase().includes(label.toLowerCase()),
      { show: (v) => `first row ${JSON.stringify(v)}` },
    );
    await input.press('Enter');
  }

  it('a tasks.json task of type phantom runs its profile in the sandbox from "Tasks: Run Task"', { timeout: 90_000 }, async (t) => {
    await withScreenshots(wb!, 'task-sandboxed-hello', async () => {
      await runTask('sandboxed hello');
      const terminal = await waitForTerminalText(wb!, /■ exit status 0/, { timeoutMs: 60_000 });
      t.diagnostic(`task terminal [${terminal.name}]:\n${terminal.text}`);
      assert.match(terminal.text, /Hello from the sandbox/);
      assert.match(terminal.text, /\[profile: hello\]/, 'the header names the profile');
      assert.match(terminal.text, /uid\W*\d+/);
      assert.match(terminal.text, /can see \/root: False/, 'it ran in the sandbox');
    });
  });

  it('the profiles of phantom-fragment.yaml are offered as detected phantom tasks', { timeout: 60_000 }, async () => {
    await withScreenshots(wb!, 'task-detected', async () => {
      await openTaskPicker();
      await pick('phantom');
      const rows = wb!.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      const labels = await waitFor(
        'the detected task "run profile hello"',
        async () => rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? '')),
        (ls) => ls.some((l) => /run profile hello/.test(l)),
        { show: (ls) => JSON.stringify(ls) },
      );
      assert.ok(labels.length >= 1);
      await wb!.page.keyboard.press('Escape');
    });
  });

  it('a workload cannot fake the exit footer, clear the header or set the title', { timeout: 90_000 }, async (t) => {
    await withScreenshots(wb!, 'task-fake-footer', async () => {
      await runTask('fake footer');
      const terminal = await waitForTerminalText(wb!, /■ exit status 3/, { timeoutMs: 60_000 });
      t.diagnostic(`task terminal [${terminal.name}]:\n${terminal.text}`);
      assert.match(terminal.text, /workload output/, 'the output is shown');
      assert.doesNotMatch(terminal.text, /■ exit status 0/, 'the fake footer looks like the real one');
      assert.match(terminal.text, /□ exit status 0/, "the workload's footer glyph is replaced");
      assert.match(terminal.text, /▶ fake footer — /, 'the header survived the screen clear');
      const titles = await wb!.page.locator('.terminal-tabs-entry, .tabs-container .tab, .single-terminal-tab, .terminal-wrapper textarea').evaluateAll((els) =>
        els.map((e) => `${e.getAttribute('aria-label') ?? ''} ${(e as unknown as { innerText?: string }).innerText ?? ''}`),
      );
      assert.ok(!titles.some((x) => x.includes('PWNED')), `the workload set the terminal title: ${JSON.stringify(titles)}`);
      const page = await wb!.page.locator('.part.panel').innerText();
      assert.doesNotMatch(page, /PWNED/, 'the title sequence reached the panel');
    });
  });

  it('the $phantom problem matcher puts a configuration error of a task in Problems, on its line', { timeout: 90_000 }, async (t) => {
    await withScreenshots(wb!, 'task-problem-matcher', async () => {
      await runTask('broken config');
      const terminal = await waitForTerminalText(wb!, /■ /, { name: 'broken config', timeoutMs: 60_000 });
      t.diagnostic(terminal.text);
      const problem = await waitForProblem(wb!, 'from the task: not valid YAML in bad/phantom-fragment.yaml', (p) => /not valid YAML/.test(p.message ?? p.text) && /bad\/phantom-fragment\.yaml/.test(p.cells[2] ?? p.text));
      t.diagnostic(`problem: ${problem.cells.join(' | ')}`);
      assert.match(problem.cells[2], /Ln 3\b/);
    });
  });
});

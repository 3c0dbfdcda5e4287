/**
 * End-to-end, learning seccomp AND Landlock from the editor (issues #15 and #12), in a real VS Code (code-server +
 * Chromium) with the installed package: the "Learn seccomp and Landlock profiles" code action on a profile of
 * phantom-fragment.yaml records once in the profile's own sandbox, shows one diff per file, and applies both
 * files as one edit; the rights the old Landlock profile grants and the run never used are information problems.
 * (a) on a copy of `examples/`: applied and saved, the example runs (Run in Sandbox). (b) on a workspace whose
 * workload behaves differently outside its profile's sandbox (it needs the profile's environment and its
 * `${workspaceFolder}/cache` grant): the proposal, applied (new files, referenced from the profile), runs the
 * workload 10/10 under that profile.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, extensionUnderTest, startCodeServer, type CodeServer } from './codeServer';
import { goToLine, openFile, openWorkbench, readStatusBar, runCommand, waitFor, waitForProblem, waitForTerminalText, withScreenshots, type Workbench } from './workbench';

const TOOL_CONFIG = `version: 1
profiles:
  tool:
    description: The tool, reading its data and writing its cache; nothing else of the workspace is writable.
    run: [python3, tool.py]
    fragments: [python, workspace-read]
    env:
      TOOL_MODE: profile
    filesystem:
      readWrite: ["\${workspaceFolder}/cache"]
    network: none
`;

/** Exits 3 outside the profile's sandbox (no TOOL_MODE), 4 when the workspace is writable (the profile keeps it read-only). */
const TOOL_PY = `import os, sys
if os.environ.get('TOOL_MODE') != 'profile':
    print('not in the profile sandbox')
    sys.exit(3)
try:
    open('stray.txt', 'w')
    print('the workspace is writable')
    sys.exit(4)
except OSError:
    pass
data = open('data/input.txt').read().strip()
with open('cache/result.txt', 'w') as f:
    f.write(data.upper())
print('result:', open('cache/result.txt').read())
`;

describe('learn seccomp and Landlock from the editor (code-server + Chromium)', { timeout: 420_000 }, () => {
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;

  before(async () => {
    server = await startCodeServer({ name: 'learn-landlock', workspaceTemplate: path.join(REPO_ROOT, 'examples') });
  });

  after(async () => {
    if (wb) {
      await wb.screenshot('final-window');
      await wb.close();
    }
    await server?.stop();
    if (server) console.log(`# e2e run folder: ${server.runDir}`);
  });

  async function open(folder: string): Promise<Workbench> {
    await wb?.close();
    wb = await openWorkbench(server!, { folder, extensionDevelopmentPath: extensionUnderTest() });
    await waitFor('the pressure item in the status bar (the runtime is up)', () => readStatusBar(wb!), (items) => items.some((i) => /CPU \d+%/.test(i.text)), { timeoutMs: 90_000 });
    return wb;
  }


  /** Opens the code action menu (Ctrl+.) and chooses the action whose label matches, with the keyboard. */
  async function chooseCodeAction(label: RegExp): Promise<string> {
    const page = wb!.page;
    const rows = page.locator('.action-widget .monaco-list-row.action');
    await waitFor(
      `an action ${label} in the code action menu (Ctrl+.)`,
      async () => {
        const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? '')).catch(() => [] as string[]);
        if (!labels.some((l) => label.test(l))) {
          await page.keyboard.press('Escape');
          await page.keyboard.press('Control+.');
        }
        return labels;
      },
      (labels) => labels.some((l) => label.test(l)),
      { timeoutMs: 60_000, show: (ls) => JSON.stringify(ls) },
    );
    // A pointer-block layer covers the menu while it settles: the keyboard chooses, as a user would.
    const focused = page.locator('.action-widget .monaco-list-row.action.focused').first();
    let chosen = '';
    for (let i = 0; i < 12; i++) {
      chosen = (await focused.getAttribute('aria-label', { timeout: 2000 })) ?? '';
      if (label.test(chosen)) break;
      await page.keyboard.press('ArrowDown');
    }
    assert.match(chosen, label, 'the action could not be selected');
    await page.keyboard.press('Enter');
    return chosen;
  }

  async function tabLabels(): Promise<string[]> {
    return wb!.page.locator('.tabs-container .tab').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  }

  /** Waits for one diff tab per file ("NAME ↔ learned from `…`"). */
  async function waitForDiffs(names: string[]): Promise<string[]> {
    return waitFor(
      `the diffs of ${names.join(' and ')} against the learned proposals`,
      tabLabels,
      (labels) => names.every((n) => labels.some((l) => l.startsWith(`${n} ↔ learned from`))),
      { timeoutMs: 180_000, show: (ls) => JSON.stringify(ls) },
    );
  }

  /** The title bar's "Replace with Minimal Profile": applies every file's proposal as one edit. */
  async function applyFromTitle(): Promise<void> {
    const page = wb!.page;
    const apply = page.locator('.editor-actions .action-label[aria-label^="Replace with Minimal Profile"]').first();
    await apply.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no modal dialog covers the diffs');
    await apply.click();
    await waitFor('the learned profile open for review (the proposal applied)', async () => (await page.locator('.tabs-container .tab.active').first().getAttribute('aria-label', { timeout: 1000 })) ?? '',
      (l) => /\.seccomp\.json/.test(l) && !/↔/.test(l), { show: (v) => JSON.stringify(v) });
    // Applied edits are left unsaved for review; the runtime reads the files from disk.
    await runCommand(wb!, 'File: Save All');
  }

  /** Waits for the file on disk to be accepted; while it is not, Save All is asked again every 5 s (a busy machine
   * can take the first one before every part of the applied edit is a dirty document). */
  function waitForFile(file: string, accept: (text: string) => boolean, what: string): Promise<string> {
    let savedAt = Date.now();
    return waitFor(what, async () => {
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      if (!accept(text) && Date.now() - savedAt > 5000) {
        await runCommand(wb!, 'File: Save All');
        savedAt = Date.now();
      }
      return text;
    }, accept, { show: (text) => (text ?? '').slice(0, 600) });
  }

  it('(a) examples/: the code action learns both profiles, shows both diffs, applied the example runs', { timeout: 300_000 }, async (t) => {
    const ws = server!.workspace!;
    await open(ws);
    await withScreenshots(wb!, 'learn-both-examples', async () => {
      const landlockFile = path.join(ws, 'profiles/workspace.landlock.json');
      const seccompFile = path.join(ws, 'profiles/python.seccomp.json');
      const before = { landlock: fs.readFileSync(landlockFile, 'utf8'), seccomp: fs.readFileSync(seccompFile, 'utf8') };
      await openFile(wb!, 'phantom-fragment.yaml');
      const line = fs.readFileSync(path.join(ws, 'phantom-fragment.yaml'), 'utf8').split('\n').findIndex((l) => /^ {2}python:/.test(l)) + 1;
      await goToLine(wb!, line, 5);
      const chosen = await chooseCodeAction(/^Learn seccomp and Landlock profiles for 'python'/);
      t.diagnostic(`code action: ${chosen}`);
      // The profile's run is made for any file (`${file}`): the command asks which one.
      const input = wb!.page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill('python3 hello.py');
      await input.press('Enter');
      const labels = await waitForDiffs(['python.seccomp.json', 'workspace.landlock.json']);
      t.diagnostic(`tabs: ${labels.join(' | ')}`);
      const proposed = await waitFor('the Landlock proposal on the right side of its diff',
        () => wb!.page.locator('.monaco-diff-editor .editor.modified .view-lines').first().innerText({ timeout: 1000 }),
        (text) => /pathBeneath/.test(text) && /handledAccessFs/.test(text));
      t.diagnostic(`proposed:\n${proposed.slice(0, 400)}`);
      // The hand-written profile grants rights the run never used: information problems, each with a fix.
      const unused = await waitForProblem(wb!, 'saying a right of workspace.landlock.json was never used by the last learn run',
        (p) => /learn-unused-right$/.test(p.cells[0] ?? '') && /workspace\.landlock\.json/.test(p.cells[2] ?? '') && /never used by the last learn run|used only/.test(p.message ?? ''), 30_000);
      t.diagnostic(`problem: ${unused.cells.join(' | ')}`);
      await wb!.screenshot('learn-both-diffs');
      await applyFromTitle();
      const landlock = await waitForFile(landlockFile, (text) => text !== before.landlock && /"handledAccessFs"/.test(text), 'the learned Landlock profile saved');
      const seccomp = await waitForFile(seccompFile, (text) => text !== before.seccomp && /SCMP_ACT_ERRNO/.test(text), 'the learned seccomp profile saved');
      const config = JSON.parse(landlock) as { abi: number; pathBeneath: { parent: string[] }[] };
      assert.ok(config.abi >= 1 && config.pathBeneath.length > 0);
      assert.ok(!config.pathBeneath.some((r) => r.parent.includes('/') || r.parent.includes('/root') || r.parent.includes('/home')), landlock);
      assert.ok(JSON.parse(seccomp).syscalls.length > 0);

      await openFile(wb!, 'hello.py');
      await runCommand(wb!, 'Phantom: Run in Sandbox');
      const terminal = await waitForTerminalText(wb!, /■ exit status \d+/, { name: 'hello.py', timeoutMs: 90_000 });
      t.diagnostic(terminal.text);
      assert.match(terminal.text, /■ exit status 0/);
      assert.match(terminal.text, /Hello from the sandbox/);
      assert.match(terminal.text, /\[profile: python\]/);
    });
  });

  it('(b) a workload that behaves differently outside its profile: learned in the profile\'s sandbox, applied, it runs 10/10 under that profile', { timeout: 300_000 }, async (t) => {
    const ws = path.join(server!.runDir, 'tool-workspace');
    fs.mkdirSync(path.join(ws, 'data'), { recursive: true });
    fs.mkdirSync(path.join(ws, 'cache'));
    fs.mkdirSync(path.join(ws, 'profiles'));
    fs.writeFileSync(path.join(ws, 'phantom-fragment.yaml'), TOOL_CONFIG);
    fs.writeFileSync(path.join(ws, 'tool.py'), TOOL_PY);
    fs.writeFileSync(path.join(ws, 'data/input.txt'), 'hello\n');
    const cli = path.join(server!.installedExtension ?? REPO_ROOT, 'dist/cli.js');
    // The approval store outside the workspace (the runtime refuses one the sandbox could write).
    const state = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-e2e-state-'));
    const phantom = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: ws, encoding: 'utf8', input: '', timeout: 60_000, env: { ...process.env, XDG_STATE_HOME: state } });
    try {
      // Outside its profile's sandbox the workload does something else: a proposal learned there would not be this one.
      const outside = phantom(['run', '--', 'python3', 'tool.py']);
      assert.equal(outside.status, 3, `${outside.stdout}\n${outside.stderr}`);

      await open(ws);
      await withScreenshots(wb!, 'learn-both-tool', async () => {
        await openFile(wb!, 'phantom-fragment.yaml');
        await goToLine(wb!, 3, 5);
        const chosen = await chooseCodeAction(/^Learn seccomp and Landlock profiles for 'tool' from `python3 tool\.py`/);
        t.diagnostic(`code action: ${chosen}`);
        await waitForDiffs(['tool.seccomp.json', 'tool.landlock.json']);
        await wb!.screenshot('learn-both-tool-diffs');
        await applyFromTitle();
        // Both files created and the profile references them, in the one edit (the YAML edited by the language server).
        const config = await waitForFile(path.join(ws, 'phantom-fragment.yaml'),
          (text) => /^ {4}seccomp: profiles\/tool\.seccomp\.json$/m.test(text) && /^ {4}landlock: profiles\/tool\.landlock\.json$/m.test(text), 'the profile referencing both learned files');
        t.diagnostic(config);
        assert.equal(config.replace(/^ {4}(seccomp|landlock): .*\n/gm, ''), TOOL_CONFIG, 'nothing else of the configuration changed');
        await waitForFile(path.join(ws, 'profiles/tool.landlock.json'), (text) => /"pathBeneath"/.test(text), 'the learned Landlock profile saved');
        await waitForFile(path.join(ws, 'profiles/tool.seccomp.json'), (text) => /SCMP_ACT_ERRNO/.test(text), 'the learned seccomp profile saved');
      });

      const check = phantom(['check', 'phantom-fragment.yaml', 'profiles/tool.landlock.json', 'profiles/tool.seccomp.json']);
      assert.equal(check.status, 0, `${check.stdout}\n${check.stderr}`);
      assert.match(check.stdout + check.stderr, /0 errors/);
      assert.doesNotMatch(check.stdout + check.stderr, /config-layer-useless/, 'the learned Landlock grants take effect in the profile');
      for (let i = 1; i <= 10; i++) {
        fs.rmSync(path.join(ws, 'cache/result.txt'), { force: true });
        const r = phantom(['run', '--config', path.join(ws, 'phantom-fragment.yaml'), '--profile', 'tool']);
        assert.equal(r.status, 0, `run ${i}/10 under profile 'tool': exit ${r.status}\n${r.stdout}\n${r.stderr}`);
        assert.equal(r.stdout, 'result: HELLO\n', `run ${i}/10`);
        assert.equal(fs.readFileSync(path.join(ws, 'cache/result.txt'), 'utf8'), 'HELLO', `run ${i}/10 wrote the granted cache`);
        assert.equal(fs.existsSync(path.join(ws, 'stray.txt')), false, `run ${i}/10: the workspace stayed read-only`);
      }
      // The learned layers are enforced: a read the workload never made is refused under the profile.
      const other = phantom(['run', '--config', path.join(ws, 'phantom-fragment.yaml'), '--profile', 'tool', '--', 'python3', '-c', "open('/etc/hostname').read()"]);
      assert.notEqual(other.status, 0, `${other.stdout}\n${other.stderr}`);
    } finally {
      fs.rmSync(state, { recursive: true, force: true });
    }
  });
});

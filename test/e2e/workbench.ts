/**
 * Playwright helpers driving the real VS Code web workbench served by code-server.
 *
 * Every wait is bounded and, when it runs out, throws an E2EError that says what was expected and what was
 * last seen; `withScreenshots` saves a screenshot of the window for every test and a `FAILED-…` one when the
 * test fails. Screenshots, the browser console and code-server's log all land in the run folder under
 * `test-output/e2e/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { workbenchUrl, type CodeServer, type WorkbenchUrlOptions } from './codeServer';

export const CHROMIUM = process.env.PHANTOM_E2E_CHROMIUM ?? '/usr/bin/chromium';
/** Default bound of every wait (ms). */
export const WAIT_MS = Number(process.env.PHANTOM_E2E_WAIT_MS ?? 30_000);

const CHROMIUM_ARGS = [
  '--no-sandbox', // we run as root
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-dev-shm-usage',
  '--password-store=basic',
  '--use-mock-keychain',
];

export class E2EError extends Error {}

/** Minimal DOM shapes for the code that runs in the page (the project's tsconfig has no DOM lib). */
interface PageElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  readonly children: ArrayLike<PageElement> & Iterable<PageElement>;
  readonly textContent: string | null;
  readonly innerText: string;
  getBoundingClientRect(): { width: number; height: number };
}
declare const document: { querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement> };

export interface Workbench {
  page: Page;
  context: BrowserContext;
  server: CodeServer;
  /** Where screenshots and the browser console log go (the server's run folder). */
  outDir: string;
  /** Browser console lines so far (also appended to `<outDir>/browser-console.log`). */
  consoleLines: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface LaunchOptions extends WorkbenchUrlOptions {
  /** Called for `window.codeAutomationExit(code, logs)` (extension tests finished). */
  onAutomationExit?: (code: number, logs: unknown) => void;
  /** Wait until the workbench is drawn (default true). */
  waitForReady?: boolean;
}

/** Launches a fresh headless Chromium (its own profile in the run folder) and opens the workbench. */
export async function openWorkbench(server: CodeServer, options: LaunchOptions): Promise<Workbench> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new E2EError(`Chromium not found at ${CHROMIUM}: run \`node scripts/ensure-test-tools.mjs\` (apt package chromium)`);
  }
  const outDir = server.runDir;
  const profile = path.join(outDir, 'chromium-profile');
  fs.mkdirSync(profile, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    // Tall enough that a run's header stays in the terminal's rows when notices (a deferral) come before its output.
    viewport: { width: 1400, height: 1200 },
    env: {
      ...process.env,
      HOME: path.join(outDir, 'home'),
      XDG_CONFIG_HOME: path.join(outDir, 'xdg/config'),
      XDG_CACHE_HOME: path.join(outDir, 'xdg/cache'),
    },
    timeout: 30_000,
  });
  const consoleLog = path.join(outDir, 'browser-console.log');
  const consoleLines: string[] = [];
  const record = (line: string) => {
    consoleLines.push(line);
    fs.appendFileSync(consoleLog, line + '\n');
  };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    // Never hang the suite on a stuck browser: playwright kills it on process exit anyway.
    await withTimeout(context.close().catch(() => undefined), 10_000);
    // The browser profile is most of a run folder's size and useless afterwards.
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    if (options.onAutomationExit) {
      const cb = options.onAutomationExit;
      await context.exposeFunction('codeAutomationExit', (code: number, logs: unknown) => cb(code, logs));
    }
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => record(`[${new Date().toISOString()}] ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => record(`[${new Date().toISOString()}] pageerror: ${e.stack ?? e.message}`));
    let shot = 0;
    const wb: Workbench = {
      page,
      context,
      server,
      outDir,
      consoleLines,
      async screenshot(name: string) {
        const file = path.join(outDir, `${String(++shot).padStart(2, '0')}-${safeName(name)}.png`);
        await page.screenshot({ path: file, timeout: 10_000 }).catch((e) => record(`screenshot failed: ${e}`));
        return file;
      },
      close,
    };
    await page.goto(workbenchUrl(server, options), { timeout: WAIT_MS });
    if (options.waitForReady !== false) await waitForWorkbench(wb);
    return wb;
  } catch (e) {
    await close();
    throw e;
  }
}

/** Waits until the workbench is drawn: status bar and activity bar present, no splash/progress left. */
export async function waitForWorkbench(wb: Workbench, timeoutMs = WAIT_MS): Promise<void> {
  const { page } = wb;
  try {
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
  } catch (e) {
    throw new E2EError(`The VS Code workbench did not appear within ${timeoutMs} ms (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Polls `probe` until `accept` says yes; otherwise throws saying what was expected and what was last seen. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  options: { timeoutMs?: number; intervalMs?: number; show?: (value: T | undefined) => string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? WAIT_MS;
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) break;
    await sleep(options.intervalMs ?? 250);
  }
  const seen = lastError
    ? `error: ${(lastError as Error).message ?? lastError}`
    : options.show
      ? options.show(last)
      : JSON.stringify(last, null, 2);
  throw new E2EError(`Timed out after ${timeoutMs} ms waiting for ${what}.\nLast seen: ${seen}`);
}

async function focusWorkbench(page: Page): Promise<void> {
  // Escape closes any open quick input / notification focus without side effects.
  await page.keyboard.press('Escape');
}

/** Opens the command palette (F1), types the command's label, checks the first match is it, presses Enter. */
export async function runCommand(wb: Workbench, label: string, timeoutMs = WAIT_MS): Promise<void> {
  const { page } = wb;
  await focusWorkbench(page);
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await waitFor(
    'the command palette to open (F1)',
    async () => {
      if (!(await input.isVisible())) await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 2000 });
      return (await input.inputValue()).startsWith('>');
    },
    (open) => open,
    { timeoutMs },
  );
  await input.fill(`>${label}`);
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await waitFor(
    `the command "${label}" in the command palette`,
    async () => (await rows.first().getAttribute('aria-label', { timeout: 1000 })) ?? '',
    (first) => normalize(first).startsWith(normalize(label)),
    { timeoutMs, show: (v) => `first row ${JSON.stringify(v)}` },
  );
  await input.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
}

/** Opens a workspace file through Quick Open (Ctrl+P), then waits for its editor tab to be active. */
export async function openFile(wb: Workbench, relativePath: string, timeoutMs = WAIT_MS): Promise<void> {
  const { page } = wb;
  const base = path.posix.basename(relativePath);
  await focusWorkbench(page);
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await waitFor(
    'Quick Open (Ctrl+P) to open',
    async () => {
      if (!(await input.isVisible())) await page.keyboard.press('Control+P');
      await input.waitFor({ state: 'visible', timeout: 2000 });
      return true;
    },
    (v) => v,
    { timeoutMs },
  );
  await input.fill(relativePath);
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  // File search runs on the server (ripgrep): wait for the row of this file.
  const dir = path.posix.dirname(relativePath);
  await waitFor(
    `"${relativePath}" in Quick Open`,
    async () => (await rows.first().getAttribute('aria-label', { timeout: 1000 })) ?? '',
    (label) => label.includes(base) && (dir === '.' || label.includes(dir)),
    { timeoutMs, show: (v) => `first row ${JSON.stringify(v)}` },
  );
  await input.press('Enter');
  await waitFor(
    `an active editor tab for ${relativePath}`,
    async () => (await page.locator('.tabs-container .tab.active').first().getAttribute('aria-label', { timeout: 1000 })) ?? '',
    (label) => label.includes(base),
    { timeoutMs, show: (v) => `active tab ${JSON.stringify(v)}` },
  );
}

/**
 * Puts the cursor at `line`:`column` of the active editor with Go to Line/Column (Ctrl+G), and waits until the
 * status bar says so. Tried again while the box does not show or the cursor did not move: a box opened while the
 * editor still takes focus (a file just opened, a busy machine) closes at once.
 */
export async function goToLine(wb: Workbench, line: number, column: number, timeoutMs = WAIT_MS): Promise<void> {
  const { page } = wb;
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const where = `Ln ${line}, Col ${column}`;
  await waitFor(
    `the cursor at ${where} (Go to Line, Ctrl+G)`,
    async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+G');
      const shown = await input.waitFor({ state: 'visible', timeout: 2000 }).then(() => true, () => false);
      if (shown) {
        await input.fill(`:${line}:${column}`);
        await input.press('Enter');
      }
      return (await readStatusBar(wb)).map((item) => item.text).join(' | ');
    },
    (bar) => bar.split(' | ').includes(where),
    { timeoutMs, show: (bar) => `status bar: ${bar}` },
  );
}

export interface Problem {
  /** The row's accessible label (tree mode; empty in table mode). */
  label: string;
  /** The row's visible text, e.g. `phantomschema-unknown-key Unknown key 'netwrk' … broken/phantom-fragment.yaml[Ln 6, Col 5] phantom`. */
  text: string;
  /**
   * Table mode ("problems.defaultViewMode": "table", set by codeServer.ts): the cells, in column order
   * Code, Message, File (with `[Ln, Col]`), Source — without the severity icon cell.
   */
  cells: string[];
  /** The Source column (table mode), e.g. `phantom`. */
  source: string | undefined;
  /** The Message column (table mode). */
  message: string | undefined;
}

/** Shows the Problems panel (workbench.actions.view.problems, Ctrl+Shift+M) and returns its rows. */
export async function showProblems(wb: Workbench): Promise<void> {
  const { page } = wb;
  const panel = page.locator('.markers-panel');
  if (await panel.isVisible()) return;
  await runCommand(wb, 'View: Focus Problems');
  await panel.waitFor({ state: 'visible', timeout: 5000 });
}

export async function readProblems(wb: Workbench): Promise<Problem[]> {
  const { page } = wb;
  await showProblems(wb);
  const rows = await page.locator('.markers-panel .monaco-list-row').evaluateAll((els) =>
    els.map((el) => {
      const row = el as unknown as PageElement;
      const tds = [...row.querySelectorAll('.monaco-table-td')].map((td) => td.innerText.replace(/\s+/g, ' ').trim());
      return {
        label: row.getAttribute('aria-label') ?? '',
        text: row.innerText.replace(/\s+/g, ' ').trim(),
        tds,
      };
    }),
  );
  return rows.map(({ label, text, tds }) => {
    // Table columns: severity icon, code, message, file, source.
    const cells = tds.length >= 5 ? tds.slice(1) : tds;
    return { label, text, cells, source: cells.length >= 4 ? cells[3] : undefined, message: cells.length >= 4 ? cells[1] : undefined };
  });
}

/** Waits until a Problems row satisfies `accept`; returns that row. */
export async function waitForProblem(
  wb: Workbench,
  what: string,
  accept: (p: Problem) => boolean,
  timeoutMs = WAIT_MS,
): Promise<Problem> {
  const rows = await waitFor(`a problem ${what} in the Problems panel`, () => readProblems(wb), (ps) => ps.some(accept), {
    timeoutMs,
    show: (ps) =>
      ps?.length ? ps.map((p) => `\n  - ${p.cells.length ? p.cells.join(' | ') : p.label || p.text}`).join('') : 'no problems at all',
  });
  return rows.find(accept) as Problem;
}

/** Texts (and accessible labels) of the status bar items. */
export async function readStatusBar(wb: Workbench): Promise<{ text: string; label: string }[]> {
  return await wb.page.locator('.part.statusbar .statusbar-item').evaluateAll((els) =>
    els
      .map((el) => ({
        text: (el as unknown as PageElement).innerText.replace(/\s+/g, ' ').trim(),
        label: el.querySelector('[aria-label]')?.getAttribute('aria-label') ?? el.getAttribute('aria-label') ?? '',
      }))
      .filter((i) => i.text || i.label),
  );
}

export interface TerminalState {
  /** One entry per terminal whose xterm is in the DOM (the active one, plus others once shown). */
  terminals: { name: string; visible: boolean; text: string }[];
  /** All terminal texts joined (what the wait helpers search). */
  text: string;
}

/**
 * Reads the terminals. Needs "terminal.integrated.gpuAcceleration": "off" (set by codeServer.ts): the DOM
 * renderer draws rows into `.xterm-rows`; the canvas/WebGL renderers leave no text in the DOM. A terminal's
 * name comes from its textarea's accessible label ("Terminal 2, Phantom: hello.py\n…").
 */
export async function readTerminal(wb: Workbench): Promise<TerminalState> {
  const terminals = await wb.page.evaluate(() =>
    [...document.querySelectorAll('.terminal-wrapper .xterm')].map((xterm) => {
      const label = xterm.querySelector('textarea')?.getAttribute('aria-label') ?? '';
      const name = label.split('\n')[0].replace(/^Terminal \d+, /, '');
      const rows = xterm.querySelector('.xterm-rows');
      const text = rows
        ? [...rows.children].map((row) => (row as unknown as PageElement).textContent!.replace(/\u00a0/g, ' ').trimEnd()).join('\n').trimEnd()
        : '';
      const box = (xterm as unknown as PageElement).getBoundingClientRect();
      return { name, visible: box.width > 0 && box.height > 0, text };
    }),
  );
  return { terminals, text: terminals.map((t) => t.text).join('\n') };
}

/** Waits until a terminal (optionally one whose name matches `name`) shows `expected`. */
export async function waitForTerminalText(
  wb: Workbench,
  expected: string | RegExp,
  options: { name?: string | RegExp; timeoutMs?: number } = {},
): Promise<{ name: string; text: string }> {
  const has = (text: string) => (typeof expected === 'string' ? text.includes(expected) : expected.test(text));
  const named = (n: string) =>
    options.name === undefined ? true : typeof options.name === 'string' ? n.includes(options.name) : options.name.test(n);
  const match = (s: TerminalState) => s.terminals.find((t) => named(t.name) && has(t.text));
  const state = await waitFor(
    `a terminal${options.name ? ` named like ${String(options.name)}` : ''} showing ${JSON.stringify(String(expected))}`,
    () => readTerminal(wb),
    (s) => match(s) !== undefined,
    {
      timeoutMs: options.timeoutMs ?? WAIT_MS,
      show: (s) =>
        s?.terminals.length
          ? s.terminals.map((t) => `\n  [${t.name}]${t.visible ? '' : ' (hidden)'}:\n${indent(t.text || '(empty)')}`).join('')
          : 'no terminal at all',
    },
  );
  return match(state)!;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
}

/** Visible notification toasts (errors from the extension show up here). */
export async function readNotifications(wb: Workbench): Promise<string[]> {
  return await wb.page
    .locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item')
    .evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? (el as unknown as PageElement).innerText));
}

/**
 * Runs `fn`; always saves a screenshot named after the test, and on failure a `FAILED-` one plus the
 * notifications, status bar and a pointer to the logs in the error message.
 */
export async function withScreenshots<T>(wb: Workbench, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    const result = await fn();
    await wb.screenshot(name);
    return result;
  } catch (e) {
    const file = await wb.screenshot(`FAILED-${name}`);
    const notes = await readNotifications(wb).catch(() => []);
    const status = await readStatusBar(wb).catch(() => []);
    const err = e as Error;
    err.message +=
      `\nScreenshot: ${file}` +
      (notes.length ? `\nNotifications: ${notes.map((n) => `\n  - ${n}`).join('')}` : '') +
      `\nStatus bar: ${status.map((s) => s.text || s.label).join(' | ')}` +
      `\nLogs: ${wb.server.logFile}, ${path.join(wb.outDir, 'browser-console.log')}, ${path.join(wb.server.userDataDir, 'logs')}`;
    throw err;
  }
}

function normalize(s: string): string {
  return s.replace(/\s+/g, ' ').trim().toLowerCase();
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
}

/** Resolves with `promise`, or with undefined after `ms` (the timer never keeps the process alive). */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

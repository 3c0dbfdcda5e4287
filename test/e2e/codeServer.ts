/**
 * Starts a real code-server (VS Code 1.100.3 server + web workbench) for end-to-end tests.
 *
 * - Installed by `scripts/ensure-test-tools.mjs` into `.cache/code-server` (never into the project's
 *   package.json).
 * - Every start gets a fresh run folder under `test-output/e2e/<name>-<timestamp>/` holding the user data
 *   dir, the extensions dir, HOME, TMPDIR, XDG_* dirs, a copy of the test workspace and `code-server.log`.
 * - The process is started detached (`detached: true` = setsid(2): a new session and process group), so
 *   `stop()` kills the whole group (the server, its extension hosts, pty host, file watcher and anything
 *   the extension spawned), also when a test fails or the test process exits early.
 * - The extension under test is, by default, the package a user installs: the .vsix that `npm run package` built
 *   (dist/phantom-fragment.vsix, or PHANTOM_E2E_VSIX) is checked (scripts/check-package.mjs) and installed into the
 *   run's fresh profile with `code-server --install-extension FILE --extensions-dir D --user-data-dir U` before the
 *   server starts. PHANTOM_E2E_EXTENSION_MODE=development (or PHANTOM_E2E_EXTENSION=<folder>) loads the checkout
 *   instead, as the extension development path of the workbench URL's `payload` (see `workbenchUrl()`), exactly
 *   like `code --extensionDevelopmentPath` — handy while debugging, but it is not what a user runs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The repository root: the nearest folder upwards from the working directory with our package.json. */
export const REPO_ROOT = findRepoRoot();
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_DIR = path.join(REPO_ROOT, '.cache/code-server/node_modules/code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, 'out/node/entry.js');
export const OUTPUT_ROOT = path.join(REPO_ROOT, 'test-output/e2e');

function findRepoRoot(): string {
  if (process.env.PHANTOM_REPO_ROOT) return path.resolve(process.env.PHANTOM_REPO_ROOT);
  let dir = process.cwd();
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'phantom-fragment') return dir;
      } catch {
        /* keep looking */
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`e2e: run from inside the phantom-fragment repository (cwd ${process.cwd()})`);
    dir = parent;
  }
}

/** The workspace every e2e run copies into its run folder. */
export const E2E_WORKSPACE = path.join(REPO_ROOT, 'test/fixtures/e2e-workspace');

/** How the extension under test is loaded: the installed .vsix (default) or the checkout as development path. */
export type ExtensionMode = 'installed' | 'development';
export const EXTENSION_MODE: ExtensionMode =
  process.env.PHANTOM_E2E_EXTENSION_MODE === 'development' || process.env.PHANTOM_E2E_EXTENSION ? 'development' : 'installed';
if (process.env.PHANTOM_E2E_EXTENSION_MODE && !['installed', 'development'].includes(process.env.PHANTOM_E2E_EXTENSION_MODE)) {
  throw new Error(`e2e: PHANTOM_E2E_EXTENSION_MODE=${process.env.PHANTOM_E2E_EXTENSION_MODE}: use installed or development`);
}

/** The package the installed mode installs (built by `npm run package`). */
export const PACKAGE_VSIX = path.resolve(process.env.PHANTOM_E2E_VSIX ?? path.join(REPO_ROOT, 'dist/phantom-fragment.vsix'));

/** The id VS Code gives the extension (publisher.name of package.json). */
export const EXTENSION_ID = 'phantom-fragment.phantom-fragment';

/**
 * The extension development path to hand to `openWorkbench`/`workbenchUrl`: undefined in the installed mode (the
 * default: `startCodeServer` installed the .vsix into the profile, and a development path of the same id would
 * hide it), else the repository itself (package.json `main` = dist/client.js, built by `npm run build`) or
 * PHANTOM_E2E_EXTENSION. Fails clearly when the extension's main file is missing.
 */
export function extensionUnderTest(mode: ExtensionMode = EXTENSION_MODE): string | undefined {
  return mode === 'installed' ? undefined : developmentExtension();
}

/** The checkout (or PHANTOM_E2E_EXTENSION) as an extension folder, checked to be built. */
export function developmentExtension(): string {
  const dir = process.env.PHANTOM_E2E_EXTENSION ? path.resolve(process.env.PHANTOM_E2E_EXTENSION) : REPO_ROOT;
  const manifest = path.join(dir, 'package.json');
  if (!fs.existsSync(manifest)) throw new Error(`e2e: ${dir} is not an extension folder (no package.json)`);
  const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { main?: string };
  const main = path.join(dir, pkg.main ?? 'index.js');
  if (!fs.existsSync(main) && !fs.existsSync(`${main}.js`)) {
    throw new Error(`e2e: the extension is not built: ${main} is missing. Run \`npm run build\` first.`);
  }
  return dir;
}

const checkedPackages = new Map<string, string>();

/**
 * Checks the .vsix as scripts/check-package.mjs does (`npm run package` ran it too; the file may have changed
 * since): its failure names the missing file. Once per package file and modification time.
 */
export function checkPackage(vsix: string = PACKAGE_VSIX): void {
  if (!fs.existsSync(vsix)) throw new Error(`e2e: ${vsix} does not exist: run \`npm run package\` first (npm test does it before this layer)`);
  const key = `${vsix}@${fs.statSync(vsix).mtimeMs}`;
  if (checkedPackages.has(key)) return;
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/check-package.mjs'), vsix], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`e2e: the package ${vsix} is incomplete (scripts/check-package.mjs):\n${r.stdout}${r.stderr}${r.error?.message ?? ''}`);
  checkedPackages.set(key, r.stdout);
}

/**
 * Installs a .vsix into a profile as a user does: `code-server --install-extension FILE --extensions-dir D
 * --user-data-dir U`. Returns the folder it was installed into.
 */
export function installExtension(vsix: string, dirs: { extensions: string; userData: string }, env: Record<string, string>): string {
  const r = spawnSync(
    process.execPath,
    [CODE_SERVER_ENTRY, '--install-extension', vsix, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData, '--force'],
    { encoding: 'utf8', env, timeout: 120_000 },
  );
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}`;
  if (r.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`e2e: code-server --install-extension ${vsix} failed (exit ${r.status}):\n${output.slice(-3000)}`);
  }
  const installed = fs.readdirSync(dirs.extensions).find((d) => d.startsWith(`${EXTENSION_ID}-`));
  if (!installed) throw new Error(`e2e: ${vsix} was installed but no ${EXTENSION_ID}-* folder is in ${dirs.extensions}:\n${output}`);
  return path.join(dirs.extensions, installed);
}

/**
 * An empty extension to name as extension development path when only the extension-host tests
 * (`extensionTestsPath`) need one: VS Code then still loads the installed extensions, so the tests run against the
 * installed copy of Phantom Fragment.
 */
export function testDriverExtension(server: Pick<CodeServer, 'runDir'>): string {
  const dir = path.join(server.runDir, 'test-driver-extension');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'phantom-e2e-driver', publisher: 'phantom-fragment-tests', version: '0.0.0', engines: { vscode: '^1.100.0' } }, null, 2),
  );
  return dir;
}

/** Settings of the test profile (User/settings.json). */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  // VS Code 1.100 draws terminals on a canvas/WebGL: the DOM renderer gives `.xterm-rows` we can read.
  'terminal.integrated.gpuAcceleration': 'off',
  'terminal.integrated.enablePersistentSessions': false,
  'terminal.integrated.showExitAlert': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'github.gitAuthentication': false,
  'files.autoSave': 'off',
  'files.hotExit': 'off',
  'editor.minimap.enabled': false,
  'window.restoreWindows': 'none',
  'problems.defaultViewMode': 'table',
  'chat.commandCenter.enabled': false,
  'workbench.editor.enablePreview': false,
};

export interface CodeServerOptions {
  /** Name of the run folder (a timestamp is appended). */
  name: string;
  /** A folder copied into the run folder as the workspace (so tests never touch the repository). */
  workspaceTemplate?: string;
  /** Extra settings merged over DEFAULT_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server (and so for the extension host and everything it spawns). */
  env?: Record<string, string>;
  /** Readiness timeout (ms). */
  startTimeoutMs?: number;
  /**
   * How the extension under test is loaded (default EXTENSION_MODE): 'installed' installs PACKAGE_VSIX (or `vsix`)
   * into this run's profile before the server starts; 'development' installs nothing (pass `extensionUnderTest()`
   * as the workbench's extension development path).
   */
  extension?: ExtensionMode;
  /** The package to install in the installed mode (default PACKAGE_VSIX). */
  vsix?: string;
  /**
   * Workspace Trust on (default off: `--disable-workspace-trust`). The opened folder then starts untrusted, in
   * Restricted Mode, without the startup prompt (`security.workspace.trust.startupPrompt: never`).
   */
  workspaceTrust?: boolean;
}

export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  runDir: string;
  /** The copy of the workspace template (undefined when none was given). */
  workspace: string | undefined;
  userDataDir: string;
  extensionsDir: string;
  /** Where the .vsix was installed (the installed mode), else undefined. */
  installedExtension: string | undefined;
  logFile: string;
  /** code-server's output so far (stdout + stderr). */
  log(): string;
  /** Kills the whole process group; idempotent. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Run folders kept per name (older ones are deleted when a new run starts); PHANTOM_E2E_KEEP_RUNS. */
const KEEP_RUNS = Number(process.env.PHANTOM_E2E_KEEP_RUNS ?? 5);

export function newRunDir(name: string): string {
  fs.mkdirSync(OUTPUT_ROOT, { recursive: true });
  const previous = fs
    .readdirSync(OUTPUT_ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name.startsWith(`${name}-20`))
    .map((e) => e.name)
    .sort();
  for (const old of previous.slice(0, Math.max(0, previous.length - (KEEP_RUNS - 1)))) {
    fs.rmSync(path.join(OUTPUT_ROOT, old), { recursive: true, force: true });
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = path.join(OUTPUT_ROOT, `${name}-${stamp}-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Groups still alive (→ their short tmp folder), killed if the test process exits without stop(). */
const liveGroups = new Map<number, string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const [pgid, shortDir] of liveGroups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      fs.rmSync(shortDir, { recursive: true, force: true });
    }
    liveGroups.clear();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAll();
      process.kill(process.pid, sig);
    });
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function killGroup(pgid: number, child: ChildProcess): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      /* group gone */
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 3000;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
  if (groupAlive(pgid)) {
    signal('SIGKILL');
    const hard = Date.now() + 3000;
    while (groupAlive(pgid) && Date.now() < hard) await sleep(50);
  }
  if (child.exitCode === null && child.signalCode === null) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
  }
  liveGroups.delete(pgid);
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  if (!fs.existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(
      `code-server ${CODE_SERVER_VERSION} is not installed at ${CODE_SERVER_DIR}: run \`node scripts/ensure-test-tools.mjs\` first`,
    );
  }
  const mode = options.extension ?? EXTENSION_MODE;
  const vsix = options.vsix ?? PACKAGE_VSIX;
  // Before anything is made: an incomplete package fails here, naming the missing file.
  if (mode === 'installed') checkPackage(vsix);
  installExitHook();
  const runDir = newRunDir(options.name);
  // Unix sockets (VS Code's IPC handles, the extension's own sockets) live in TMPDIR / XDG_RUNTIME_DIR and
  // their paths must stay under 108 bytes: those two get a short folder in /tmp, linked from the run
  // folder and removed by stop().
  const shortDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-e2e-'));
  const dirs = {
    home: path.join(runDir, 'home'),
    tmp: path.join(shortDir, 'tmp'),
    config: path.join(runDir, 'xdg/config'),
    data: path.join(runDir, 'xdg/data'),
    cache: path.join(runDir, 'xdg/cache'),
    state: path.join(runDir, 'xdg/state'),
    runtime: path.join(shortDir, 'run'),
    userData: path.join(runDir, 'user-data'),
    extensions: path.join(runDir, 'extensions'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  fs.chmodSync(dirs.runtime, 0o700);
  fs.symlinkSync(shortDir, path.join(runDir, 'short-tmp'));

  const settingsFile = path.join(dirs.userData, 'User/settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  const trustSettings = options.workspaceTrust
    ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' }
    : {};
  fs.writeFileSync(settingsFile, JSON.stringify({ ...DEFAULT_SETTINGS, ...trustSettings, ...options.settings }, null, 2));

  let workspace: string | undefined;
  if (options.workspaceTemplate) {
    workspace = path.join(runDir, 'workspace');
    fs.cpSync(options.workspaceTemplate, workspace, { recursive: true });
  }

  // Our own config file: code-server would otherwise write ~/.config/code-server/config.yaml (with a
  // generated password) and read options from it. It must be a YAML map (an empty file is "invalid config").
  const configFile = path.join(runDir, 'code-server.yaml');
  fs.writeFileSync(configFile, '# every other option is on the command line\nauth: none\n');

  const port = await freePort();
  const args = [
    CODE_SERVER_ENTRY,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--config', configFile,
    '--disable-telemetry',
    '--disable-update-check',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--ignore-last-opened',
    '--log', 'info',
  ];

  const realHome = os.homedir();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: process.env.LANG ?? 'C.UTF-8',
    HOME: dirs.home,
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    XDG_STATE_HOME: dirs.state,
    XDG_RUNTIME_DIR: dirs.runtime,
    SHELL: '/bin/bash',
    // HOME moved: interpreter managers that live in the real home (pyenv shims on PATH) must still work.
    ...(fs.existsSync(path.join(realHome, '.pyenv')) && !process.env.PYENV_ROOT
      ? { PYENV_ROOT: path.join(realHome, '.pyenv') }
      : {}),
    ...pick(process.env, ['PYENV_ROOT', 'PYENV_VERSION', 'NODE_OPTIONS_E2E']),
    ...options.env,
  };

  let installedExtension: string | undefined;
  if (mode === 'installed') {
    try {
      installedExtension = installExtension(vsix, { extensions: dirs.extensions, userData: dirs.userData }, env);
    } catch (e) {
      fs.rmSync(shortDir, { recursive: true, force: true });
      throw e;
    }
  }

  const logFile = path.join(runDir, 'code-server.log');
  const logFd = fs.openSync(logFile, 'a');
  // detached: true makes node call setsid() in the child: a new session and process group whose id is the
  // child's pid, so `kill(-pid)` reaches everything below it.
  const child = spawn(process.execPath, args, {
    cwd: workspace ?? runDir,
    env,
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  if (!child.pid) throw new Error('e2e: code-server did not start (no pid)');
  const pid = child.pid;
  liveGroups.set(pid, shortDir);

  let exited: string | undefined;
  child.once('exit', (code, sig) => (exited = `code-server exited early (code ${code}, signal ${sig})`));

  const url = `http://127.0.0.1:${port}`;
  const readLog = () => {
    try {
      return fs.readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  let stopped = false;
  const server: CodeServer = {
    url,
    port,
    pid,
    runDir,
    workspace,
    userDataDir: dirs.userData,
    extensionsDir: dirs.extensions,
    installedExtension,
    logFile,
    log: readLog,
    async stop() {
      if (stopped) return;
      stopped = true;
      await killGroup(pid, child);
      fs.rmSync(shortDir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  let lastError = '';
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      const body = await res.text();
      if (res.ok) return server;
      lastError = `HTTP ${res.status} ${body}`;
    } catch (e) {
      lastError = String((e as Error).cause ?? e);
    }
    await sleep(200);
  }
  await server.stop();
  throw new Error(
    `e2e: code-server did not become ready on ${url}/healthz (${exited ?? lastError}).\n` +
      `log ${logFile}:\n${readLog().slice(-3000)}`,
  );
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (env[k] !== undefined) out[k] = env[k] as string;
  return out;
}

export interface WorkbenchUrlOptions {
  /** Absolute folder to open (on the server's file system). */
  folder?: string;
  /** Absolute path of an extension to load in development mode (like --extensionDevelopmentPath). */
  extensionDevelopmentPath?: string;
  /** Absolute path of a module exporting run() (like --extensionTestsPath). */
  extensionTestsPath?: string;
}

/**
 * The workbench URL. code-server 4.100.3 (VS Code 1.100.3's web workbench) reads:
 *   ?folder=<absolute path>            the folder to open (a plain path works: it becomes vscode-remote://)
 *   &payload=<JSON array of [key, value] pairs>
 * The payload keys extensionDevelopmentPath / extensionTestsPath take URI strings, parsed with
 * URI.parse(): a bare "/abs/path" parses as a `file:` URI, which the web workbench cannot read. They must
 * be `vscode-remote://<host:port>/abs/path` URIs (the authority is the server's host:port), so that the
 * server-side (remote) extension host loads the extension and the tests.
 */
export function workbenchUrl(server: Pick<CodeServer, 'url' | 'port'>, o: WorkbenchUrlOptions): string {
  const authority = `127.0.0.1:${server.port}`;
  const remote = (p: string) => `vscode-remote://${authority}${encodeURI(path.resolve(p))}`;
  const payload: [string, string][] = [];
  if (o.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(o.extensionDevelopmentPath)]);
  if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
  const params = new URLSearchParams();
  if (o.folder) params.set('folder', path.resolve(o.folder));
  if (payload.length) params.set('payload', JSON.stringify(payload));
  return `${server.url}/?${params.toString()}`;
}

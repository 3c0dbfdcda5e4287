#!/usr/bin/env node
// Installs what the end-to-end tests need, idempotently (a second run only checks):
//   - Debian packages (also what `npm run package` needs: the cross compiler of the other architecture): chromium (the browser playwright-core drives), ripgrep (seeds code-server's own
//     ripgrep, which would be downloaded from GitHub), libkrb5-dev + build tools + python3 (code-server's
//     native modules, kerberos and node-pty among them, are compiled with node-gyp at install time).
//   - code-server 4.100.3 (VS Code 1.100.3, needs Node 20) into .cache/code-server with
//     `npm install --prefix` (never into the project's package.json).
//
//   node scripts/ensure-test-tools.mjs [--check]     (--check: report only, install nothing, exit 1 if missing)
//
// Environment: PHANTOM_CODE_SERVER_PREFIX (default <repo>/.cache/code-server).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crossDebianPackages } from './targets.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CODE_SERVER_VERSION = '4.100.3';
const prefix = path.resolve(process.env.PHANTOM_CODE_SERVER_PREFIX ?? path.join(root, '.cache/code-server'));
const pkgDir = path.join(prefix, 'node_modules/code-server');
const vscodeDir = path.join(pkgDir, 'lib/vscode');
const marker = path.join(prefix, `.installed-${CODE_SERVER_VERSION}`);
const checkOnly = process.argv.includes('--check');

// code-server 4.100.3's lib/vscode/npm-shrinkwrap.json pins @vscode/ripgrep 1.15.11, whose postinstall
// fetches ripgrep v13.0.0-10 from api.github.com unless `<os.tmpdir()>/vscode-ripgrep-cache-<pkg version>/
// ripgrep-<version>-<target>.tar.gz` exists ("Using cached download"); the tarball holds `rg` at its root.
const RIPGREP_PKG_VERSION = '1.15.11';
const RIPGREP_RELEASE = 'v13.0.0-10';
const RIPGREP_TARGETS = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' };

// Packages whose install scripts must run: code-server's postinstall.sh runs `npm install` in lib/vscode
// and lib/vscode/extensions, which build native modules. npm 11 has an install-script policy
// (package.json#allowScripts; `--allow-scripts` is an error in project installs): the cache folder's
// package.json approves the first two (direct ones); the nested installs in lib/vscode are projects of
// their own whose package.json we do not own, so we make sure the policy stays a warning there
// (npm_config_strict_allow_scripts=false), which is npm's default.
const ALLOW_SCRIPTS = [
  'code-server',
  'argon2',
  '@parcel/watcher',
  '@vscode/deviceid',
  '@vscode/ripgrep',
  '@vscode/spdlog',
  '@vscode/windows-process-tree',
  '@vscode/windows-registry',
  'kerberos',
  'native-watchdog',
  'node-pty',
];

/** Debian package → how to tell it is there without dpkg (a file it provides). */
const DEBIAN_PACKAGES = [
  { pkg: 'chromium', file: '/usr/bin/chromium', why: 'the browser the e2e tests drive' },
  { pkg: 'ripgrep', file: '/usr/bin/rg', why: "seeds code-server's ripgrep (its postinstall would download it)" },
  { pkg: 'libkrb5-dev', file: '/usr/bin/krb5-config', why: "code-server's kerberos module is compiled at install" },
  { pkg: 'build-essential', file: '/usr/bin/make', why: 'node-gyp compiles node-pty, spdlog, kerberos…' },
  { pkg: 'g++', file: '/usr/bin/g++', why: 'node-gyp' },
  { pkg: 'python3', file: '/usr/bin/python3', why: 'node-gyp' },
  { pkg: 'bubblewrap', file: '/usr/bin/bwrap', why: 'phantom bench --spawn compares against it' },
  { pkg: 'crun', file: '/usr/bin/crun', why: 'the OCI runtime the export tests run profiles under' },
  { pkg: 'systemd', file: '/usr/bin/systemd-analyze', why: 'systemd-analyze verifies the --to systemd export' },
  // The .vsix carries the helper of linux-x64 and linux-arm64: the other one is cross-compiled (scripts/targets.mjs).
  ...crossDebianPackages(),
];

const say = (msg) => console.log(`ensure-test-tools: ${msg}`);
function fail(msg) {
  console.error(`ensure-test-tools: ERROR: ${msg}`);
  process.exit(1);
}

/**
 * Runs a command. With `log` (a file), its output goes there instead of the terminal — node-gyp prints hundreds of
 * lines while compiling code-server's native modules — and only a failure shows the end of it.
 */
function run(cmd, args, opts = {}) {
  const { log, ...spawnOptions } = opts;
  say(`$ ${cmd} ${args.join(' ')}${log ? `  (output: ${path.relative(root, log)})` : ''}`);
  let fd;
  if (log) {
    fs.mkdirSync(path.dirname(log), { recursive: true });
    fd = fs.openSync(log, 'w');
  }
  const r = spawnSync(cmd, args, { stdio: log ? ['ignore', fd, fd] : 'inherit', ...spawnOptions });
  if (fd !== undefined) fs.closeSync(fd);
  const ok = !r.error && r.status === 0;
  if (!ok && log) {
    const lines = fs.readFileSync(log, 'utf8').trimEnd().split('\n');
    console.error(`ensure-test-tools: the last ${Math.min(60, lines.length)} lines of ${log}:\n${lines.slice(-60).join('\n')}`);
  }
  if (r.error) return { ok: false, why: r.error.message };
  return { ok, why: `exit code ${r.status}${r.signal ? `, signal ${r.signal}` : ''}` };
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

// ---------------------------------------------------------------- Debian packages
function ensureDebianPackages() {
  if (process.platform !== 'linux') fail(`the e2e tests need Linux (this is ${process.platform})`);
  const missing = DEBIAN_PACKAGES.filter((p) => !dpkgInstalled(p.pkg) && !fs.existsSync(p.file));
  if (missing.length === 0) {
    say(`Debian packages present: ${DEBIAN_PACKAGES.map((p) => p.pkg).join(', ')}`);
    return;
  }
  const names = missing.map((p) => p.pkg);
  for (const p of missing) say(`missing Debian package ${p.pkg} (${p.why})`);
  if (checkOnly) return names;
  if (process.getuid?.() !== 0) fail(`install them first: sudo apt-get install -y ${names.join(' ')}`);
  if (!fs.existsSync('/usr/bin/apt-get')) fail(`no apt-get here: install ${names.join(', ')} with your package manager`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = run('apt-get', ['update'], { env });
  if (!r.ok) fail(`apt-get update failed (${r.why}): is a Debian mirror reachable?`);
  r = run('apt-get', ['install', '-y', ...names], { env });
  if (!r.ok) fail(`apt-get install -y ${names.join(' ')} failed (${r.why})`);
  const still = missing.filter((p) => !dpkgInstalled(p.pkg) && !fs.existsSync(p.file));
  if (still.length) fail(`still missing after apt-get install: ${still.map((p) => p.pkg).join(', ')}`);
  return [];
}

// ---------------------------------------------------------------- code-server
function installedVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** What a working install has; returns the problems found. */
function verifyCodeServer() {
  const problems = [];
  const need = [
    [path.join(pkgDir, 'out/node/entry.js'), 'code-server itself'],
    [path.join(vscodeDir, 'node_modules'), "VS Code's dependencies (code-server's postinstall.sh did not run)"],
    [path.join(vscodeDir, 'node_modules.asar'), 'the node_modules.asar link made by postinstall.sh'],
    [path.join(vscodeDir, 'node_modules/node-pty/build/Release/pty.node'), 'node-pty built (terminals)'],
    [path.join(vscodeDir, 'node_modules/@vscode/spdlog/build/Release/spdlog.node'), '@vscode/spdlog built (logging)'],
    [path.join(vscodeDir, 'node_modules/@vscode/ripgrep/bin/rg'), 'ripgrep (search, Quick Open)'],
    [path.join(vscodeDir, 'extensions/node_modules'), 'built-in extensions dependencies'],
  ];
  if (installedVersion() !== CODE_SERVER_VERSION) problems.push(`code-server ${CODE_SERVER_VERSION} (found ${installedVersion() ?? 'none'})`);
  for (const [file, what] of need) if (!fs.existsSync(file)) problems.push(`${what}: ${path.relative(root, file)}`);
  return problems;
}

/** Pre-seeds @vscode/ripgrep's download cache with Debian's rg, in a TMPDIR of our own. */
function seedRipgrep() {
  const target = RIPGREP_TARGETS[os.arch()];
  if (!target) fail(`no ripgrep target known for ${os.arch()}`);
  const rg = ['/usr/bin/rg', '/usr/local/bin/rg'].find((p) => fs.existsSync(p));
  if (!rg) fail('ripgrep (rg) is not installed: apt-get install -y ripgrep');
  const tmp = path.join(prefix, '.tmp');
  const cacheDir = path.join(tmp, `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
  const tarball = path.join(cacheDir, `ripgrep-${RIPGREP_RELEASE}-${target}.tar.gz`);
  if (!fs.existsSync(tarball)) {
    const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-seed-'));
    fs.copyFileSync(rg, path.join(stage, 'rg'));
    fs.chmodSync(path.join(stage, 'rg'), 0o755);
    fs.mkdirSync(cacheDir, { recursive: true });
    const r = run('tar', ['-czf', tarball, '-C', stage, 'rg']);
    fs.rmSync(stage, { recursive: true, force: true });
    if (!r.ok) fail(`could not build the ripgrep seed ${tarball} (${r.why})`);
    say(`seeded @vscode/ripgrep's cache with ${rg}: ${path.relative(root, tarball)}`);
  }
  return tmp;
}

/** The cache folder is an npm project of its own: approve the install scripts code-server needs. */
function writePrefixPackageJson() {
  const file = path.join(prefix, 'package.json');
  let pkg = {};
  try {
    pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    /* new */
  }
  pkg.name ??= 'phantom-fragment-e2e-tools';
  pkg.private = true;
  pkg.description ??= 'code-server for the end-to-end tests (scripts/ensure-test-tools.mjs); not part of the extension';
  pkg.allowScripts = { ...pkg.allowScripts, ...Object.fromEntries(ALLOW_SCRIPTS.map((n) => [n, true])) };
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
}

/** Node's own headers, so node-gyp does not download them from nodejs.org. */
function nodeHeadersDir() {
  const candidates = [path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local'];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'include/node/node_api.h')));
}

function ensureCodeServer() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) fail(`code-server ${CODE_SERVER_VERSION} needs Node 20 (this is ${process.version})`);

  const problems = verifyCodeServer();
  if (problems.length === 0) {
    if (!fs.existsSync(marker)) fs.writeFileSync(marker, new Date().toISOString() + '\n');
    say(`code-server ${CODE_SERVER_VERSION} present in ${path.relative(root, prefix)}`);
    return [];
  }
  say(`code-server ${CODE_SERVER_VERSION} needs installing: ${problems.join('; ')}`);
  if (checkOnly) return problems;

  fs.mkdirSync(prefix, { recursive: true });
  fs.rmSync(marker, { force: true });
  writePrefixPackageJson();
  const tmp = seedRipgrep();
  const headers = nodeHeadersDir();
  const env = {
    ...process.env,
    // code-server's postinstall.sh refuses to run as root without it (and npm 11 warns it is unknown).
    npm_config_unsafe_perm: 'true',
    // node-gyp is fetched with npx inside the nested installs: never prompt.
    npm_config_yes: 'true',
    npm_config_strict_allow_scripts: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // @vscode/ripgrep's postinstall looks for its download in os.tmpdir(): our seeded folder.
    TMPDIR: tmp,
    ...(headers ? { npm_config_nodedir: headers } : {}),
  };
  if (!headers) say('warning: no Node headers found locally; node-gyp will try to download them');
  const started = Date.now();
  const r = run(
    'npm',
    ['install', '--prefix', prefix, `code-server@${CODE_SERVER_VERSION}`, '--no-audit', '--no-fund', '--foreground-scripts'],
    { env, cwd: prefix, log: path.join(prefix, 'install.log') },
  );
  if (!r.ok) {
    fail(
      `npm install code-server@${CODE_SERVER_VERSION} failed (${r.why}). ` +
        'Look above for the failing step: node-gyp (needs build-essential, python3, libkrb5-dev), ' +
        `or @vscode/ripgrep (needs the seed in ${path.relative(root, tmp)})`,
    );
  }

  // npm configurations that skip dependency install scripts leave code-server without VS Code's
  // dependencies: run its postinstall ourselves (it is the package's own script; it needs npm's user agent).
  if (!fs.existsSync(path.join(vscodeDir, 'node_modules'))) {
    say("code-server's postinstall did not run (install scripts blocked?): running it");
    const p = run('npm', ['run', 'postinstall'], { env, cwd: pkgDir, log: path.join(prefix, 'postinstall.log') });
    if (!p.ok) fail(`code-server's postinstall.sh failed (${p.why})`);
  }
  // Same for the native modules inside lib/vscode.
  if (!fs.existsSync(path.join(vscodeDir, 'node_modules/node-pty/build/Release/pty.node'))) {
    say('native modules of VS Code were not built: npm rebuild');
    const p = run('npm', ['rebuild', '--foreground-scripts', ...ALLOW_SCRIPTS.slice(2)], { env, cwd: vscodeDir, log: path.join(prefix, 'rebuild.log') });
    if (!p.ok) fail(`npm rebuild in ${vscodeDir} failed (${p.why})`);
  }

  const after = verifyCodeServer();
  if (after.length) fail(`code-server is still incomplete after installing: ${after.join('; ')}`);
  fs.writeFileSync(marker, new Date().toISOString() + '\n');
  say(`code-server ${CODE_SERVER_VERSION} installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return [];
}

// ---------------------------------------------------------------- main
const t0 = Date.now();
const missingPkgs = ensureDebianPackages() ?? [];
const missingCs = missingPkgs.length && checkOnly ? ['(Debian packages first)'] : ensureCodeServer();
if (checkOnly && (missingPkgs.length || missingCs.length)) process.exit(1);
const chromium = spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' });
if (chromium.status !== 0) fail(`/usr/bin/chromium --version failed: ${chromium.stderr || chromium.error}`);
say(`ready: ${chromium.stdout.trim()}, code-server ${CODE_SERVER_VERSION} (${Date.now() - t0} ms)`);

#!/usr/bin/env node
// `npm start`: installs what is missing, builds, and opens examples/ in VS Code with the extension loaded —
// the local `code` CLI when there is one, otherwise a code-server on 127.0.0.1 whose URL is printed.
// Uses only Node's built-ins: node_modules may not exist yet.
//   PHANTOM_PORT=8080 (code-server port; the next free one is taken when busy), PHANTOM_CODE_SERVER=1 (prefer it)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const examples = path.join(root, 'examples');

function must(title, command, args) {
  console.log(`=== ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${title} failed (exit ${result.status ?? result.error?.message}).`);
    process.exit(result.status || 1);
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

const installed = path.join(root, 'node_modules/.package-lock.json');
if (!fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(path.join(root, 'package-lock.json')).mtimeMs) {
  must('install npm packages', 'npm', ['ci', '--no-audit', '--no-fund']);
}
must('build', process.execPath, ['scripts/build.mjs']);

const code = onPath('code');
if (code && process.env.PHANTOM_CODE_SERVER !== '1') {
  console.log(`=== opening ${examples} in VS Code (${code}) with the extension from ${root}`);
  const result = spawnSync(code, ['--extensionDevelopmentPath', root, examples], { stdio: 'inherit' });
  process.exit(result.status ?? 0);
}

must('code-server', process.execPath, ['scripts/ensure-test-tools.mjs']);
const entry = path.join(root, '.cache/code-server/node_modules/code-server/out/node/entry.js');
const state = path.join(root, '.cache/start');
fs.mkdirSync(path.join(state, 'user-data/User'), { recursive: true });
const settings = path.join(state, 'user-data/User/settings.json');
if (!fs.existsSync(settings)) {
  fs.writeFileSync(settings, JSON.stringify({ 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off' }, null, 2));
}
const configFile = path.join(state, 'code-server.yaml');
fs.writeFileSync(configFile, '# every other option is on the command line\nauth: none\n');

const port = await freePort(Number(process.env.PHANTOM_PORT ?? 8080));
const authority = `127.0.0.1:${port}`;
// The web workbench loads a development extension from a `payload` URL parameter (vscode-remote URIs).
const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://${authority}${encodeURI(root)}`]]);
const url = `http://${authority}/?${new URLSearchParams({ folder: examples, payload }).toString()}`;
const server = spawn(
  process.execPath,
  [entry, '--bind-addr', authority, '--auth', 'none', '--config', configFile, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--user-data-dir', path.join(state, 'user-data'), '--extensions-dir', path.join(state, 'extensions')],
  { cwd: examples, stdio: ['ignore', 'ignore', 'inherit'] },
);
console.log(`\nPhantom Fragment in VS Code (code-server, listening on 127.0.0.1 only):\n\n  ${url}\n\nCtrl+C stops it.`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill('SIGTERM'));
server.on('exit', (status) => process.exit(status ?? 0));

function freePort(preferred) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(freePort(preferred + 1)));
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolve(preferred)));
  });
}

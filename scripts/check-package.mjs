#!/usr/bin/env node
// Checks a packaged extension as a user gets it: unpacks the .vsix into an empty folder outside the checkout and
//   1. every file the extension loads at run time is there (bundles; the native helper and koffi's addon for each
//      target of scripts/targets.mjs, linux-x64 and linux-arm64, each an ELF file for its machine; webview assets,
//      grammars, the README's images and linked docs), and nothing of node_modules;
//   2. no bundle requires a module that is not in the package (only Node's built-ins, and `vscode` in the client);
//   3. `dist/cli.js doctor` reports Landlock and seccomp, and `dist/cli.js run -- true` exits 0, run from the
//      unpacked copy (so with this machine's helper and addon, chosen at run time) with a bare environment: NODE_PATH and NODE_OPTIONS unset, HOME an empty folder, the cwd
//      outside the checkout — so no node_modules of the checkout is on any lookup path.
// Each failure names the file. Exit 0 when the package is complete, 1 otherwise.
//   node scripts/check-package.mjs [FILE.vsix | --dir UNPACKED_FOLDER] [--keep]
// (--dir checks a folder holding `extension/` as unpacked from a .vsix; --keep leaves the temp folder.)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGETS, elfMachine } from './targets.mjs';
import { extractZip, readZip } from './zip.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dirArg = args.includes('--dir') ? args[args.indexOf('--dir') + 1] : undefined;
const vsix = dirArg ? undefined : path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(root, 'dist/phantom-fragment.vsix'));

const problems = [];
const say = (msg) => console.log(`check-package: ${msg}`);
function finish() {
  if (problems.length === 0) {
    say('the package is complete');
    return 0;
  }
  for (const p of problems) console.error(`check-package: FAILED: ${p}`);
  console.error(`check-package: ${problems.length} problem(s) in ${vsix ?? dirArg}`);
  return 1;
}

/** A folder for the unpacked copy that is not under the checkout (os.tmpdir() may point into it). */
function scratch() {
  for (const base of [os.tmpdir(), '/tmp']) {
    const real = fs.realpathSync(base);
    if (real === root || real.startsWith(root + path.sep)) continue;
    return fs.mkdtempSync(path.join(real, 'phantom-package-'));
  }
  throw new Error(`no temporary folder outside the checkout ${root}: set TMPDIR to one`);
}

const isBuiltin = (name) => name.startsWith('node:') || builtinModules.includes(name.split('/')[0]);

function checkFiles(ext) {
  const pkg = JSON.parse(fs.readFileSync(path.join(ext, 'package.json'), 'utf8'));
  const required = [
    [pkg.main.replace(/^\.\//, ''), 'the extension (package.json main)'],
    ['dist/server.js', 'the language server'],
    ['dist/runtime.js', 'the runtime'],
    ['dist/cli.js', 'the phantom CLI'],
    ['dist/native/koffi/LICENSE.txt', "koffi's licence"],
    ['dist/webview/metrics.js', 'the metrics panel script'],
    ['dist/webview/metrics.css', 'the metrics panel style'],
    ...(pkg.contributes?.grammars ?? []).map((g) => [g.path.replace(/^\.\//, ''), `the grammar of ${g.language}`]),
  ];
  for (const [file, what] of required) {
    if (!fs.existsSync(path.join(ext, file))) problems.push(`missing from the package: extension/${file} (${what})`);
  }
  // One package for every target: each architecture's helper and koffi addon, ELF for that machine.
  for (const target of TARGETS) {
    for (const [file, what] of [
      [`dist/native/${target.name}/phantom-sandbox`, `the native sandbox helper for ${target.name}`],
      [`dist/native/koffi/${target.koffi}/koffi.node`, `koffi's native module for ${target.name}`],
    ]) {
      const full = path.join(ext, file);
      if (!fs.existsSync(full)) {
        problems.push(`missing from the package: extension/${file} (${what})`);
        continue;
      }
      const elf = elfMachine(full);
      if (elf.problem) problems.push(`extension/${file} (${what}) ${elf.problem}`);
      else if (elf.machine !== target.eMachine) problems.push(`extension/${file} (${what}) is for ELF machine ${elf.machine}, not ${target.machine} (${target.eMachine})`);
      if (file.endsWith('phantom-sandbox') && (fs.statSync(full).mode & 0o111) === 0) problems.push(`extension/${file} is not executable in the package`);
    }
  }
  say(`helpers and koffi addons: ${TARGETS.map((t) => `${t.name} (${t.machine})`).join(', ')}`);
  if (fs.existsSync(path.join(ext, 'node_modules'))) problems.push('the package holds extension/node_modules: the bundles must not need it (scripts/build.mjs)');

  // The README as packaged (vsce may rename it) and the docs it ships: every relative link must resolve.
  const readme = fs.readdirSync(ext).find((f) => /^readme\.md$/i.test(f));
  if (!readme) problems.push('missing from the package: extension/README.md');
  const docs = fs.existsSync(path.join(ext, 'docs')) ? fs.readdirSync(path.join(ext, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`) : [];
  for (const page of [...(readme ? [readme] : []), ...docs]) {
    const text = fs.readFileSync(path.join(ext, page), 'utf8');
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)|<img[^>]+src="([^"]+)"/g)) {
      const link = (m[1] ?? m[2]).split('#')[0];
      if (!link || /^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // anchors, https:, mailto:
      const resolved = path.join(ext, path.dirname(page), decodeURI(link));
      if (!fs.existsSync(resolved)) problems.push(`extension/${page} links to ${link}, which is not in the package (extension/${path.relative(ext, resolved)})`);
    }
  }

  // Every require() of a bundle is a built-in, or vscode (the client only).
  for (const bundle of ['dist/client.js', 'dist/server.js', 'dist/runtime.js', 'dist/cli.js']) {
    const file = path.join(ext, bundle);
    if (!fs.existsSync(file)) continue;
    const source = fs.readFileSync(file, 'utf8');
    // A call, not a string that holds one (ajv's generated code carries `'require("ajv/dist/runtime/equal")'`).
    const needed = new Set([...source.matchAll(/(?<!['"`\w.])require\(\s*["']([^"'./][^"']*)["']\s*\)/g)].map((m) => m[1]));
    for (const name of needed) {
      if (isBuiltin(name) || (name === 'vscode' && bundle === 'dist/client.js')) continue;
      problems.push(`extension/${bundle} requires "${name}", which is not in the package (bundle it, or ship it)`);
    }
  }
}

function runFromCopy(ext, scratchDir) {
  const home = path.join(scratchDir, 'home');
  fs.mkdirSync(home, { recursive: true });
  // A bare environment: nothing that could point node at the checkout's node_modules.
  // The run's cwd (which it may write) is a folder of its own: HOME (the approval store under it) must not be
  // inside it, or the runtime refuses the run, rightly.
  const work = path.join(scratchDir, 'work');
  const tmp = path.join(scratchDir, 'tmp');
  fs.mkdirSync(work, { recursive: true });
  fs.mkdirSync(tmp, { recursive: true });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: process.env.LANG ?? 'C.UTF-8', TMPDIR: tmp };
  for (const dir of ancestors(ext)) {
    if (fs.existsSync(path.join(dir, 'node_modules'))) problems.push(`${path.join(dir, 'node_modules')} is on the unpacked copy's module lookup path: check from another folder`);
  }
  const cli = path.join(ext, 'dist/cli.js');
  if (!fs.existsSync(cli)) return;
  const run = (argv) => {
    const r = spawnSync(process.execPath, [cli, ...argv], { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
  };
  const firstLines = (text) => text.trim().split('\n').slice(0, 6).join('\n    ');

  const doctor = run(['doctor']);
  if (doctor.status !== 0) problems.push(`dist/cli.js doctor (from the unpacked copy) exited ${doctor.status}:\n    ${firstLines(doctor.output)}`);
  else {
    for (const feature of [/^\s*ok\s+Landlock\b/m, /^\s*ok\s+seccomp filters\b/m]) {
      if (!feature.test(doctor.output)) problems.push(`dist/cli.js doctor (from the unpacked copy) does not report ${feature.source.replace(/\\[sbm]|[\^+]/g, ' ').trim()}:\n    ${firstLines(doctor.output)}`);
    }
    say('dist/cli.js doctor: ok (Landlock, seccomp)');
  }
  const trueRun = run(['run', '--', 'true']);
  if (trueRun.status !== 0) problems.push(`dist/cli.js run -- true (from the unpacked copy) exited ${trueRun.status}:\n    ${firstLines(trueRun.output)}`);
  else say('dist/cli.js run -- true: exit 0');
}

function ancestors(dir) {
  const out = [];
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    out.push(d);
    if (path.dirname(d) === d) return out;
  }
}

function main() {
  let scratchDir;
  let unpacked;
  if (dirArg) {
    unpacked = path.resolve(dirArg);
    scratchDir = scratch();
  } else {
    if (!fs.existsSync(vsix)) {
      problems.push(`${vsix} does not exist: run \`npm run package\``);
      return finish();
    }
    scratchDir = scratch();
    unpacked = path.join(scratchDir, 'vsix');
    fs.mkdirSync(unpacked);
    extractZip(vsix, unpacked);
    say(`${path.relative(process.cwd(), vsix)}: ${readZip(vsix).length} entries, ${(fs.statSync(vsix).size / 1024 / 1024).toFixed(2)} MiB, unpacked into ${unpacked}`);
  }
  const real = fs.realpathSync(unpacked);
  if (real === root || real.startsWith(root + path.sep)) problems.push(`the unpacked copy ${real} is inside the checkout: its node_modules would be on the lookup path`);
  const ext = path.join(unpacked, 'extension');
  if (!fs.existsSync(path.join(ext, 'package.json'))) problems.push(`missing from the package: extension/package.json (is ${vsix ?? dirArg} a .vsix?)`);
  else {
    checkFiles(ext);
    runFromCopy(ext, scratchDir);
  }
  if (!args.includes('--keep')) fs.rmSync(scratchDir, { recursive: true, force: true });
  else say(`kept ${scratchDir}`);
  return finish();
}

process.exit(main());

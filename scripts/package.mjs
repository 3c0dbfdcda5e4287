#!/usr/bin/env node
// `npm run package`: the .vsix a user installs, checked as installed.
//   1. a production build for every target of scripts/targets.mjs (bundles; the native helper for linux-x64 and
//      linux-arm64, one of them cross-compiled; koffi's addon of each: scripts/build.mjs --all-targets). The
//      runtime picks its helper and addon from process.arch at run time;
//   2. vsce package without --target: one package for both architectures. vsce's --target writes a single
//      TargetPlatform into the manifest (a platform-specific package, one per target on the Marketplace); a package
//      without one installs everywhere, and on a platform it does not carry the runtime says which files it lacks.
//      No node_modules: every JavaScript dependency is bundled (.vscodeignore lists what is shipped);
//   The packaged README shows its images inline (see packagedReadme).
//   3. scripts/check-package.mjs on the result: fails, naming the file, when something the extension loads is missing.
//   node scripts/package.mjs [--out FILE.vsix]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TARGETS, nativeTarget } from './targets.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const out = path.resolve(args.includes('--out') ? args[args.indexOf('--out') + 1] : path.join(root, 'dist/phantom-fragment.vsix'));
if (!nativeTarget()) {
  console.error(`package: no package can be built on ${process.platform}-${process.arch} (supported: ${TARGETS.map((t) => t.name).join(', ')})`);
  process.exit(1);
}

function must(title, command, commandArgs) {
  console.log(`=== ${title}`);
  const r = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`package: ${title} failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(r.status || 1);
  }
}

/**
 * The README as packaged: VS Code shows it in the extension's details page, a webview whose content policy allows
 * only https: and data: images, so a relative image (docs/images/…) is broken there. Each local image becomes a
 * data: URI; links stay relative, to the docs shipped in the package (.vscodeignore) — or, once package.json names a
 * repository, vsce rewrites them to it.
 */
function packagedReadme() {
  const file = path.join(root, 'dist/readme.packaged.md');
  const mime = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif' };
  const text = fs.readFileSync(path.join(root, 'README.md'), 'utf8').replace(/(!\[[^\]]*\]\()([^)\s]+)(\))/g, (all, open, src, close) => {
    const type = mime[path.extname(src).toLowerCase()];
    if (/^[a-z][a-z0-9+.-]*:/i.test(src) || !type) return all;
    const image = path.join(root, decodeURI(src));
    if (!fs.existsSync(image)) {
      console.error(`package: README.md shows ${src}, which does not exist (${image})`);
      process.exit(1);
    }
    return `${open}data:${type};base64,${fs.readFileSync(image).toString('base64')}${close}`;
  });
  fs.writeFileSync(file, text);
  return path.relative(root, file);
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const repository = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;

fs.rmSync(out, { force: true });
must('production build', process.execPath, ['scripts/build.mjs', '--production', '--all-targets']);
// Source maps of an earlier development build are not shipped (.vscodeignore), but would be stale: drop them.
for (const f of fs.readdirSync(path.join(root, 'dist'))) if (f.endsWith('.js.map')) fs.rmSync(path.join(root, 'dist', f));
must('vsce package', process.execPath, [
  path.join(root, 'node_modules/@vscode/vsce/vsce'), 'package',
  '--no-dependencies', // everything is bundled: see scripts/build.mjs
  '--readme-path', packagedReadme(),
  // Without a repository the README's links stay relative: they point at the docs shipped in the package.
  ...(repository ? [] : ['--no-rewrite-relative-links', '--allow-missing-repository']),
  '--out', out,
]);
must('check the package', process.execPath, ['scripts/check-package.mjs', out]);
console.log(`package: ${path.relative(process.cwd(), out)} (${TARGETS.map((t) => t.name).join(' + ')}, ${(fs.statSync(out).size / 1024 / 1024).toFixed(2)} MiB)`);

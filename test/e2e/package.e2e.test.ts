/**
 * The package check that guards this layer: the .vsix of `npm run package` passes scripts/check-package.mjs, and a
 * copy of it without koffi's native module for this machine fails it — in the check, in the runtime run from the
 * unpacked copy, and in the harness that installs packages into code-server — with a message naming the file.
 * The package carries linux-x64 and linux-arm64 (scripts/targets.mjs): a copy without either's helper or koffi
 * addon, or with a helper of the wrong machine, fails the check.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PACKAGE_VSIX, REPO_ROOT, checkPackage, startCodeServer } from './codeServer';

interface ZipEntry { name: string; mode: number; data(): Buffer }
interface ZipModule {
  readZip(file: string): ZipEntry[];
  writeZip(file: string, entries: { name: string; mode: number; data: Buffer }[]): void;
  extractZip(file: string, dest: string): void;
}

const CHECK = path.join(REPO_ROOT, 'scripts/check-package.mjs');
const KOFFI_ADDON = `extension/dist/native/koffi/${process.platform}_${process.arch}/koffi.node`;

describe('the package check', { timeout: 180_000 }, () => {
  let zip: ZipModule;
  let scratch: string;
  let broken: string;

  before(async () => {
    assert.ok(fs.existsSync(PACKAGE_VSIX), `${PACKAGE_VSIX} is missing: run npm run package (npm test does it before this layer)`);
    zip = (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/zip.mjs')).href)) as ZipModule;
    // Outside the checkout, like the check's own copy: no node_modules of the checkout on the lookup path.
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-package-test-'));
    broken = path.join(scratch, 'broken.vsix');
    const entries = zip.readZip(PACKAGE_VSIX);
    assert.ok(entries.some((e) => e.name === KOFFI_ADDON), `${KOFFI_ADDON} is not in ${PACKAGE_VSIX}: ${entries.map((e) => e.name).join(', ')}`);
    // The package with koffi's platform folder deleted.
    const kept = entries.filter((e) => !e.name.startsWith(path.posix.dirname(KOFFI_ADDON) + '/'));
    zip.writeZip(broken, kept.map((e) => ({ name: e.name, mode: e.mode, data: e.data() })));
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('passes on the package npm run package built', (t) => {
    const r = spawnSync(process.execPath, [CHECK, PACKAGE_VSIX], { encoding: 'utf8', timeout: 120_000 });
    t.diagnostic(r.stdout.trim());
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /doctor: ok \(Landlock, seccomp\)/);
    assert.match(r.stdout, /run -- true: exit 0/);
  });

  it('fails on a copy without koffi\'s platform folder, naming the missing file', (t) => {
    const r = spawnSync(process.execPath, [CHECK, broken], { encoding: 'utf8', timeout: 120_000 });
    t.diagnostic(r.stderr.trim());
    assert.equal(r.status, 1, `the check passed a package without ${KOFFI_ADDON}:\n${r.stdout}`);
    assert.ok(r.stderr.includes(`missing from the package: ${KOFFI_ADDON}`), r.stderr);
  });

  it('the runtime of that copy says which file is missing (what a user sees in the output channel)', () => {
    const copy = path.join(scratch, 'unpacked');
    fs.mkdirSync(copy);
    zip.extractZip(broken, copy);
    // The run's folder beside the home, not above it (a folder holding the approval store is refused first).
    const home = path.join(scratch, 'home');
    const work = path.join(scratch, 'work');
    fs.mkdirSync(home);
    fs.mkdirSync(work);
    const r = spawnSync(process.execPath, [path.join(copy, 'extension/dist/cli.js'), 'run', '--', 'true'], {
      cwd: work, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
    });
    assert.notEqual(r.status, 0);
    assert.ok(r.stderr.includes(path.join(copy, KOFFI_ADDON)), `the error does not name ${path.join(copy, KOFFI_ADDON)}:\n${r.stderr}`);
  });

  it('the e2e harness refuses to install it, naming the missing file', async () => {
    assert.throws(() => checkPackage(broken), (e: Error) => e.message.includes(`missing from the package: ${KOFFI_ADDON}`));
    await assert.rejects(startCodeServer({ name: 'broken-package', vsix: broken, extension: 'installed' }), (e: Error) => e.message.includes(KOFFI_ADDON));
  });
});

interface Target { name: string; koffi: string; machine: string; eMachine: number; qemu: string }

/** A copy of the real package changed by `edit` (the entries kept, or changed), written into `dir`. */
function variant(zip: ZipModule, dir: string, name: string, edit: (entries: { name: string; mode: number; data: Buffer }[]) => { name: string; mode: number; data: Buffer }[]): string {
  const file = path.join(dir, `${name}.vsix`);
  zip.writeZip(file, edit(zip.readZip(PACKAGE_VSIX).map((e) => ({ name: e.name, mode: e.mode, data: e.data() }))));
  return file;
}

describe('one package for linux-x64 and linux-arm64', { timeout: 300_000 }, () => {
  let zip: ZipModule;
  let targets: Target[];
  let scratch: string;

  before(async () => {
    assert.ok(fs.existsSync(PACKAGE_VSIX), `${PACKAGE_VSIX} is missing: run npm run package (npm test does it before this layer)`);
    zip = (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/zip.mjs')).href)) as ZipModule;
    targets = ((await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/targets.mjs')).href)) as { TARGETS: Target[] }).TARGETS;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-package-arch-'));
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('carries the helper and koffi addon of both, and no manifest target', () => {
    const names = zip.readZip(PACKAGE_VSIX).map((e) => e.name);
    assert.deepEqual(targets.map((t) => t.name), ['linux-x64', 'linux-arm64']);
    for (const t of targets) {
      for (const file of [`extension/dist/native/${t.name}/phantom-sandbox`, `extension/dist/native/koffi/${t.koffi}/koffi.node`]) {
        assert.ok(names.includes(file), `${file} is not in ${PACKAGE_VSIX}`);
      }
    }
    const manifest = zip.readZip(PACKAGE_VSIX).find((e) => e.name === 'extension.vsixmanifest');
    assert.ok(manifest);
    assert.doesNotMatch(manifest.data().toString('utf8'), /TargetPlatform=/, 'a TargetPlatform makes the package install on one platform only');
  });

  for (const [what, file] of [
    ['helper', (t: Target) => `extension/dist/native/${t.name}/phantom-sandbox`],
    ['koffi addon', (t: Target) => `extension/dist/native/koffi/${t.koffi}/koffi.node`],
  ] as const) {
    for (const arch of ['linux-x64', 'linux-arm64']) {
      it(`fails on a copy without the ${arch} ${what}, naming it`, () => {
        const target = targets.find((t) => t.name === arch)!;
        const missing = file(target);
        const broken = variant(zip, scratch, `no-${arch}-${what.replace(' ', '-')}`, (entries) => entries.filter((e) => e.name !== missing));
        const r = spawnSync(process.execPath, [CHECK, broken], { encoding: 'utf8', timeout: 120_000 });
        assert.equal(r.status, 1, `the check passed a package without ${missing}:\n${r.stdout}`);
        assert.ok(r.stderr.includes(`missing from the package: ${missing}`), r.stderr);
      });
    }
  }

  it('fails on a copy whose linux-arm64 helper is the x86-64 one, naming the ELF machine', () => {
    const x64 = 'extension/dist/native/linux-x64/phantom-sandbox';
    const arm = 'extension/dist/native/linux-arm64/phantom-sandbox';
    const swapped = variant(zip, scratch, 'swapped', (entries) => {
      const data = entries.find((e) => e.name === x64)!.data;
      return entries.map((e) => (e.name === arm ? { ...e, data } : e));
    });
    const r = spawnSync(process.execPath, [CHECK, swapped], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 1, r.stdout);
    assert.ok(r.stderr.includes(`${arm} (the native sandbox helper for linux-arm64) is for ELF machine 62, not AArch64 (183)`), r.stderr);
  });

  it("the other architecture's helper runs under qemu-user (its --help)", () => {
    const other = targets.find((t) => t.name !== `${process.platform}-${process.arch}`)!;
    const copy = path.join(scratch, 'qemu');
    fs.mkdirSync(copy);
    zip.extractZip(PACKAGE_VSIX, copy);
    const helper = path.join(copy, `extension/dist/native/${other.name}/phantom-sandbox`);
    // qemu-user-static is installed by scripts/ensure-test-tools.mjs; namespaces do not work under qemu-user
    // (unshare(CLONE_NEWUSER) fails: the emulator is multithreaded), so --help is what it can show: the binary
    // is a complete static executable for its machine.
    const r = spawnSync(other.qemu, [helper, '--help'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.error, undefined, `${other.qemu} could not run (npm run test-tools installs qemu-user-static): ${r.error?.message}`);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, /usage: phantom-sandbox --cwd DIR/);
  });
});

/**
 * One package carries the helper and koffi's addon of linux-x64 and linux-arm64; the runtime picks its own from
 * process.platform/process.arch (helperPath, shippedKoffiPath), and the build checks each binary's ELF machine
 * (scripts/targets.mjs elfMachine).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { shippedKoffiPath } from '../../native/bindings/koffi';
import { helperPath, nativeFolder } from '../../runtime/src/sandbox/sandboxSpawn';

const REPO = path.resolve(__dirname, '../..');

interface TargetsModule {
  TARGETS: { name: string; koffi: string; eMachine: number }[];
  elfMachine(file: string): { machine?: number; problem?: string };
}
const targets = (): Promise<TargetsModule> => import(pathToFileURL(path.join(REPO, 'scripts/targets.mjs')).href) as Promise<TargetsModule>;

describe('the helper and koffi addon of each architecture', () => {
  it('helperPath picks <platform>-<arch> under the native folder, this machine\'s by default', () => {
    const saved = process.env.PHANTOM_HELPER;
    delete process.env.PHANTOM_HELPER;
    try {
      assert.equal(helperPath('linux', 'arm64'), path.join(nativeFolder(), 'linux-arm64', 'phantom-sandbox'));
      assert.equal(helperPath('linux', 'x64'), path.join(nativeFolder(), 'linux-x64', 'phantom-sandbox'));
      assert.equal(helperPath(), path.join(nativeFolder(), `${process.platform}-${process.arch}`, 'phantom-sandbox'));
    } finally {
      if (saved !== undefined) process.env.PHANTOM_HELPER = saved;
    }
  });

  it('the folders the runtime looks in are the ones the build writes (scripts/targets.mjs)', async () => {
    const { TARGETS } = await targets();
    for (const t of TARGETS) {
      const [platform, arch] = t.name.split('-');
      assert.equal(path.relative(nativeFolder(), helperPath(platform, arch)), path.join(t.name, 'phantom-sandbox'));
      assert.equal(path.relative('/b', shippedKoffiPath('/b', platform, arch)), path.join('native', 'koffi', t.koffi, 'koffi.node'));
    }
  });

  it('elfMachine reads e_machine: 62 for x86-64, 183 for AArch64, a problem for anything else', async () => {
    const { elfMachine } = await targets();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-elf-'));
    try {
      const header = (machine: number, cls = 2) => {
        const b = Buffer.alloc(64);
        b.write('\x7fELF', 0, 'latin1');
        b[4] = cls;
        b[5] = 1;
        b.writeUInt16LE(3, 16);
        b.writeUInt16LE(machine, 18);
        return b;
      };
      const write = (name: string, data: Buffer) => (fs.writeFileSync(path.join(dir, name), data), path.join(dir, name));
      assert.deepEqual(elfMachine(write('x64', header(62))), { machine: 62 });
      assert.deepEqual(elfMachine(write('arm64', header(183))), { machine: 183 });
      assert.match(elfMachine(write('elf32', header(40, 1))).problem ?? '', /not a 64-bit/);
      assert.match(elfMachine(write('script', Buffer.from('#!/bin/sh\necho hi\n'))).problem ?? '', /not an ELF file/);
      assert.match(elfMachine(write('short', Buffer.from('\x7fEL'))).problem ?? '', /not an ELF file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

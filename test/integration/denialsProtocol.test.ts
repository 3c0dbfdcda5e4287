/** Denials over the runtime's JSON-RPC protocol (`phantom/exit` carries them): explain: true, and network refusals. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestRuntime } from '../support/runtimeClient';

let runtime: TestRuntime;
let workdir: string;

before(() => {
  runtime = new TestRuntime();
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-denials-protocol-'));
});

after(async () => {
  assert.equal(await runtime.stop(), 0);
  fs.rmSync(workdir, { recursive: true, force: true });
});

test('explain: true — the exit carries the inferred Landlock refusal with the Landlock file and its edit', async () => {
  const file = path.join(workdir, 'no-etc.landlock.json');
  fs.writeFileSync(file, JSON.stringify({
    ruleset: [{ handledAccessFs: ['execute', 'read_file', 'read_dir'] }],
    pathBeneath: [{ allowedAccess: ['execute', 'read_file', 'read_dir'], parent: ['/usr', '/bin', '/lib', '/lib64'] }],
  }, null, 2));
  const plain = await runtime.run({ argv: ['/bin/cat', '/etc/hostname'], cwd: workdir, landlockProfile: file });
  assert.equal(plain.exit.code, 1);
  assert.ok(!(plain.exit.denials ?? []).some((d) => d.kind === 'landlock' && d.inferred)); // exact ones only where audit is on
  const { exit } = await runtime.run({ argv: ['/bin/cat', '/etc/hostname'], cwd: workdir, landlockProfile: file, explain: true });
  assert.equal(exit.code, 1, 'still refused: the recording only observes');
  const d = (exit.denials ?? []).find((x) => x.path === '/etc/hostname');
  assert.ok(d, JSON.stringify(exit.denials));
  assert.equal(d.inferred, true);
  assert.deepEqual(d.edit, { kind: 'landlockPath', file, path: '/etc/hostname', access: ['read_file'] });
});

test('network: none — the exit names the address a connect could not reach', async () => {
  const { exit } = await runtime.run({ argv: ['python3', '-c', 'import socket\ntry: socket.create_connection(("203.0.113.7", 8443), 2)\nexcept OSError: pass'], cwd: workdir, network: 'none' });
  assert.equal(exit.code, 0, exit.error);
  const d = (exit.denials ?? []).find((x) => x.kind === 'network');
  assert.equal(d?.address, '203.0.113.7:8443', JSON.stringify(exit.denials));
  assert.equal(d.source?.file, '--network none');
});

/**
 * Check/run agreement in the long-lived runtime (issue #12): check's verdict on a configuration depends on the files
 * its profiles reference, so a runtime that refused a run because a referenced seccomp file was broken (or missing)
 * runs it once the file is fixed (or created), with the configuration unchanged — and refuses it again when the file
 * breaks again. Real runs over the runtime's JSON-RPC protocol.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestRuntime } from '../support/runtimeClient';

const GOOD = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' }] });
const BROKEN = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALOW' }] });

let work: string;
let runtime: TestRuntime;

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-agree-runtime-'));
  fs.mkdirSync(path.join(work, 'ws'));
  // The approval store outside the workspace (a run refuses one it could write).
  process.env.XDG_STATE_HOME = path.join(work, 'state');
  fs.writeFileSync(path.join(work, 'ws', 'phantom-fragment.yaml'), 'version: 1\nprofiles:\n  p:\n    fragments: [shell, workspace-read]\n    seccomp: p.seccomp.json\n');
  runtime = new TestRuntime();
});

after(async () => {
  await runtime.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

async function run() {
  const ws = path.join(work, 'ws');
  return runtime.run({ argv: ['/bin/true'], cwd: ws, config: path.join(ws, 'phantom-fragment.yaml'), profile: 'p' });
}

const refusedFor = (r: Awaited<ReturnType<typeof run>>) => r.exit.code === 125 && /p\.seccomp\.json/.test(r.exit.error ?? '');

test('a referenced file missing, then created, then broken, then fixed: each run judged on the files as they are', async () => {
  const file = path.join(work, 'ws', 'p.seccomp.json');
  const missing = await run();
  assert.ok(refusedFor(missing), `missing: ${JSON.stringify(missing.exit)}`);

  fs.writeFileSync(file, GOOD);
  const created = await run();
  assert.ok(!refusedFor(created), `created: ${JSON.stringify(created.exit)}`);

  fs.writeFileSync(file, BROKEN);
  const broken = await run();
  assert.ok(refusedFor(broken), `broken: ${JSON.stringify(broken.exit)}`);
  assert.match(broken.exit.error ?? '', /SCMP_ACT_ALOW|SCMP_ACT_ALLOW/);

  fs.writeFileSync(file, GOOD);
  const fixed = await run();
  assert.ok(!refusedFor(fixed), `fixed: ${JSON.stringify(fixed.exit)}`);
});

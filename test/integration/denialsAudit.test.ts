/**
 * Landlock refusals observed through the kernel's audit records (docs/sandbox.md, "Denials"), on the real kernel.
 * Phantom never turns audit on; this test does, for the length of each run only (other tests may run meanwhile),
 * with a small netlink tool of its own (test/fixtures/audit/audit_enable.c), and restores the previous state.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Denial } from '../../runtime/src/protocol';
import { REPO } from '../support/fixtures';
import { TestRuntime } from '../support/runtimeClient';

const CLI = path.join(REPO, 'dist/cli.js');
let dir: string;
let tool: string;

interface Report { exit: { code: number | null; signal: string | null }; denials: Denial[]; notes: string[] }

function auditTool(...args: string[]): number {
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `audit_enable ${args.join(' ')}: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** `phantom run --report` in `dir`, with audit enabled (or not) only while it runs. */
async function run(args: string[], audit: boolean): Promise<{ code: number | null; stderr: string; report: Report }> {
  const report = path.join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const previous = audit ? auditTool('set', '1') : undefined;
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'run', '--report', report, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdout.resume();
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        try {
          resolve({ code, stderr, report: JSON.parse(readFileSync(report, 'utf8')) as Report });
        } catch (error) {
          reject(new Error(`no report (${String(error)}): ${stderr}`));
        }
      });
    });
  } finally {
    if (previous !== undefined) auditTool('set', String(previous));
  }
}

const NO_ETC = {
  ruleset: [{ handledAccessFs: ['execute', 'read_file', 'read_dir', 'write_file'] }],
  pathBeneath: [{ allowedAccess: ['execute', 'read_file', 'read_dir'], parent: ['/usr', '/bin', '/lib', '/lib64'] }],
};

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-audit-'));
  chmodSync(dir, 0o755);
  tool = path.join(dir, 'audit_enable');
  const cc = spawnSync('cc', ['-O1', '-Wall', '-o', tool, path.join(REPO, 'test/fixtures/audit/audit_enable.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('audit enabled: a Landlock file without /etc refuses cat /etc/hostname — the report names it exactly, without --explain', async () => {
  const file = path.join(dir, 'no-etc.landlock.json');
  writeFileSync(file, JSON.stringify(NO_ETC, null, 2));
  const r = await run(['--landlock', file, '--', '/bin/cat', '/etc/hostname'], true);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Permission denied/, 'refused exactly as without audit');
  const d = r.report.denials.find((x) => x.kind === 'landlock' && x.path === '/etc/hostname');
  assert.ok(d, JSON.stringify(r.report.denials));
  assert.equal(d.inferred, undefined, 'observed by the kernel, not inferred');
  assert.deepEqual(d.access, ['read_file']);
  assert.equal(d.count, 1);
  assert.equal(d.source?.file, file);
  assert.match(readFileSync(file, 'utf8').split('\n')[d.source!.line! - 1], /"pathBeneath"/);
  assert.deepEqual(d.edit, { kind: 'landlockPath', file, path: '/etc/hostname', access: ['read_file'] });
  assert.ok(r.stderr.indexOf('phantom: refused read_file "/etc/hostname" → EACCES') > r.stderr.indexOf('Permission denied'), r.stderr);
  assert.doesNotMatch(r.stderr, /\(inferred\)/);
});

test('audit enabled: only the run\'s own refusals — nothing of the helper before execve, nothing of another sandbox', async () => {
  const file = path.join(dir, 'no-etc.landlock.json');
  writeFileSync(file, JSON.stringify(NO_ETC, null, 2));
  // Two runs at once, each refused a different path: each report has its own and not the other's.
  const [a, b] = await (async () => {
    const previous = auditTool('set', '1');
    try {
      return await Promise.all([
        run(['--landlock', file, '--', '/bin/sh', '-c', 'cat /etc/hostname; cat /etc/passwd'], false),
        run(['--landlock', file, '--', '/bin/cat', '/etc/debian_version'], false),
      ]);
    } finally {
      auditTool('set', String(previous));
    }
  })();
  const paths = (x: typeof a) => x.report.denials.filter((d) => d.kind === 'landlock').map((d) => d.path);
  assert.ok(paths(a).includes('/etc/hostname') && paths(a).includes('/etc/passwd'), JSON.stringify(paths(a)));
  assert.ok(!paths(a).includes('/etc/debian_version'), JSON.stringify(paths(a)));
  assert.ok(paths(b).includes('/etc/debian_version') && !paths(b).includes('/etc/hostname'), JSON.stringify(paths(b)));
  // The helper's own opens between the restriction and execve (its dir, the binary) are never logged: every path
  // reported is one the command itself asked for.
  for (const d of [...a.report.denials, ...b.report.denials].filter((x) => x.kind === 'landlock')) assert.match(d.path ?? '', /^\/etc\//, JSON.stringify(d));
});

test("audit enabled, attack: 300 refusals from a domain the workload nests do not crowd out the run's own", async () => {
  // The helper keeps a bounded list of distinct refusals: filled by the nested domain first, the run's refusal of
  // /etc/hostname that came after was dropped without a word.
  const flood = path.join(dir, 'nested-flood.py');
  writeFileSync(flood, readFileSync(path.join(REPO, 'test/fixtures/audit/nested-flood.py')));
  chmodSync(flood, 0o644);
  const file = path.join(dir, 'flood.landlock.json');
  writeFileSync(file, JSON.stringify({ ...NO_ETC, pathBeneath: [...NO_ETC.pathBeneath, { allowedAccess: ['read_file', 'read_dir'], parent: [dir] }] }, null, 2));
  const r = await run(['--landlock', file, '--', '/usr/bin/python3', flood], true);
  assert.equal(r.code, 0, `the nested domain did not refuse its 300 files: ${r.stderr}`);
  const paths = r.report.denials.filter((d) => d.kind === 'landlock').map((d) => d.path);
  assert.ok(paths.includes('/etc/hostname'), `the run's own refusal is missing: ${JSON.stringify(paths)}`);
  assert.ok(!paths.some((p) => p?.startsWith('/usr/share/doc/')), 'the nested domain\'s refusals are not the run\'s');
});

test('audit enabled, over the runtime protocol: phantom/exit carries the exact refusal', async () => {
  const file = path.join(dir, 'no-etc.landlock.json');
  writeFileSync(file, JSON.stringify(NO_ETC, null, 2));
  const runtime = new TestRuntime();
  try {
    const previous = auditTool('set', '1');
    let exit;
    try {
      ({ exit } = await runtime.run({ argv: ['/bin/cat', '/etc/hostname'], cwd: dir, landlockProfile: file }));
    } finally {
      auditTool('set', String(previous));
    }
    assert.equal(exit.code, 1);
    const d = (exit.denials ?? []).find((x) => x.kind === 'landlock' && x.path === '/etc/hostname');
    assert.ok(d, JSON.stringify(exit.denials));
    assert.equal(d.inferred, undefined);
    assert.deepEqual(d.edit, { kind: 'landlockPath', file, path: '/etc/hostname', access: ['read_file'] });
  } finally {
    assert.equal(await runtime.stop(), 0);
  }
});

test('audit disabled: the same run reports no Landlock denial (only --explain infers them)', async () => {
  assert.equal(auditTool('get'), 0, 'this machine runs with audit disabled');
  const file = path.join(dir, 'no-etc.landlock.json');
  writeFileSync(file, JSON.stringify(NO_ETC, null, 2));
  const r = await run(['--landlock', file, '--', '/bin/cat', '/etc/hostname'], false);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.report.denials.filter((d) => d.kind === 'landlock'), []);
  const explained = await run(['--landlock', file, '--explain', '--', '/bin/cat', '/etc/hostname'], false);
  const d = explained.report.denials.find((x) => x.kind === 'landlock' && x.path === '/etc/hostname');
  assert.equal(d?.inferred, true, JSON.stringify(explained.report.denials));
});

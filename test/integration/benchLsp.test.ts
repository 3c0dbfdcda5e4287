/**
 * `phantom bench --lsp --quick --json` as a user runs it: both language servers really answer over stdio and
 * the report has its shape. No timing is asserted here: performance is measured by the benchmark itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO } from '../support/fixtures';
import type { LspBenchResult, LspServerFigures } from '../../runtime/src/bench/benchLsp';

const CLI = path.join(REPO, 'dist/cli.js');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function assertFigures(figures: LspServerFigures, who: string): void {
  for (const key of ['firstDiagnosticsMs', 'coldFirstDiagnosticsMs', 'editDiagnosticsMs', 'completionMs', 'residentMiB'] as const) {
    assert.ok(Number.isFinite(figures[key]) && figures[key] > 0, `${who}: ${key} = ${figures[key]}`);
  }
  assert.equal(figures.samples.firstDiagnosticsMs.length, figures.samples.residentMiB.length, who);
  assert.ok(figures.samples.editDiagnosticsMs.length >= 2, who);
  // Completion items inside a names list prove the server knew the document's schema (theirs: the syscall enum).
  assert.ok(figures.completionItems > 0, `${who}: no completion items in the names list`);
}

test('phantom bench --lsp --quick --json: both servers answer on both documents', async () => {
  const { code, stdout, stderr } = await run(['bench', '--lsp', '--quick', '--json', '--runs', '1']);
  assert.equal(code, 0, stderr);
  const result = (JSON.parse(stdout) as { lsp: LspBenchResult }).lsp;
  assert.equal(result.quick, true);
  assert.equal(result.rounds, 1);
  assert.match(result.servers.yamlLanguageServer, /^1\.\d+\.\d+$/);
  assert.equal(result.documents.length, 2);
  assert.deepEqual(result.documents.map((d) => d.document), ['docker-default.seccomp.yaml', 'generated-1000.seccomp.yaml']);
  for (const d of result.documents) {
    assert.ok(d.lines > 500 && d.bytes > 10_000, `${d.document}: ${d.lines} lines`);
    assertFigures(d.phantom, `phantom on ${d.document}`);
    assertFigures(d.yamlLanguageServer, `yaml-language-server on ${d.document}`);
    // Both profiles are clean for our server, but for Docker's 64-bit `socket: family > 40` (seccomp-64bit-int-arg).
    assert.equal(d.phantom.diagnostics, d.document === 'docker-default.seccomp.yaml' ? 1 : 0, d.document);
    for (const ratio of Object.values(d.ratios)) assert.ok(Number.isFinite(ratio) && ratio > 0);
  }
  assert.ok(result.targets.length >= 3);
  for (const t of result.targets) assert.equal(typeof t.met, 'boolean');
});

test('phantom bench --help names --lsp and --quick', async () => {
  const { code, stdout } = await run(['bench', '--help']);
  assert.equal(code, 0);
  assert.match(stdout, /--lsp/);
  assert.match(stdout, /--quick/);
});

/** The built `phantom` CLI (dist/cli.js), as a user runs it from a shell. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');

function phantom(args: string[], options: { cwd?: string; input?: string } = {}) {
  const result = spawnSync(CLI, args, { cwd: options.cwd ?? REPO, input: options.input ?? '', encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('phantom --help lists the subcommands', () => {
  const { code, stdout } = phantom(['--help']);
  assert.equal(code, 0);
  for (const name of ['run', 'check', 'doctor']) assert.match(stdout, new RegExp(`^  ${name} `, 'm'));
});

test('an unknown subcommand is a usage error', () => {
  const { code, stderr } = phantom(['frobnicate']);
  assert.equal(code, 2);
  assert.match(stderr, /unknown command 'frobnicate'/);
});

test('phantom doctor reports Landlock ABI 7, seccomp user-notify and PSI on this machine', () => {
  const { code, stdout } = phantom(['doctor']);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /^ {2}ok +Landlock +ABI 7/m);
  assert.match(stdout, /^ {2}ok +seccomp user notification/m);
  assert.match(stdout, /^ {2}ok +pressure stall information \(PSI\)/m);
  const json = JSON.parse(phantom(['doctor', '--json']).stdout);
  assert.equal(json.landlockAbi, 7);
  for (const id of ['userns', 'pidns', 'mountns', 'netns', 'landlock', 'seccomp-filter', 'seccomp-user-notif', 'psi', 'cgroup2']) {
    assert.equal(json.checks.find((c: { id: string }) => c.id === id)?.ok, true, id);
  }
});

test('phantom run runs the command in a sandbox and exits with its status', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-cli-'));
  try {
    const ok = phantom(['run', '--', 'sh', '-c', 'echo "in $(hostname)"; touch made-here; exit 7'], { cwd });
    assert.equal(ok.code, 7, ok.stderr);
    assert.equal(ok.stdout, 'in phantom\n');
    assert.ok(fs.existsSync(path.join(cwd, 'made-here')), 'the working directory is writable');
    const input = phantom(['run', '--', 'cat'], { cwd, input: 'piped\n' });
    assert.equal(input.stdout, 'piped\n');
    const missing = phantom(['run', '--', 'no-such-command-phantom'], { cwd });
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /no-such-command-phantom/);
    const badFlag = phantom(['run', '--network', 'wifi', '--', 'true'], { cwd });
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /--network must be none, loopback or host/);
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});

test('phantom check prints the diagnostics as JSON and exits 1 on an error', () => {
  const file = path.join(FIXTURES, 'config/unknown-key.phantom-fragment.yaml');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-check-'));
  const target = path.join(dir, 'phantom-fragment.yaml');
  fs.copyFileSync(file, target);
  try {
    const { code, stdout } = phantom(['check', '--format', 'json', target]);
    assert.equal(code, 1);
    assert.deepEqual(JSON.parse(stdout), [
      { file: target, line: 5, column: 5, endLine: 5, endColumn: 11, severity: 'error', message: "Unknown key 'netwrk' in 'py'. Did you mean 'network'?", code: 'schema-unknown-key' },
    ]);
    const clean = phantom(['check', path.join(REPO, 'examples/phantom-fragment.yaml')]);
    assert.equal(clean.code, 0, clean.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** `phantom explain`: the effective policy of a profile, as text and as JSON (console captured, no process). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runExplain } from '../../runtime/src/cli/cliExplain';
import { UsageError } from '../../runtime/src/cli/cliArgs';
import { FIXTURES, REPO } from '../support/fixtures';

const EXAMPLE = path.join(REPO, 'examples/phantom-fragment.yaml');

async function explain(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const code = await runExplain(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

test('phantom explain prints the effective policy of a profile', async () => {
  const { code, out } = await explain(['--config', EXAMPLE, '--profile', 'python']);
  assert.equal(code, 0);
  assert.match(out, /^Profile python \(.*phantom-fragment\.yaml\)$/m);
  assert.match(out, /^ {2}Fragments: core, threads, python, workspace-read$/m);
  assert.match(out, /^ {2}Syscalls: \d+ allowed \(\d+ from fragments core, threads, python, workspace-read, 41 from profiles\/python\.seccomp\.json\)$/m);
  assert.match(out, /^ {2}Network: none \(set by the profile\)$/m);
  assert.match(out, /^ {2}Limits: memory 512M, pids 64, timeout 60 s, output 64 MiB \(default\)$/m);
  assert.match(out, /^ {2}getdents64 +python, workspace-read$/m);
});

test('phantom explain --json gives the policy as data', async () => {
  const { code, out } = await explain(['--config', EXAMPLE, '--profile', 'node', '--json']);
  assert.equal(code, 0);
  const policy = JSON.parse(out);
  assert.equal(policy.profile, 'node');
  assert.deepEqual(policy.network, { mode: 'host', setBy: 'fragment', needs: [{ fragment: 'dns', mode: 'host' }, { fragment: 'network-client', mode: 'host' }] });
  assert.ok(policy.syscalls.some((s: { name: string }) => s.name === 'connect'));
  assert.deepEqual(policy.problems, []);
});

test('phantom explain names what is wrong: an unknown profile (with did-you-mean), a missing file, a policy with errors', async () => {
  const unknown = await explain(['--config', EXAMPLE, '--profile', 'pyton']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /has no profile 'pyton'\. Did you mean 'python'\? Profiles: python, node, shell\./);
  await assert.rejects(explain(['--config', '/nonexistent/phantom-fragment.yaml', '--profile', 'x']), (e: Error) => e instanceof UsageError && /cannot be read \(ENOENT\)/.test(e.message));
  await assert.rejects(explain(['--config', EXAMPLE]), UsageError);
  const cycle = await explain(['--config', path.join(FIXTURES, 'config/cycle.phantom-fragment.yaml'), '--profile', 'app']);
  assert.equal(cycle.code, 1);
  assert.match(cycle.out, /^ {2}error: Fragment cycle: a → b → a\./m);
});

// The repository chooses a command that makes a host folder visible, for real. Command resolution shows a command's
// install folder read-only when the sandbox would not show it (a pyenv python under ~/.pyenv). When the REPOSITORY
// names the command by path — a link in the workspace to an executable in a host folder, a `run:` path straight to
// it, or a script of the workspace whose `#!` line names it — that grant would show a folder of the user's to the
// very program it runs, without any approval. The host folder here holds an executable (a copy of cat) and a secret
// beside it; each attack prints the secret when the folder is shown. Such a run is refused (125) with the fix; the
// same command named by the user's own profile grant, or looked up by name on the PATH, still runs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/fixtures';
import { TestRuntime } from '../support/runtimeClient';

const CLI = path.join(REPO, 'dist/cli.js');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// A folder of the user's that no sandbox shows (outside the workspace and /tmp), which the sandbox user could read if
// it were shown (so that only the showing decides).
const host = mkdtempSync('/var/tmp/phantom-host-tool-');
dirs.push(host);
chmodSync(host, 0o755);
mkdirSync(path.join(host, 'bin'));
copyFileSync('/bin/cat', path.join(host, 'bin/tool'));
chmodSync(path.join(host, 'bin/tool'), 0o755);
writeFileSync(path.join(host, 'secret.txt'), 'host secret\n', { mode: 0o644 });
const tool = path.join(host, 'bin/tool');
const secret = path.join(host, 'secret.txt');
/** Approvals of this file's own, outside every workspace. */
const state = mkdtempSync(path.join(os.tmpdir(), 'phantom-command-state-'));
dirs.push(state);

function workspace(profiles: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-command-'));
  dirs.push(dir);
  symlinkSync(tool, path.join(dir, 'tool'));
  writeFileSync(path.join(dir, 'script'), `#!${tool} ${secret}\n`, { mode: 0o755 });
  writeFileSync(path.join(dir, 'phantom-fragment.yaml'), ['version: 1', 'profiles:', ...profiles, ''].join('\n'));
  return dir;
}

function phantom(cwd: string, args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, XDG_STATE_HOME: state } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const ATTACKS: Record<string, string[]> = {
  'a link of the workspace to the executable': ['  link:', `    run: [./tool, ${secret}]`],
  'a run: path straight to it': ['  direct:', `    run: [${tool}, ${secret}]`],
  'a script of the workspace whose #! names it': ['  script:', '    run: [./script]'],
};

for (const [attack, profile] of Object.entries(ATTACKS)) {
  test(`${attack}: the run is refused (125) and names the folder and the fix; the secret is not shown`, () => {
    const dir = workspace(profile);
    const name = profile[0].trim().replace(':', '');
    const r = phantom(dir, ['run', '--profile', name]);
    assert.equal(r.code, 125, `exit ${r.code}: ${r.out}${r.err}`);
    assert.doesNotMatch(r.out, /host secret/);
    assert.match(r.err, new RegExp(`would show ${host.replace(/[.]/g, '\\.')} to the sandbox`));
    assert.match(r.err, /filesystem\.readOnly/);
  });
}

test("the same link runs once the user's approved profile grants the folder itself", () => {
  const dir = workspace(['  granted:', `    run: [./tool, ${secret}]`, `    filesystem: { readOnly: [${host}] }`]);
  const trust = phantom(dir, ['trust', '--profile', 'granted']);
  assert.equal(trust.code, 0, trust.out + trust.err);
  const r = phantom(dir, ['run', '--profile', 'granted']);
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(r.out, 'host secret\n');
});

test('a command the user names on the command line is resolved as before (its install folder shown, with a note)', () => {
  const dir = workspace(['  plain:', '    run: [true]']);
  const r = phantom(dir, ['run', '--', tool, secret]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(r.out, 'host secret\n');
});

test("a command the repository wrote and the editor sends (a tasks.json task, learn on a profile) is the repository's choice too", async () => {
  const dir = workspace(['  plain:', '    run: [true]']);
  // With a configuration (a profile's task, learn on a profile): refused like the profile's own run.
  const withConfig = phantom(dir, ['run', '--config', path.join(dir, 'phantom-fragment.yaml'), '--profile', 'plain', '--', tool, secret]);
  assert.equal(withConfig.code, 125, withConfig.out + withConfig.err);
  assert.doesNotMatch(withConfig.out, /host secret/);
  // A task without a profile: the editor marks its command as the repository's.
  const runtime = new TestRuntime();
  try {
    const r = await runtime.run({ argv: [tool, secret], cwd: dir, repositoryCommand: true });
    assert.equal(r.exit.code, 125, JSON.stringify(r.exit));
    assert.match(r.exit.error ?? '', /repository's choice of command/);
    assert.doesNotMatch(r.stdout, /host secret/);
  } finally {
    await runtime.stop();
  }
});

// Issue 11, attack 2, for real: a run tries to write where host tools later trust it — git's config and hooks,
// the editor's settings, its own phantom-fragment.yaml and profile file, .envrc, a new .idea — and to rename a
// protected folder or a parent of a protected file away. Each must be refused while the rest of the workspace stays
// writable, and the host's files be unchanged afterwards. As root (root-owned workspace, idmapped) and as nobody;
// then `unprotect` lifts exactly what it names; and a run from the repository root cannot touch the runtime's files.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ATTACK = [
  `printf '[core]\\n\\tfsmonitor = "touch /tmp/phantom-pwned"\\n' >> .git/config; echo "git-config:$?"`,
  'echo "#!/bin/sh" > .git/hooks/post-checkout; echo "git-hook:$?"',
  `echo '{"terminal.integrated.env.linux": {"X": "1"}}' > .vscode/settings.json; echo "vscode:$?"`,
  'echo "    network: host" >> phantom-fragment.yaml; echo "config:$?"',
  'echo "{}" > profiles/run.seccomp.json; echo "profile-file:$?"',
  'mv profiles profiles-away; echo "rename-profile-parent:$?"',
  'mv .git git-away; echo "rename-git:$?"',
  'rm -rf .vscode; echo "remove-vscode:$?"',
  'mkdir -p .idea/x; echo "idea:$?"',
  'echo "export X=1" > .envrc; echo "envrc:$?"',
  'echo fine > normal.txt; echo "normal:$?"',
].join('\n');

/** A workspace with the files host tools trust, readable and writable by everyone (nobody attacks it too). */
function workspace(extraProfile = ''): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-protected-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, '.git/hooks'), { recursive: true });
  mkdirSync(path.join(dir, '.vscode'));
  mkdirSync(path.join(dir, 'profiles'));
  writeFileSync(path.join(dir, '.git/config'), '[core]\n\tbare = false\n');
  writeFileSync(path.join(dir, '.vscode/settings.json'), '{}\n');
  writeFileSync(path.join(dir, '.envrc'), '');
  writeFileSync(path.join(dir, 'attack.sh'), ATTACK);
  const docker = readFileSync(path.join(REPO, 'test/fixtures/profiles/docker-default.seccomp.json'), 'utf8');
  writeFileSync(path.join(dir, 'profiles/run.seccomp.json'), docker);
  writeFileSync(path.join(dir, 'phantom-fragment.yaml'), [
    'version: 1', 'profiles:', '  attack:', '    run: [sh, attack.sh]', '    seccomp: profiles/run.seccomp.json', extraProfile, '',
  ].join('\n'));
  spawnSync('chmod', ['-R', 'a+rwX', dir]);
  return dir;
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

const NOBODY = ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups', 'env', 'HOME=/nonexistent'];

/** Approvals of this file's own, outside every workspace: one folder for root, one nobody owns. */
const STATE = { root: mkdtempSync(path.join(os.tmpdir(), 'phantom-protected-state-')), nobody: mkdtempSync(path.join(os.tmpdir(), 'phantom-protected-state-nobody-')) };
dirs.push(STATE.root, STATE.nobody);
spawnSync('chown', ['65534:65534', STATE.nobody]);

function attack(dir: string, asNobody: boolean): Record<string, string> {
  const cli = (...args: string[]) => [...(asNobody ? NOBODY : ['env']), `XDG_STATE_HOME=${asNobody ? STATE.nobody : STATE.root}`, process.execPath, CLI, ...args];
  // Docker's profile (and unprotect) is more than the defaults: the user approves it first, as they would.
  const trust = cli('trust', '--profile', 'attack');
  const approved = spawnSync(trust[0], trust.slice(1), { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(approved.status, 0, `phantom trust failed: ${approved.stdout}${approved.stderr}`);
  const argv = cli('run', '--profile', 'attack');
  const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `the run failed: ${r.stderr}`);
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split(':') as [string, string]));
}

/** Whether the path is gone within 10 s. */
function gone(p: string): boolean {
  for (let i = 0; i < 100 && existsSync(p); i++) spawnSync('sleep', ['0.1']);
  return !existsSync(p);
}

for (const asNobody of [false, true]) {
  const who = asNobody ? 'as nobody' : 'as root';
  test(`protected paths stay read-only ${who}: .git, .vscode, the configuration and its profile, .envrc, a new .idea`, () => {
    const dir = workspace();
    const before = snapshot(dir);
    const got = attack(dir, asNobody);
    for (const step of ['git-config', 'git-hook', 'vscode', 'config', 'profile-file', 'rename-profile-parent', 'rename-git', 'remove-vscode', 'idea', 'envrc']) {
      assert.notEqual(got[step], '0', `${step} succeeded in the sandbox: ${JSON.stringify(got)}`);
    }
    assert.equal(got.normal, '0', 'the rest of the workspace stays writable');
    const now = snapshot(dir);
    assert.equal(now['normal.txt'], 'fine\n');
    delete now['normal.txt'];
    assert.deepEqual(now, before, 'a protected file changed on the host');
    // The placeholder's janitor removes it once no sandbox holds it: soon after the run, not before its exit report.
    assert.equal(gone(path.join(dir, '.idea')), true, 'the placeholder for .idea is removed after the run');
    assert.equal(existsSync(path.join(dir, 'git-away')), false);
  });
}

test('unprotect lifts exactly the paths it names, and the effective policy shows it', () => {
  const dir = workspace('    unprotect: [.vscode]');
  const got = attack(dir, false);
  assert.equal(got.vscode, '0', '.vscode is writable once unprotected');
  assert.equal(got['remove-vscode'], '0');
  assert.equal(existsSync(path.join(dir, '.vscode')), false);
  for (const step of ['git-config', 'git-hook', 'config', 'profile-file', 'rename-git', 'envrc']) assert.notEqual(got[step], '0', step);
  const explain = spawnSync(process.execPath, [CLI, 'explain', '--profile', 'attack'], { cwd: dir, encoding: 'utf8' });
  assert.match(explain.stdout, /unprotected by this profile: \.vscode/);
});

test("a run from the repository root cannot touch the runtime's own files (its bundle, helper and node modules)", () => {
  const marker = `.phantom-protect-probe-${process.pid}`;
  const script = [`touch dist/${marker}; echo "dist:$?"`, `touch dist/native/${marker}; echo "helper:$?"`, `touch node_modules/${marker}; echo "modules:$?"`].join('\n');
  const r = spawnSync(process.execPath, [CLI, 'run', '--', 'sh', '-c', script], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  try {
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /:0$/m, r.stdout);
  } finally {
    for (const p of ['dist', 'dist/native', 'node_modules']) rmSync(path.join(REPO, p, marker), { force: true });
  }
});

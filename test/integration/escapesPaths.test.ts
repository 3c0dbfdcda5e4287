// Issue 11, attack 4, for real: paths a profile grants or hides are resolved on the host after earlier sandboxes
// could change them. Run 1 replaces ./data by a link to a folder it was never granted; run 2 of a profile with
// `readWrite: [./data]` must fail, naming the path, and write nothing there. Renaming the parent of a bind (to plant
// a link in its place) fails the next run the same way; the parent of a hidden file cannot be renamed from inside,
// and a hidden path gone by the next run fails it instead of showing the file under its new name. As root (the
// target a root-only folder) and as nobody (a folder nobody may write but was not granted).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
const NOBODY = ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups', 'env', 'HOME=/nonexistent'];
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string, mode: number): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  chmodSync(d, mode);
  return d;
}

/** A workspace whose profiles grant ./data and ./a/data read-write and hide ./secrets/key (as ${workspaceFolder}/…: a relative sandbox path is an error). */
function workspace(): string {
  const dir = tempDir('phantom-paths-', 0o777);
  for (const d of ['data', 'a/data', 'secrets']) mkdirSync(path.join(dir, d), { recursive: true, mode: 0o777 });
  writeFileSync(path.join(dir, 'secrets/key'), 'the secret\n', { mode: 0o666 });
  writeFileSync(path.join(dir, 'phantom-fragment.yaml'), [
    'version: 1',
    'profiles:',
    '  plant:', '    run: [sh, plant.sh]',
    '  data:', '    run: [sh, -c, "echo pwned > data/x; echo wrote:$?"]', '    filesystem: { readWrite: ["${workspaceFolder}/data"] }',
    '  nested:', '    run: [sh, -c, "echo pwned > a/data/x; echo wrote:$?"]', '    filesystem: { readWrite: ["${workspaceFolder}/a/data"] }',
    '  hiding:', '    run: [sh, -c, "cat secrets/key; mv secrets away; echo renamed:$?; cat away/key"]', '    filesystem: { hidden: ["${workspaceFolder}/secrets/key"] }',
    '  peek:', '    run: [sh, -c, "cat moved/key"]',
    '',
  ].join('\n'));
  spawnSync('chmod', ['-R', 'a+rwX', dir]);
  return dir;
}

/** Approvals of this file's own, outside every workspace (nobody approves too). */
const STATE = { root: tempDir('phantom-paths-state-', 0o700), nobody: tempDir('phantom-paths-state-nobody-', 0o700) };
spawnSync('chown', ['65534:65534', STATE.nobody]);

function phantom(dir: string, asNobody: boolean, args: string[], env: Record<string, string> = {}) {
  const vars = { XDG_STATE_HOME: asNobody ? STATE.nobody : STATE.root, ...env };
  const argv = [...(asNobody ? NOBODY : ['env']), ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), process.execPath, CLI, ...args];
  const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A run of the `plant` profile: the sandbox itself changes its workspace with `step`. */
function plant(dir: string, asNobody: boolean, step: string): void {
  writeFileSync(path.join(dir, 'plant.sh'), `${step}\n`, { mode: 0o666 });
  const r = phantom(dir, asNobody, ['run', '--profile', 'plant']);
  assert.equal(r.code, 0, `planting failed: ${r.stderr}`);
}

for (const asNobody of [false, true]) {
  const who = asNobody ? 'as nobody' : 'as root';
  // Root: a root-only folder. Nobody: a folder it may write, never granted to the run.
  const target = () => tempDir('phantom-paths-target-', asNobody ? 0o777 : 0o700);

  test(`a link planted where a readWrite path was fails the next run, naming it, ${who}`, () => {
    const dir = workspace();
    const victim = target();
    plant(dir, asNobody, `rm -rf data && ln -s ${victim} data`);
    // The first layer: through the link, ./data is a path outside the workspace, which needs the user's approval.
    const unapproved = phantom(dir, asNobody, ['run', '--profile', 'data']);
    assert.equal(unapproved.code, 125);
    assert.match(unapproved.stderr, new RegExp(`writes ${victim}, outside the workspace[^]*phantom trust`));
    // Even when the user approves it, the helper refuses to bind through a link.
    const trust = phantom(dir, asNobody, ['trust', '--profile', 'data']);
    assert.equal(trust.code, 0, trust.stdout + trust.stderr);
    const r = phantom(dir, asNobody, ['run', '--profile', 'data']);
    assert.equal(r.code, 125, `the run was not refused: ${r.stdout} ${r.stderr}`);
    assert.match(r.stderr, /--rw .*\/data: openat2.*ELOOP.*symbolic link/);
    assert.deepEqual(readdirSync(victim), [], 'the run wrote through the planted link');
  });

  test(`renaming the parent of a bind away and planting a link fails the next run ${who}`, () => {
    const dir = workspace();
    const victim = target();
    mkdirSync(path.join(victim, 'data'), { mode: 0o777 });
    chmodSync(path.join(victim, 'data'), 0o777);
    plant(dir, asNobody, `mv a a-away && ln -s ${victim} a`);
    // Approved by the user (the link makes ./a/data a path outside the workspace), still refused by the helper.
    const trust = phantom(dir, asNobody, ['trust', '--profile', 'nested']);
    assert.equal(trust.code, 0, trust.stdout + trust.stderr);
    const r = phantom(dir, asNobody, ['run', '--profile', 'nested']);
    assert.equal(r.code, 125, `the run was not refused: ${r.stdout} ${r.stderr}`);
    assert.match(r.stderr, /--rw .*\/a\/data: openat2.*ELOOP/);
    assert.deepEqual(readdirSync(path.join(victim, 'data')), []);
  });

  test(`a hidden file's parent cannot be renamed from inside, and a hidden path gone fails the next run ${who}`, () => {
    const dir = workspace();
    const inside = phantom(dir, asNobody, ['run', '--profile', 'hiding']);
    assert.doesNotMatch(inside.stdout, /the secret/, 'the hidden file was readable');
    assert.match(inside.stdout, /renamed:1/, `its parent could be renamed: ${inside.stdout}`);
    // Gone by the next run (renamed by a run of another profile, or by anyone): refused, not silently skipped.
    plant(dir, asNobody, 'mv secrets moved');
    const next = phantom(dir, asNobody, ['run', '--profile', 'hiding']);
    assert.equal(next.code, 125, `the run went on with the hidden path gone: ${next.stdout} ${next.stderr}`);
    assert.match(next.stderr, /filesystem\.hidden path .*\/secrets\/key: openat2.*ENOENT.*does not exist/);
    renameSync(path.join(dir, 'moved'), path.join(dir, 'secrets'));
  });
}

// Issue 11's review, attacks found after the hardening landed, each made for real on the real kernel as root
// (root-owned workspace, idmapped) and as nobody, and each refused.
//
// Nested repositories: the workspace's own `.git` was protected, but a repository below it — a nested clone
// (`sub/.git`), one a few levels down, a submodule's `gitdir:` file — was writable. A run appended
// `core.fsmonitor = "…"` to `sub/.git/config`; the next `git -C sub status` on the host (VS Code opens
// repositories in subfolders by itself) ran it as the runtime's user. A rewritten `mod/.git` pointed the
// superproject's `git status` (which visits submodules) at a git folder the sandbox wrote.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
const NOBODY = ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups', 'env', 'HOME=/nonexistent'];
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const PWNED = path.join(os.tmpdir(), `phantom-review-pwned-${process.pid}`);

const ATTACK = [
  `printf '[core]\\n\\tfsmonitor = "touch ${PWNED}"\\n' >> sub/.git/config; echo "nested:$?"`,
  'echo "#!/bin/sh" > sub/.git/hooks/post-checkout; echo "nested-hook:$?"',
  `printf '[core]\\n\\tfsmonitor = "touch ${PWNED}"\\n' >> a/b/c/.git/config; echo "deep:$?"`,
  "echo 'gitdir: ../evil' > mod/.git; echo \"gitfile:$?\"",
  'mv sub sub-away; echo "rename-parent:$?"',
  'echo fine > sub/normal.txt; echo "normal:$?"',
].join('\n');

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
}

/** A superproject with a nested clone, a repository three levels down and a submodule's gitdir file. */
function workspace(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-review-'));
  dirs.push(dir);
  git(dir, 'init', '-q', '.');
  for (const sub of ['sub', 'a/b/c']) {
    mkdirSync(path.join(dir, sub), { recursive: true });
    git(path.join(dir, sub), 'init', '-q', '.');
  }
  mkdirSync(path.join(dir, 'sub/.git/hooks'), { recursive: true });
  mkdirSync(path.join(dir, '.git/modules/mod'), { recursive: true });
  mkdirSync(path.join(dir, 'mod'));
  writeFileSync(path.join(dir, 'mod/.git'), 'gitdir: ../.git/modules/mod\n');
  writeFileSync(path.join(dir, '.gitmodules'), '[submodule "mod"]\n\tpath = mod\n');
  writeFileSync(path.join(dir, 'attack.sh'), ATTACK);
  spawnSync('chmod', ['-R', 'a+rwX', dir]);
  return dir;
}

for (const asNobody of [false, true]) {
  test(`nested repositories below the workspace stay read-only (${asNobody ? 'nobody' : 'root'})`, () => {
    const dir = workspace();
    const before = {
      sub: readFileSync(path.join(dir, 'sub/.git/config'), 'utf8'),
      deep: readFileSync(path.join(dir, 'a/b/c/.git/config'), 'utf8'),
      mod: readFileSync(path.join(dir, 'mod/.git'), 'utf8'),
    };
    const argv = [...(asNobody ? NOBODY : ['env']), process.execPath, CLI, 'run', '--', 'sh', 'attack.sh'];
    const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    for (const step of ['nested', 'nested-hook', 'deep', 'gitfile', 'rename-parent']) {
      assert.match(r.stdout, new RegExp(`^${step}:[1-9]`, 'm'), `${step} must be refused:\n${r.stdout}${r.stderr}`);
    }
    assert.match(r.stdout, /^normal:0$/m, `the rest of the nested folder stays writable:\n${r.stdout}${r.stderr}`);
    assert.equal(readFileSync(path.join(dir, 'sub/.git/config'), 'utf8'), before.sub);
    assert.equal(readFileSync(path.join(dir, 'a/b/c/.git/config'), 'utf8'), before.deep);
    assert.equal(readFileSync(path.join(dir, 'mod/.git'), 'utf8'), before.mod);
    assert.equal(existsSync(path.join(dir, 'sub/.git/hooks/post-checkout')), false);
    // What the host does next runs nothing of the sandbox's.
    spawnSync('git', ['-C', path.join(dir, 'sub'), 'status'], { encoding: 'utf8' });
    assert.equal(existsSync(PWNED), false, 'host git ran a command the sandbox wrote');
  });
}

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

// Files a run leaves for the runtime to read on the host. The command's resolution reads the workspace's
// `.python-version` (pyenv's rule) and the protected-path list reads `.gitmodules`, synchronously, in the runtime:
// a FIFO planted there blocked the next run — in the editor, every run of the shared runtime — forever; a link to
// /dev/zero made it read until it ran out of memory; a version `../../..` picked, and granted read-only, any host
// folder holding a bin/<command> (pyenv refuses that since CVE-2022-35861).

/** A pyenv of the test's own (no dependence on this machine's): shims/tool, and versions/v1/bin/tool -> /bin/sh. */
function fakePyenv(): { root: string; secretDir: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'phantom-review-pyenv-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'shims'));
  mkdirSync(path.join(root, 'versions/v1/bin'), { recursive: true });
  writeFileSync(path.join(root, 'shims/tool'), '#!/bin/sh\nexit 99\n', { mode: 0o755 });
  spawnSync('ln', ['-s', '/bin/sh', path.join(root, 'versions/v1/bin/tool')]);
  writeFileSync(path.join(root, 'version'), 'v1\n');
  // A host folder with a bin/tool and a secret: `../../<it>` must not be picked.
  const secretDir = path.join(root, 'elsewhere');
  mkdirSync(path.join(secretDir, 'bin'), { recursive: true });
  spawnSync('ln', ['-s', '/bin/sh', path.join(secretDir, 'bin/tool')]);
  writeFileSync(path.join(secretDir, 'secret'), 'TOPSECRET\n');
  spawnSync('chmod', ['-R', 'a+rX', root]);
  return { root, secretDir };
}

const PLANTS: { name: string; plant: string }[] = [
  { name: 'a FIFO .python-version', plant: 'mkfifo .python-version' },
  { name: 'a .python-version linked to /dev/zero', plant: 'ln -s /dev/zero .python-version' },
  { name: 'a FIFO .gitmodules', plant: 'mkfifo .gitmodules' },
  { name: 'a .gitmodules linked to /dev/zero', plant: 'ln -s /dev/zero .gitmodules' },
  { name: 'a .python-version climbing out of pyenv', plant: "echo '../elsewhere' > .python-version" },
];

for (const asNobody of [false, true]) {
  for (const { name, plant } of PLANTS) {
    test(`${name} left by a run neither stalls nor widens the next run (${asNobody ? 'nobody' : 'root'})`, () => {
      const { root, secretDir } = fakePyenv();
      const dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-review-plant-'));
      dirs.push(dir);
      spawnSync('chmod', ['a+rwx', dir]);
      const env = [`PYENV_ROOT=${root}`, `PATH=${root}/shims:/usr/bin:/bin`];
      const cli = (...args: string[]) => {
        const argv = [...(asNobody ? NOBODY : ['env']), ...env, process.execPath, CLI, 'run', '--', ...args];
        return spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: 'utf8', timeout: 30_000, maxBuffer: 1 << 20 });
      };
      const first = cli('/bin/sh', '-c', plant);
      assert.equal(first.status, 0, `the planting run failed: ${first.stdout}${first.stderr}`);
      const next = cli('tool', '-c', `echo ran; cat ${secretDir}/secret`);
      assert.notEqual(next.status, null, `the next run never ended (signal ${next.signal}): the runtime blocked on the planted file`);
      assert.doesNotMatch(next.stdout, /TOPSECRET/, `a folder outside pyenv's versions was granted:\n${next.stderr}`);
      if (name === 'a .gitmodules linked to /dev/zero') {
        // A protected path that is a link fails the run, naming it (docs/sandbox.md): it ends, and says why.
        assert.match(next.stderr, /\.gitmodules is a symbolic link/, `${next.stdout}${next.stderr}`);
      } else if (!name.includes('climbing')) {
        assert.match(next.stdout, /^ran$/m, `${next.stdout}${next.stderr}`);
      }
    });
  }
}

// A repository's configuration names its profile files: `/dev/zero` (through a link git checks out), or a FIFO an
// earlier run made. The runtime read them whole, synchronously — reading /dev/zero until the runtime died of
// memory, blocking forever on the FIFO — and so did `phantom check` and the language server when validating.
test('profile files that are /dev/zero or a FIFO are refused, not read forever (run, check; root and nobody)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-review-files-'));
  dirs.push(dir);
  spawnSync('ln', ['-s', '/dev/zero', path.join(dir, 'zero.seccomp.json')]);
  spawnSync('mkfifo', [path.join(dir, 'fifo.landlock.json')]);
  writeFileSync(path.join(dir, 'phantom-fragment.yaml'), [
    'version: 1', 'profiles:',
    '  zero:', '    run: [/bin/true]', '    seccomp: ./zero.seccomp.json',
    '  fifo:', '    run: [/bin/true]', '    landlock: ./fifo.landlock.json', '',
  ].join('\n'));
  spawnSync('chmod', ['-R', 'a+rwX', dir]);
  for (const asNobody of [false, true]) {
    const cli = (...args: string[]) => {
      const argv = [...(asNobody ? NOBODY : ['env']), process.execPath, `--max-old-space-size=256`, CLI, ...args];
      return spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    };
    for (const profile of ['zero', 'fifo']) {
      const r = cli('run', '--profile', profile);
      assert.equal(r.status, 125, `${profile} (${asNobody ? 'nobody' : 'root'}): signal ${r.signal}\n${r.stdout}${r.stderr}`);
      // Refused before anything is read: check's verdict on the configuration (config-reference-not-file).
      assert.match(r.stderr, /'\.\/(zero\.seccomp|fifo\.landlock)\.json' is not a regular file/, r.stderr);
    }
    const check = cli('check', 'phantom-fragment.yaml');
    assert.notEqual(check.status, null, `phantom check never ended (signal ${check.signal})`);
    assert.ok(check.status === 0 || check.status === 1, `phantom check crashed (${check.status}):\n${check.stdout}${check.stderr}`);
  }
});

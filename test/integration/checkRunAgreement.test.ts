/**
 * `phantom check` and `phantom run` accept and refuse the same seccomp and Landlock files (issue #12): check reports an
 * error exactly when run refuses to load the file. The corpus: landlockconfig's examples and invalid cases, the
 * issue's disagreements, and every seccomp/Landlock fixture of the repository (test/fixtures/agreement/README.md).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
const FIXTURES = path.join(REPO, 'test/fixtures');
const FOLDERS = ['agreement/landlockconfig', 'agreement/own', 'seccomp', 'landlock', 'check'];

function kindOf(file: string): 'seccomp' | 'landlock' | undefined {
  return /\.seccomp\.(json|ya?ml)$/.exec(file) ? 'seccomp' : /\.landlock\.(json|ya?ml|toml)$/.exec(file) ? 'landlock' : undefined;
}

const corpus = FOLDERS.flatMap((folder) => fs.readdirSync(path.join(FIXTURES, folder)).filter((f) => kindOf(f)).map((f) => path.join(folder, f)));

// The approval store outside every run's folder (a run refuses one it could write).
const STATE = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-agree-state-'));
after(() => fs.rmSync(STATE, { recursive: true, force: true }));

function phantom(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', input: '', timeout: 60_000, env: { ...process.env, XDG_STATE_HOME: STATE } });
  return { code: r.status, stderr: r.stderr };
}

test('the corpus holds the issue\u2019s cases and landlockconfig\u2019s', () => {
  assert.ok(corpus.length >= 30, `only ${corpus.length} files`);
  for (const f of ['agreement/own/abi-2-32.landlock.json', 'agreement/own/duplicate-abi.landlock.json', 'agreement/landlockconfig/mini-write-tmp.landlock.toml']) assert.ok(corpus.includes(f), f);
});

for (const relative of corpus) {
  test(`check and run agree on ${relative}`, () => {
    // Each file in a folder of its own (a file may name relative paths: `.` is the run's folder).
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-agree-'));
    try {
      const file = path.join(work, path.basename(relative));
      fs.copyFileSync(path.join(FIXTURES, relative), file);
      const check = phantom(['check', file], work);
      assert.ok(check.code === 0 || check.code === 1, `check crashed: ${check.stderr}`);
      const run = phantom(['run', `--${kindOf(relative)}`, file, '--', '/bin/true'], work);
      // Refused to load: 125 with the file named. Anything else (0, or the policy denying /bin/true) is accepted.
      const refused = run.code === 125 && run.stderr.includes(path.basename(relative));
      assert.equal(refused, check.code === 1, `check exit ${check.code}, run exit ${run.code}: ${run.stderr}`);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
}

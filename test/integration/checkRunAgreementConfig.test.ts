/**
 * `phantom check` and `phantom run` agree on whole configurations too (issue #12): for every phantom-fragment.yaml
 * of the corpus (test/fixtures/agreement/config, good and bad: relative paths, `${unclosed`, `${1foo}`, unknown
 * variables, missing or invalid profile files, duplicate keys, wrong types, unknown fragments, limits out of range, …)
 * and of the config fixtures and the examples, check reports an error exactly when run refuses every profile of it
 * with a message naming the file; a configuration check accepts runs.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
const CORPUS = path.join(REPO, 'test/fixtures/agreement/config');
const CONFIGS = path.join(REPO, 'test/fixtures/config');

interface Case { name: string; source: string; profiles: string }

const cases: Case[] = [
  ...fs.readdirSync(CORPUS).filter((f) => f.endsWith('.phantom-fragment.yaml')).map((f) => ({ name: `agreement/config/${f}`, source: path.join(CORPUS, f), profiles: path.join(CORPUS, 'profiles') })),
  ...fs.readdirSync(CONFIGS).filter((f) => f.endsWith('.phantom-fragment.yaml')).map((f) => ({ name: `config/${f}`, source: path.join(CONFIGS, f), profiles: path.join(CONFIGS, 'profiles') })),
  { name: 'examples/phantom-fragment.yaml', source: path.join(REPO, 'examples/phantom-fragment.yaml'), profiles: path.join(REPO, 'examples/profiles') },
];

// The approval store outside every run's folder (a run refuses one it could write).
const STATE = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-agree-config-state-'));
after(() => fs.rmSync(STATE, { recursive: true, force: true }));

function phantom(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', input: '', timeout: 60_000, env: { ...process.env, XDG_STATE_HOME: STATE } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The profile names of a configuration, as written (a configuration with errors may not parse). */
function profileNames(text: string): string[] {
  const block = text.split(/^fragments:|^orchestrator:/m)[0];
  return [...block.matchAll(/^ {2}([A-Za-z0-9_-]+):\s*$/gm)].map((m) => m[1]).filter((n, i, all) => all.indexOf(n) === i);
}

test('the corpus holds the cases of the issue', () => {
  const names = cases.map((c) => path.basename(c.name, '.phantom-fragment.yaml'));
  for (const n of ['relative-outside', 'unclosed-variable', 'bad-variable-name', 'unknown-variable-path', 'missing-seccomp-file', 'invalid-landlock-file', 'duplicate-key', 'wrong-type-network', 'unknown-fragment', 'pids-zero', 'good-minimal']) {
    assert.ok(names.includes(n), n);
  }
});

for (const c of cases) {
  test(`check and run agree on ${c.name}`, () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-agree-config-'));
    try {
      fs.cpSync(c.profiles, path.join(work, 'profiles'), { recursive: true });
      const text = fs.readFileSync(c.source, 'utf8');
      fs.writeFileSync(path.join(work, 'phantom-fragment.yaml'), text);
      const check = phantom(['check', 'phantom-fragment.yaml'], work);
      assert.ok(check.code === 0 || check.code === 1, `check crashed: ${check.stderr}`);
      const profiles = profileNames(text);
      assert.ok(profiles.length > 0, 'the case names a profile');
      for (const profile of profiles) {
        // A profile wider than the defaults is approved first: what is judged is the file, not the approval.
        phantom(['trust', '--config', 'phantom-fragment.yaml', '--profile', profile], work);
        const run = phantom(['run', '--config', 'phantom-fragment.yaml', '--profile', profile, '--', '/bin/true'], work);
        // Refused: 125 with the configuration or one of its files named. Anything else (0, or the policy denying
        // /bin/true) is a run. (Every run's first line names the configuration: `phantom: profile 'p' of FILE`.)
        const said = run.stderr.split('\n').filter((l) => !/^phantom: profile '[^']*' of /.test(l)).join('\n');
        const refused = run.code === 125 && /phantom-fragment\.yaml|profiles\//.test(said);
        assert.equal(refused, check.code === 1, `${profile}: check exit ${check.code} (${check.stdout.trim()}), run exit ${run.code}: ${run.stderr}`);
      }
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fragmentAllowlist, globToRegExp, profileChoices, readConfigFile } from '../../runtime/src/policy/profileRun';
import { readConfig } from '../../model/src/config/configModel';

test('match globs: ** spans folders, * and ? stay within a name, {a,b} alternatives', () => {
  const cases: [string, string, boolean][] = [
    ['**/*.py', 'hello.py', true],
    ['**/*.py', 'src/deep/x.py', true],
    ['*.py', 'src/x.py', false],
    ['src/**', 'src/a/b.txt', true],
    ['scripts/?.sh', 'scripts/a.sh', true],
    ['scripts/?.sh', 'scripts/ab.sh', false],
    ['**/*.{js,mjs}', 'a/b.mjs', true],
    ['**/*.{js,mjs}', 'a/b.ts', false],
    ['a.b', 'axb', false],
  ];
  for (const [glob, file, expected] of cases) assert.equal(globToRegExp(glob).test(file), expected, `${glob} ~ ${file}`);
});

test('profile choices say which profiles match a file, relative to the workspace', () => {
  const config = readConfig({ version: 1, profiles: { py: { match: ['**/*.py'], run: ['python3', '${file}'], pool: { min: 1, max: 2 } }, sh: { match: ['**/*.sh'] } } });
  const choices = profileChoices(config, '/w/phantom-fragment.yaml', '/w/src/a.py', '/w');
  // The pool bounds are there before any run (the metrics panel showed `max 0` until the first one).
  assert.deepEqual(choices, [
    { name: 'py', description: undefined, matches: true, hasRun: true, pool: { min: 1, max: 2 } },
    { name: 'sh', description: undefined, matches: false, hasRun: false, pool: { min: 0, max: 2 } },
  ]);
  assert.equal(profileChoices(config, '/w/phantom-fragment.yaml', '/elsewhere/a.py', '/w')[0].matches, false, 'files outside the workspace match nothing');
});

test("a fragments-only allowlist keeps the default profile's safeguards", () => {
  const withClone = fragmentAllowlist(['read', 'write', 'clone', 'clone3']);
  assert.equal(withClone.defaultAction, 'SCMP_ACT_ERRNO');
  const rules = withClone.syscalls ?? [];
  assert.deepEqual(rules[0].names, ['read', 'write'], 'clone and clone3 never go into the plain allow rule');
  const clone3 = rules.find((r) => r.names[0] === 'clone3');
  assert.equal(clone3?.errnoRet, 38, 'clone3 answers ENOSYS');
  const clone = rules.find((r) => r.names[0] === 'clone');
  assert.ok(clone?.args && clone.args.length > 0, 'clone is allowed only with its namespace flags masked');
  const withoutClone = fragmentAllowlist(['read']);
  assert.equal((withoutClone.syscalls ?? []).some((r) => r.names[0] === 'clone'), false, 'clone stays denied when no fragment grants it');
});

test('a configuration is parsed again exactly when its text changed, and what runs share is frozen', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-config-memo-'));
  try {
    const file = path.join(dir, 'phantom-fragment.yaml');
    const config = (timeout: number) => `version: 1\nprofiles:\n  p:\n    run: [/bin/true]\n    limits:\n      timeout: ${timeout}\n`;
    writeFileSync(file, config(10));
    const first = readConfigFile(file);
    assert.equal(readConfigFile(file), first, 'unchanged text: the same parse');
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.profiles.p), 'shared between runs: frozen');
    writeFileSync(file, config(20)); // same length: only the text tells
    assert.equal(readConfigFile(file).profiles.p.limits?.timeout, 20);
    writeFileSync(file, 'version: 1\nprofiles: [\n');
    assert.throws(() => readConfigFile(file), /not valid YAML/);
    assert.throws(() => readConfigFile(file), /not valid YAML/, 'an error is not remembered as a value');
    // The place of a syntax error, as FILE:LINE:COL (the editor's $phantom problem matcher reads it).
    writeFileSync(file, 'version: 1\nprofiles:\n\tp: 1\n');
    assert.throws(() => readConfigFile(file), (e: Error) => e.message.startsWith(`${file}:3:1: not valid YAML: Tabs`));
    writeFileSync(file, config(10));
    assert.equal(readConfigFile(file).profiles.p.limits?.timeout, 10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

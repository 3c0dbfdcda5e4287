/** Diagnostics of phantom-fragment.yaml beyond the schema: each planted in a fixture, asserted by line, column and message. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileSystemContext } from '../../model/src/config/fileAccess';
import { fixesOf } from '../../model/src/quickFix';
import { validateDocument, type ValidationContext } from '../../model/src/validation';
import type { PathKind } from '../../model/src/validationContext';
import { fixtureDocument, REPO, textDocument } from '../support/fixtures';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';

function found(relative: string, context: ValidationContext = fileSystemContext()) {
  return validateDocument(fixtureDocument(relative), context).map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.code, d.message]);
}

function sorted<T>(rows: T[]): T[] {
  return [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

test('an unknown fragment is flagged on its name with "did you mean", in profiles and in fragments; a profile name is explained', () => {
  assert.deepEqual(sorted(found('config/unknown-fragment.phantom-fragment.yaml')), sorted([
    [4, 23, 'config-unknown-fragment', "Unknown fragment 'netwrk-client'. Did you mean 'network-client'?"],
    [8, 9, 'config-unknown-fragment', "Unknown fragment 'py': 'py' is a profile, and profiles cannot be composed; list its fragments instead."],
    [11, 17, 'config-unknown-fragment', "Unknown fragment 'subproces'. Did you mean 'subprocess'?"],
  ]));
  const diagnostic = validateDocument(fixtureDocument('config/unknown-fragment.phantom-fragment.yaml')).find((d) => d.message.includes('netwrk-client'))!;
  assert.deepEqual(fixesOf(diagnostic).map((f) => [f.title, f.edits[0].newText]), [["Change to 'network-client'", 'network-client']]);
});

test('a fragment cycle is flagged on each reference that closes it', () => {
  assert.deepEqual(sorted(found('config/cycle.phantom-fragment.yaml')), sorted([
    [8, 17, 'config-fragment-cycle', 'Fragment cycle: b → a → b. A fragment cannot include itself; remove one of these references.'],
    [11, 17, 'config-fragment-cycle', 'Fragment cycle: a → b → a. A fragment cannot include itself; remove one of these references.'],
    [13, 17, 'config-fragment-cycle', 'Fragment cycle: self → self. A fragment cannot include itself; remove one of these references.'],
  ]));
});

test('contradictions between a profile and its fragments: network, read-only over read-write, hidden paths, pool range', () => {
  assert.deepEqual(found('config/contradiction.phantom-fragment.yaml'), [
    [5, 14, 'config-network-contradiction', "Profile 'offline' sets network: none, but fragments 'dns', 'network-client' need the host network: what they grant will fail. Set network: host, or remove them."],
    [10, 18, 'config-access-contradiction', "'${workspaceFolder}' is read-write through fragment 'workspace-write', but this profile makes it read-only (the profile wins): writes there will fail."],
    [11, 16, 'config-access-contradiction', "Hiding '/etc' hides '/etc/resolv.conf', which fragment 'dns' needs read-only."],
    [13, 12, 'config-pool-range', 'pool.min (3) is above pool.max (1): keep min at most max.'],
  ]);
});

/**
 * The "(looked for …)" part of a missing-reference message, checked and replaced by `<where>`: it must be the file's
 * absolute path, or (a message is kept short) its last characters after an ellipsis. Where the repository is cloned
 * decides which, so the expectation never spells the path out.
 */
function lookedFor(message: string, absolute: string): string {
  const m = /\(looked for ([^)]*)\)/.exec(message);
  assert.ok(m, `no "(looked for …)" in ${message}`);
  const shown = m[1];
  assert.ok(shown === absolute || (shown.startsWith('…') && absolute.endsWith(shown.slice(1)) && shown.length > 20), `"${shown}" is neither ${absolute} nor its end`);
  return message.replace(m[0], '(looked for <where>)');
}

test("referenced profile files: missing (with did-you-mean), wrong kind, not a file, and a file's own errors summarised on the reference", () => {
  const dir = path.join(REPO, 'test/fixtures/config');
  const rows = found('config/references.phantom-fragment.yaml').slice(0, 5);
  rows[0][3] = lookedFor(rows[0][3] as string, path.join(dir, 'profiles/god.seccomp.json'));
  rows[1][3] = lookedFor(rows[1][3] as string, path.join(dir, 'profiles/nowhere.landlock.json'));
  assert.deepEqual(rows, [
    [4, 14, 'config-reference-missing', "'profiles/god.seccomp.json' does not exist (looked for <where>). Did you mean 'profiles/good.seccomp.json'?"],
    [5, 15, 'config-reference-missing', "'profiles/nowhere.landlock.json' does not exist (looked for <where>). Paths are relative to this file."],
    [7, 14, 'config-reference-problems', `profiles/broken.seccomp.json has 1 error: line 5: "SCMP_ACT_ALOW" is not allowed for 'action'. Did you mean 'SCMP_ACT_ALLOW'?`],
    [10, 14, 'config-reference-kind', "'profiles/tmp.landlock.yaml' is not named like a seccomp profile: name the file *.seccomp.json or *.seccomp.yaml."],
    [11, 15, 'config-reference-kind', "'profiles' is not named like a landlock profile: name the file *.landlock.json, *.landlock.yaml or *.landlock.toml."],
  ]);
});

test('a policy written inline gets the diagnostics of its kind at their exact place', () => {
  const inline = found('config/references.phantom-fragment.yaml').slice(5);
  assert.deepEqual(inline, [
    [16, 25, 'seccomp-unknown-syscall', "Unknown syscall 'opnat'. Did you mean 'openat'?"],
    [22, 11, 'schema-required', "Missing required key 'allowedAccess' in an item of 'pathBeneath'."],
    [22, 11, 'schema-unknown-key', "Unknown key 'allowedAcess' in an item of 'pathBeneath'. Did you mean 'allowedAccess'?"],
  ]);
});

test('declared fragments: syscall names, Landlock rights, variables, relative paths, shadowed built-ins, pressure order', () => {
  assert.deepEqual(sorted(found('config/fragment-content.phantom-fragment.yaml')), sorted([
    [4, 21, 'config-unknown-variable', "'${fle}' is not a variable, and a run refuses a value that keeps it: the variables are ${file}, ${fileDirname}, ${workspaceFolder}. Did you mean '${file}'?"],
    [7, 19, 'config-relative-path', "'data' is relative: sandbox paths are absolute or start with ${workspaceFolder} (e.g. ${workspaceFolder}/data)."],
    [11, 22, 'config-unknown-syscall', "Unknown syscall 'opnat'. Did you mean 'openat'?"],
    [11, 29, 'config-unknown-syscall', "Unknown syscall 'frobnicate'."],
    [14, 27, 'config-unknown-right', "'read_fle' is not a Landlock filesystem right. Did you mean 'read_file'?"],
    [17, 27, 'config-unknown-right', "'connect_tcpp' is not a Landlock network right. Did you mean 'connect_tcp'?"],
    [19, 3, 'config-shadows-builtin', "This fragment replaces the built-in 'dns' in every profile of this file."],
    [26, 17, 'config-pressure-order', 'critical (40) is below warning (80) for cpu: the critical level would be reached first.'],
  ]));
});

test('variables a run could not substitute are errors wherever a run substitutes them; timers have a maximum', () => {
  const errorsOf = (relative: string) => validateDocument(fixtureDocument(relative), fileSystemContext())
    .filter((d) => d.severity === 1).map((d) => [d.range.start.line + 1, d.code]);
  assert.deepEqual(errorsOf('agreement/config/unclosed-variable.phantom-fragment.yaml'), [[6, 'config-unclosed-variable']]);
  assert.deepEqual(errorsOf('agreement/config/bad-variable-name.phantom-fragment.yaml'), [[6, 'config-unknown-variable']]);
  assert.deepEqual(errorsOf('agreement/config/unknown-variable-env.phantom-fragment.yaml'), [[6, 'config-unknown-variable']]);
  assert.deepEqual(errorsOf('agreement/config/unknown-variable-fragment.phantom-fragment.yaml'), [[9, 'config-unknown-variable']]);
  assert.deepEqual(errorsOf('agreement/config/timeout-huge.phantom-fragment.yaml'), [[6, 'config-limit-range']]);
  assert.deepEqual(errorsOf('agreement/config/good-variables.phantom-fragment.yaml'), []);
});

test('file access is injected: an in-memory filesystem decides what exists and what a referenced file says', () => {
  const files: Record<string, string> = {
    '/ws/p/a.seccomp.yaml': 'defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - names: [read]\n    action: SCMP_ACT_ERRNO\n    errnoRet: 0\n',
  };
  const context: ValidationContext = {
    pathKind: (p): PathKind => (files[p] !== undefined ? 'file' : p === '/ws/p' ? 'directory' : 'missing'),
    readFile: (p) => files[p],
    listDirectory: (p) => Object.keys(files).filter((f) => path.dirname(f) === p).map((f) => ({ name: path.basename(f), kind: 'file' as PathKind })),
  };
  const document = TextDocument.create(pathToFileURL('/ws/phantom-fragment.yaml').href, 'yaml', 1, 'version: 1\nprofiles:\n  x:\n    seccomp: p/a.seccomp.yaml\n  y:\n    seccomp: p/b.seccomp.yaml\n');
  assert.deepEqual(validateDocument(document, context).map((d) => [d.range.start.line + 1, d.severity, d.message]), [
    [4, 2, "p/a.seccomp.yaml has 1 warning: line 5: errnoRet 0 is outside 1–4095: the call returns 0 (success) without running. Use e.g. 1 (EPERM) or…"],
    [6, 1, "'p/b.seccomp.yaml' does not exist (looked for /ws/p/b.seccomp.yaml). Did you mean 'p/a.seccomp.yaml'?"],
  ]);
  // Without file access, the reference checks are skipped: validation stays a pure function of the text.
  assert.deepEqual(validateDocument(document, {}), []);
});

test('the example configuration and the profiles it references are free of diagnostics', () => {
  const example = path.join(REPO, 'examples/phantom-fragment.yaml');
  const files = [example, ...fs.readdirSync(path.join(REPO, 'examples/profiles')).map((f) => path.join(REPO, 'examples/profiles', f))];
  for (const file of files) {
    const document = TextDocument.create(pathToFileURL(file).href, 'yaml', 1, fs.readFileSync(file, 'utf8'));
    assert.deepEqual(validateDocument(document, fileSystemContext()).map((d) => `${d.range.start.line + 1}: ${d.message}`), [], file);
  }
  const policyProfiles = fs.readFileSync(example, 'utf8');
  for (const name of ['python', 'node', 'shell']) assert.match(policyProfiles, new RegExp(`^  ${name}:\\n(    .*\\n|\\s*\\n)*?    fragments: \\[`, 'm'), `${name} is built from fragments`);
});

test('a valid configuration using only built-ins has no diagnostics, even without file access', () => {
  const doc = textDocument('phantom-fragment.yaml', 'version: 1\nprofiles:\n  py:\n    run: [python3, "${file}"]\n    fragments: [python, network-client]\n');
  assert.deepEqual(validateDocument(doc), []);
});

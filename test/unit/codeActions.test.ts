/** Quick fixes: each applied to its fixture gives a file that parses and no longer has the problem. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-types';
import { codeActionsFor } from '../../server/src/codeActions';
import { validateDocument } from '../../model/src/validation';
import { fixtureDocument, textDocument } from '../support/fixtures';

/** Applies the only quick fix offered for the first diagnostic with `code`; returns the new text. */
function applyFix(document: TextDocument, code: string, title?: RegExp): { text: string; fixed: TextDocument } {
  const diagnostic = validateDocument(document).find((d) => d.code === code);
  assert.ok(diagnostic, `a ${code} diagnostic`);
  // Over the wire the client sends the diagnostic back as JSON: the fix must survive that.
  const sent = JSON.parse(JSON.stringify(diagnostic)) as Diagnostic;
  const actions = codeActionsFor(document.uri, sent.range, [sent]).filter((a) => !title || title.test(a.title));
  assert.equal(actions.length, 1, `one quick fix for ${code}`);
  const edits = actions[0].edit?.changes?.[document.uri] ?? [];
  const text = TextDocument.applyEdits(document, edits);
  return { text, fixed: TextDocument.create(document.uri, document.languageId, document.version + 1, text) };
}

function codes(document: TextDocument): string[] {
  return validateDocument(document).map((d) => String(d.code));
}

test('did-you-mean on a syscall name, in JSON', () => {
  const { text, fixed } = applyFix(fixtureDocument('seccomp/unknown-syscall.seccomp.json'), 'seccomp-unknown-syscall', /open/);
  assert.match(text, /^ {8}"open",$/m);
  assert.deepEqual(codes(fixed), ['seccomp-unknown-syscall']); // zzzzzzzzzzzz has no suggestion
});

test('did-you-mean on schema keys and enum values', () => {
  const enumDoc = textDocument('a.seccomp.yaml', 'defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - names: [read]\n    action: SCMP_ACT_ALOW\n');
  const enumFix = applyFix(enumDoc, 'schema-enum');
  assert.equal(enumFix.text, 'defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - names: [read]\n    action: SCMP_ACT_ALLOW\n');
  const keyDoc = textDocument('a.landlock.toml', 'abi = 1\n[[path_beneath]]\nallowed_acess = ["execute"]\nparent = ["/usr"]\n');
  const keyFix = applyFix(keyDoc, 'schema-unknown-key');
  assert.equal(keyFix.text, 'abi = 1\n[[path_beneath]]\nallowed_access = ["execute"]\nparent = ["/usr"]\n');
  assert.deepEqual(codes(keyFix.fixed), []);
});

test('remove a duplicate syscall, in JSON and YAML', () => {
  for (const file of ['seccomp/duplicate.seccomp.json', 'seccomp/duplicate.seccomp.yaml']) {
    let document = fixtureDocument(file);
    for (let i = 0; i < 2; i++) document = applyFix(document, 'seccomp-duplicate-syscall').fixed;
    assert.deepEqual(codes(document), [], file);
  }
  const yaml = applyFix(fixtureDocument('seccomp/duplicate.seccomp.yaml'), 'seccomp-duplicate-syscall').text;
  assert.match(yaml, /- names:\n {6}- read\n {6}- write\n {4}action/);
});

test('add the compat architectures, in JSON and YAML', () => {
  const json = applyFix(fixtureDocument('seccomp/compat.seccomp.json'), 'seccomp-missing-compat-arch');
  assert.match(json.text, /"architectures": \["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"\]/);
  assert.deepEqual(codes(json.fixed), []);
  const yaml = applyFix(fixtureDocument('seccomp/compat.seccomp.yaml'), 'seccomp-missing-compat-arch');
  assert.match(yaml.text, /architectures:\n {2}- SCMP_ARCH_X86_64\n {2}- SCMP_ARCH_X86\n {2}- SCMP_ARCH_X32\n/);
  assert.deepEqual(codes(yaml.fixed), []);
});

test('raise abi to what the rights need, and declare it when groups are used without it', () => {
  let document = fixtureDocument('landlock/above-abi.landlock.json');
  const raised = applyFix(document, 'landlock-right-above-abi');
  assert.match(raised.text, /"abi": 4,/);
  document = raised.fixed;
  assert.deepEqual(codes(document), []);
  const toml = applyFix(fixtureDocument('landlock/above-abi.landlock.toml'), 'landlock-right-above-abi');
  assert.match(toml.text, /^abi = 2$/m);
  assert.deepEqual(codes(toml.fixed), []);
  const declared = applyFix(fixtureDocument('landlock/group-without-abi.landlock.yaml'), 'landlock-group-without-abi');
  assert.match(declared.text, /^abi: 1\npathBeneath:/m);
  assert.deepEqual(codes(declared.fixed), []);
  const json = applyFix(textDocument('b.landlock.json', '{\n  "pathBeneath": [{ "allowedAccess": ["abi.all"], "parent": ["/usr"] }]\n}\n'), 'landlock-group-without-abi');
  assert.equal(json.text, '{\n  "abi": 1,\n  "pathBeneath": [{ "allowedAccess": ["abi.all"], "parent": ["/usr"] }]\n}\n');
  const toml2 = applyFix(textDocument('b.landlock.toml', '[[path_beneath]]\nallowed_access = ["abi.all"]\nparent = ["/usr"]\n'), 'landlock-group-without-abi');
  assert.deepEqual(codes(toml2.fixed), []);
});

test('declare a missing variable, in JSON, YAML and TOML', () => {
  for (const file of ['landlock/variables.landlock.json', 'landlock/variables.landlock.yaml', 'landlock/variables.landlock.toml']) {
    const { text, fixed } = applyFix(fixtureDocument(file), 'landlock-undefined-variable');
    assert.match(text, /CHANGE-ME\/home/, file);
    const left = codes(fixed).filter((c) => c !== 'landlock-unused-variable');
    assert.deepEqual(left, [], `${file}:\n${text}`);
  }
});

test('diagnostics outside the requested range and foreign diagnostics get no action', () => {
  const document = fixtureDocument('seccomp/compat.seccomp.json');
  const diagnostics = validateDocument(document);
  assert.deepEqual(codeActionsFor(document.uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, diagnostics), []);
  const foreign = diagnostics.map((d) => ({ ...d, source: 'other' }));
  assert.deepEqual(codeActionsFor(document.uri, diagnostics[0].range, foreign), []);
});

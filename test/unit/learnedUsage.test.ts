// The editor side of learn mode in the server: "Learn seccomp profile" actions, "never used" diagnostics + fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { learnCodeActions, learnedUsageDiagnostics, LEARN_COMMAND, type LearnCommandArgs } from '../../server/src/learnedUsage';
import { parsedDocument } from '../../model/src/parsedDocument';
import { fixesOf } from '../../model/src/quickFix';
import { textDocument } from '../support/fixtures';

const profileText = '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [\n    { "names": ["read", "reboot", "write"], "action": "SCMP_ACT_ALLOW" }\n  ]\n}\n';

test('syscalls the last learn run never used: information diagnostics, each with a fix that drops it', () => {
  const doc = parsedDocument(textDocument('app.seccomp.json', profileText))!;
  const ds = learnedUsageDiagnostics(doc, { uri: doc.document.uri, names: ['read', 'write', 'execve'], runs: 2, command: 'python3 app.py' });
  assert.equal(ds.length, 1);
  assert.equal(ds[0].severity, 3);
  assert.match(ds[0].message, /'reboot' was never used by the last learn run \(python3 app.py, 2 runs\)/);
  const [fix] = fixesOf(ds[0]);
  const fixed = TextDocument.applyEdits(doc.document, fix.edits);
  assert.match(fixed, /"names": \["read", "write"\]/);
});

test('no learn run, no diagnostics', () => {
  const doc = parsedDocument(textDocument('other.seccomp.json', profileText))!;
  assert.deepEqual(learnedUsageDiagnostics(doc), []);
});

test('"Learn seccomp profile" on a seccomp profile and on a profile entry of phantom-fragment.yaml (with its run)', () => {
  const seccomp = parsedDocument(textDocument('app.seccomp.json', profileText))!;
  const [a] = learnCodeActions(seccomp, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  assert.equal(a.command?.command, LEARN_COMMAND);
  const config = parsedDocument(textDocument('phantom-fragment.yaml', 'version: 1\nprofiles:\n  py:\n    run: [python3, main.py]\n    seccomp: py.seccomp.json\n'))!;
  const [b] = learnCodeActions(config, { start: { line: 3, character: 6 }, end: { line: 3, character: 6 } });
  assert.ok(b, 'an action on the profile entry');
  const args = b.command?.arguments?.[0] as LearnCommandArgs;
  assert.deepEqual({ profile: args.profile, run: args.run, seccompFile: args.seccompFile }, { profile: 'py', run: ['python3', 'main.py'], seccompFile: 'py.seccomp.json' });
  assert.deepEqual(learnCodeActions(config, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }), [], 'not on version:');
});

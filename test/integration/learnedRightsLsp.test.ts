/**
 * The language server's Landlock side of learn mode over the real LSP protocol: `phantom/learnedRights` (the client
 * sends what a learn run used) turns the rights it never used into information diagnostics with quick fixes, a
 * learn run of 0 runs clears them, and `phantom/profileReference` returns the YAML edit that references a new file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, TextEdit } from 'vscode-languageserver-types';
import { learnedRightsNotification, profileReferenceRequest, type LearnedRightsParams } from '../../server/src/protocol';
import { LspClient } from '../support/lspClient';

let client: LspClient;
const uri = pathToFileURL('/workspace/profiles/app.landlock.json').href;
const TEXT = `{
  "abi": 4,
  "ruleset": [{ "handledAccessFs": ["abi.all"] }],
  "pathBeneath": [
    { "allowedAccess": ["read_file", "remove_file"], "parent": ["."] }
  ]
}
`;

before(async () => {
  client = new LspClient();
  await client.initialize();
});

after(async () => {
  assert.equal(await client.shutdown(), 0);
});

test('phantom/learnedRights: a right the learn run never used is an information diagnostic with a fix; 0 runs clears it', async () => {
  await client.open(uri, TEXT, 'json', 1);
  assert.ok(!(await client.waitForDiagnostics(uri, 1)).some((d) => d.code === 'learn-unused-right'), 'nothing before a learn run');
  const usage: LearnedRightsParams = { uri, paths: { '/workspace/in.txt': ['read_file'] }, ports: {}, workspace: '/workspace', runs: 2, command: 'python3 app.py' };
  await client.connection.sendNotification(learnedRightsNotification.method, usage);
  // The same text again as a new version: its publication comes after the notification was handled.
  await client.change(uri, 2, TEXT);
  const ds = (await client.waitForDiagnostics(uri, 2)).filter((d) => d.code === 'learn-unused-right');
  assert.equal(ds.length, 1, JSON.stringify(ds));
  assert.equal(ds[0].severity, 3);
  assert.match(String(ds[0].message), /'remove_file' on \. was never used by the last learn run \(python3 app\.py, 2 runs\)/);
  const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: ds[0].range, context: { diagnostics: ds } });
  const drop = actions.find((a) => a.title === "Drop 'remove_file' (never used by the last learn run)");
  assert.ok(drop?.edit?.changes?.[uri], JSON.stringify(actions.map((a) => a.title)));
  assert.match(TextDocument.applyEdits(TextDocument.create(uri, 'json', 2, TEXT), drop.edit.changes[uri]), /"allowedAccess": \["read_file"\], "parent": \["\."\]/);
  assert.ok(actions.some((a) => a.title === 'Learn Landlock profile'), 'the learn actions are offered on a Landlock profile');

  await client.connection.sendNotification(learnedRightsNotification.method, { ...usage, runs: 0, paths: {} });
  await client.change(uri, 3, TEXT);
  assert.ok(!(await client.waitForDiagnostics(uri, 3)).some((d) => d.code === 'learn-unused-right'), 'cleared');
});

test('phantom/profileReference: the edit that adds `landlock: FILE` to a profile, or null when it cannot', async () => {
  const config = 'version: 1\nprofiles:\n  py:\n    run: [python3, app.py]\n';
  const configUri = pathToFileURL('/workspace/phantom-fragment.yaml').href;
  const edits = await client.connection.sendRequest<TextEdit[] | null>(profileReferenceRequest.method, { uri: configUri, text: config, profile: 'py', key: 'landlock', file: 'profiles/py.landlock.json' });
  assert.ok(edits);
  assert.equal(TextDocument.applyEdits(TextDocument.create(configUri, 'yaml', 1, config), edits), 'version: 1\nprofiles:\n  py:\n    landlock: profiles/py.landlock.json\n    run: [python3, app.py]\n');
  assert.equal(await client.connection.sendRequest(profileReferenceRequest.method, { uri: configUri, text: config, profile: 'other', key: 'landlock', file: 'x.landlock.json' }), null);
});

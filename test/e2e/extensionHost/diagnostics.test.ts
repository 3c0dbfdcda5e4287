import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, test } from './harness';

function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open (the driver opens test/fixtures/e2e-workspace)');
  return vscode.Uri.joinPath(folder.uri, relative);
}

test('a phantom-fragment.yaml gets the phantom-fragment language', async () => {
  const doc = await vscode.workspace.openTextDocument(workspaceFile('broken/phantom-fragment.yaml'));
  assert.equal(doc.languageId, 'phantom-fragment');
});

test('an unknown key in phantom-fragment.yaml is reported with source "phantom"', async () => {
  const uri = workspaceFile('broken/phantom-fragment.yaml');
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  const show = (ds: vscode.Diagnostic[] | undefined) =>
    JSON.stringify((ds ?? []).map((d) => ({ source: d.source, message: d.message, line: d.range.start.line + 1 })));
  const diagnostics = await eventually(
    `a "phantom" diagnostic saying "Unknown key 'netwrk'"`,
    () => vscode.languages.getDiagnostics(uri),
    (ds) => ds.some((d) => d.source === 'phantom' && /Unknown key ['"]?netwrk\b/i.test(d.message)),
    30_000,
    show,
  );
  const d = diagnostics.find((x) => x.source === 'phantom' && /netwrk/.test(x.message))!;
  assert.equal(d.severity, vscode.DiagnosticSeverity.Error, `severity ${vscode.DiagnosticSeverity[d.severity]}, expected Error`);
  const line = doc.lineAt(d.range.start.line).text;
  assert.match(line, /netwrk/, `the diagnostic is on line ${d.range.start.line + 1} ("${line}"), not on the netwrk line`);
});

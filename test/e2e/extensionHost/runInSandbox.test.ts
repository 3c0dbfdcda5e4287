import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, test } from './harness';

test('phantom.runInSandbox on hello.py opens a "Phantom: hello.py" terminal', async () => {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  const uri = vscode.Uri.joinPath(folder.uri, 'hello.py');
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  const before = new Set(vscode.window.terminals);
  await vscode.commands.executeCommand('phantom.runInSandbox', uri);
  const terminal = await eventually(
    'a new terminal named like "Phantom: hello.py"',
    () => vscode.window.terminals.find((t) => !before.has(t) && t.name.includes('hello.py')),
    (t) => t !== undefined,
    30_000,
    () => JSON.stringify(vscode.window.terminals.map((t) => t.name)),
  );
  assert.match(terminal!.name, /Phantom/);
});

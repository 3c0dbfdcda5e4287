import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as vscode from 'vscode';
import { eventually, test } from './harness';

const EXTENSION_ID = 'phantom-fragment.phantom-fragment';

interface LearnOutcome { target: string; status: string; reason?: string; applied?: string; usedNames: string[] }

function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open (the driver opens a copy of test/fixtures/e2e-workspace)');
  return vscode.Uri.joinPath(folder.uri, relative);
}

test('Learn Seccomp Profile on hello.py: diff shown, minimal profile applied, hello.py runs under it', async () => {
  const target = workspaceFile('hello.seccomp.json');
  const outcome = await vscode.commands.executeCommand<LearnOutcome>('phantom.learnSeccompProfile', {
    uri: target.toString(), argv: ['python3', 'hello.py'], accept: 'minimal',
  });
  assert.ok(outcome, 'the command returned nothing');
  assert.ok(outcome.status === 'verified' || outcome.status === 'fixed', `replay ${outcome.status}: ${outcome.reason}`);
  assert.equal(outcome.applied, 'minimal');
  const diff = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'phantom-learn');
  assert.ok(diff, 'a diff of current vs proposed was opened');

  const doc = await vscode.workspace.openTextDocument(target);
  assert.match(doc.getText(), /"defaultAction": "SCMP_ACT_ERRNO"/);
  assert.ok(doc.isDirty, 'the edit is left for review (unsaved, undoable)');
  assert.ok(await doc.save(), 'saving the learned profile');

  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  const run = spawnSync(process.execPath, [path.join(ext.extensionPath, 'dist/cli.js'), 'run', '--seccomp', 'hello.seccomp.json', '--', 'python3', 'hello.py'], {
    cwd: path.dirname(target.fsPath), encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 60_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Hello from the sandbox/);
}, { timeoutMs: 120_000 });

test('after a learn run, a syscall it never used gets an information diagnostic with a quick fix', async () => {
  const target = workspaceFile('extra.seccomp.json');
  const edit = new vscode.WorkspaceEdit();
  edit.createFile(target, { ignoreIfExists: true, contents: Buffer.from(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write', 'reboot'], action: 'SCMP_ACT_ALLOW' }] }, null, 2)) });
  assert.ok(await vscode.workspace.applyEdit(edit));
  await vscode.window.showTextDocument(target);
  const outcome = await vscode.commands.executeCommand<LearnOutcome>('phantom.learnSeccompProfile', {
    uri: target.toString(), argv: ['python3', 'hello.py'], accept: 'addMissing',
  });
  assert.equal(outcome?.applied, 'addMissing');
  const diagnostics = await eventually(
    "an information diagnostic on 'reboot'",
    () => vscode.languages.getDiagnostics(target),
    (ds) => ds.some((d) => d.code === 'learn-unused' && d.message.includes("'reboot'")),
    30_000,
    (ds) => JSON.stringify((ds ?? []).map((d) => d.message)),
  );
  const d = diagnostics.find((x) => x.message.includes("'reboot'"))!;
  assert.equal(d.severity, vscode.DiagnosticSeverity.Information);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', target, d.range);
  assert.ok(actions.some((a) => a.title.includes("Drop 'reboot'")), actions.map((a) => a.title).join(', '));
  assert.ok(actions.some((a) => a.title === 'Learn seccomp profile'), 'the learn action is offered on a seccomp profile');
}, { timeoutMs: 120_000 });

test('on a profile entry of phantom-fragment.yaml: the code action learns into a new file and references it, in one edit', async () => {
  const config = workspaceFile('profiles-demo/phantom-fragment.yaml');
  const doc = await vscode.workspace.openTextDocument(config);
  await vscode.window.showTextDocument(doc);
  const line = doc.getText().split('\n').findIndex((l) => /^ {2}python:/.test(l));
  assert.ok(line > 0, 'the fixture has a python profile');
  const at = new vscode.Range(line, 3, line, 3);
  const actions = await eventually(
    'a "Learn seccomp profile for \'python\'" code action',
    async () => vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', config, at),
    (as) => (as ?? []).some((a) => a.title.startsWith("Learn seccomp profile for 'python'")),
    30_000,
    (as) => JSON.stringify((as ?? []).map((a) => a.title)),
  );
  const action = actions.find((a) => a.title.startsWith("Learn seccomp profile for 'python'"))!;
  assert.equal(action.command?.command, 'phantom.learnSeccompProfile');
  const args = action.command!.arguments![0] as Record<string, unknown>;
  assert.deepEqual(args.run, ['python3', '${file}']);
  // The profile's run uses ${file}: the command would ask which file; the test names the command instead.
  const target = workspaceFile('profiles-demo/python.seccomp.json');
  try {
    const outcome = await vscode.commands.executeCommand<LearnOutcome>('phantom.learnSeccompProfile', { ...args, argv: ['python3', '-c', 'print(1)'], accept: 'minimal' });
    assert.equal(outcome?.applied, 'minimal', outcome?.reason);
    assert.equal(outcome.target, target.toString());
    assert.match(doc.getText(), /^ {4}seccomp: python\.seccomp\.json$/m, 'the profile now references the learned file');
    assert.match((await vscode.workspace.openTextDocument(target)).getText(), /SCMP_ACT_ERRNO/);
  } finally {
    // Leave the shared fixture copy as it was for later tests.
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    const cleanup = new vscode.WorkspaceEdit();
    cleanup.deleteFile(target, { ignoreIfNotExists: true });
    await vscode.workspace.applyEdit(cleanup);
  }
}, { timeoutMs: 120_000 });

import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, test } from './harness';

interface LearnOutcome { target: string; status: string; reason?: string; applied?: string; landlock?: { target: string; status: string; reason?: string } }

function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, relative);
}

const HAND_WRITTEN = {
  abi: 3,
  ruleset: [{ handledAccessFs: ['abi.all'] }],
  pathBeneath: [
    { allowedAccess: ['abi.read_execute'], parent: ['/usr', '/bin', '/lib', '/lib64', '/etc'] },
    { allowedAccess: ['read_file', 'read_dir'], parent: ['/proc'] },
    { allowedAccess: ['read_file', 'read_dir', 'remove_dir'], parent: ['.'] },
  ],
};

test('Learn Landlock profile on a Landlock file: the rights never used are marked, the proposal applied; "both" creates the seccomp file beside it in the same edit', async () => {
  const target = workspaceFile('ll-demo.landlock.json');
  const seccomp = workspaceFile('ll-demo.seccomp.json');
  const create = new vscode.WorkspaceEdit();
  create.createFile(target, { ignoreIfExists: true, contents: Buffer.from(`${JSON.stringify(HAND_WRITTEN, null, 2)}\n`) });
  assert.ok(await vscode.workspace.applyEdit(create));
  const doc = await vscode.workspace.openTextDocument(target);
  await vscode.window.showTextDocument(doc);
  try {
    const outcome = await vscode.commands.executeCommand<LearnOutcome>('phantom.learnSeccompProfile', { uri: target.toString(), learn: ['landlock'], argv: ['python3', 'hello.py'] });
    assert.ok(outcome?.landlock, 'a Landlock outcome');
    assert.ok(outcome.landlock.status === 'verified' || outcome.landlock.status === 'fixed', `Landlock replay ${outcome.landlock.status}: ${outcome.landlock.reason}`);
    assert.equal(outcome.status, 'skipped', 'Landlock only: no seccomp proposal is made or replayed');
    const proposed = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .flatMap((t) => (t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'phantom-learn' ? [t.input.modified.path] : []));
    assert.ok(proposed.some((p) => p.endsWith('/ll-demo.landlock.json.proposed')), `the Landlock file's diff: ${proposed.join(', ')}`);
    assert.ok(!proposed.some((p) => p.endsWith('/ll-demo.seccomp.json.proposed')), 'Landlock only: no seccomp diff');
    const unused = await eventually(
      "an information diagnostic on 'remove_dir' (the run never removed a folder)",
      () => vscode.languages.getDiagnostics(target),
      (ds) => ds.some((d) => d.code === 'learn-unused-right' && d.message.includes("'remove_dir'")),
      30_000,
      (ds) => JSON.stringify((ds ?? []).map((d) => d.message)),
    );
    const d = unused.find((x) => x.message.includes("'remove_dir'"))!;
    assert.equal(d.severity, vscode.DiagnosticSeverity.Information);
    const fixes = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', target, d.range);
    assert.ok(fixes.some((a) => a.title.includes("Drop 'remove_dir'")), fixes.map((a) => a.title).join(', '));
    // The title bar's button: the proposal replaces the file, left unsaved for review.
    await vscode.commands.executeCommand('phantom.learn.applyMinimal');
    await eventually('the proposal applied', async () => doc.getText(), (t) => /"handledAccessFs"/.test(t) && !/remove_dir"\]/.test(t) && t !== JSON.stringify(HAND_WRITTEN, null, 2), 15_000);
    assert.ok(doc.isDirty);
    assert.ok(await doc.save());

    const both = await vscode.commands.executeCommand<LearnOutcome>('phantom.learnSeccompProfile', { uri: target.toString(), learn: ['seccomp', 'landlock'], argv: ['python3', 'hello.py'], accept: 'minimal' });
    assert.equal(both?.applied, 'minimal', both?.reason ?? both?.landlock?.reason);
    assert.equal(both.target, seccomp.toString(), 'the seccomp file beside the Landlock one');
    const created = await vscode.workspace.openTextDocument(seccomp);
    assert.match(created.getText(), /"defaultAction": "SCMP_ACT_ERRNO"/);
    assert.ok(created.isDirty, 'created in the edit, left for review');
  } finally {
    // Nothing left dirty (a dirty file would make the deletion ask), then the fixture copy as it was.
    await vscode.workspace.saveAll(false);
    const cleanup = new vscode.WorkspaceEdit();
    cleanup.deleteFile(target, { ignoreIfNotExists: true });
    cleanup.deleteFile(seccomp, { ignoreIfNotExists: true });
    await vscode.workspace.applyEdit(cleanup);
  }
}, { timeoutMs: 150_000 });

/**
 * The first-run walkthrough (package.json `contributes.walkthroughs`): its "open the example configuration" step.
 * Opens the folder's phantom-fragment.yaml, or offers to copy the extension's example (the configuration and its
 * profiles/ folder) into the folder first — never overwriting a file. The other steps complete on context keys
 * the commands set (phantom.hasRun, phantom.hasLearned) and on phantom.showMetrics.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { configFor } from './profilePick';

export async function openExampleConfig(ctx: Ctx): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const existing = folder ? configFor(folder) : undefined;
  if (existing) {
    await vscode.window.showTextDocument(vscode.Uri.file(existing));
    return;
  }
  const example = ctx.extension.asAbsolutePath('examples/phantom-fragment.yaml');
  if (!folder) {
    // No folder to copy into: show the example read as it ships.
    await vscode.window.showTextDocument(vscode.Uri.file(example), { preview: true });
    return;
  }
  const COPY = 'Copy the Example Here';
  const choice = await vscode.window.showInformationMessage(
    `Phantom: ${path.basename(folder)} has no phantom-fragment.yaml. Copy the example (phantom-fragment.yaml, profiles/, hello.py) into it?`,
    COPY,
    'Just Show It',
  );
  if (choice === 'Just Show It') await vscode.window.showTextDocument(vscode.Uri.file(example), { preview: true });
  if (choice !== COPY) return;
  const source = path.dirname(example);
  const copied: string[] = [];
  for (const entry of ['phantom-fragment.yaml', 'profiles', 'hello.py', 'hello.sh']) {
    const from = path.join(source, entry);
    const to = path.join(folder, entry);
    if (!fs.existsSync(from) || fs.existsSync(to)) continue; // never overwrite the user's files
    fs.cpSync(from, to, { recursive: true, errorOnExist: true, force: false });
    copied.push(entry);
  }
  ctx.log.info(`walkthrough: copied ${copied.join(', ') || 'nothing (every file existed)'} into ${folder}`);
  await vscode.window.showTextDocument(vscode.Uri.file(path.join(folder, 'phantom-fragment.yaml')));
}

/** The walkthrough's first step is done once a phantom-fragment.yaml is open in an editor. */
export function trackConfigOpened(ctx: Ctx): void {
  const check = (editor: vscode.TextEditor | undefined) => {
    if (editor && /(^|\/)phantom-fragment\.ya?ml$/.test(editor.document.uri.path)) ctx.setContext('phantom.configOpened', true);
  };
  check(vscode.window.activeTextEditor);
  ctx.own(vscode.window.onDidChangeActiveTextEditor(check));
}

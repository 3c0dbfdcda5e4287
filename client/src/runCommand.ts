/** "Phantom: Run in Sandbox": runs the file under edit (or the chosen one) in a sandbox, output in a terminal. */
import path from 'node:path';
import * as vscode from 'vscode';
import { config } from './config';
import type { Ctx } from './ctx';
import { pickProfile } from './profilePick';
import { folderOf, runInTerminal, type RunRequest } from './runSession';
import { RunTerminal } from './runTerminal';
import { requireTrust } from './workspaceTrust';

/** How a file is run when no profile says otherwise, by extension. */
const INTERPRETERS: Record<string, string[]> = {
  '.py': ['python3'],
  '.sh': ['bash'],
  '.bash': ['bash'],
  '.js': ['node'],
  '.mjs': ['node'],
};

export function commandForFile(file: string): string[] {
  const interpreter = INTERPRETERS[path.extname(file).toLowerCase()];
  return interpreter ? [...interpreter, file] : [file];
}

export async function runInSandbox(ctx: Ctx, resource?: vscode.Uri): Promise<void> {
  const uri = resource instanceof vscode.Uri ? resource : vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showInformationMessage('Phantom: open a file to run it in a sandbox, or pick one in the explorer.');
    return;
  }
  if (uri.scheme !== 'file') {
    void vscode.window.showWarningMessage(`Phantom: only files on disk can run in a sandbox (this one is ${uri.scheme}:).`);
    return;
  }
  if (!(await requireTrust('Run in Sandbox'))) return;
  // Run what the user sees: save the document first if it has unsaved changes.
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty && !(await open.save())) {
    void vscode.window.showWarningMessage(`Phantom: ${path.basename(uri.fsPath)} could not be saved; not running it.`);
    return;
  }
  const file = uri.fsPath;
  const folder = folderOf(uri);
  let pick;
  try {
    pick = await pickProfile(ctx.runtime, folder, file);
  } catch (error) {
    void vscode.window.showErrorMessage(`Phantom: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (!pick) return;
  // A profile with a `run` supplies the command (the runtime substitutes ${file}); otherwise by extension.
  const request: RunRequest = {
    params: {
      argv: pick.profileRuns ? [] : commandForFile(file),
      config: pick.config,
      profile: pick.profile,
      file,
      cwd: folder,
      // The settings apply where no profile speaks; a profile's own network and limits are its to set.
      network: pick.config ? undefined : config.network(),
      timeoutSeconds: pick.config ? undefined : config.timeoutSeconds(),
    },
    profileLabel: pick.profile ?? 'built-in default',
    file,
  };
  const title = `Phantom: ${path.basename(file)}`;
  const pty = new RunTerminal(title);
  const terminal = vscode.window.createTerminal({ name: title, pty, iconPath: new vscode.ThemeIcon('shield') });
  terminal.show(true);
  await pty.whenOpened();
  pty.onRerun(() => void runInTerminal(ctx, pty, request));
  ctx.lastRun = { pty, terminal, request, uri };
  ctx.runTerminals.set(terminal, ctx.lastRun);
  void runInTerminal(ctx, pty, request);
}

/** "Phantom: Re-run Last Sandboxed Run": again, in its terminal when that is still open. */
export async function rerunLast(ctx: Ctx): Promise<void> {
  const last = ctx.lastRun;
  if (!last) {
    void vscode.window.showInformationMessage('Phantom: nothing has run in a sandbox yet in this window.');
    return;
  }
  if (!(await requireTrust('Re-run Last Sandboxed Run'))) return;
  if (vscode.window.terminals.includes(last.terminal) && !last.pty.running) {
    last.terminal.show(true);
    void runInTerminal(ctx, last.pty, last.request);
  } else {
    await runInSandbox(ctx, last.uri);
  }
}

/** "Phantom: Stop Sandboxed Run": stops the last run and everything it started. */
export function stopLast(ctx: Ctx): void {
  if (!ctx.lastRun?.pty.running) {
    void vscode.window.showInformationMessage('Phantom: no sandboxed run is going on.');
    return;
  }
  ctx.lastRun.pty.stop();
}

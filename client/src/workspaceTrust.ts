/**
 * Workspace Trust (package.json `capabilities.untrustedWorkspaces`: limited). In Restricted Mode the language
 * features work — they read text only — but nothing that starts a process on the folder's behalf: Run in
 * Sandbox, Learn, phantom tasks. Those call requireTrust(), which says why and offers VS Code's own button to
 * manage trust. The settings a workspace may not set are read from user level (config.ts, trustedSettings.ts).
 * Kept to this one module; the runtime-side approval of configurations that widen the default lives beside it.
 */
import * as vscode from 'vscode';

export const MANAGE_TRUST = 'Manage Workspace Trust';

/** The message shown when `action` is refused in Restricted Mode. */
export function untrustedMessage(action: string): string {
  return `Phantom: ${action} needs a trusted folder. This folder is open in Restricted Mode, where Phantom checks profiles but runs nothing; trust the folder to run it in a sandbox.`;
}

/** true in a trusted workspace; otherwise tells the user why `action` cannot run, with the trust button, and false. */
export async function requireTrust(action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(untrustedMessage(action), MANAGE_TRUST);
  if (choice === MANAGE_TRUST) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

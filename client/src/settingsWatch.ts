/**
 * Setting changes the extension acts on when they happen (the others are read at their next use, config.ts):
 * `phantom.runtime.path` restarts the runtime with the new bundle, saying so. Only the user's own settings count
 * (trustedSettings.ts): a workspace that sets the path changes nothing and is told so in the log.
 */
import * as vscode from 'vscode';
import { config, runtimeBundle } from './config';
import type { Ctx } from './ctx';
import { workspaceTriedToSet } from './trustedSettings';

export function watchSettings(ctx: Ctx): void {
  ctx.own(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('phantom.runtime.path')) runtimePathChanged(ctx);
  }));
}

function runtimePathChanged(ctx: Ctx): void {
  const next = runtimeBundle(config.runtimePath(), ctx.bundledRuntime());
  if (next === ctx.runtime.bundle) {
    if (workspaceTriedToSet(vscode.workspace.getConfiguration('phantom').inspect('runtime.path'))) {
      ctx.log.warn('settings: the workspace sets phantom.runtime.path; it is ignored — only your user settings can set it (it names code to run)');
    }
    return;
  }
  ctx.log.info(`settings: phantom.runtime.path changed: restarting the runtime with ${next}`);
  void vscode.window.showInformationMessage(`Phantom: phantom.runtime.path changed — restarting the runtime with ${next}. Runs in progress end with it.`);
  ctx.runtime.restartWith(next);
}

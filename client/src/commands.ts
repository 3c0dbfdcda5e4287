/** The extension's commands, one table (package.json `contributes.commands` declares the same ids). */
import * as vscode from 'vscode';
import { MetricsPanel } from './metricsPanel';
import { runInSandbox } from './runCommand';
import type { RuntimeClient } from './runtimeClient';

export function registerCommands(context: vscode.ExtensionContext, runtime: RuntimeClient): void {
  const table: Record<string, (...args: unknown[]) => unknown> = {
    'phantom.runInSandbox': (resource) => runInSandbox(runtime, resource as vscode.Uri | undefined),
    'phantom.learnSeccompProfile': () =>
      vscode.window.showInformationMessage('Phantom: learning seccomp profiles is not available in this version yet (it arrives with learn mode).'),
    'phantom.showMetrics': () => MetricsPanel.createOrShow(context.extensionUri, runtime),
    'phantom.restartRuntime': () => runtime.restart(),
  };
  for (const [id, handler] of Object.entries(table)) context.subscriptions.push(vscode.commands.registerCommand(id, handler));
}

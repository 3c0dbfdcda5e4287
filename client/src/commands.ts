/** The extension's commands, one table (package.json `contributes.commands` declares the same ids). */
import * as vscode from 'vscode';
import { learnSeccompProfile, type LearnCommandOptions } from './learnCommand';
import { MetricsPanel } from './metricsPanel';
import { rerunLast, runInSandbox, stopLast } from './runCommand';
import type { RuntimeClient } from './runtimeClient';

export function registerCommands(context: vscode.ExtensionContext, runtime: RuntimeClient): void {
  const table: Record<string, (...args: unknown[]) => unknown> = {
    'phantom.runInSandbox': (resource) => runInSandbox(runtime, resource as vscode.Uri | undefined),
    'phantom.learnSeccompProfile': (options) => learnSeccompProfile(runtime, context, options as LearnCommandOptions | vscode.Uri | undefined),
    'phantom.showMetrics': () => MetricsPanel.createOrShow(context.extensionUri, runtime),
    'phantom.restartRuntime': () => runtime.restart(),
    'phantom.rerunLast': () => rerunLast(runtime),
    'phantom.stopRun': () => stopLast(),
  };
  for (const [id, handler] of Object.entries(table)) context.subscriptions.push(vscode.commands.registerCommand(id, handler));
}

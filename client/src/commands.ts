/** The extension's commands, one table of factories over the context (package.json `contributes.commands` declares the same ids). */
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { explainRun } from './explainRun';
import { learnSeccompProfile, type LearnCommandOptions } from './learnCommand';
import { MetricsPanel } from './metricsPanel';
import { rerunLast, runInSandbox, stopLast } from './runCommand';
import { openExampleConfig } from './walkthrough';

const COMMANDS: Record<string, (ctx: Ctx) => (...args: unknown[]) => unknown> = {
  'phantom.runInSandbox': (ctx) => (resource) => runInSandbox(ctx, resource as vscode.Uri | undefined),
  'phantom.learnSeccompProfile': (ctx) => (options) => learnSeccompProfile(ctx, options as LearnCommandOptions | vscode.Uri | undefined),
  'phantom.showMetrics': (ctx) => () => MetricsPanel.createOrShow(ctx.extension.extensionUri, ctx.runtime, ctx.pressureHistory, () => ctx.denialLog.summaries()),
  'phantom.restartRuntime': (ctx) => () => {
    ctx.log.info('runtime: restart requested');
    ctx.runtime.restart();
  },
  'phantom.showLog': (ctx) => () => ctx.log.show(),
  'phantom.rerunLast': (ctx) => () => rerunLast(ctx),
  'phantom.stopRun': (ctx) => () => stopLast(ctx),
  'phantom.explainLastRun': (ctx) => () => explainRun(ctx),
  'phantom.openExampleConfig': (ctx) => () => openExampleConfig(ctx),
};

export function registerCommands(ctx: Ctx): void {
  for (const [id, factory] of Object.entries(COMMANDS)) ctx.own(vscode.commands.registerCommand(id, factory(ctx)));
}

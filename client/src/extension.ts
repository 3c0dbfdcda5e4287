/** Activates the extension: the context (log, runtime, status bar), the language client, commands, tasks. */
import * as vscode from 'vscode';
import { kernelLandlockAbiNotification, learnedUsageNotification, runDenialsNotification, type KernelLandlockAbiParams } from '../../server/src/protocol';
import type { PhantomApi } from './api';
import { registerCommands } from './commands';
import { Ctx } from './ctx';
import { createLanguageClient } from './languageClient';
import { registerExplain } from './explainRun';
import { registerLearn } from './learnCommand';
import { PressureStatusBar } from './statusBar';
import { watchSettings } from './settingsWatch';
import { registerTasks } from './tasks';
import { trackConfigOpened } from './walkthrough';
import { workspaceTriedToSet, RESTRICTED_SETTINGS } from './trustedSettings';

/**
 * Everything the extension holds is owned by the one Ctx, which is a subscription of the extension context: VS Code
 * disposes it when the extension is deactivated (the language client's dispose stops the server, the runtime
 * client's ends the runtime), so no module state and no deactivate() are needed.
 */
export async function activate(context: vscode.ExtensionContext): Promise<PhantomApi> {
  const ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  logIgnoredWorkspaceSettings(ctx);
  watchSettings(ctx);
  ctx.runtime.start();

  ctx.own(new PressureStatusBar(ctx.runtime));
  registerCommands(ctx);
  registerLearn(ctx);
  registerExplain(ctx);
  registerTasks(ctx);
  trackConfigOpened(ctx);

  const client = createLanguageClient(context, ctx.log);
  ctx.languageClient = client;
  ctx.own(client);
  try {
    await client.start();
    void sendKernelFacts(ctx);
    // Learn mode's "never used by the last learn run" diagnostics (the method string: see sendKernelFacts).
    ctx.learnedUsageSink = (params) => void client.sendNotification(learnedUsageNotification.method, params);
    // What each run refused, for Problems and its quick fixes (server/src/runDenials.ts).
    ctx.runDenialsSink = (params) => void client.sendNotification(runDenialsNotification.method, params);
  } catch (error) {
    // The commands still work without the language server; say why the editor features are missing.
    ctx.log.error(`language server failed to start: ${error instanceof Error ? error.message : String(error)}`);
    void vscode.window.showErrorMessage('Phantom: the language server could not start, so profiles are not checked. See "Phantom: Show Log".');
  }
  return ctx.api();
}

/** A workspace that sets a restricted setting is ignored (trustedSettings.ts): say so once in the log. */
function logIgnoredWorkspaceSettings(c: Ctx): void {
  const section = vscode.workspace.getConfiguration('phantom');
  for (const key of RESTRICTED_SETTINGS) {
    if (workspaceTriedToSet(section.inspect(key.slice('phantom.'.length)))) {
      c.log.warn(`settings: the workspace sets ${key}; it is ignored — only your user settings can set it (it could widen a sandbox or name code to run)`);
    }
  }
}

/** The server flags Landlock rights the running kernel lacks once it knows the kernel's ABI (probed by the runtime). */
async function sendKernelFacts(c: Ctx): Promise<void> {
  try {
    const features = await c.runtime.kernelFeatures();
    // The client and the server link different vscode-jsonrpc copies, so the constant's method names the message.
    const params: KernelLandlockAbiParams = { abi: features.landlockAbi };
    await c.languageClient?.sendNotification(kernelLandlockAbiNotification.method, params);
  } catch (error) {
    // Without the probe the server simply does not check against the kernel: worth a log line, not an error.
    c.log.info(`kernel features unavailable: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Activates the extension: the language client, the runtime, and the command table. */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { kernelLandlockAbiNotification, learnedUsageNotification, type KernelLandlockAbiParams } from '../../server/src/protocol';
import { registerLearnContent, setLearnedUsageSink } from './learnCommand';
import { finishedRuns, type PhantomApi } from './api';
import { registerCommands } from './commands';
import { config } from './config';
import { createLanguageClient } from './languageClient';
import { MetricsPanel } from './metricsPanel';
import { PressureStatusBar } from './statusBar';
import { RuntimeClient } from './runtimeClient';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<PhantomApi> {
  const log = vscode.window.createOutputChannel('Phantom');
  context.subscriptions.push(log);

  const runtime = new RuntimeClient(config.runtimePath() || context.asAbsolutePath('dist/runtime.js'), log);
  context.subscriptions.push(runtime);
  runtime.start();

  // PSI history starts now so the metrics panel has the last minutes the moment it opens.
  context.subscriptions.push(MetricsPanel.track(runtime), new PressureStatusBar(runtime));
  registerCommands(context, runtime);
  registerLearnContent(context);

  client = createLanguageClient(context);
  context.subscriptions.push(client);
  try {
    await client.start();
    void sendKernelFacts(runtime, client, log);
    // Learn mode's "never used by the last learn run" diagnostics (the method string: see sendKernelFacts).
    const languageClient = client;
    setLearnedUsageSink((params) => void languageClient.sendNotification(learnedUsageNotification.method, params));
  } catch (error) {
    // The commands still work without the language server; say why the editor features are missing.
    log.appendLine(`language server failed to start: ${error instanceof Error ? error.message : String(error)}`);
    void vscode.window.showErrorMessage('Phantom: the language server could not start, so profiles are not checked. See the "Phantom" output.');
  }
  context.subscriptions.push(finishedRuns);
  return { runtimePid: () => runtime.pid, onDidFinishRun: finishedRuns.event };
}

/** The server flags Landlock rights the running kernel lacks once it knows the kernel's ABI (probed by the runtime). */
async function sendKernelFacts(runtime: RuntimeClient, languageClient: LanguageClient, log: vscode.OutputChannel): Promise<void> {
  try {
    const features = await runtime.kernelFeatures();
    // The client and the server link different vscode-jsonrpc copies, so the constant's method names the message.
    const params: KernelLandlockAbiParams = { abi: features.landlockAbi };
    await languageClient.sendNotification(kernelLandlockAbiNotification.method, params);
  } catch (error) {
    // Without the probe the server simply does not check against the kernel: worth a log line, not an error.
    log.appendLine(`kernel features unavailable: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

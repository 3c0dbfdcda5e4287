/** "Phantom: Run in Sandbox": runs the file under edit (or the chosen one) in a sandbox, output in a terminal. */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { finishedRuns, OUTPUT_CAP } from './api';
import { config } from './config';
import type { RuntimeClient } from './runtimeClient';
import { pickProfile, type ProfilePick } from './profilePick';
import { RunTerminal } from './runTerminal';
import { approveRun, settingScopes } from './trustPrompt';

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

export async function runInSandbox(runtime: RuntimeClient, resource?: vscode.Uri): Promise<void> {
  const uri = resource instanceof vscode.Uri ? resource : vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showInformationMessage('Phantom: open a file to run it in a sandbox, or pick one in the explorer.');
    return;
  }
  if (uri.scheme !== 'file') {
    void vscode.window.showWarningMessage(`Phantom: only files on disk can run in a sandbox (this one is ${uri.scheme}:).`);
    return;
  }
  // Run what the user sees: save the document first if it has unsaved changes.
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty && !(await open.save())) {
    void vscode.window.showWarningMessage(`Phantom: ${path.basename(uri.fsPath)} could not be saved; not running it.`);
    return;
  }
  const file = uri.fsPath;
  const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(file);
  let pick;
  try {
    pick = await pickProfile(runtime, folder, file);
  } catch (error) {
    void vscode.window.showErrorMessage(`Phantom: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (!pick) return;
  // A profile with a `run` supplies the command (the runtime substitutes ${file}); otherwise by extension.
  const argv = pick.profileRuns ? [] : commandForFile(file);
  const title = `Phantom: ${path.basename(file)}`;
  const pty = new RunTerminal(title);
  const terminal = vscode.window.createTerminal({ name: title, pty, iconPath: new vscode.ThemeIcon('shield') });
  terminal.show(true);
  await pty.whenOpened();
  const request: PreparedRequest = { uri, file, folder, argv, pick };
  const run = () => void execute(runtime, pty, request);
  pty.onRerun(run);
  last = { pty, terminal, request, runtime };
  run();
}

interface PreparedRequest {
  uri: vscode.Uri;
  file: string;
  folder: string;
  argv: string[];
  pick: ProfilePick;
}

/** The last "Run in Sandbox", for Re-run Last and Stop Run. */
let last: { pty: RunTerminal; terminal: vscode.Terminal; request: PreparedRequest; runtime: RuntimeClient } | undefined;

/** "Phantom: Re-run Last Sandboxed Run": again, in its terminal when that is still open. */
export async function rerunLast(runtime: RuntimeClient): Promise<void> {
  if (!last) {
    void vscode.window.showInformationMessage('Phantom: nothing has run in a sandbox yet in this window.');
    return;
  }
  if (vscode.window.terminals.includes(last.terminal) && !last.pty.running) {
    last.terminal.show(true);
    void execute(runtime, last.pty, last.request);
  } else {
    await runInSandbox(runtime, last.request.uri);
  }
}

/** "Phantom: Stop Sandboxed Run": stops the last run and everything it started. */
export function stopLast(): void {
  if (!last?.pty.running) {
    void vscode.window.showInformationMessage('Phantom: no sandboxed run is going on.');
    return;
  }
  last.pty.stop();
}

async function execute(runtime: RuntimeClient, pty: RunTerminal, request: PreparedRequest): Promise<void> {
  const { uri, file, folder, argv, pick } = request;
  const runId = randomUUID();
  pty.header(argv.length ? argv.map((a) => path.relative(folder, a) || a).join(' ') : `the profile's run on ${path.relative(folder, file)}`, pick.profile ?? 'built-in default');
  pty.attach({
    stdin: (data) => runtime.sendStdin(runId, data),
    eof: () => runtime.sendStdin(runId, undefined, true),
    cancel: () => void runtime.cancel(runId),
  });
  // Under pressure the runtime may hold the spawn back (orchestrator.pressure): say so, and for how long at most.
  const deferral = runtime.onRunDeferred((d) => {
    if (d.runId === runId) pty.notice(`waiting up to ${Math.round(d.maxWaitMs / 1000)} s before starting: ${d.reason}`);
  });
  let output = '';
  try {
    const request = {
      runId,
      argv,
      config: pick.config,
      profile: pick.profile,
      file,
      cwd: folder,
      // The settings apply where no profile speaks; a profile's own network and limits are its to set.
      network: pick.config ? undefined : config.network(uri),
      timeoutSeconds: pick.config ? undefined : config.timeoutSeconds(uri),
    };
    // A configuration wider than the defaults runs only once the user approved it (trustPrompt.ts).
    const params = await approveRun(runtime, { ...request, settingScopes: settingScopes(request, uri) });
    if (!params) throw new Error('not run: the configuration asks for more than the defaults and was not approved');
    await runtime.run(
      params,
      {
        started: (s) => pty.started(s.spawnMs, s.warm),
        output: (o) => {
          pty.output(o);
          if (output.length < OUTPUT_CAP) output += o.data;
        },
        exit: (e) => {
          deferral.dispose();
          pty.exit(e);
          finishedRuns.fire({ file, output: output.slice(0, OUTPUT_CAP), exit: e });
        },
      },
    );
  } catch (error) {
    deferral.dispose();
    const exit = { runId, code: null, signal: null, error: error instanceof Error ? error.message : String(error), timings: { queueMs: 0, spawnMs: 0, totalMs: 0, warm: false } };
    pty.exit(exit);
    finishedRuns.fire({ file, output, exit });
  }
}

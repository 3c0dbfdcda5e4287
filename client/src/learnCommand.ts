/**
 * "Phantom: Learn Seccomp Profile": run the command in learn mode (the runtime records, proposes and replays),
 * show the diff of the current profile against the proposal, and apply it only when the user chooses —
 * "Replace with minimal" or "Add missing only" — as ONE WorkspaceEdit (undoable, left unsaved for review).
 * A proposal that failed its replay is shown but never applied as if it worked.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { LearnCommandArgs } from '../../server/src/learnedUsage';
import type { LearnedUsageParams } from '../../server/src/protocol';
import type { LearnProfileResult } from '../../runtime/src/protocol';
import type { RuntimeClient } from './runtimeClient';

/** Arguments of the command: the server's code-action arguments, plus what tests and other callers may add. */
export interface LearnCommandOptions extends Partial<LearnCommandArgs> {
  /** The command to learn from (else the profile's `run`, else the user is asked). */
  argv?: string[];
  /** Skip the modal question and apply this choice (extension-host tests, scripted use). */
  accept?: 'minimal' | 'addMissing';
  runs?: number;
}

export interface LearnOutcome {
  target: string;
  status: LearnProfileResult['status'];
  reason?: string;
  applied?: 'minimal' | 'addMissing';
  usedNames: string[];
}

export const LEARN_SCHEME = 'phantom-learn';

/** The proposals shown in the diff view, by virtual path. */
class ProposalContent implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.path, text);
    this.changed.fire(uri);
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }
  dispose(): void {
    this.changed.dispose();
  }
}

const proposals = new ProposalContent();
let learnedUsageSink: ((params: LearnedUsageParams) => void) | undefined;

/** extension.ts: the content provider of the diff view. */
export function registerLearnContent(context: vscode.ExtensionContext): void {
  context.subscriptions.push(proposals, vscode.workspace.registerTextDocumentContentProvider(LEARN_SCHEME, proposals));
}

/** extension.ts: where the learned set goes once the language server runs (learnedUsageNotification). */
export function setLearnedUsageSink(sink: ((params: LearnedUsageParams) => void) | undefined): void {
  learnedUsageSink = sink;
}

/** "python3 -c 'print(1)'" → argv: whitespace-separated, single or double quotes group. */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

async function readIfExists(uri: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  try {
    await vscode.workspace.fs.stat(uri);
    return await vscode.workspace.openTextDocument(uri);
  } catch {
    return undefined;
  }
}

function targetOf(options: LearnCommandOptions): vscode.Uri | undefined {
  if (options.uri) {
    const uri = vscode.Uri.parse(options.uri);
    if (/\.seccomp\.(json|ya?ml)$/i.test(uri.path)) return uri;
    if (options.profile) {
      const dir = path.dirname(uri.fsPath);
      return vscode.Uri.file(path.resolve(dir, options.seccompFile ?? `${options.profile}.seccomp.json`));
    }
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  return active && /\.seccomp\.(json|ya?ml)$/i.test(active.path) ? active : undefined;
}

/**
 * A profile of phantom-fragment.yaml is learned in its own sandbox: the runtime resolves it from the configuration,
 * the profile and the file (`${file}`: the active editor's), as a run under it (one resolver, sandboxSpec.ts).
 */
function profileSandbox(options: LearnCommandOptions): { config?: string; profile?: string; file?: string } {
  if (!options.uri || !options.profile) return {};
  const config = vscode.Uri.parse(options.uri).fsPath;
  const active = vscode.window.activeTextEditor?.document.uri;
  const file = active?.scheme === 'file' && active.fsPath !== config ? active.fsPath : undefined;
  return { config, profile: options.profile, ...(file ? { file } : {}) };
}

/** Adds `seccomp: FILE` as the first key of `profiles.<name>` (block YAML; otherwise the user adds it). */
async function referenceFromProfile(edit: vscode.WorkspaceEdit, config: vscode.Uri, profile: string, file: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(config);
  const lines = doc.getText().split('\n');
  const inProfiles = lines.findIndex((l) => /^profiles:\s*(#.*)?$/.test(l));
  if (inProfiles < 0) return;
  const escaped = profile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const at = lines.findIndex((l, i) => i > inProfiles && new RegExp(`^\\s+["']?${escaped}["']?:\\s*(#.*)?$`).test(l));
  if (at < 0) return;
  const next = lines.slice(at + 1).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const indent = next && /^\s+/.exec(next)?.[0];
  if (!indent || indent.length <= (/^\s*/.exec(lines[at])?.[0].length ?? 0)) return;
  edit.insert(config, new vscode.Position(at + 1, 0), `${indent}seccomp: ${file}\n`);
}

export async function learnSeccompProfile(runtime: RuntimeClient, context: vscode.ExtensionContext, given: LearnCommandOptions | vscode.Uri = {}): Promise<LearnOutcome | undefined> {
  // From a menu the argument is the file's Uri; from a code action or a caller, LearnCommandOptions.
  const options: LearnCommandOptions = given instanceof vscode.Uri ? { uri: given.toString() } : given;
  const target = targetOf(options);
  if (!target) {
    void vscode.window.showInformationMessage('Phantom: open a seccomp profile (*.seccomp.json or *.seccomp.yaml), or use "Learn seccomp profile" on a profile of phantom-fragment.yaml.');
    return undefined;
  }
  const memoKey = `phantom.learn.command:${target.toString()}`;
  const folder = vscode.workspace.getWorkspaceFolder(target)?.uri.fsPath ?? path.dirname(target.fsPath);
  let argv = (options.argv ?? options.run)?.map((a) => a.split('${workspaceFolder}').join(folder));
  // A profile's run made for any file (`${file}`): the user says which one to learn from.
  const template = argv?.some((a) => a.includes('${')) ? argv.join(' ') : undefined;
  if (template) argv = undefined;
  if (!argv?.length) {
    const line = await vscode.window.showInputBox({
      title: 'Learn seccomp profile',
      prompt: `The command to learn ${path.basename(target.fsPath)} from (it runs in the sandbox, recorded)`,
      value: context.workspaceState.get<string>(memoKey) ?? template ?? '',
      placeHolder: 'python3 main.py',
    });
    if (!line?.trim()) return undefined;
    await context.workspaceState.update(memoKey, line);
    argv = splitCommand(line);
  }
  const cwd = options.uri && options.profile ? path.dirname(vscode.Uri.parse(options.uri).fsPath) : folder;
  const format = /\.ya?ml$/i.test(target.path) ? 'yaml' : 'json';
  const current = await readIfExists(target);

  let cancelled = false;
  let result: LearnProfileResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Learning ${path.basename(target.fsPath)} from \`${argv.join(' ')}\``, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => (cancelled = true));
        return runtime.learnProfile(
          { learnId: `learn-${Date.now()}`, argv: argv!, cwd, format, runs: options.runs, existingText: current?.getText(), ...profileSandbox(options) },
          token,
          (message) => progress.report({ message }),
        );
      },
    );
  } catch (error) {
    // Cancelled: the sandbox is gone and nothing was proposed; anything else is worth saying.
    if (!cancelled) void vscode.window.showErrorMessage(`Phantom: learning failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const command = argv.join(' ');
  learnedUsageSink?.({ uri: target.toString(), names: result.usedNames, runs: result.runs, command });

  const proposedUri = vscode.Uri.from({ scheme: LEARN_SCHEME, path: `${target.path}.proposed` });
  proposals.set(proposedUri, result.minimalText);
  const currentUri = current ? target : vscode.Uri.from({ scheme: LEARN_SCHEME, path: `${target.path}.empty` });
  if (!current) proposals.set(currentUri, '');
  await vscode.commands.executeCommand('vscode.diff', currentUri, proposedUri, `${path.basename(target.fsPath)} ↔ learned from \`${command}\``);

  const outcome: LearnOutcome = { target: target.toString(), status: result.status, reason: result.reason, usedNames: result.usedNames };
  if (result.status === 'failed') {
    void vscode.window.showWarningMessage(`Phantom: the proposal FAILED its replay (${result.reason ?? 'unknown reason'}); it is shown for review but not offered as working.`);
    return outcome;
  }
  if (result.varying.length) {
    void vscode.window.showWarningMessage(`Phantom: the recorded runs did not make the same syscalls — the profile may be incomplete (seen in only some runs: ${result.varying.join(', ')}). Learn with more runs, or exercise every path of the program.`);
  }
  const MINIMAL = 'Replace with minimal';
  const MISSING = `Add missing only (${result.missing.length})`;
  let choice = options.accept;
  if (!choice) {
    const picked = await vscode.window.showInformationMessage(
      `Learned ${result.usedNames.length} syscalls from ${result.runs} run(s); the replay under the proposal ${result.status === 'fixed' ? `matched after adding ${result.added.join(', ')}` : 'matched'}. Apply it to ${path.basename(target.fsPath)}?`,
      { modal: true },
      MINIMAL,
      ...(current ? [MISSING] : []),
    );
    choice = picked === MINIMAL ? 'minimal' : picked === MISSING ? 'addMissing' : undefined;
  }
  if (!choice) return outcome;
  const text = choice === 'minimal' ? result.minimalText : result.addMissingText;
  const edit = new vscode.WorkspaceEdit();
  if (current) {
    edit.replace(target, new vscode.Range(current.positionAt(0), current.positionAt(current.getText().length)), text);
  } else {
    edit.createFile(target, { ignoreIfExists: true });
    edit.insert(target, new vscode.Position(0, 0), text);
  }
  // A phantom-fragment.yaml profile without a seccomp file gets the reference to the new one, in the same edit.
  if (options.uri && options.profile && !options.seccompFile) await referenceFromProfile(edit, vscode.Uri.parse(options.uri), options.profile, path.basename(target.fsPath));
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(`Phantom: could not apply the learned profile to ${target.fsPath}.`);
    return outcome;
  }
  await vscode.window.showTextDocument(target);
  return { ...outcome, applied: choice };
}

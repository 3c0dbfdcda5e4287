/**
 * "Phantom: Learn Seccomp Profile": run the command in learn mode (the runtime records, proposes and replays),
 * then show the diff of the current profile against the proposal with the choices beside it, not over it
 * (learnProposal.ts): "Replace with minimal" or "Add missing only", applied as ONE WorkspaceEdit (undoable, left
 * unsaved for review). A proposal that failed its replay is shown but never applied as if it worked. A profile of
 * phantom-fragment.yaml without a seccomp file gets one where the configuration's other profiles live.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { LearnCommandArgs } from '../../server/src/learnedUsage';
import type { LearnProfileResult } from '../../runtime/src/protocol';
import type { Ctx } from './ctx';
import { LEARN_SCHEME, applyProposal, discardProposal, showProposal, type LearnChoice } from './learnProposal';
import { proposedProfileFile } from './learnTarget';
import { requireTrust } from './workspaceTrust';

/** Arguments of the command: the server's code-action arguments, plus what tests and other callers may add. */
export interface LearnCommandOptions extends Partial<LearnCommandArgs> {
  /** The command to learn from (else the profile's `run`, else the user is asked). */
  argv?: string[];
  /** Skip the question and apply this choice (extension-host tests, scripted use). */
  accept?: LearnChoice;
  runs?: number;
}

export interface LearnOutcome {
  target: string;
  status: LearnProfileResult['status'];
  reason?: string;
  applied?: LearnChoice;
  usedNames: string[];
}

/** extension.ts: the diff view's content, and the title buttons' commands. */
export function registerLearn(ctx: Ctx): void {
  ctx.own(vscode.workspace.registerTextDocumentContentProvider(LEARN_SCHEME, ctx.proposals));
  ctx.own(vscode.commands.registerCommand('phantom.learn.applyMinimal', () => applyProposal(ctx, 'minimal')));
  ctx.own(vscode.commands.registerCommand('phantom.learn.applyMissing', () => applyProposal(ctx, 'addMissing')));
  ctx.own(vscode.commands.registerCommand('phantom.learn.discard', () => discardProposal(ctx)));
  // Closing the proposal's diff without a choice discards it (the title buttons would have nothing to act on).
  ctx.own(
    vscode.window.tabGroups.onDidChangeTabs(() => {
      const pending = ctx.proposal;
      if (!pending) return;
      const open = vscode.window.tabGroups.all.some((g) =>
        g.tabs.some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === LEARN_SCHEME && t.input.modified.path === `${pending.target.path}.proposed`),
      );
      if (!open) discardProposal(ctx);
    }),
  );
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

function targetOf(options: LearnCommandOptions, configText: string | undefined): vscode.Uri | undefined {
  if (options.uri) {
    const uri = vscode.Uri.parse(options.uri);
    if (/\.seccomp\.(json|ya?ml)$/i.test(uri.path)) return uri;
    if (options.profile) {
      const dir = path.dirname(uri.fsPath);
      const file = options.seccompFile ?? proposedProfileFile(configText ?? '', options.profile, fs.existsSync(path.join(dir, 'profiles')));
      return vscode.Uri.file(path.resolve(dir, file));
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

export async function learnSeccompProfile(ctx: Ctx, given: LearnCommandOptions | vscode.Uri = {}): Promise<LearnOutcome | undefined> {
  // From a menu the argument is the file's Uri; from a code action or a caller, LearnCommandOptions.
  const options: LearnCommandOptions = given instanceof vscode.Uri ? { uri: given.toString() } : given;
  if (!(await requireTrust('Learn Seccomp Profile'))) return undefined;
  const configUri = options.uri && options.profile ? vscode.Uri.parse(options.uri) : undefined;
  const configText = configUri ? (await readIfExists(configUri))?.getText() : undefined;
  const target = targetOf(options, configText);
  const context = ctx.extension;
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
        return ctx.runtime.learnProfile(
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
  ctx.learnedUsageSink?.({ uri: target.toString(), names: result.usedNames, runs: result.runs, command });
  ctx.log.info(
    `learn: ${target.fsPath} from \`${command}\` in ${cwd}: ${result.usedNames.length} syscalls over ${result.runs} run(s), ${result.notifications} notifications; replay ${result.status}${result.reason ? ` (${result.reason})` : ''}${result.added.length ? `; added after the replay: ${result.added.join(', ')}` : ''}`,
  );
  for (const note of result.notes) ctx.log.info(`learn: note: ${note}`);

  const outcome: LearnOutcome = { target: target.toString(), status: result.status, reason: result.reason, usedNames: result.usedNames };
  const content = ctx.proposals;
  const pending = {
    target,
    result,
    format,
    command,
    currentText: current?.getText(),
    reference: configUri && options.profile && !options.seccompFile ? { config: configUri, profile: options.profile, file: path.relative(path.dirname(configUri.fsPath), target.fsPath).split(path.sep).join('/') } : undefined,
  } as const;
  if (result.status === 'failed') {
    // Shown for review, never offered as working.
    const proposed = vscode.Uri.from({ scheme: LEARN_SCHEME, path: `${target.path}.proposed` });
    const empty = vscode.Uri.from({ scheme: LEARN_SCHEME, path: `${target.path}.empty` });
    content.set(proposed, result.minimalText);
    if (!current) content.set(empty, '');
    await vscode.commands.executeCommand('vscode.diff', current ? target : empty, proposed, `${path.basename(target.fsPath)} ↔ learned from \`${command}\` (replay FAILED)`);
    void vscode.window.showWarningMessage(`Phantom: the proposal FAILED its replay (${result.reason ?? 'unknown reason'}); it is shown for review but not offered as working.`);
    return outcome;
  }
  if (result.varying.length) {
    void vscode.window.showWarningMessage(`Phantom: the recorded runs did not make the same syscalls — the profile may be incomplete (seen in only some runs: ${result.varying.join(', ')}). Learn with more runs, or exercise every path of the program.`);
  }
  const question = `Learned ${result.usedNames.length} syscalls from ${result.runs} run(s); the replay under the proposal ${result.status === 'fixed' ? `matched after adding ${result.added.join(', ')}` : 'matched'}. Apply it to ${path.basename(target.fsPath)}? (Also in the diff's title bar.)`;
  const { settled } = await showProposal(ctx, content, pending, question);
  if (!options.accept) return outcome; // the user decides in the diff's title or the notification
  if (!(await applyProposal(ctx, options.accept === 'addMissing' && !current ? 'minimal' : options.accept))) return outcome;
  const { choice, applied } = await settled;
  return applied ? { ...outcome, applied: choice } : outcome;
}

/**
 * "Phantom: Learn Seccomp Profile" and the "Learn …" code actions: run the command in learn mode (the runtime records
 * once, proposes the seccomp profile, the Landlock profile or both, and replays each), then show one diff per file
 * with the choices beside it, not over it (learnProposal.ts): "Replace with minimal" or "Add missing only", applied
 * to every file as ONE WorkspaceEdit (undoable, left unsaved for review). A proposal that failed its replay is shown
 * but never applied as if it worked. A profile of phantom-fragment.yaml without a seccomp or Landlock file gets one
 * where the configuration's other profiles live, referenced from the profile in the same edit.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { LearnCommandArgs } from '../../server/src/learnedUsage';
import { learnedRightsNotification, type LearnedRightsParams } from '../../server/src/protocol';
import type { LearnKind, LearnProfileResult } from '../../runtime/src/protocol';
import type { Ctx } from './ctx';
import { failedParts } from './learnEdits';
import { LEARN_SCHEME, applyProposal, discardProposal, proposedUri, proposalTargets, showDiffs, showProposal, type LearnChoice, type PendingProposal, type ProfileReference } from './learnProposal';
import { insideFolder, proposedProfileFile } from './learnTarget';
import { requireTrust } from './workspaceTrust';

const SECCOMP_FILE = /\.seccomp\.(json|ya?ml)$/i;
const LANDLOCK_FILE = /\.landlock\.(json|ya?ml|toml)$/i;

/** Arguments of the command: the server's code-action arguments, plus what tests and other callers may add. */
export interface LearnCommandOptions extends Partial<LearnCommandArgs> {
  /** The command to learn from (else the profile's `run`, else the user is asked). */
  argv?: string[];
  /** Skip the question and apply this choice (extension-host tests, scripted use). */
  accept?: LearnChoice;
  runs?: number;
}

export interface LearnOutcome {
  /** The seccomp profile learned (else the Landlock one). */
  target: string;
  status: LearnProfileResult['status'];
  reason?: string;
  applied?: LearnChoice;
  usedNames: string[];
  /** When Landlock was learned too (or alone). */
  landlock?: { target: string; status: NonNullable<LearnProfileResult['landlock']>['status']; reason?: string };
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
      const diffs = new Set(proposalTargets(pending).map((t) => proposedUri(t).path));
      const open = vscode.window.tabGroups.all.some((g) =>
        g.tabs.some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === LEARN_SCHEME && diffs.has(t.input.modified.path)),
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

interface Targets {
  kinds: LearnKind[];
  seccomp?: vscode.Uri;
  landlock?: vscode.Uri;
  /** New files of a profile of phantom-fragment.yaml, to reference from it. */
  references: ProfileReference[];
}

/** The files a learn run proposes, from the code action's arguments (or the active editor). */
function targetsOf(options: LearnCommandOptions, configText: string | undefined): Targets | undefined {
  const asked = options.learn?.length ? options.learn : undefined;
  const uri = options.uri ? vscode.Uri.parse(options.uri) : vscode.window.activeTextEditor?.document.uri;
  if (!uri) return undefined;
  if (SECCOMP_FILE.test(uri.path)) return { kinds: ['seccomp'], seccomp: uri, references: [] };
  if (LANDLOCK_FILE.test(uri.path)) {
    const kinds = asked ?? ['landlock'];
    const beside = options.seccompUri ? vscode.Uri.parse(options.seccompUri) : uri.with({ path: uri.path.replace(LANDLOCK_FILE, '.seccomp.json') });
    return { kinds, landlock: uri, ...(kinds.includes('seccomp') ? { seccomp: beside } : {}), references: [] };
  }
  if (!options.uri || !options.profile) return undefined;
  const kinds = asked ?? ['seccomp'];
  const dir = path.dirname(uri.fsPath);
  const references: ProfileReference[] = [];
  const fileOf = (key: LearnKind): vscode.Uri => {
    let file = key === 'seccomp' ? options.seccompFile : options.landlockFile;
    if (!file) {
      file = proposedProfileFile(configText ?? '', options.profile!, fs.existsSync(path.join(dir, 'profiles')), key);
      references.push({ config: uri, profile: options.profile!, key, file });
    }
    return vscode.Uri.file(path.resolve(dir, file));
  };
  return { kinds, ...(kinds.includes('seccomp') ? { seccomp: fileOf('seccomp') } : {}), ...(kinds.includes('landlock') ? { landlock: fileOf('landlock') } : {}), references };
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

function targetList(t: Targets): vscode.Uri[] {
  return [t.seccomp, t.landlock].filter((u): u is vscode.Uri => u !== undefined);
}

function kindsText(kinds: LearnKind[]): string {
  return kinds.length === 2 ? 'seccomp and Landlock profiles' : kinds[0] === 'landlock' ? 'Landlock profile' : 'seccomp profile';
}

function formatOf(uri: vscode.Uri): 'json' | 'yaml' | 'toml' {
  return /\.ya?ml$/i.test(uri.path) ? 'yaml' : /\.toml$/i.test(uri.path) ? 'toml' : 'json';
}

/** The question beside the diffs: what was learned and how each proposal was proven. */
function questionOf(result: LearnProfileResult, pending: Pick<PendingProposal, 'seccomp' | 'landlock'>): string {
  const parts: string[] = [];
  if (pending.seccomp) parts.push(`${result.usedNames.length} syscalls, replay ${result.status === 'fixed' ? `matched after adding ${result.added.join(', ')}` : 'matched'}`);
  const ll = result.landlock;
  if (pending.landlock && ll) parts.push(`Landlock ABI ${ll.abi}, ${Object.keys(ll.usedPaths).length} paths, replays matched (${ll.replays.alone} alone${ll.replays.withSeccomp ? `, ${ll.replays.withSeccomp} with the seccomp profile` : ''})${ll.added.length ? ` after adding ${ll.added.join('; ')}` : ''}`);
  const files = proposalTargets(pending).map((t) => path.basename(t.fsPath)).join(' and ');
  return `Learned from ${result.runs} run(s): ${parts.join('; ')}. Apply to ${files}? (Also in the diff's title bar.)`;
}

/** The server's "never used by the last learn run" findings on the Landlock profile (learnedRights.ts). */
function sendLearnedRights(ctx: Ctx, target: vscode.Uri, result: LearnProfileResult, command: string): void {
  const ll = result.landlock;
  const client = ctx.languageClient;
  if (!ll || !client?.isRunning()) return;
  const params: LearnedRightsParams = { uri: target.toString(), paths: ll.usedPaths, ports: ll.usedPorts, workspace: ll.workspace, runs: result.runs, command };
  // The client and the server link different vscode-jsonrpc copies, so the constant's method names the message.
  void client.sendNotification(learnedRightsNotification.method, params).catch((error: unknown) => ctx.log.warn(`learn: could not send the learned rights: ${String(error)}`));
}

/** The command to learn from: the caller's, the profile's `run`, else asked for (remembered per file). */
async function commandToLearn(ctx: Ctx, options: LearnCommandOptions, targets: Targets, folder: string): Promise<string[] | undefined> {
  const primary = (targets.seccomp ?? targets.landlock)!;
  const memoKey = `phantom.learn.command:${primary.toString()}`;
  const argv = (options.argv ?? options.run)?.map((a) => a.split('${workspaceFolder}').join(folder));
  // A profile's run made for any file (`${file}`): the user says which one to learn from.
  const template = argv?.some((a) => a.includes('${')) ? argv.join(' ') : undefined;
  if (argv?.length && !template) return argv;
  const line = await vscode.window.showInputBox({
    title: `Learn ${kindsText(targets.kinds)}`,
    prompt: `The command to learn ${targetList(targets).map((t) => path.basename(t.fsPath)).join(' and ')} from (it runs in the sandbox, recorded)`,
    value: ctx.extension.workspaceState.get<string>(memoKey) ?? template ?? '',
    placeHolder: 'python3 main.py',
  });
  if (!line?.trim()) return undefined;
  await ctx.extension.workspaceState.update(memoKey, line);
  return splitCommand(line);
}

/**
 * A proposal of which a part failed its replay is shown for review and never offered (true); otherwise the
 * nondeterminism warnings are given (false).
 */
async function failedOrWarned(ctx: Ctx, pending: Omit<PendingProposal, 'settle'>, result: LearnProfileResult, landlockAsked: boolean): Promise<boolean> {
  const failed = failedParts(pending);
  if (landlockAsked && !result.landlock) failed.push('Landlock: the runtime gave no Landlock proposal (is it older than the extension?)');
  if (failed.length) {
    await showDiffs(ctx.proposals, pending, true);
    void vscode.window.showWarningMessage(`Phantom: the proposal FAILED its replay (${failed.join('; ')}); it is shown for review but not offered as working.`);
    return true;
  }
  if (pending.seccomp && result.varying.length) {
    void vscode.window.showWarningMessage(`Phantom: the recorded runs did not make the same syscalls — the profile may be incomplete (seen in only some runs: ${result.varying.join(', ')}). Learn with more runs, or exercise every path of the program.`);
  }
  if (result.landlock?.varying.length) {
    void vscode.window.showWarningMessage(`Phantom: the recorded runs did not use the same paths and ports — the Landlock profile may be incomplete (rules from only some runs: ${result.landlock.varying.join('; ')}). Learn with more runs.`);
  }
  return false;
}

export async function learnSeccompProfile(ctx: Ctx, given: LearnCommandOptions | vscode.Uri = {}): Promise<LearnOutcome | undefined> {
  // From a menu the argument is the file's Uri; from a code action or a caller, LearnCommandOptions.
  const options: LearnCommandOptions = given instanceof vscode.Uri ? { uri: given.toString() } : given;
  if (!(await requireTrust('Learn Seccomp Profile'))) return undefined;
  const configUri = options.uri && options.profile ? vscode.Uri.parse(options.uri) : undefined;
  const configText = configUri ? (await readIfExists(configUri))?.getText() : undefined;
  const targets = targetsOf(options, configText);
  if (!targets) {
    void vscode.window.showInformationMessage('Phantom: open a seccomp or Landlock profile (*.seccomp.json, *.landlock.json, …), or use "Learn …" on a profile of phantom-fragment.yaml.');
    return undefined;
  }
  const primary = (targets.seccomp ?? targets.landlock)!;
  // Every file a proposal writes is inside the workspace folder of what was asked: a configuration (the repository's)
  // may name `../…` or absolute profile files, and a learned proposal must not create or replace files there.
  // (With no workspace folder open, the folder of the file learn was asked for.)
  const asked = vscode.Uri.parse(options.uri ?? primary.toString());
  const folder = vscode.workspace.getWorkspaceFolder(asked)?.uri.fsPath ?? path.dirname(asked.fsPath);
  const outside = targetList(targets).find((t) => !insideFolder(t.fsPath, folder));
  if (outside) {
    void vscode.window.showErrorMessage(`Phantom: learning would write ${outside.fsPath}, outside ${folder}: learn proposes files inside the workspace only. Point the profile at a file inside it.`);
    return undefined;
  }
  const argv = await commandToLearn(ctx, options, targets, folder);
  if (!argv) return undefined;
  const files = targetList(targets).map((t) => path.basename(t.fsPath)).join(' and ');
  const cwd = configUri ? path.dirname(configUri.fsPath) : folder;
  const seccompFormat = targets.seccomp && /\.ya?ml$/i.test(targets.seccomp.path) ? 'yaml' : 'json';
  const seccompDoc = targets.seccomp && (await readIfExists(targets.seccomp));
  const landlockDoc = targets.landlock && (await readIfExists(targets.landlock));

  let cancelled = false;
  let result: LearnProfileResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Learning ${files} from \`${argv.join(' ')}\``, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => (cancelled = true));
        return ctx.runtime.learnProfile(
          {
            learnId: `learn-${Date.now()}`, argv: argv!, cwd, format: seccompFormat, runs: options.runs, existingText: seccompDoc?.getText(), ...profileSandbox(options),
            learn: targets.kinds, ...(targets.landlock ? { landlock: { format: formatOf(targets.landlock), existingText: landlockDoc?.getText() } } : {}),
          },
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
  if (targets.seccomp) ctx.learnedUsageSink?.({ uri: targets.seccomp.toString(), names: result.usedNames, runs: result.runs, command });
  if (targets.landlock) sendLearnedRights(ctx, targets.landlock, result, command);
  ctx.log.info(
    `learn: ${targetList(targets).map((t) => t.fsPath).join(', ')} from \`${command}\` in ${cwd}: ${result.usedNames.length} syscalls over ${result.runs} run(s), ${result.notifications} notifications; seccomp replay ${result.status}${result.reason ? ` (${result.reason})` : ''}${result.added.length ? `; added after the replay: ${result.added.join(', ')}` : ''}` +
    (result.landlock ? `; Landlock replay ${result.landlock.status}${result.landlock.reason ? ` (${result.landlock.reason})` : ''}` : ''),
  );
  for (const note of result.notes) ctx.log.info(`learn: note: ${note}`);

  const ll = result.landlock;
  const outcome: LearnOutcome = {
    target: primary.toString(), status: result.status, reason: result.reason, usedNames: result.usedNames,
    ...(targets.landlock && ll ? { landlock: { target: targets.landlock.toString(), status: ll.status, ...(ll.reason ? { reason: ll.reason } : {}) } } : {}),
  };
  const pending: Omit<PendingProposal, 'settle'> = {
    command,
    references: targets.references,
    ...(targets.seccomp ? { seccomp: { target: targets.seccomp, result, format: seccompFormat, currentText: seccompDoc?.getText() } } : {}),
    ...(targets.landlock && ll ? { landlock: { target: targets.landlock, result: ll, currentText: landlockDoc?.getText() } } : {}),
  };
  if (await failedOrWarned(ctx, pending, result, targets.landlock !== undefined)) return outcome;
  const { settled } = await showProposal(ctx, ctx.proposals, pending, questionOf(result, pending));
  if (!options.accept) return outcome; // the user decides in the diff's title or the notification
  if (!(await applyProposal(ctx, options.accept === 'addMissing' && seccompDoc === undefined ? 'minimal' : options.accept))) return outcome;
  const { choice, applied } = await settled;
  return applied ? { ...outcome, applied: choice } : outcome;
}

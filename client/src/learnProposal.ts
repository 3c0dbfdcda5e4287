/**
 * A learn proposal on screen: one diff per file (the seccomp profile, the Landlock profile, or both, learned from
 * one recording) stays readable while the user decides, because the choice is NOT a modal dialog: the diff
 * editor's title carries the buttons (package.json `editor/title`, shown while the `phantom.learnProposalOpen`
 * context key is set) — Replace with Minimal Profile, Add Missing Syscalls Only, Discard — and a non-modal
 * notification offers the same. Applying is ONE WorkspaceEdit over every file (undoable, left unsaved for review):
 * the changes of learnEdits.ts, the new files created in it, and the reference of a new file from its profile in
 * phantom-fragment.yaml — an edit the language server computes on the parsed YAML (phantom/profileReference).
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { profileReferenceRequest, type ProfileReferenceParams } from '../../server/src/protocol';
import type { TextEdit } from 'vscode-languageserver-types';
import type { Ctx } from './ctx';
import { proposalChanges, type LandlockPart, type LearnChoice, type SeccompPart } from './learnEdits';

export type { LearnChoice } from './learnEdits';
export const LEARN_SCHEME = 'phantom-learn';

export interface ProfileReference {
  config: vscode.Uri;
  profile: string;
  key: 'seccomp' | 'landlock';
  /** Relative to the configuration's folder. */
  file: string;
}

export interface PendingProposal {
  seccomp?: SeccompPart & { target: vscode.Uri };
  landlock?: LandlockPart & { target: vscode.Uri };
  /** The command it was learned from (for the new rule's comment). */
  command: string;
  /** New files of a profile of phantom-fragment.yaml: referenced from it in the same edit. */
  references: ProfileReference[];
  /** Resolves with the user's choice (undefined: discarded or replaced by a newer proposal). */
  settle(choice: LearnChoice | undefined, applied: boolean): void;
}

/** The files a proposal is for (seccomp first). */
export function proposalTargets(p: Pick<PendingProposal, 'seccomp' | 'landlock'>): vscode.Uri[] {
  return [p.seccomp?.target, p.landlock?.target].filter((u): u is vscode.Uri => u !== undefined);
}

/** The virtual document of a file's proposal (the diff's right side). */
export function proposedUri(target: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: LEARN_SCHEME, path: `${target.path}.proposed` });
}

/** The proposals shown in the diff view, by virtual path. */
export class ProposalContent implements vscode.TextDocumentContentProvider {
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

function toRange(e: TextEdit): vscode.Range {
  return new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character);
}

/** Adds `<key>: FILE` to `profiles.<name>` through the language server; false when it could not. */
async function referenceFromProfile(ctx: Ctx, edit: vscode.WorkspaceEdit, ref: ProfileReference): Promise<boolean> {
  const doc = await vscode.workspace.openTextDocument(ref.config);
  const params: ProfileReferenceParams = { uri: ref.config.toString(), text: doc.getText(), profile: ref.profile, key: ref.key, file: ref.file };
  let edits: TextEdit[] | null = null;
  try {
    // The client and the server link different vscode-jsonrpc copies, so the constant's method names the message.
    edits = ctx.languageClient?.isRunning() ? ((await ctx.languageClient.sendRequest(profileReferenceRequest.method, params)) as TextEdit[] | null) : null;
  } catch (error) {
    ctx.log.warn(`learn: the language server could not compute the reference of ${ref.file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!edits) return false;
  for (const e of edits) edit.replace(ref.config, toRange(e), e.newText);
  return true;
}

/** Applies the pending proposal (every file, one edit); returns whether the edit was applied. */
export async function applyProposal(ctx: Ctx, choice: LearnChoice): Promise<boolean> {
  const pending = ctx.proposal;
  if (!pending) {
    void vscode.window.showInformationMessage('Phantom: no learned proposal is waiting to be applied.');
    return false;
  }
  if (choice === 'addMissing' && pending.seccomp?.currentText === undefined) choice = 'minimal';
  const edit = new vscode.WorkspaceEdit();
  const docs = new Map<string, vscode.TextDocument>();
  for (const part of [pending.seccomp, pending.landlock]) {
    if (!part || part.currentText === undefined) continue;
    const doc = await vscode.workspace.openTextDocument(part.target);
    if (doc.getText() !== part.currentText) {
      void vscode.window.showWarningMessage(`Phantom: ${path.basename(part.target.fsPath)} changed since the proposal was made; learn again to get a proposal for the current text.`);
      return false;
    }
    docs.set(part.target.toString(), doc);
  }
  for (const c of proposalChanges(pending, choice, pending.command)) {
    const target = pending[c.file]!.target;
    if (c.create) {
      edit.createFile(target, { ignoreIfExists: true });
      edit.insert(target, new vscode.Position(0, 0), c.text);
    } else {
      const doc = docs.get(target.toString())!;
      edit.replace(target, new vscode.Range(doc.positionAt(c.change.offset), doc.positionAt(c.change.offset + c.change.length)), c.change.text);
    }
  }
  const unreferenced: ProfileReference[] = [];
  for (const ref of pending.references) if (!(await referenceFromProfile(ctx, edit, ref))) unreferenced.push(ref);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(`Phantom: could not apply the learned proposal to ${proposalTargets(pending).map((t) => t.fsPath).join(', ')}.`);
    return false;
  }
  for (const ref of unreferenced) {
    void vscode.window.showWarningMessage(`Phantom: add \`${ref.key}: ${ref.file}\` to profile '${ref.profile}' of ${path.basename(ref.config.fsPath)} yourself: its layout is not one the editor can change safely (or the language server is not running).`);
  }
  const what = [pending.seccomp && (choice === 'minimal' ? 'the minimal seccomp profile' : `the ${pending.seccomp.result.missing.length} missing syscalls`), pending.landlock && 'the Landlock proposal'].filter(Boolean).join(' and ');
  ctx.log.info(`learn: applied ${what} to ${proposalTargets(pending).map((t) => t.fsPath).join(', ')} (unsaved, undoable as one edit)`);
  close(ctx);
  pending.settle(choice, true);
  await vscode.window.showTextDocument(proposalTargets(pending)[0]);
  return true;
}

export function discardProposal(ctx: Ctx): void {
  const pending = ctx.proposal;
  if (!pending) return;
  close(ctx);
  ctx.log.info(`learn: proposal for ${proposalTargets(pending).map((t) => t.fsPath).join(', ')} discarded`);
  pending.settle(undefined, false);
}

function close(ctx: Ctx): void {
  ctx.proposal = undefined;
  ctx.setContext('phantom.learnProposalOpen', false);
  ctx.setContext('phantom.learnCanAddMissing', false);
}

export interface ShownProposal {
  /** Resolves once the user (or a caller's `accept`) applied or discarded it. */
  settled: Promise<{ choice: LearnChoice | undefined; applied: boolean }>;
}

/** Opens one diff per file: the current text (or an empty one for a new file) against the proposal. */
export async function showDiffs(content: ProposalContent, pending: Pick<PendingProposal, 'seccomp' | 'landlock' | 'command'>, failed = false): Promise<void> {
  const files = [
    pending.seccomp && { target: pending.seccomp.target, current: pending.seccomp.currentText, text: pending.seccomp.result.minimalText },
    pending.landlock && { target: pending.landlock.target, current: pending.landlock.currentText, text: pending.landlock.result.text },
  ];
  for (const f of files) {
    if (!f) continue;
    content.set(proposedUri(f.target), f.text);
    const left = f.current !== undefined ? f.target : vscode.Uri.from({ scheme: LEARN_SCHEME, path: `${f.target.path}.empty` });
    if (f.current === undefined) content.set(left, '');
    await vscode.commands.executeCommand('vscode.diff', left, proposedUri(f.target), `${path.basename(f.target.fsPath)} ↔ learned from \`${pending.command}\`${failed ? ' (replay FAILED)' : ''}`, { preview: false });
  }
}

/**
 * Shows the proposal as diffs with the apply buttons in their title, and a non-modal notification with the same.
 * Resolves once it is on screen and ctx.proposal is set (so applyProposal can act on it at once).
 */
export async function showProposal(ctx: Ctx, content: ProposalContent, pending: Omit<PendingProposal, 'settle'>, question: string): Promise<ShownProposal> {
  // A newer proposal replaces an older one still on screen.
  ctx.proposal?.settle(undefined, false);
  await showDiffs(content, pending);
  let settle!: (value: { choice: LearnChoice | undefined; applied: boolean }) => void;
  const settled = new Promise<{ choice: LearnChoice | undefined; applied: boolean }>((resolve) => (settle = resolve));
  const shown: PendingProposal = { ...pending, settle: (choice, applied) => settle({ choice, applied }) };
  ctx.proposal = shown;
  const canAddMissing = pending.seccomp !== undefined && pending.seccomp.currentText !== undefined && pending.seccomp.result.missing.length > 0;
  ctx.setContext('phantom.learnProposalOpen', true);
  ctx.setContext('phantom.learnCanAddMissing', canAddMissing);
  ctx.setContext('phantom.hasLearned', true);
  const MINIMAL = pending.seccomp ? 'Replace with Minimal' : 'Apply';
  const MISSING = `Add Missing Only (${pending.seccomp?.result.missing.length ?? 0})`;
  // Not modal: the diffs stay readable; the same choices are in the diff editors' title.
  void vscode.window.showInformationMessage(question, MINIMAL, ...(canAddMissing ? [MISSING] : [])).then((picked) => {
    if (ctx.proposal !== shown) return;
    if (picked === MINIMAL) void applyProposal(ctx, 'minimal');
    else if (picked === MISSING) void applyProposal(ctx, 'addMissing');
  });
  return { settled };
}

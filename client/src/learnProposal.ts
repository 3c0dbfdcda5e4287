/**
 * A learn proposal on screen: the diff of the current profile against the proposal stays readable while the user
 * decides, because the choice is NOT a modal dialog: the diff editor's title carries the buttons (package.json
 * `editor/title`, shown while the `phantom.learnProposalOpen` context key is set) — Replace with Minimal Profile,
 * Add Missing Syscalls Only, Discard — and a non-modal notification offers the same. Applying is ONE
 * WorkspaceEdit (undoable, left unsaved for review); "Add missing only" is a precise insertion (profileEdits.ts)
 * that leaves every other line as the user wrote it.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { LearnProfileResult } from '../../runtime/src/protocol';
import type { Ctx } from './ctx';
import { addRuleEdit, minimalEdit, type TextChange } from './profileEdits';

export const LEARN_SCHEME = 'phantom-learn';
export type LearnChoice = 'minimal' | 'addMissing';

export interface PendingProposal {
  target: vscode.Uri;
  result: LearnProfileResult;
  format: 'json' | 'yaml';
  /** The command it was learned from (for the new rule's comment). */
  command: string;
  /** The profile's text when the proposal was made; undefined when the file did not exist. */
  currentText: string | undefined;
  /** phantom-fragment.yaml profile without a seccomp file: reference the new file from it in the same edit. */
  reference?: { config: vscode.Uri; profile: string; file: string };
  /** Resolves with the user's choice (undefined: discarded or replaced by a newer proposal). */
  settle(choice: LearnChoice | undefined, applied: boolean): void;
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

/** The edit of the profile's text for a choice: a precise insertion for add-missing, else the smallest replacement. */
export function proposalChange(pending: Pick<PendingProposal, 'result' | 'format' | 'command' | 'currentText'>, choice: LearnChoice): TextChange {
  const current = pending.currentText ?? '';
  if (choice === 'addMissing' && pending.currentText !== undefined) {
    const precise = addRuleEdit(current, pending.format, {
      names: pending.result.missing,
      comment: `Added by learn mode: used by \`${pending.command}\` and not allowed before`,
    });
    if (precise) return precise;
  }
  return minimalEdit(current, choice === 'minimal' ? pending.result.minimalText : pending.result.addMissingText);
}

/** Applies the pending proposal; returns whether the edit was applied. */
export async function applyProposal(ctx: Ctx, choice: LearnChoice): Promise<boolean> {
  const pending = ctx.proposal;
  if (!pending) {
    void vscode.window.showInformationMessage('Phantom: no learned proposal is waiting to be applied.');
    return false;
  }
  if (choice === 'addMissing' && pending.currentText === undefined) choice = 'minimal';
  const { target } = pending;
  const edit = new vscode.WorkspaceEdit();
  if (pending.currentText !== undefined) {
    const doc = await vscode.workspace.openTextDocument(target);
    if (doc.getText() !== pending.currentText) {
      void vscode.window.showWarningMessage(`Phantom: ${path.basename(target.fsPath)} changed since the proposal was made; learn again to get a proposal for the current text.`);
      return false;
    }
    const change = proposalChange(pending, choice);
    edit.replace(target, new vscode.Range(doc.positionAt(change.offset), doc.positionAt(change.offset + change.length)), change.text);
  } else {
    edit.createFile(target, { ignoreIfExists: true });
    edit.insert(target, new vscode.Position(0, 0), pending.result.minimalText);
  }
  if (pending.reference) await referenceFromProfile(edit, pending.reference.config, pending.reference.profile, pending.reference.file);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(`Phantom: could not apply the learned profile to ${target.fsPath}.`);
    return false;
  }
  ctx.log.info(`learn: applied ${choice === 'minimal' ? 'the minimal profile' : `the ${pending.result.missing.length} missing syscalls`} to ${target.fsPath} (unsaved, undoable)`);
  close(ctx);
  pending.settle(choice, true);
  await vscode.window.showTextDocument(target);
  return true;
}

export function discardProposal(ctx: Ctx): void {
  const pending = ctx.proposal;
  if (!pending) return;
  close(ctx);
  ctx.log.info(`learn: proposal for ${pending.target.fsPath} discarded`);
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

/**
 * Shows the proposal as a diff with the apply buttons in its title, and a non-modal notification with the same.
 * Resolves once it is on screen and ctx.proposal is set (so applyProposal can act on it at once).
 */
export async function showProposal(ctx: Ctx, content: ProposalContent, pending: Omit<PendingProposal, 'settle'>, question: string): Promise<ShownProposal> {
  // A newer proposal replaces an older one still on screen.
  ctx.proposal?.settle(undefined, false);
  const proposedUri = vscode.Uri.from({ scheme: LEARN_SCHEME, path: `${pending.target.path}.proposed` });
  content.set(proposedUri, pending.result.minimalText);
  const currentUri = pending.currentText !== undefined ? pending.target : vscode.Uri.from({ scheme: LEARN_SCHEME, path: `${pending.target.path}.empty` });
  if (pending.currentText === undefined) content.set(currentUri, '');
  await vscode.commands.executeCommand('vscode.diff', currentUri, proposedUri, `${path.basename(pending.target.fsPath)} ↔ learned from \`${pending.command}\``);
  let settle!: (value: { choice: LearnChoice | undefined; applied: boolean }) => void;
  const settled = new Promise<{ choice: LearnChoice | undefined; applied: boolean }>((resolve) => (settle = resolve));
  ctx.proposal = { ...pending, settle: (choice, applied) => settle({ choice, applied }) };
  ctx.setContext('phantom.learnProposalOpen', true);
  ctx.setContext('phantom.learnCanAddMissing', pending.currentText !== undefined && pending.result.missing.length > 0);
  ctx.setContext('phantom.hasLearned', true);
  const MINIMAL = 'Replace with Minimal';
  const MISSING = `Add Missing Only (${pending.result.missing.length})`;
  // Not modal: the diff stays readable; the same choices are in the diff editor's title.
  void vscode.window.showInformationMessage(question, MINIMAL, ...(pending.currentText !== undefined && pending.result.missing.length ? [MISSING] : [])).then((picked) => {
    if (ctx.proposal?.target.toString() !== pending.target.toString()) return;
    if (picked === MINIMAL) void applyProposal(ctx, 'minimal');
    else if (picked === MISSING) void applyProposal(ctx, 'addMissing');
  });
  return { settled };
}

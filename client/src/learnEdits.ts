/**
 * What applying a learn proposal changes, file by file, before it becomes ONE WorkspaceEdit (learnProposal.ts):
 * the seccomp profile (the minimal profile, or a precise "add missing" insertion), the Landlock profile (the
 * proposal: least privilege is its point, so it replaces the file; the diff showed every line), each created when it
 * did not exist. Pure (no `vscode`): texts in, offset-based changes out, so the composition is unit tested.
 */
import type { LearnLandlockResult, LearnProfileResult } from '../../runtime/src/protocol';
import { addRuleEdit, minimalEdit, type TextChange } from './profileEdits';

export type LearnChoice = 'minimal' | 'addMissing';

export interface SeccompPart {
  result: LearnProfileResult;
  format: 'json' | 'yaml';
  /** The profile's text when the proposal was made; undefined when the file did not exist. */
  currentText: string | undefined;
}

export interface LandlockPart {
  result: LearnLandlockResult;
  currentText: string | undefined;
}

/** One file's change: `create` a new file with `text`, or replace a range of the current text. */
export type FileChange<K extends string> = { file: K; create: true; text: string } | { file: K; create: false; change: TextChange };

/** The seccomp profile's edit for a choice: a precise insertion for add-missing, else the smallest replacement. */
export function seccompChange(part: SeccompPart, choice: LearnChoice, command: string): TextChange {
  const current = part.currentText ?? '';
  if (choice === 'addMissing' && part.currentText !== undefined) {
    const precise = addRuleEdit(current, part.format, { names: part.result.missing, comment: `Added by learn mode: used by \`${command}\` and not allowed before` });
    if (precise) return precise;
  }
  return minimalEdit(current, choice === 'minimal' ? part.result.minimalText : part.result.addMissingText);
}

/** Every file's change for a choice, in a fixed order (seccomp, then Landlock). */
export function proposalChanges(parts: { seccomp?: SeccompPart; landlock?: LandlockPart }, choice: LearnChoice, command: string): FileChange<'seccomp' | 'landlock'>[] {
  const out: FileChange<'seccomp' | 'landlock'>[] = [];
  const { seccomp, landlock } = parts;
  if (seccomp) {
    out.push(seccomp.currentText === undefined
      ? { file: 'seccomp', create: true, text: seccomp.result.minimalText }
      : { file: 'seccomp', create: false, change: seccompChange(seccomp, choice === 'addMissing' ? 'addMissing' : 'minimal', command) });
  }
  if (landlock) {
    out.push(landlock.currentText === undefined
      ? { file: 'landlock', create: true, text: landlock.result.text }
      : { file: 'landlock', create: false, change: minimalEdit(landlock.currentText, landlock.result.text) });
  }
  // A file the proposal leaves as it is needs no edit (and none that could conflict).
  return out.filter((c) => c.create || c.change.length > 0 || c.change.text !== '');
}

/** Why a proposal may not be applied: the replays of what was asked for. */
export function failedParts(parts: { seccomp?: SeccompPart; landlock?: LandlockPart }): string[] {
  const out: string[] = [];
  if (parts.seccomp?.result.status === 'failed') out.push(`seccomp: ${parts.seccomp.result.reason ?? 'the replay did not match'}`);
  if (parts.landlock?.result.status === 'failed') out.push(`Landlock: ${parts.landlock.result.reason ?? 'the replay did not match'}`);
  return out;
}

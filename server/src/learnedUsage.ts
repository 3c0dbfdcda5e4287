/**
 * Learn mode in the editor, server side. Pure apart from the small per-document store of what the last
 * learn run used (sent by the client after a run, learnedUsageNotification in protocol.ts).
 * - Code actions "Learn …": on a seccomp profile (the whole file), on a Landlock profile (Landlock, or seccomp and
 *   Landlock with the seccomp file beside it) and on a profile entry of phantom-fragment.yaml (seccomp, Landlock or
 *   both, learned from one recording in the profile's own sandbox); they run the client's command
 *   `phantom.learnSeccompProfile` with LearnCommandArgs (`learn` says which proposals).
 * - Information diagnostics on allowed syscalls the last learn run never used, each with a quick fix to drop it.
 */
import { CodeActionKind, type CodeAction, type Range } from 'vscode-languageserver-types';
import { readConfig, effectivePolicy, type ParsedDocument, DiagnosticSeverity, finding, type PlainDiagnostic, removeArrayItem, childAt, pathAtOffset } from '../../model';
import type { LearnedUsageParams } from './protocol';

/** The client command the code actions run (package.json declares it). */
export const LEARN_COMMAND = 'phantom.learnSeccompProfile';
export const LEARN_ACTION_KIND = `${CodeActionKind.Refactor}.phantom.learn`;

/** Arguments of `phantom.learnSeccompProfile` (the client imports this type). */
export interface LearnCommandArgs {
  /** The document the action was offered on (a seccomp profile, or phantom-fragment.yaml). */
  uri: string;
  /** phantom-fragment.yaml: the profile entry. */
  profile?: string;
  /** The command to learn from: the profile's `run`, when it has one. */
  run?: string[];
  /** phantom-fragment.yaml: the profile's seccomp file, relative to the configuration's folder. */
  seccompFile?: string;
  /** phantom-fragment.yaml: the profile's Landlock file, relative to the configuration's folder. */
  landlockFile?: string;
  /** A Landlock profile: the seccomp file learned with it (its sibling `<name>.seccomp.json`), as a file URI. */
  seccompUri?: string;
  /** Which proposals to make from the one recording (default ['seccomp']). */
  learn?: ('seccomp' | 'landlock')[];
}

const KIND_TITLES = [
  { learn: ['seccomp'], title: 'Learn seccomp profile' },
  { learn: ['landlock'], title: 'Learn Landlock profile' },
  { learn: ['seccomp', 'landlock'], title: 'Learn seccomp and Landlock profiles' },
] as const;

function action(title: string, args: LearnCommandArgs): CodeAction {
  return { title, kind: LEARN_ACTION_KIND, command: { title, command: LEARN_COMMAND, arguments: [args] } };
}

/** `<dir>/<name>.landlock.<ext>` → `<dir>/<name>.seccomp.json` (a Landlock file's seccomp companion). */
export function seccompBeside(landlockUri: string): string {
  return landlockUri.replace(/\.landlock\.(json|ya?ml|toml)$/i, '.seccomp.json');
}

const learned = new Map<string, LearnedUsageParams>();

export function setLearnedUsage(params: LearnedUsageParams): void {
  if (params.names.length === 0 && params.runs === 0) learned.delete(params.uri);
  else learned.set(params.uri, { ...params, names: [...params.names] });
}

export function learnedUsageOf(uri: string): LearnedUsageParams | undefined {
  return learned.get(uri);
}

/** Allowed syscalls of a seccomp profile that the last learn run (if any) never used. */
export function learnedUsageDiagnostics(doc: ParsedDocument, usage = learned.get(doc.document.uri)): PlainDiagnostic[] {
  if (!usage || doc.format.kind !== 'seccomp' || !doc.parsed.root) return [];
  const used = new Set(usage.names);
  const rules = childAt(doc.parsed.root, 'syscalls');
  const out: PlainDiagnostic[] = [];
  for (const rule of rules?.children ?? []) {
    const action = childAt(rule, 'action')?.value;
    if (action !== 'SCMP_ACT_ALLOW') continue;
    const names = childAt(rule, 'names');
    (names?.children ?? []).forEach((item, index) => {
      if (typeof item.value !== 'string' || used.has(item.value)) return;
      const edit = removeArrayItem(doc, names!, index);
      out.push(
        finding(doc, item.start, item.end, DiagnosticSeverity.Information, 'learn-unused',
          `'${item.value}' was never used by the last learn run (${usage.command}, ${usage.runs} run${usage.runs === 1 ? '' : 's'}): it may not be needed`,
          edit ? [{ title: `Drop '${item.value}' (never used by the last learn run)`, edits: [edit] }] : []),
      );
    });
  }
  return out;
}

/** "Learn seccomp profile" where it applies: anywhere in a seccomp profile; on a profile entry of phantom-fragment.yaml. */
export function learnCodeActions(doc: ParsedDocument, range: Range): CodeAction[] {
  const uri = doc.document.uri;
  if (doc.format.kind === 'seccomp') return [action('Learn seccomp profile', { uri })];
  if (doc.format.kind === 'landlock') {
    const seccompUri = seccompBeside(uri);
    const beside = seccompUri.split('/').pop();
    return [
      action('Learn Landlock profile', { uri, learn: ['landlock'] }),
      action(`Learn seccomp and Landlock profiles (seccomp into ${beside})`, { uri, seccompUri, learn: ['seccomp', 'landlock'] }),
    ];
  }
  if (doc.format.kind !== 'config' || !doc.parsed.root) return [];
  const { path } = pathAtOffset(doc.parsed.root, doc.document.offsetAt(range.start));
  if (path[0] !== 'profiles' || typeof path[1] !== 'string') return [];
  const profile = path[1];
  const policy = effectivePolicy(readConfig(doc.value()), profile);
  if (!policy) return [];
  const args: LearnCommandArgs = { uri, profile };
  if (policy.run?.length) args.run = policy.run;
  if (policy.seccomp && 'file' in policy.seccomp) args.seccompFile = policy.seccomp.file;
  if (policy.landlock.base && 'file' in policy.landlock.base) args.landlockFile = policy.landlock.base.file;
  const from = policy.run?.length ? ` from \`${policy.run.join(' ')}\`` : '';
  // An inline policy under `seccomp:`/`landlock:` is not a file a proposal could replace: that kind is not offered.
  const inline = (kind: 'seccomp' | 'landlock') => (kind === 'seccomp' ? policy.seccomp && !args.seccompFile : policy.landlock.base && !args.landlockFile);
  return KIND_TITLES.filter((k) => !k.learn.some(inline)).map((k) => action(`${k.title} for '${profile}'${from}`, { ...args, learn: [...k.learn] }));
}

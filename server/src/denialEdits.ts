/**
 * A denial's fix (the runtime's structured `edit`, RunDenialEdit in protocol.ts) as text edits on the file as it is
 * now: add the syscall to a seccomp allow rule (or a new rule), a fragment / filesystem path / network mode to a
 * profile of phantom-fragment.yaml, a pathBeneath rule to a Landlock file (JSON, YAML, TOML). Pure: the same
 * function tells whether the fix is already in the text ('applied'), which retires the denial's diagnostic.
 */
import type { TextEdit } from 'vscode-languageserver-types';
import type { ParsedDocument } from '../../model';
import type { RunDenialEdit } from './protocol';
import { textEdit } from '../../model';
import { appendArrayItem, insertArrayItemsAfter, insertTopLevel, replaceScalar, scalarLike } from '../../model';
import { childAt, nodeAtPath, type SourceNode } from '../../model';

export type DenialEditResult = { title: string; edits: TextEdit[] } | 'applied' | undefined;

/** The document kind each fix edits: a fix naming a file of another kind is not offered. */
export const EDIT_KIND: Record<RunDenialEdit['kind'], 'seccomp' | 'config' | 'landlock'> = {
  seccompAllow: 'seccomp',
  addFragment: 'config',
  filesystemPath: 'config',
  network: 'config',
  landlockPath: 'landlock',
};

const SYSCALL = /^[a-z0-9_]{1,64}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const RIGHT = /^[a-z_.]{1,32}$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A path from the sandbox (it chose what to open) goes into a profile only if it is plain: absolute, no control or
 * invisible formatting characters, no lone surrogates. Anything else gets the fix in words only.
 */
export function plainPath(p: string): boolean {
  // eslint-disable-next-line no-control-regex
  return p.startsWith('/') && p.length <= 4096 && !/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/.test(p) && !LONE_SURROGATE.test(p);
}

/** The fix as one set of text edits on `doc` (the file the edit names), 'applied' when already there. */
export function denialEdit(doc: ParsedDocument, edit: RunDenialEdit): DenialEditResult {
  if (doc.format.kind !== EDIT_KIND[edit.kind] || !doc.parsed.root || doc.parsed.root.type !== 'object') return undefined;
  switch (edit.kind) {
    case 'seccompAllow':
      return SYSCALL.test(edit.syscall) ? seccompAllow(doc, doc.parsed.root, edit.syscall, edit.line) : undefined;
    case 'addFragment':
      return NAME.test(edit.fragment) ? addToProfileList(doc, edit.profile, ['fragments'], edit.fragment, `Add fragment \`${edit.fragment}\` to profile '${edit.profile}'`) : undefined;
    case 'filesystemPath':
      return plainPath(edit.path) && (edit.list === 'readOnly' || edit.list === 'readWrite')
        ? addToProfileList(doc, edit.profile, ['filesystem', edit.list], edit.path, `Add ${JSON.stringify(edit.path)} to filesystem.${edit.list} of profile '${edit.profile}'`)
        : undefined;
    case 'network':
      return ['none', 'loopback', 'host'].includes(edit.mode) ? setNetwork(doc, edit.profile, edit.mode) : undefined;
    case 'landlockPath':
      return plainPath(edit.path) && edit.access.length > 0 && edit.access.every((a) => RIGHT.test(a)) ? landlockPath(doc, doc.parsed.root, edit.path, edit.access) : undefined;
  }
}

function lineOf(doc: ParsedDocument, offset: number): number {
  return doc.document.positionAt(offset).line + 1;
}

function strings(node: SourceNode | undefined): string[] {
  return (node?.type === 'array' ? node.children ?? [] : []).flatMap((c) => (typeof c.value === 'string' ? [c.value] : []));
}

/** An allow rule without conditions: what the runtime's fix "add X to the rule at line N" means. */
function plainAllow(rule: SourceNode): boolean {
  return childAt(rule, 'action')?.value === 'SCMP_ACT_ALLOW' && !childAt(rule, 'args') && !childAt(rule, 'includes') && !childAt(rule, 'excludes') && childAt(rule, 'names')?.type === 'array';
}

function seccompAllow(doc: ParsedDocument, root: SourceNode, syscall: string, line: number | undefined): DenialEditResult {
  const syscalls = childAt(root, 'syscalls');
  const rules = syscalls?.type === 'array' ? (syscalls.children ?? []).filter((r) => r.type === 'object') : [];
  if (rules.some((r) => plainAllow(r) && strings(childAt(r, 'names')).includes(syscall))) return 'applied';
  const q = (s: string) => scalarLike('', s, doc.format.syntax);
  const newRule = { json: `{ "names": [${JSON.stringify(syscall)}], "action": "SCMP_ACT_ALLOW" }`, yaml: `{ names: [${q(syscall)}], action: SCMP_ACT_ALLOW }` };
  const target = rules.find((r) => plainAllow(r) && lineOf(doc, r.keyStart ?? r.start) === line) ?? rules.find(plainAllow);
  if (target) {
    const names = childAt(target, 'names')!;
    const edit = insertSorted(doc, names, syscall);
    return edit && { title: `Allow \`${syscall}\`: add it to the rule at line ${lineOf(doc, target.start)}`, edits: [edit] };
  }
  const title = `Allow \`${syscall}\`: add an allow rule for it`;
  if (syscalls?.type === 'array' && (syscalls.children?.length ?? 0) > 0) {
    const edit = appendArrayItem(doc, syscalls, newRule);
    return edit && { title, edits: [edit] };
  }
  if (syscalls?.type === 'array') return { title, edits: [replaceNode(doc, syscalls, doc.format.syntax === 'json' ? `[${newRule.json}]` : `[${newRule.yaml}]`)] };
  const edit = insertTopLevel(doc, { json: `"syscalls": [${newRule.json}]`, yaml: `syscalls:\n  - ${newRule.yaml}`, toml: '' });
  return edit && { title, edits: [edit] };
}

function replaceNode(doc: ParsedDocument, node: SourceNode, text: string): TextEdit {
  return textEdit(doc, node.start, node.end, text);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Inserts a scalar into an array of scalars: at its sorted place when the array is sorted, else at the end. */
export function insertSorted(doc: ParsedDocument, array: SourceNode, value: string): TextEdit | undefined {
  const items = array.children ?? [];
  if (items.length === 0) return replaceNode(doc, array, `[${scalarLike('', value, doc.format.syntax)}]`);
  const values = items.map((i) => (typeof i.value === 'string' ? i.value : ''));
  const sorted = values.every((v, i) => i === 0 || values[i - 1] <= v);
  if (!sorted || value > values[0]) {
    const after = sorted ? values.filter((v) => v <= value).length - 1 : items.length - 1;
    return insertArrayItemsAfter(doc, array, after, [value]);
  }
  // Before the first item, in the array's own style.
  const first = items[0];
  const text = doc.text;
  const scalar = scalarLike(text.slice(first.start, first.end), value, doc.format.syntax);
  if (text[array.start] === '[') {
    const between = text.slice(first.end, items[1]?.start ?? first.end);
    return textEdit(doc, first.start, first.start, /\n/.test(between) ? `${scalar},\n${' '.repeat(first.start - lineStart(text, first.start))}` : `${scalar}, `);
  }
  const dash = text.lastIndexOf('-', first.start);
  const from = lineStart(text, dash);
  const indent = text.slice(from, dash);
  if (indent.trim() !== '') return undefined;
  return textEdit(doc, from, from, `${indent}- ${scalar}\n`);
}

/** Adds `key: value` (value written as YAML/JSON text) to a mapping, in its own style. */
export function insertMember(doc: ParsedDocument, mapping: SourceNode, key: string, value: string): TextEdit | undefined {
  const text = doc.text;
  const members = mapping.children ?? [];
  const last = members[members.length - 1];
  const keyText = doc.format.syntax === 'json' ? JSON.stringify(key) : key;
  if (text[mapping.start] === '{') {
    if (!last) return textEdit(doc, mapping.start + 1, mapping.start + 1, ` ${keyText}: ${value} `);
    const previousEnd = members[members.length - 2]?.end ?? mapping.start + 1;
    const between = text.slice(previousEnd, last.keyStart ?? last.start);
    const separator = /\n/.test(between) ? `,\n${text.slice(lineStart(text, last.keyStart ?? last.start), last.keyStart ?? last.start)}` : ', ';
    return textEdit(doc, last.end, last.end, `${separator}${keyText}: ${value}`);
  }
  if (!last || last.keyStart === undefined) return undefined;
  const indent = text.slice(lineStart(text, last.keyStart), last.keyStart);
  if (indent.trim() !== '') return undefined;
  const end = text.indexOf('\n', Math.max(last.keyStart, last.end - 1));
  const at = end < 0 ? text.length : end + 1;
  return textEdit(doc, at, at, `${end < 0 ? '\n' : ''}${indent}${keyText}: ${value}\n`);
}

function profileNode(doc: ParsedDocument, profile: string): SourceNode | undefined {
  const found = nodeAtPath(doc.parsed.root, ['profiles', profile]);
  return found?.exact && found.node.type === 'object' ? found.node : undefined;
}

/** Adds `value` to the list at `keys` under a profile (`fragments`, `filesystem.readOnly` …), making what is missing. */
function addToProfileList(doc: ParsedDocument, profile: string, keys: string[], value: string, title: string): DenialEditResult {
  let node = profileNode(doc, profile);
  if (!node) return undefined;
  const q = (s: string) => scalarLike('', s, doc.format.syntax);
  for (let i = 0; i < keys.length; i++) {
    const next = childAt(node, keys[i]);
    if (!next) {
      // What is missing, written as flow collections: `filesystem: { readOnly: ["/srv"] }`.
      const rest = keys.slice(i + 1).reduceRight((inner, key) => `{ ${key}: ${inner} }`, `[${q(value)}]`);
      const edit = insertMember(doc, node, keys[i], rest);
      return edit && { title, edits: [edit] };
    }
    if (i === keys.length - 1) {
      if (next.type !== 'array') return undefined;
      if (strings(next).includes(value)) return 'applied';
      const edit = insertArrayItemsAfter(doc, next, (next.children?.length ?? 0) - 1, [value]) ?? (next.children?.length ? undefined : replaceNode(doc, next, `[${q(value)}]`));
      return edit && { title, edits: [edit] };
    }
    if (next.type !== 'object') return undefined;
    node = next;
  }
  return undefined;
}

function setNetwork(doc: ParsedDocument, profile: string, mode: string): DenialEditResult {
  const node = profileNode(doc, profile);
  if (!node) return undefined;
  const title = `Set network: ${mode} in profile '${profile}'`;
  const current = childAt(node, 'network');
  if (current?.value === mode) return 'applied';
  const edit = current ? replaceScalar(doc, current, mode) : insertMember(doc, node, 'network', mode);
  return edit && { title, edits: [edit] };
}

function landlockPath(doc: ParsedDocument, root: SourceNode, path: string, access: string[]): DenialEditResult {
  const toml = doc.format.syntax === 'toml';
  const k = (camel: string) => (toml ? camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : camel);
  const rulesNode = childAt(root, k('pathBeneath'));
  const rules = rulesNode?.type === 'array' ? (rulesNode.children ?? []).filter((r) => r.type === 'object') : [];
  const covering = rules.filter((r) => strings(childAt(r, 'parent')).includes(path));
  const granted = new Set(covering.flatMap((r) => strings(childAt(r, k('allowedAccess')))));
  if (granted.has('abi.all') || access.every((a) => granted.has(a))) return 'applied';
  const title = `Allow ${access.join(', ')} on ${JSON.stringify(path)}: a pathBeneath rule in this Landlock file`;
  // A rule for exactly this path gets the missing rights; otherwise a new rule.
  const own = covering.find((r) => strings(childAt(r, 'parent')).length === 1 && childAt(r, k('allowedAccess'))?.type === 'array');
  if (own) {
    const list = childAt(own, k('allowedAccess'))!;
    const missing = access.filter((a) => !granted.has(a));
    const edit = list.children?.length ? insertArrayItemsAfter(doc, list, list.children.length - 1, missing) : undefined;
    return edit && { title, edits: [edit] };
  }
  const q = (s: string) => JSON.stringify(s);
  const rights = access.map(q).join(', ');
  if (toml) {
    const text = doc.text;
    const prefix = text.length === 0 || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    return { title, edits: [textEdit(doc, text.length, text.length, `${prefix}[[path_beneath]]\nallowed_access = [${rights}]\nparent = [${q(path)}]\n`)] };
  }
  const entry = { json: `{ "allowedAccess": [${rights}], "parent": [${q(path)}] }`, yaml: `{ allowedAccess: [${rights}], parent: [${q(path)}] }` };
  if (rulesNode?.type === 'array' && (rulesNode.children?.length ?? 0) > 0) {
    const edit = appendArrayItem(doc, rulesNode, entry);
    return edit && { title, edits: [edit] };
  }
  if (rulesNode?.type === 'array') return { title, edits: [replaceNode(doc, rulesNode, `[${doc.format.syntax === 'json' ? entry.json : entry.yaml}]`)] };
  const edit = insertTopLevel(doc, { json: `"pathBeneath": [${entry.json}]`, yaml: `pathBeneath:\n  - ${entry.yaml}`, toml: '' });
  return edit && { title, edits: [edit] };
}

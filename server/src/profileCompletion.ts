/**
 * Completion from the domain tables: syscall names of the profile's architectures inside `names`,
 * architectures, Landlock rights and groups inside the rights lists, `${variables}` in parent paths, and a
 * snippet for a new seccomp rule. Filtered by the typed prefix here, so the list the client gets is short.
 * Pure; undefined when the cursor is not in one of these places (the schema completion then answers).
 */
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type CompletionList } from 'vscode-languageserver-types';
import { cursorContext, type CursorContext } from './listContext';
import { expandGroup, GROUPS, groupsFor, rightsOf, type RightKind, type ParsedDocument, profileArchitectures, TABLE_ARCHITECTURES, syscallInfo, syscallNamesOn } from '../../model';

/** More items than this are cut (the list is then marked incomplete, so the client asks again as the user types). */
const MAX_ITEMS = 500;

export function profileCompletions(doc: ParsedDocument, offset: number): CompletionList | undefined {
  const text = doc.text;
  const variable = /\$\{([A-Za-z0-9_]*)$/.exec(text.slice(Math.max(0, offset - 100), offset));
  if (doc.format.kind === 'landlock' && variable) return variableItems(doc, offset, variable[1]);
  const cursor = cursorContext(text, offset, doc.format.syntax);
  if (!cursor.key) return undefined;
  const words = candidates(doc, cursor, offset);
  if (!words) return undefined;
  return toList(doc, cursor, offset, words);
}

interface Candidate {
  label: string;
  kind: CompletionItemKind;
  detail?: string;
  documentation?: string;
  snippet?: string;
}

function candidates(doc: ParsedDocument, cursor: CursorContext, offset: number): Candidate[] | undefined {
  const key = cursor.key!;
  if (doc.format.kind === 'seccomp') {
    if ((key === 'names' && cursor.inList) || (key === 'name' && !cursor.inList)) return syscallCandidates(doc);
    if ((key === 'architectures' || key === 'subArchitectures') === cursor.inList && /^(architectures|subArchitectures|architecture)$/.test(key)) {
      return TABLE_ARCHITECTURES.map((a) => ({ label: a, kind: CompletionItemKind.EnumMember }));
    }
    if (key === 'syscalls' && cursor.inList && cursor.prefix === '') return [ruleSnippet(doc)];
    return undefined;
  }
  if (doc.format.kind === 'landlock' && cursor.inList) {
    const kind = rightKind(doc.text, offset, key);
    return kind ? rightCandidates(doc, kind) : undefined;
  }
  return undefined;
}

function syscallCandidates(doc: ParsedDocument): Candidate[] {
  const arches = profileArchitectures(doc);
  const key = `completion.syscalls:${arches.join(',')}`;
  let list = doc.memo.get(key) as Candidate[] | undefined;
  if (!list) {
    list = syscallNamesOn(arches).map((name) => {
      const info = syscallInfo(name)!;
      return {
        label: name,
        kind: CompletionItemKind.Function,
        detail: info.desc,
        documentation: info.sig ? `\`\`\`c\n${info.sig}\n\`\`\`` : undefined,
      };
    });
    doc.memo.set(key, list);
  }
  return list;
}

function rightKind(text: string, offset: number, key: string): RightKind | undefined {
  if (key === 'handledAccessFs' || key === 'handled_access_fs') return 'fs';
  if (key === 'handledAccessNet' || key === 'handled_access_net') return 'net';
  if (key === 'scoped') return 'scope';
  if (key !== 'allowedAccess' && key !== 'allowed_access') return undefined;
  // An allowedAccess belongs to the nearest rule list above it: pathBeneath (filesystem) or netPort (TCP).
  const before = text.slice(0, offset);
  const path = Math.max(before.lastIndexOf('pathBeneath'), before.lastIndexOf('path_beneath'));
  const port = Math.max(before.lastIndexOf('netPort'), before.lastIndexOf('net_port'));
  return port > path ? 'net' : 'fs';
}

function rightCandidates(doc: ParsedDocument, kind: RightKind): Candidate[] {
  const value = doc.value();
  const abi = value && typeof value === 'object' && !Array.isArray(value) && typeof value.abi === 'number' ? value.abi : undefined;
  const rights: Candidate[] = rightsOf(kind).map((r) => ({
    label: r.name,
    kind: CompletionItemKind.EnumMember,
    detail: `ABI ${r.abi} (Linux ${r.kernel})${abi !== undefined && r.abi > abi ? ` — above abi ${abi}` : ''}`,
    documentation: r.description,
  }));
  const groups: Candidate[] = groupsFor(kind).map((g) => ({
    label: g,
    kind: CompletionItemKind.Constant,
    detail: abi === undefined ? 'group — needs abi' : `group: ${expandGroup(g, kind, abi).length} rights of ABI ${abi}`,
    documentation: `${GROUPS[g].description}${abi !== undefined ? `\n\nAt abi ${abi}: ${expandGroup(g, kind, abi).join(', ') || 'nothing'}.` : ''}`,
  }));
  return [...groups, ...rights];
}

function ruleSnippet(doc: ParsedDocument): Candidate {
  const actions = 'SCMP_ACT_ALLOW,SCMP_ACT_ERRNO,SCMP_ACT_KILL_PROCESS,SCMP_ACT_LOG,SCMP_ACT_TRACE,SCMP_ACT_TRAP,SCMP_ACT_NOTIFY';
  const snippet =
    doc.format.syntax === 'json'
      ? `{ "names": ["\${1:read}"], "action": "\${2|${actions}|}", "comment": "\${3:why this is allowed}" }`
      : `names: [\${1:read}]\n  action: \${2|${actions}|}\n  comment: \${3:why this is allowed}`;
  return { label: 'new rule', kind: CompletionItemKind.Snippet, detail: 'seccomp rule: names, action, comment', snippet };
}

function variableItems(doc: ParsedDocument, offset: number, prefix: string): CompletionList {
  const value = doc.value();
  const variables = value && typeof value === 'object' && !Array.isArray(value) && Array.isArray(value.variable) ? value.variable : [];
  const names = new Set<string>();
  for (const v of variables) if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.name === 'string') names.add(v.name);
  const start = doc.document.positionAt(offset - prefix.length);
  const end = doc.document.positionAt(offset);
  const closed = doc.text[offset] === '}';
  const items: CompletionItem[] = [...names]
    .filter((n) => n.startsWith(prefix))
    .map((n) => ({ label: n, kind: CompletionItemKind.Variable, textEdit: { range: { start, end }, newText: closed ? n : `${n}}` } }));
  return { isIncomplete: false, items };
}

function toList(doc: ParsedDocument, cursor: CursorContext, offset: number, words: Candidate[]): CompletionList {
  const prefix = cursor.prefix.toLowerCase();
  const starts = words.filter((w) => w.label.toLowerCase().startsWith(prefix));
  const contains = prefix ? words.filter((w) => !w.label.toLowerCase().startsWith(prefix) && w.label.toLowerCase().includes(prefix)) : [];
  const matched = [...starts, ...contains];
  const text = doc.text;
  let end = offset;
  while (end < text.length && /[\w.-]/.test(text[end])) end++;
  // JSON and TOML need quotes around a value typed without them.
  const quote = !cursor.quoted && doc.format.syntax !== 'yaml' ? '"' : '';
  const range = { start: doc.document.positionAt(cursor.prefixStart), end: doc.document.positionAt(end) };
  const items = matched.slice(0, MAX_ITEMS).map((w, i): CompletionItem => {
    const item: CompletionItem = { label: w.label, kind: w.kind, detail: w.detail, sortText: String(i).padStart(4, '0') };
    if (w.documentation) item.documentation = { kind: MarkupKind.Markdown, value: w.documentation };
    if (w.snippet) {
      item.insertTextFormat = InsertTextFormat.Snippet;
      item.textEdit = { range, newText: w.snippet };
    } else {
      item.textEdit = { range, newText: `${quote}${w.label}${quote}` };
    }
    return item;
  });
  return { isIncomplete: matched.length > MAX_ITEMS, items };
}


/**
 * Learn mode's Landlock side in the editor, server side: information diagnostics on the rights of a Landlock
 * profile that the last learn run never used, each with a quick fix to drop it — as learnedUsage.ts does for the
 * syscalls of a seccomp profile. Pure apart from the small per-document store of what the last learn run used
 * (sent by the client after a run, learnedRightsNotification in protocol.ts; replaced by the next learn run).
 *
 * "Used by a rule" means: some recorded access beneath one of the rule's parents (the parent itself or a path under
 * it) needed that right. Parents are resolved as the runtime compiles them (landlockCompiler.ts): variables expand
 * to their literals, `$$` is a `$`, relative parents are taken from the folder the learn run ran in. A rule whose
 * parents cannot be resolved (an undefined variable: validation reports it) gets no finding. A group (`abi.*`) is
 * reported when none of its rights was used; when only some were, the fix replaces it with those.
 */
import path from 'node:path';
import { expandGroup, isGroup, landlockKey, MAX_KNOWN_ABI } from '../../model';
import type { ParsedDocument } from '../../model';
import type { LearnedRightsParams } from './protocol';
import type { TextEdit } from 'vscode-languageserver-types';
import { DiagnosticSeverity, finding, type PlainDiagnostic, type QuickFix } from '../../model';
import { insertArrayItemsAfter, removeArrayItem, replaceScalar } from '../../model';
import { childAt, type SourceNode } from '../../model';

const learned = new Map<string, LearnedRightsParams>();

export function setLearnedRights(params: LearnedRightsParams): void {
  if (params.runs === 0) learned.delete(params.uri);
  else learned.set(params.uri, params);
}

export function learnedRightsOf(uri: string): LearnedRightsParams | undefined {
  return learned.get(uri);
}

function strings(node: SourceNode | undefined): SourceNode[] {
  return node?.type === 'array' ? (node.children ?? []).filter((c) => c.type === 'string' && typeof c.value === 'string') : [];
}

function objects(node: SourceNode | undefined): SourceNode[] {
  return node?.type === 'array' ? (node.children ?? []).filter((c) => c.type === 'object') : [];
}

/** "${name}" → each literal; "$$" → "$"; undefined when a variable is not defined. */
function expand(text: string, vars: Map<string, string[]>): string[] | undefined {
  const m = /\$\{([A-Za-z][A-Za-z0-9_]*)\}|\$\$/.exec(text);
  if (!m) return [text];
  const head = text.slice(0, m.index);
  const tail = expand(text.slice(m.index + m[0].length), vars);
  if (!tail) return undefined;
  if (m[0] === '$$') return tail.map((t) => `${head}$${t}`);
  const values = vars.get(m[1]);
  return values ? values.flatMap((v) => tail.map((t) => head + v + t)) : undefined;
}

function beneath(p: string, parent: string): boolean {
  return parent === '/' || p === parent || p.startsWith(`${parent}/`);
}

function runsText(usage: LearnedRightsParams): string {
  return `${usage.command}, ${usage.runs} run${usage.runs === 1 ? '' : 's'}`;
}

/** The finding for one written right or group, given the rights the rule's accesses used. */
interface RuleContext {
  list: SourceNode;
  used: Set<string>;
  where: string;
  usage: LearnedRightsParams;
  abi: number;
  kind: 'fs' | 'net';
  /** Removes the whole rule (when its only right goes), if it is not the last one. */
  dropRule: () => TextEdit | undefined;
}

function dropEdit(doc: ParsedDocument, c: RuleContext, index: number): { title: string; edit: TextEdit } | undefined {
  const edit = removeArrayItem(doc, c.list, index);
  if (edit) return { title: 'right', edit };
  const rule = c.list.children!.length === 1 ? c.dropRule() : undefined;
  return rule ? { title: 'rule', edit: rule } : undefined;
}

function rightFinding(doc: ParsedDocument, c: RuleContext, index: number): PlainDiagnostic | undefined {
  const { list, used, where, usage, abi, kind } = c;
  const item = list.children![index];
  const name = item.value as string;
  const rights = isGroup(name) ? expandGroup(name, kind, abi) : [name];
  const usedHere = rights.filter((r) => used.has(r));
  if (usedHere.length === rights.length) return undefined;
  const fixes: QuickFix[] = [];
  if (usedHere.length === 0) {
    const drop = dropEdit(doc, c, index);
    if (drop) fixes.push({ title: drop.title === 'rule' ? `Drop the rule on ${where} (nothing beneath it was used by the last learn run)` : `Drop '${name}' (never used by the last learn run)`, edits: [drop.edit] });
    return finding(doc, item.start, item.end, DiagnosticSeverity.Information, 'learn-unused-right',
      `'${name}' on ${where} was never used by the last learn run (${runsText(usage)}): it may not be needed`, fixes);
  }
  // A group of which only some rights were used: the fix names those instead.
  const others = list.children!.map((c) => c.value);
  const wanted = usedHere.filter((r) => !others.includes(r));
  const first = replaceScalar(doc, item, wanted[0] ?? name);
  const rest = wanted.length > 1 ? insertArrayItemsAfter(doc, list, index, wanted.slice(1)) : undefined;
  if (wanted.length === 0) {
    const drop = dropEdit(doc, c, index);
    if (drop) fixes.push({ title: `Drop '${name}' (the rights it adds were never used)`, edits: [drop.edit] });
  } else if (wanted.length === 1 || rest) {
    fixes.push({ title: `Replace '${name}' with ${wanted.join(', ')} (the rights the last learn run used)`, edits: [first, ...(rest ? [rest] : [])] });
  }
  const unused = rights.filter((r) => !used.has(r));
  return finding(doc, item.start, item.end, DiagnosticSeverity.Information, 'learn-unused-right',
    `'${name}' on ${where}: the last learn run (${runsText(usage)}) used only ${usedHere.join(', ')} of it; never ${unused.join(', ')}`, fixes);
}

/** Rights of a Landlock profile's rules that the last learn run (if any) never used. */
export function learnedRightsDiagnostics(doc: ParsedDocument, usage = learned.get(doc.document.uri)): PlainDiagnostic[] {
  const root = doc.parsed.root;
  if (!usage || doc.format.kind !== 'landlock' || !root || root.type !== 'object') return [];
  const key = (camel: string) => landlockKey(camel, doc.format.syntax === 'toml');
  const abiNode = childAt(root, 'abi');
  const abi = typeof abiNode?.value === 'number' ? abiNode.value : MAX_KNOWN_ABI;
  const vars = new Map<string, string[]>();
  for (const v of objects(childAt(root, 'variable'))) {
    const name = childAt(v, 'name')?.value;
    if (typeof name === 'string') vars.set(name, [...(vars.get(name) ?? []), ...strings(childAt(v, 'literal')).map((l) => l.value as string)]);
  }
  const out: PlainDiagnostic[] = [];
  const pathRules = childAt(root, key('pathBeneath'));
  const portRules = childAt(root, key('netPort'));
  const dropper = (rules: SourceNode | undefined, rule: SourceNode) => () => {
    // TOML's [[path_beneath]] tables are not an array removeArrayItem knows how to cut.
    if (doc.format.syntax === 'toml') return undefined;
    const i = rules?.children?.indexOf(rule) ?? -1;
    return rules && i >= 0 ? removeArrayItem(doc, rules, i) : undefined;
  };
  for (const rule of objects(pathRules)) {
    const list = childAt(rule, key('allowedAccess'));
    const parents = strings(childAt(rule, 'parent')).map((p) => p.value as string);
    const resolved = parents.map((p) => expand(p, vars));
    if (!list || list.type !== 'array' || parents.length === 0 || resolved.some((r) => r === undefined)) continue;
    const dirs = resolved.flat().map((p) => path.posix.resolve(usage.workspace, p!));
    const used = new Set<string>();
    for (const [p, rights] of Object.entries(usage.paths)) if (dirs.some((d) => beneath(p, d))) for (const r of rights) used.add(r);
    const where = parents.length === 1 ? parents[0] : `${parents[0]} (and ${parents.length - 1} more)`;
    (list.children ?? []).forEach((item, index) => {
      if (item.type !== 'string' || typeof item.value !== 'string') return;
      const d = rightFinding(doc, { list, used, where, usage, abi, kind: 'fs', dropRule: dropper(pathRules, rule) }, index);
      if (d) out.push(d);
    });
  }
  for (const rule of objects(portRules)) {
    const list = childAt(rule, key('allowedAccess'));
    const portNode = childAt(rule, 'port');
    const ports = portNode?.type === 'array' ? (portNode.children ?? []).map((p) => p.value) : [portNode?.value];
    if (!list || list.type !== 'array' || ports.some((p) => typeof p !== 'number')) continue;
    const used = new Set<string>();
    for (const p of ports) for (const r of usage.ports[String(p)] ?? []) used.add(r);
    const where = `port ${ports.join(', ')}`;
    (list.children ?? []).forEach((item, index) => {
      if (item.type !== 'string' || typeof item.value !== 'string') return;
      const d = rightFinding(doc, { list, used, where, usage, abi, kind: 'net', dropRule: dropper(portRules, rule) }, index);
      if (d) out.push(d);
    });
  }
  return out;
}

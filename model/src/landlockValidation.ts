/**
 * Semantic checks of a Landlock profile (landlockconfig model): rights above the declared or the running
 * kernel's ABI, groups without `abi`, handled-but-never-allowed and allowed-but-not-handled rights,
 * variables (undefined, unused), and parent paths on this machine (missing, directory rights on a file).
 * Pure: (parsed document, context) => Diagnostic[]; the filesystem is reached only through the context.
 */
import { expandGroup, isGroup, kernelOfAbi, landlockKey, MAX_KNOWN_ABI, rightInfo, type RightKind } from './landlockTable';
import type { ParsedDocument } from './parsedDocument';
import { DiagnosticSeverity, finding, type PlainDiagnostic as Diagnostic, textEdit, type QuickFix } from './quickFix';
import { appendArrayItem, insertTopLevel, replaceScalar } from './sourceEdits';
import { childAt, type SourceNode } from './sourceTree';
import type { ValidationContext } from './validationContext';

/** A right or group written in one of the profile's lists. */
interface Written {
  node: SourceNode;
  name: string;
  kind: RightKind;
  /** Where it was written: a ruleset (handled) or a rule (allowed). */
  role: 'handled' | 'allowed';
  /** The rule (pathBeneath / netPort entry) for allowed rights. */
  rule?: SourceNode;
}

export function validateLandlock(doc: ParsedDocument, context: ValidationContext = {}): Diagnostic[] {
  const root = doc.parsed.root;
  if (!root || root.type !== 'object') return [];
  const toml = doc.format.syntax === 'toml';
  const key = (camel: string) => landlockKey(camel, toml);
  const out: Diagnostic[] = [];
  const abiNode = childAt(root, 'abi');
  const abi = abiNode?.type === 'number' && typeof abiNode.value === 'number' ? abiNode.value : undefined;

  const written: Written[] = [];
  const collect = (list: SourceNode | undefined, kind: RightKind, role: Written['role'], rule?: SourceNode) => {
    for (const node of list?.type === 'array' ? (list.children ?? []) : []) {
      if (node.type === 'string' && typeof node.value === 'string') written.push({ node, name: node.value, kind, role, rule });
    }
  };
  const rulesets = arrayItems(childAt(root, 'ruleset'));
  for (const r of rulesets) {
    collect(childAt(r, key('handledAccessFs')), 'fs', 'handled');
    collect(childAt(r, key('handledAccessNet')), 'net', 'handled');
    collect(childAt(r, 'scoped'), 'scope', 'handled');
  }
  const pathRules = arrayItems(childAt(root, key('pathBeneath')));
  const portRules = arrayItems(childAt(root, key('netPort')));
  for (const r of pathRules) collect(childAt(r, key('allowedAccess')), 'fs', 'allowed', r);
  for (const r of portRules) collect(childAt(r, key('allowedAccess')), 'net', 'allowed', r);

  checkAbi(doc, abiNode, abi, written, context, out);
  const effectiveAbi = abi ?? MAX_KNOWN_ABI;
  const expand = (w: Written) => (isGroup(w.name) ? expandGroup(w.name, w.kind, effectiveAbi) : [w.name]);
  checkHandling(doc, written, expand, abi, rulesets.length > 0, pathRules, portRules, key, out);
  checkVariables(doc, root, pathRules, key, out);
  if (context.pathKind) checkPaths(doc, pathRules, written, expand, context.pathKind, key, out);
  return out;
}

function arrayItems(node: SourceNode | undefined): SourceNode[] {
  return node?.type === 'array' ? (node.children ?? []).filter((c) => c.type === 'object') : [];
}

function abiFix(doc: ParsedDocument, abiNode: SourceNode | undefined, needed: number): QuickFix[] {
  const edit = abiNode
    ? replaceScalar(doc, abiNode, String(needed))
    : insertTopLevel(doc, { json: `"abi": ${needed}`, yaml: `abi: ${needed}`, toml: `abi = ${needed}` });
  if (!edit) return [];
  // A number is never quoted, whatever scalarLike would do with a string.
  if (abiNode) edit.newText = String(needed);
  return [{ title: abiNode ? `Raise abi to ${needed}` : `Declare abi = ${needed}`, edits: [edit] }];
}

function checkAbi(
  doc: ParsedDocument,
  abiNode: SourceNode | undefined,
  abi: number | undefined,
  written: Written[],
  context: ValidationContext,
  out: Diagnostic[],
): void {
  const kernel = context.kernelLandlockAbi;
  const explicitMax = Math.max(1, ...written.map((w) => rightInfo(w.kind, w.name)?.abi ?? 1));
  for (const w of written) {
    if (isGroup(w.name)) {
      if (abi === undefined) {
        const needed = Math.max(explicitMax, kernel && kernel > 0 ? Math.min(kernel, MAX_KNOWN_ABI) : explicitMax);
        out.push(finding(doc, w.node.start, w.node.end, DiagnosticSeverity.Error, 'landlock-group-without-abi',
          `'${w.name}' expands to the rights of the declared ABI, but 'abi' is not declared.`, abiFix(doc, undefined, needed)));
      }
      continue;
    }
    const info = rightInfo(w.kind, w.name);
    if (!info) continue; // The schema reports unknown names.
    if (abi !== undefined && info.abi > abi) {
      out.push(finding(doc, w.node.start, w.node.end, DiagnosticSeverity.Warning, 'landlock-right-above-abi',
        `'${w.name}' needs Landlock ABI ${info.abi} (Linux ${info.kernel}), but 'abi' is ${abi}.`, abiFix(doc, abiNode, Math.max(info.abi, explicitMax))));
    }
    if (kernel !== undefined && info.abi > kernel) {
      out.push(finding(doc, w.node.start, w.node.end, DiagnosticSeverity.Warning, 'landlock-right-above-kernel',
        kernel === 0
          ? `Landlock is not available on this kernel: '${w.name}' cannot be enforced.`
          : `This kernel has Landlock ABI ${kernel}: '${w.name}' (ABI ${info.abi}, Linux ${info.kernel}) is dropped and the sandbox is weaker than written.`));
    }
  }
  if (abi !== undefined && abiNode && kernel !== undefined && abi > kernel) {
    out.push(finding(doc, abiNode.start, abiNode.end, DiagnosticSeverity.Warning, 'landlock-abi-above-kernel',
      kernel === 0
        ? 'Landlock is not available on this kernel: nothing of this profile can be enforced.'
        : `This kernel has Landlock ABI ${kernel}${kernelOfAbi(kernel) ? ` (Linux ${kernelOfAbi(kernel)})` : ''}: rights of ABI ${abi === kernel + 1 ? abi : `${kernel + 1}–${abi}`} are dropped.`));
  }
}

function checkHandling(
  doc: ParsedDocument,
  written: Written[],
  expand: (w: Written) => string[],
  abi: number | undefined,
  hasRuleset: boolean,
  pathRules: SourceNode[],
  portRules: SourceNode[],
  key: (camel: string) => string,
  out: Diagnostic[],
): void {
  if (!hasRuleset) return; // Without a ruleset every allowed right is handled implicitly: nothing to compare.
  const handled: Record<RightKind, Set<string>> = { fs: new Set(), net: new Set(), scope: new Set() };
  const declared: Record<RightKind, boolean> = { fs: false, net: false, scope: false };
  const allowed: Record<RightKind, Set<string>> = { fs: new Set(), net: new Set(), scope: new Set() };
  for (const w of written) {
    const target = w.role === 'handled' ? handled : allowed;
    if (w.role === 'handled') declared[w.kind] = true;
    for (const r of expand(w)) target[w.kind].add(r);
  }
  // A right a rule allows but no ruleset handles: landlockconfig handles it anyway, so it is silently
  // denied everywhere else — probably not what a profile with an explicit ruleset for that kind meant.
  for (const w of written) {
    if (w.role !== 'allowed' || !declared[w.kind]) continue;
    // Rights above the declared ABI are reported as such; abi.* groups cannot miss them.
    const aboveAbi = (r: string) => abi !== undefined && (rightInfo(w.kind, r)?.abi ?? 0) > abi;
    const missing = expand(w).filter((r) => !handled[w.kind].has(r) && !aboveAbi(r));
    if (missing.length === 0) continue;
    const list = missing.slice(0, 4).join(', ') + (missing.length > 4 ? ', …' : '');
    out.push(finding(doc, w.node.start, w.node.end, DiagnosticSeverity.Warning, 'landlock-allowed-not-handled',
      `${list} ${missing.length === 1 ? 'is' : 'are'} allowed here but handled by no ruleset: landlockconfig then denies ${missing.length === 1 ? 'it' : 'them'} everywhere else.`));
  }
  // Handled filesystem rights with no pathBeneath rule at all: every file access is denied, even loading
  // the program. Network and scopes are left alone: denying all of them is the usual intent.
  if (handled.fs.size > 0 && pathRules.length === 0) {
    const first = written.find((w) => w.role === 'handled' && w.kind === 'fs');
    if (first) {
      out.push(finding(doc, first.node.start, first.node.end, DiagnosticSeverity.Warning, 'landlock-handled-never-allowed',
        `Filesystem rights are handled but no ${key('pathBeneath')} rule allows any: every file access is denied, even running the program.`));
    }
  }
  // With netPort rules present, a handled network right none of them allows is worth a note.
  if (portRules.length > 0) {
    for (const w of written) {
      if (w.role !== 'handled' || w.kind !== 'net') continue;
      const never = expand(w).filter((r) => !allowed.net.has(r));
      if (never.length === 0) continue;
      out.push(finding(doc, w.node.start, w.node.end, DiagnosticSeverity.Information, 'landlock-handled-never-allowed',
        `${never.join(', ')} ${never.length === 1 ? 'is' : 'are'} handled but no ${key('netPort')} rule allows ${never.length === 1 ? 'it' : 'them'}: denied on every port.`));
    }
  }
}

const REFERENCE = /\$\$|\$\{([A-Za-z][A-Za-z0-9_]*)\}/g;

function checkVariables(doc: ParsedDocument, root: SourceNode, pathRules: SourceNode[], key: (camel: string) => string, out: Diagnostic[]): void {
  const variables = childAt(root, 'variable');
  const defined = new Map<string, SourceNode>();
  for (const v of arrayItems(variables)) {
    const name = childAt(v, 'name');
    if (name?.type === 'string' && typeof name.value === 'string' && !defined.has(name.value)) defined.set(name.value, name);
  }
  const used = new Set<string>();
  const undefinedNames = new Set<string>();
  for (const rule of pathRules) {
    for (const parent of childAt(rule, 'parent')?.children ?? []) {
      if (parent.type !== 'string' || typeof parent.value !== 'string' || !parent.value.includes('$')) continue;
      const raw = doc.text.slice(parent.start, parent.end);
      let cursor = 0;
      for (const m of parent.value.matchAll(REFERENCE)) {
        const name = m[1];
        if (name === undefined) continue;
        used.add(name);
        if (defined.has(name)) continue;
        // The reference is written verbatim in the source (no escapes can occur inside ${…}).
        const at = raw.indexOf(m[0], cursor);
        const start = at >= 0 ? parent.start + at : parent.start;
        const end = at >= 0 ? start + m[0].length : parent.end;
        if (at >= 0) cursor = at + m[0].length;
        const fixes: QuickFix[] = [];
        if (!undefinedNames.has(name)) {
          const edit = declareVariable(doc, variables, name);
          if (edit) fixes.push({ title: `Declare variable '${name}'`, edits: [edit] });
        }
        undefinedNames.add(name);
        out.push(finding(doc, start, end, DiagnosticSeverity.Error, 'landlock-undefined-variable',
          `Variable '${name}' is not defined: add a variable entry with this name.`, fixes));
      }
    }
  }
  for (const [name, node] of defined) {
    if (used.has(name)) continue;
    out.push(finding(doc, node.start, node.end, DiagnosticSeverity.Warning, 'landlock-unused-variable',
      `Variable '${name}' is never used: only ${key('pathBeneath')} parent paths expand \${${name}}.`));
  }
}

/** A new variable whose literal is a placeholder that names no real path (so it grants nothing). */
function declareVariable(doc: ParsedDocument, variables: SourceNode | undefined, name: string) {
  const placeholder = `/CHANGE-ME/${name}`;
  if (doc.format.syntax === 'toml') {
    // An array of tables may follow any table: append it at the end of the file.
    const at = doc.text.length;
    const prefix = doc.text.endsWith('\n') ? '\n' : '\n\n';
    return textEdit(doc, at, at, `${prefix}[[variable]]\nname = "${name}"\nliteral = ["${placeholder}"]\n`);
  }
  if (variables?.type === 'array' && (variables.children?.length ?? 0) > 0) {
    return appendArrayItem(doc, variables, {
      json: `{ "name": "${name}", "literal": ["${placeholder}"] }`,
      yaml: `{ name: ${name}, literal: [${placeholder}] }`,
    });
  }
  return insertTopLevel(doc, {
    json: `"variable": [{ "name": "${name}", "literal": ["${placeholder}"] }]`,
    yaml: `variable:\n  - { name: ${name}, literal: [${placeholder}] }`,
    toml: '',
  });
}

function checkPaths(
  doc: ParsedDocument,
  pathRules: SourceNode[],
  written: Written[],
  expand: (w: Written) => string[],
  pathKind: NonNullable<ValidationContext['pathKind']>,
  key: (camel: string) => string,
  out: Diagnostic[],
): void {
  for (const rule of pathRules) {
    const rights = new Set(written.filter((w) => w.rule === rule).flatMap(expand));
    const directoryOnly = [...rights].filter((r) => rightInfo('fs', r)?.appliesTo === 'directory');
    for (const parent of childAt(rule, 'parent')?.children ?? []) {
      const path = parent.type === 'string' && typeof parent.value === 'string' ? parent.value : undefined;
      // Only absolute paths without variables can be checked here: relative ones depend on the run's directory.
      if (!path || !path.startsWith('/') || path.includes('$')) continue;
      let kind: ReturnType<typeof pathKind>;
      try {
        kind = pathKind(path);
      } catch {
        continue; // An unreadable path says nothing about the profile.
      }
      if (kind === 'missing') {
        out.push(finding(doc, parent.start, parent.end, DiagnosticSeverity.Warning, 'landlock-path-missing',
          `'${clip(path)}' does not exist on this machine: landlockconfig skips this ${key('parent')} entry.`));
      } else if (kind === 'file' && directoryOnly.length > 0) {
        const list = directoryOnly.slice(0, 4).join(', ') + (directoryOnly.length > 4 ? ', …' : '');
        out.push(finding(doc, parent.start, parent.end, DiagnosticSeverity.Error, 'landlock-directory-right-on-file',
          `'${clip(path)}' is a file, but ${list} ${directoryOnly.length === 1 ? 'applies' : 'apply'} only to directories: the kernel rejects this rule (EINVAL).`));
      }
    }
  }
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * Semantic checks of `phantom-fragment.yaml` that no schema can express: fragment names that point
 * nowhere, fragment cycles, contradictions between a profile and its fragments (all from the one merge,
 * effectivePolicy.ts), syscall names and Landlock rights of declared fragments, `${variables}`, paths,
 * pressure thresholds, and the seccomp/Landlock profiles a profile references (configReferences.ts).
 * Pure: (parsed document, context) => Diagnostic[].
 */
import { closest, didYouMean } from '../didYouMean';
import { groupsFor, rightsOf, type RightKind } from '../landlockTable';
import type { ParsedDocument } from '../parsedDocument';
import { DiagnosticSeverity, finding, type PlainDiagnostic as Diagnostic, type QuickFix } from '../quickFix';
import { replaceScalar } from '../sourceEdits';
import { childAt, nodeAtPath, type SourceNode } from '../sourceTree';
import { DEFAULT_ARCHITECTURES, syscallInfo, syscallNamesOn } from '../syscallTable';
import type { ValidationContext } from '../validationContext';
import { builtinFragment } from './builtinFragments';
import { configOf } from './configDocument';
import { CONFIG_VARIABLES, variablesIn } from './configModel';
import { checkReferences, type ReferenceValidators } from './configReferences';
import { checkLayers } from './layerDiagnostics';
import { effectivePolicy, expandFragments, fragmentNames, type PolicyProblem } from './effectivePolicy';

export type { ReferenceValidators } from './configReferences';

export function validateConfig(doc: ParsedDocument, context: ValidationContext, validators: ReferenceValidators): Diagnostic[] {
  const root = doc.parsed.root;
  if (!root || root.type !== 'object') return [];
  const out: Diagnostic[] = [];
  checkComposition(doc, out);
  const fragments = childAt(root, 'fragments');
  for (const fragment of fragments?.type === 'object' ? (fragments.children ?? []) : []) checkFragment(doc, fragment, out);
  const profiles = childAt(root, 'profiles');
  for (const profile of profiles?.type === 'object' ? (profiles.children ?? []) : []) {
    if (profile.type !== 'object') continue;
    checkVariables(doc, childAt(profile, 'run'), out);
    checkVariables(doc, childAt(profile, 'env'), out);
    checkVariables(doc, childAt(profile, 'unprotect'), out);
    checkFilesystem(doc, childAt(profile, 'filesystem'), out);
    checkReferences(doc, profile, context, validators, out);
    checkLayers(doc, profile, context, out);
  }
  checkPressure(doc, childAt(root, 'orchestrator'), out);
  return out;
}

/** Unknown fragments, cycles and contradictions: from the merge of every profile and of every declared fragment. */
function checkComposition(doc: ParsedDocument, out: Diagnostic[]): void {
  const config = configOf(doc);
  const problems: PolicyProblem[] = [];
  for (const [name, spec] of Object.entries(config.fragments)) {
    problems.push(...expandFragments(config, (spec.fragments ?? []).map((f, i) => ({ name: f, path: ['fragments', name, 'fragments', i] }))).problems);
  }
  for (const name of Object.keys(config.profiles)) problems.push(...(effectivePolicy(config, name)?.problems ?? []));
  const seen = new Set<string>();
  const names = fragmentNames(config);
  for (const problem of problems) {
    const key = `${problem.code}|${JSON.stringify(problem.path)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const located = nodeAtPath(doc.parsed.root, problem.path);
    if (!located) continue;
    const node = located.node;
    const onKey = !located.exact || node.type === 'object';
    const [start, end] = onKey && node.keyStart !== undefined ? [node.keyStart, node.keyEnd ?? node.keyStart] : [node.start, node.end];
    const fixes: QuickFix[] = [];
    if (problem.code === 'unknown-fragment' && located.exact && node.type === 'string') {
      const suggestion = closest(String(node.value), names);
      if (suggestion) fixes.push({ title: `Change to '${suggestion}'`, edits: [replaceScalar(doc, node, suggestion)] });
    }
    const severity = problem.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning;
    out.push(finding(doc, start, end, severity, `config-${problem.code}`, problem.message, fixes));
  }
}

function checkFragment(doc: ParsedDocument, fragment: SourceNode, out: Diagnostic[]): void {
  if (fragment.type !== 'object' || fragment.key === undefined) return;
  if (builtinFragment(fragment.key) && fragment.keyStart !== undefined) {
    out.push(finding(doc, fragment.keyStart, fragment.keyEnd ?? fragment.keyStart, DiagnosticSeverity.Information, 'config-shadows-builtin',
      `This fragment replaces the built-in '${fragment.key}' in every profile of this file.`));
  }
  const names = syscallNamesOn(DEFAULT_ARCHITECTURES);
  for (const item of childAt(fragment, 'syscalls')?.children ?? []) {
    if (item.type !== 'string' || typeof item.value !== 'string') continue;
    const name = item.value;
    const info = syscallInfo(name);
    if (info && names.includes(name)) continue;
    const suggestion = closest(name, names);
    const fixes: QuickFix[] = suggestion ? [{ title: `Change to '${suggestion}'`, edits: [replaceScalar(doc, item, suggestion)] }] : [];
    const message = info
      ? `'${name}' does not exist on x86_64 (nor its x86/x32 compat ABIs).${didYouMean(name, names)}`
      : `Unknown syscall '${name}'.${didYouMean(name, names)}`;
    out.push(finding(doc, item.start, item.end, DiagnosticSeverity.Error, 'config-unknown-syscall', message, fixes));
  }
  const landlock = childAt(fragment, 'landlock');
  for (const [list, kind] of [['pathBeneath', 'fs'], ['netPort', 'net']] as const) {
    const rules = landlock?.type === 'object' ? childAt(landlock, list) : undefined;
    for (const rule of rules?.type === 'array' ? (rules.children ?? []) : []) {
      if (rule.type !== 'object') continue;
      for (const right of childAt(rule, 'allowedAccess')?.children ?? []) checkRight(doc, right, kind, out);
      if (kind === 'fs') checkVariables(doc, childAt(rule, 'parent'), out);
    }
  }
  checkFilesystem(doc, childAt(fragment, 'filesystem'), out);
}

function checkRight(doc: ParsedDocument, node: SourceNode, kind: RightKind, out: Diagnostic[]): void {
  if (node.type !== 'string' || typeof node.value !== 'string') return;
  const known = [...groupsFor(kind), ...rightsOf(kind).map((r) => r.name)];
  if (known.includes(node.value)) return;
  const suggestion = closest(node.value, known);
  const fixes: QuickFix[] = suggestion ? [{ title: `Change to '${suggestion}'`, edits: [replaceScalar(doc, node, suggestion)] }] : [];
  const what = kind === 'fs' ? 'filesystem' : 'network';
  out.push(finding(doc, node.start, node.end, DiagnosticSeverity.Error, 'config-unknown-right',
    `'${node.value}' is not a Landlock ${what} right.${suggestion ? ` Did you mean '${suggestion}'?` : ` Use one of: ${known.slice(0, 6).join(', ')}, …`}`, fixes));
}

/**
 * `${name}` in the strings of a list (or the values of an object, `env`): only the documented variables are
 * substituted, and a run refuses a value that keeps another (it would be a literal `${HOME}` path, or a hidden
 * folder that hides nothing), so an unknown or unclosed one is an error here too (check and run agree).
 */
function checkVariables(doc: ParsedDocument, list: SourceNode | undefined, out: Diagnostic[]): void {
  const items = list?.type === 'array' || list?.type === 'object' ? (list.children ?? []) : [];
  for (const item of items) {
    if (item.type !== 'string' || typeof item.value !== 'string') continue;
    const unclosed = /\$\{(?![^}]*\})/.exec(item.value);
    if (unclosed) {
      out.push(finding(doc, item.start, item.end, DiagnosticSeverity.Error, 'config-unclosed-variable',
        `'${item.value}' opens a variable at '\${' without closing it: write e.g. \${workspaceFolder}/src (the variables are ${CONFIG_VARIABLES.map((n) => `\${${n}}`).join(', ')}).`));
      continue;
    }
    for (const v of variablesIn(item.value)) {
      if (CONFIG_VARIABLES.includes(v.name)) continue;
      // Offsets inside the value are exact for plain and single-line quoted scalars without escapes.
      const raw = doc.text.slice(item.start, item.end);
      const at = raw.indexOf(`\${${v.name}}`);
      const [start, end] = at >= 0 ? [item.start + at, item.start + at + v.name.length + 3] : [item.start, item.end];
      const suggestion = closest(v.name, CONFIG_VARIABLES);
      const fixes: QuickFix[] = suggestion && at >= 0 ? [{ title: `Change to '\${${suggestion}}'`, edits: [{ range: { start: doc.document.positionAt(start), end: doc.document.positionAt(end) }, newText: `\${${suggestion}}` }] }] : [];
      out.push(finding(doc, start, end, DiagnosticSeverity.Error, 'config-unknown-variable',
        `'\${${v.name}}' is not a variable, and a run refuses a value that keeps it: the variables are ${CONFIG_VARIABLES.map((n) => `\${${n}}`).join(', ')}.${suggestion ? ` Did you mean '\${${suggestion}}'?` : ''}`, fixes));
    }
  }
}

function checkFilesystem(doc: ParsedDocument, filesystem: SourceNode | undefined, out: Diagnostic[]): void {
  if (filesystem?.type !== 'object') return;
  for (const key of ['readOnly', 'readWrite', 'hidden']) {
    const list = childAt(filesystem, key);
    checkVariables(doc, list, out);
    for (const item of list?.type === 'array' ? (list.children ?? []) : []) {
      if (item.type !== 'string' || typeof item.value !== 'string' || item.value === '') continue;
      if (item.value.startsWith('/') || item.value.startsWith('${')) continue;
      out.push(finding(doc, item.start, item.end, DiagnosticSeverity.Error, 'config-relative-path',
        `'${item.value}' is relative: sandbox paths are absolute or start with \${workspaceFolder} (e.g. \${workspaceFolder}/${item.value.replace(/^\.\/?/, '')}).`));
    }
  }
}

function checkPressure(doc: ParsedDocument, orchestrator: SourceNode | undefined, out: Diagnostic[]): void {
  const pressure = orchestrator && childAt(orchestrator, 'pressure');
  for (const rule of pressure?.type === 'object' ? (pressure.children ?? []) : []) {
    const warning = childAt(rule, 'warning');
    const critical = childAt(rule, 'critical');
    if (typeof warning?.value !== 'number' || typeof critical?.value !== 'number' || critical.value >= warning.value) continue;
    out.push(finding(doc, critical.start, critical.end, DiagnosticSeverity.Warning, 'config-pressure-order',
      `critical (${critical.value}) is below warning (${warning.value}) for ${rule.key ?? 'this resource'}: the critical level would be reached first.`));
  }
}

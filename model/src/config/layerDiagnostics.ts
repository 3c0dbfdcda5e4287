/**
 * Grants a lower layer makes useless (layeredAccess.ts, uselessGrants): a profile's own Landlock policy that grants
 * write where the profile keeps the path read-only (or does not grant it) has no effect — its layer sits on top of
 * the fragments' one and can only narrow. A warning on the line that writes the grant: the parent itself when the
 * policy is inline, the `landlock:` reference (naming the file's line) when it is a file.
 */
import { documentFormat } from '../documentKind';
import { parseSource } from '../parse';
import type { ParsedDocument } from '../parsedDocument';
import { DiagnosticSeverity, finding, type PlainDiagnostic as Diagnostic } from '../quickFix';
import { childAt, toValue, type SourceNode } from '../sourceTree';
import type { ValidationContext } from '../validationContext';
import { configOf, resolveReference } from './configDocument';
import { effectivePolicy } from './effectivePolicy';
import { uselessGrants } from './layeredAccess';

export function checkLayers(doc: ParsedDocument, profile: SourceNode, context: ValidationContext, out: Diagnostic[]): void {
  const node = childAt(profile, 'landlock');
  if (!node || profile.key === undefined) return;
  const policy = effectivePolicy(configOf(doc), profile.key);
  if (!policy || policy.fragments.length === 0) return;
  if (node.type === 'object') {
    for (const u of uselessGrants(policy, toValue(node))) {
      const parent = parentNode(node, u.rule, u.parent);
      if (parent) out.push(finding(doc, parent.start, parent.end, DiagnosticSeverity.Warning, 'config-layer-useless', `'${String(parent.value)}': ${u.message}`));
    }
    return;
  }
  if (node.type !== 'string' || typeof node.value !== 'string') return;
  const format = documentFormat(node.value);
  const absolute = resolveReference(doc, node.value);
  if (format?.kind !== 'landlock' || absolute === undefined) return;
  const text = context.readFile?.(absolute);
  if (text === undefined) return;
  const parsed = parseSource(text, format.syntax);
  if (parsed.problems.length > 0 || !parsed.root) return; // The file's own errors are reported on the reference.
  for (const u of uselessGrants(policy, toValue(parsed.root))) {
    const parent = parentNode(parsed.root, u.rule, u.parent);
    const line = parent ? text.slice(0, parent.start).split('\n').length : undefined;
    out.push(finding(doc, node.start, node.end, DiagnosticSeverity.Warning, 'config-layer-useless',
      `${node.value}${line ? ` line ${line}` : ''}: '${parent ? String(parent.value) : '?'}' ${u.message}`));
  }
}

/** The `parent` string of pathBeneath[rule] (camelCase or snake_case keys), as a node. */
function parentNode(root: SourceNode, rule: number, parent: number): SourceNode | undefined {
  const rules = childAt(root, 'pathBeneath') ?? childAt(root, 'path_beneath');
  const r = rules ? childAt(rules, rule) : undefined;
  const parents = r ? childAt(r, 'parent') : undefined;
  return parents ? childAt(parents, parent) : undefined;
}

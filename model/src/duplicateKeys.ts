/**
 * A key written twice in one object: two readers may take different values (the first, the last), so the file
 * means two things. An error in every kind of document — the runtime refuses such a file too, so that
 * `phantom check` and `phantom run` agree.
 */
import type { ParsedDocument } from './parsedDocument';
import { DiagnosticSeverity, finding, type PlainDiagnostic as Diagnostic } from './quickFix';
import type { SourceNode } from './sourceTree';

export function duplicateKeys(doc: ParsedDocument): Diagnostic[] {
  const out: Diagnostic[] = [];
  const visit = (node: SourceNode | undefined, depth: number): void => {
    if (!node?.children || depth > 64) return;
    if (node.type === 'object') {
      const seen = new Set<string>();
      for (const child of node.children) {
        if (child.key === undefined) continue;
        if (seen.has(child.key)) {
          const [start, end] = child.keyStart !== undefined ? [child.keyStart, child.keyEnd ?? child.keyStart] : [child.start, child.end];
          out.push(finding(doc, start, end, DiagnosticSeverity.Error, 'duplicate-key', `'${child.key}' is written twice in this object: keep one (readers disagree on which value wins).`));
        }
        seen.add(child.key);
      }
    }
    for (const child of node.children) visit(child, depth + 1);
  };
  visit(doc.parsed.root, 0);
  return out;
}

/** Diagnostics of one document: syntax, then schema (then the semantic validators of its kind). Pure. */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { documentFormat } from './documentKind';
import { parseSource } from './parse';
import { schemaFindings } from './schemaErrors';
import { schemaFor } from './schemas';
import { nodeAtPath, toValue } from './sourceTree';

export const DIAGNOSTIC_SOURCE = 'phantom';
/** More diagnostics than this help nobody and cost time on every keystroke. */
const MAX_DIAGNOSTICS = 1000;

export function validateDocument(document: TextDocument): Diagnostic[] {
  const format = documentFormat(document.uri);
  if (!format) return [];
  const text = document.getText();
  const parsed = parseSource(text, format.syntax);
  const diagnostics: Diagnostic[] = parsed.problems.map((p) => ({
    range: { start: document.positionAt(p.start), end: document.positionAt(p.end) },
    severity: DiagnosticSeverity.Error,
    source: DIAGNOSTIC_SOURCE,
    code: 'syntax',
    message: p.message,
  }));
  const schema = schemaFor(format);
  const value = toValue(parsed.root);
  if (schema && value !== undefined) {
    for (const finding of schemaFindings(schema, value)) {
      const located = nodeAtPath(parsed.root, finding.path);
      const node = located?.node;
      let start = 0;
      let end = Math.min(text.length, 1);
      if (node) {
        const useKey = (finding.onKey || !located.exact) && node.keyStart !== undefined;
        start = useKey ? node.keyStart! : node.start;
        end = useKey ? node.keyEnd! : node.end;
        if (node.type === 'object' && !useKey && end - start > 1) end = start + 1;
      }
      diagnostics.push({
        range: { start: document.positionAt(start), end: document.positionAt(Math.max(end, start)) },
        severity: DiagnosticSeverity.Error,
        source: DIAGNOSTIC_SOURCE,
        code: finding.code,
        message: finding.message,
      });
      if (diagnostics.length >= MAX_DIAGNOSTICS) break;
    }
  }
  return diagnostics.slice(0, MAX_DIAGNOSTICS);
}

/**
 * Diagnostics of one document: syntax, then schema, then the semantic validators of its kind. Pure:
 * everything beyond the text comes in the ValidationContext.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { validateConfig } from './config/configValidation';
import { duplicateKeys } from './duplicateKeys';
import { validateLandlock } from './landlockValidation';
import { parsedDocument, type ParsedDocument } from './parsedDocument';
import { DiagnosticSeverity, finding, type PlainDiagnostic as Diagnostic, type QuickFix } from './quickFix';
import { schemaFindings } from './schemaErrors';
import { schemaFor } from './schemas';
import { validateSeccomp } from './seccompValidation';
import { replaceKey, replaceScalar } from './sourceEdits';
import { nodeAtPath } from './sourceTree';
import type { ValidationContext } from './validationContext';

export { DIAGNOSTIC_SOURCE } from './quickFix';
export type { ValidationContext } from './validationContext';

/** More diagnostics than this help nobody and cost time on every keystroke. */
const MAX_DIAGNOSTICS = 1000;

type Validator = (doc: ParsedDocument, context: ValidationContext) => Diagnostic[];

/** The semantic validators of each kind of document, run after the schema. */
const VALIDATORS: Record<ParsedDocument['format']['kind'], Validator[]> = {
  // The configuration's references are checked with this module's own validators (no import cycle).
  config: [(doc, context) => validateConfig(doc, context, { validateDocument, validateParsed })],
  seccomp: [validateSeccomp],
  landlock: [validateLandlock],
};

export function validateDocument(document: TextDocument, context: ValidationContext = {}): Diagnostic[] {
  const doc = parsedDocument(document);
  return doc ? validateParsed(doc, context) : [];
}

/** Diagnostics of a parsed document (also of a policy written inline in phantom-fragment.yaml). */
export function validateParsed(doc: ParsedDocument, context: ValidationContext = {}): Diagnostic[] {
  const diagnostics: Diagnostic[] = doc.parsed.problems.map((p) => finding(doc, p.start, p.end, DiagnosticSeverity.Error, 'syntax', p.message));
  diagnostics.push(...duplicateKeys(doc));
  diagnostics.push(...schemaDiagnostics(doc));
  for (const validate of VALIDATORS[doc.format.kind]) {
    if (diagnostics.length >= MAX_DIAGNOSTICS) break;
    diagnostics.push(...validate(doc, context));
  }
  return diagnostics.slice(0, MAX_DIAGNOSTICS);
}

function schemaDiagnostics(doc: ParsedDocument): Diagnostic[] {
  const schema = schemaFor(doc.format);
  const value = doc.value();
  const out: Diagnostic[] = [];
  if (!schema || value === undefined) return out;
  const text = doc.text;
  for (const f of schemaFindings(schema, value)) {
    const located = nodeAtPath(doc.parsed.root, f.path);
    const node = located?.node;
    let start = 0;
    let end = Math.min(text.length, 1);
    const useKey = node !== undefined && (f.onKey || !located!.exact) && node.keyStart !== undefined;
    if (node) {
      start = useKey ? node.keyStart! : node.start;
      end = useKey ? node.keyEnd! : node.end;
      if (node.type === 'object' && !useKey && end - start > 1) end = start + 1;
    }
    const fixes: QuickFix[] = [];
    if (node && located?.exact && f.suggestion !== undefined) {
      const edit = useKey ? replaceKey(doc, node, f.suggestion) : node.type === 'string' ? replaceScalar(doc, node, f.suggestion) : undefined;
      if (edit) fixes.push({ title: `Change to '${f.suggestion}'`, edits: [edit] });
    }
    out.push(finding(doc, start, end, DiagnosticSeverity.Error, f.code, f.message, fixes));
    if (out.length >= MAX_DIAGNOSTICS) break;
  }
  return out;
}

/**
 * Diagnostics that carry their own quick fixes: the validator that finds a problem knows the exact edit,
 * so it puts it in `diagnostic.data` and the code-action handler needs no re-parse.
 */
import { DiagnosticSeverity, type Diagnostic, type TextEdit } from 'vscode-languageserver-types';
import type { ParsedDocument } from './parsedDocument';

export const DIAGNOSTIC_SOURCE = 'phantom';

/** What the server publishes: a Diagnostic whose message is plain text (LSP 3.18 also allows markup). */
export type PlainDiagnostic = Diagnostic & { message: string };

export interface QuickFix {
  title: string;
  edits: TextEdit[];
}

export interface FixData {
  fixes: QuickFix[];
}

/** An edit as offsets, turned into a TextEdit with positions of the document. */
export function textEdit(doc: ParsedDocument, start: number, end: number, newText: string): TextEdit {
  return { range: { start: doc.document.positionAt(start), end: doc.document.positionAt(end) }, newText };
}

export function finding(
  doc: ParsedDocument,
  start: number,
  end: number,
  severity: DiagnosticSeverity,
  code: string,
  message: string,
  fixes: QuickFix[] = [],
): PlainDiagnostic {
  const diagnostic: PlainDiagnostic = {
    range: { start: doc.document.positionAt(start), end: doc.document.positionAt(Math.max(start, end)) },
    severity,
    source: DIAGNOSTIC_SOURCE,
    code,
    message,
  };
  if (fixes.length > 0) diagnostic.data = { fixes } satisfies FixData;
  return diagnostic;
}

export function fixesOf(diagnostic: Diagnostic): QuickFix[] {
  const data = diagnostic.data as Partial<FixData> | undefined;
  return Array.isArray(data?.fixes) ? data.fixes.filter((f) => typeof f?.title === 'string' && Array.isArray(f.edits)) : [];
}

export { DiagnosticSeverity };

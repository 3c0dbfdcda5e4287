/**
 * The seccomp and Landlock policies of a profile: a file reference must name a profile file of the right
 * kind that exists (relative to the configuration), and its own errors are summarised on the reference;
 * a policy written inline gets the full diagnostics of its kind, at their exact place in the
 * configuration. Files are read only through the injectable ValidationContext.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { closest } from '../didYouMean';
import { documentFormat, type DocumentKind } from '../documentKind';
import type { ParsedDocument } from '../parsedDocument';
import { DiagnosticSeverity, finding, type PlainDiagnostic as Diagnostic, type QuickFix } from '../quickFix';
import { replaceScalar } from '../sourceEdits';
import { childAt, toValue, type SourceNode } from '../sourceTree';
import type { ValidationContext } from '../validationContext';
import { resolveReference } from './configDocument';

/** The validators of the other kinds, given by validation.ts (which imports this module, not the reverse). */
export interface ReferenceValidators {
  /** Every diagnostic of a whole document (a referenced file). */
  validateDocument(document: TextDocument, context: ValidationContext): Diagnostic[];
  /** Schema and semantic diagnostics of a parsed document (a policy written inline). */
  validateParsed(doc: ParsedDocument, context: ValidationContext): Diagnostic[];
}

const FILE_NAMES: Record<'seccomp' | 'landlock', string> = {
  seccomp: '*.seccomp.json or *.seccomp.yaml',
  landlock: '*.landlock.json, *.landlock.yaml or *.landlock.toml',
};

export function checkReferences(doc: ParsedDocument, profile: SourceNode, context: ValidationContext, validators: ReferenceValidators, out: Diagnostic[]): void {
  for (const kind of ['seccomp', 'landlock'] as const) {
    const node = childAt(profile, kind);
    if (node?.type === 'string' && typeof node.value === 'string' && node.value !== '') checkFile(doc, node, node.value, kind, context, validators, out);
    else if (node?.type === 'object') checkInline(doc, node, kind, context, validators, out);
  }
}

function checkFile(doc: ParsedDocument, node: SourceNode, reference: string, kind: 'seccomp' | 'landlock', context: ValidationContext, validators: ReferenceValidators, out: Diagnostic[]): void {
  if (documentFormat(reference)?.kind !== kind) {
    out.push(finding(doc, node.start, node.end, DiagnosticSeverity.Error, 'config-reference-kind',
      `'${clip(reference)}' is not named like a ${kind} profile: name the file ${FILE_NAMES[kind]}.`));
    return;
  }
  const absolute = resolveReference(doc, reference);
  if (absolute === undefined || !context.pathKind) return;
  let found: ReturnType<NonNullable<ValidationContext['pathKind']>>;
  try {
    found = context.pathKind(absolute);
  } catch {
    return; // An unreadable path says nothing about the configuration.
  }
  if (found === 'missing') {
    const siblings = (context.listDirectory?.(path.dirname(absolute)) ?? []).filter((e) => e.kind === 'file' && documentFormat(e.name)?.kind === kind).map((e) => e.name);
    const suggestion = closest(path.basename(absolute), siblings);
    const replacement = suggestion && reference.slice(0, reference.length - path.basename(reference).length) + suggestion;
    const fixes: QuickFix[] = replacement ? [{ title: `Change to '${replacement}'`, edits: [replaceScalar(doc, node, replacement)] }] : [];
    out.push(finding(doc, node.start, node.end, DiagnosticSeverity.Error, 'config-reference-missing',
      `'${clip(reference)}' does not exist (looked for ${clipLeft(absolute)}).${replacement ? ` Did you mean '${replacement}'?` : ' Paths are relative to this file.'}`, fixes));
    return;
  }
  if (found !== 'file') {
    out.push(finding(doc, node.start, node.end, DiagnosticSeverity.Error, 'config-reference-not-file',
      `'${clip(reference)}' is ${found === 'directory' ? 'a directory' : 'not a regular file'}: name a ${kind} profile file.`));
    return;
  }
  const text = context.readFile?.(absolute);
  if (text === undefined) return;
  const summary = referencedSummary(absolute, text, context, validators);
  if (summary) out.push(finding(doc, node.start, node.end, summary.severity, 'config-reference-problems', `${clip(reference)} ${summary.message}`));
}

interface Summary {
  severity: DiagnosticSeverity;
  message: string;
}

/** Referenced files are validated again only when their text (or the kernel's ABI) changed. */
const CACHE_SIZE = 32;
const summaries = new Map<string, { key: string; summary: Summary | undefined }>();

function referencedSummary(absolute: string, text: string, context: ValidationContext, validators: ReferenceValidators): Summary | undefined {
  const key = `${context.kernelLandlockAbi ?? ''}\n${text}`;
  const hit = summaries.get(absolute);
  if (hit && hit.key === key) return hit.summary;
  const document = TextDocument.create(pathToFileURL(absolute).href, 'plaintext', 0, text);
  const diagnostics = validators.validateDocument(document, context);
  const summary = summarise(diagnostics);
  summaries.delete(absolute);
  summaries.set(absolute, { key, summary });
  if (summaries.size > CACHE_SIZE) summaries.delete(summaries.keys().next().value as string);
  return summary;
}

function summarise(diagnostics: Diagnostic[]): Summary | undefined {
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  const warnings = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning);
  const shown = errors.length ? errors : warnings;
  if (shown.length === 0) return undefined;
  const word = errors.length ? 'error' : 'warning';
  const first = shown[0];
  const more = shown.length > 1 ? ` (and ${shown.length - 1} more)` : '';
  return {
    severity: errors.length ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    message: `has ${shown.length} ${word}${shown.length === 1 ? '' : 's'}: line ${first.range.start.line + 1}: ${clip(first.message, 100)}${more}`,
  };
}

function checkInline(doc: ParsedDocument, node: SourceNode, kind: DocumentKind & ('seccomp' | 'landlock'), context: ValidationContext, validators: ReferenceValidators, out: Diagnostic[]): void {
  // The inline policy as a document of its own kind, whose offsets are those of the configuration.
  let value: ReturnType<typeof toValue> | null = null;
  const inline: ParsedDocument = {
    document: doc.document,
    text: doc.text,
    format: { kind, syntax: doc.format.syntax },
    parsed: { root: node, problems: [] },
    value: () => (value ??= toValue(node)),
    memo: new Map(),
  };
  for (const d of validators.validateParsed(inline, context)) {
    d.message = d.message.replace(/ at the top level\./, ` in '${kind}'.`).replace(/^the document /, `'${kind}' `);
    out.push(d);
  }
}

/** A long absolute path keeps its end, the part that tells files apart. */
function clipLeft(text: string, max = 80): string {
  return text.length > max ? `…${text.slice(text.length - max + 1)}` : text;
}

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 3)}…` : text;
}

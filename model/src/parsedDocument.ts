/**
 * Parse once per document version: validation, hover, completion, symbols and code actions of the same
 * version share one parse. A small cache keyed by uri, checked against version and text (tests and some
 * clients reuse a version number for different text).
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { documentFormat, type DocumentFormat } from './documentKind';
import { parseSource } from './parse';
import { toValue, type JsonValue, type ParsedSource } from './sourceTree';

export interface ParsedDocument {
  document: TextDocument;
  text: string;
  format: DocumentFormat;
  parsed: ParsedSource;
  /** Plain data of the tree, computed on first use. */
  value(): JsonValue | undefined;
  /** Per-version memo for derived data (e.g. a profile's architectures), keyed by its user. */
  memo: Map<string, unknown>;
}

/** Open documents a user switches between; older entries are dropped first. */
const CAPACITY = 16;
const cache = new Map<string, ParsedDocument>();

export function parsedDocument(document: TextDocument): ParsedDocument | undefined {
  const format = documentFormat(document.uri);
  if (!format) return undefined;
  const text = document.getText();
  const hit = cache.get(document.uri);
  if (hit && hit.document.version === document.version && hit.text === text && hit.format.syntax === format.syntax) {
    hit.document = document;
    return hit;
  }
  const parsed = parseSource(text, format.syntax);
  let value: { v: JsonValue | undefined } | undefined;
  const entry: ParsedDocument = {
    document,
    text,
    format,
    parsed,
    value: () => (value ??= { v: toValue(parsed.root) }).v,
    memo: new Map(),
  };
  cache.delete(document.uri);
  cache.set(document.uri, entry);
  if (cache.size > CAPACITY) cache.delete(cache.keys().next().value as string);
  return entry;
}

/** Forget a closed document. */
export function forgetDocument(uri: string): void {
  cache.delete(uri);
}

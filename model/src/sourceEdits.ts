/**
 * Text edits on the source tree that keep the file valid in its own syntax (JSON, YAML block or flow
 * style, TOML): replace a scalar keeping its quoting, remove or insert array items, set a top-level key.
 * Each returns offsets-based edits through `textEdit`, or undefined when the layout is not one it knows.
 */
import type { TextEdit } from 'vscode-languageserver-types';
import type { ParsedDocument } from './parsedDocument';
import { textEdit } from './quickFix';
import type { SourceNode } from './sourceTree';

/** `value` written as a scalar the way `raw` (the text it replaces) is written: same quotes, or plain. */
export function scalarLike(raw: string, value: string, syntax: ParsedDocument['format']['syntax']): string {
  if (raw.startsWith("'") && !value.includes("'")) return `'${value}'`;
  if (raw.startsWith('"') || syntax === 'json' || syntax === 'toml') return JSON.stringify(value);
  return /^[A-Za-z0-9_./-][A-Za-z0-9_./ -]*$/.test(value) && !/\s$/.test(value) ? value : JSON.stringify(value);
}

export function replaceScalar(doc: ParsedDocument, node: SourceNode, value: string): TextEdit {
  return textEdit(doc, node.start, node.end, scalarLike(doc.text.slice(node.start, node.end), value, doc.format.syntax));
}

export function replaceKey(doc: ParsedDocument, node: SourceNode, key: string): TextEdit | undefined {
  if (node.keyStart === undefined || node.keyEnd === undefined) return undefined;
  const raw = doc.text.slice(node.keyStart, node.keyEnd);
  if (doc.format.syntax === 'toml') return textEdit(doc, node.keyStart, node.keyEnd, /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key));
  return textEdit(doc, node.keyStart, node.keyEnd, scalarLike(raw, key, doc.format.syntax));
}

function isFlow(doc: ParsedDocument, array: SourceNode): boolean {
  return doc.text[array.start] === '[';
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEndAfter(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i + 1;
}

/** Removes item `index` of an array with at least two items (an array is never left empty). */
export function removeArrayItem(doc: ParsedDocument, array: SourceNode, index: number): TextEdit | undefined {
  const items = array.children ?? [];
  const item = items[index];
  if (!item || items.length < 2) return undefined;
  const text = doc.text;
  if (isFlow(doc, array)) {
    // ", item" after a previous item, or "item, " before the next one.
    if (index > 0) return textEdit(doc, items[index - 1].end, item.end, '');
    return textEdit(doc, item.start, items[index + 1].start, '');
  }
  // YAML block sequence: the item's lines, from its dash to the next item's dash.
  const dash = text.lastIndexOf('-', item.start);
  if (dash < 0) return undefined;
  const from = lineStart(text, dash);
  if (text.slice(from, dash).trim() !== '') return undefined;
  const next = items[index + 1];
  const to = next ? lineStart(text, text.lastIndexOf('-', next.start)) : lineEndAfter(text, Math.max(item.start, item.end - 1));
  return textEdit(doc, from, to, '');
}

/** Inserts scalar items after item `index`, in the array's own style. */
export function insertArrayItemsAfter(doc: ParsedDocument, array: SourceNode, index: number, values: string[]): TextEdit | undefined {
  const item = array.children?.[index];
  if (!item) return undefined;
  const raw = doc.text.slice(item.start, item.end);
  if (isFlow(doc, array)) {
    const between = doc.text.slice(item.end, array.children?.[index + 1]?.start ?? item.end);
    const separator = /\n/.test(between) ? `,\n${' '.repeat(item.start - lineStart(doc.text, item.start))}` : ', ';
    return textEdit(doc, item.end, item.end, values.map((v) => `${separator}${scalarLike(raw, v, doc.format.syntax)}`).join(''));
  }
  const dash = doc.text.lastIndexOf('-', item.start);
  const indent = doc.text.slice(lineStart(doc.text, dash), dash);
  if (indent.trim() !== '') return undefined;
  const at = lineEndAfter(doc.text, Math.max(item.start, item.end - 1));
  const prefix = at === doc.text.length && !doc.text.endsWith('\n') ? '\n' : '';
  return textEdit(doc, at, at, prefix + values.map((v) => `${indent}- ${scalarLike(raw, v, doc.format.syntax)}\n`).join(''));
}

/**
 * Adds a top-level entry before the first member of the root mapping. `entry` gives the text per syntax
 * (JSON without the trailing comma, YAML/TOML as whole lines without the newline).
 */
export function insertTopLevel(doc: ParsedDocument, entry: { json: string; yaml: string; toml: string }): TextEdit | undefined {
  const root = doc.parsed.root;
  const text = doc.text;
  if (doc.format.syntax === 'toml') {
    // Top-level keys must come before the first table header.
    const header = /^[ \t]*\[/m.exec(text);
    const at = header ? header.index : text.length;
    const prefix = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
    return textEdit(doc, at, at, `${prefix}${entry.toml}\n${header ? '\n' : ''}`);
  }
  if (!root || root.type !== 'object') return undefined;
  const first = root.children?.[0];
  if (text[root.start] === '{') {
    if (!first || first.keyStart === undefined) return textEdit(doc, root.start + 1, root.start + 1, entry.json);
    const between = text.slice(root.start + 1, first.keyStart);
    const indent = /\n([ \t]*)$/.exec(between)?.[1];
    return textEdit(doc, first.keyStart, first.keyStart, indent !== undefined ? `${entry.json},\n${indent}` : `${entry.json}, `);
  }
  if (!first || first.keyStart === undefined) return undefined;
  const at = lineStart(text, first.keyStart);
  const indent = text.slice(at, first.keyStart);
  return textEdit(doc, at, at, entry.yaml.split('\n').map((l) => indent + l).join('\n') + '\n');
}

/** Appends an item (given per syntax) to the end of an array of mappings. */
export function appendArrayItem(doc: ParsedDocument, array: SourceNode, entry: { json: string; yaml: string }): TextEdit | undefined {
  const items = array.children ?? [];
  const last = items[items.length - 1];
  if (!last) return undefined;
  if (isFlow(doc, array)) {
    const between = doc.text.slice(items[items.length - 2]?.end ?? array.start + 1, last.start);
    const separator = /\n/.test(between) ? `,\n${' '.repeat(last.start - lineStart(doc.text, last.start))}` : ', ';
    return textEdit(doc, last.end, last.end, `${separator}${doc.format.syntax === 'json' ? entry.json : entry.yaml}`);
  }
  const dash = doc.text.lastIndexOf('-', last.start);
  const indent = doc.text.slice(lineStart(doc.text, dash), dash);
  if (indent.trim() !== '') return undefined;
  const at = lineEndAfter(doc.text, Math.max(last.start, last.end - 1));
  const prefix = at === doc.text.length && !doc.text.endsWith('\n') ? '\n' : '';
  return textEdit(doc, at, at, `${prefix}${indent}- ${entry.yaml}\n`);
}

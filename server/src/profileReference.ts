/**
 * The edit that makes a profile of phantom-fragment.yaml name a (new) profile file: `profiles.<name>.seccomp` or
 * `.landlock` set to a path, on the parsed YAML (no line matching): an existing file reference is replaced keeping
 * its quoting; a missing key goes in as the profile's first member, indented like its siblings (block style) or
 * as `key: file, ` inside `{ … }` (flow style). An inline policy under the key, a profile that is not a mapping or
 * a text with syntax errors gives undefined: the caller says so instead of guessing. Pure.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver-types';
import { parseSource } from '../../model';
import type { ParsedDocument } from '../../model';
import { textEdit } from '../../model';
import { replaceScalar, scalarLike } from '../../model';
import { childAt } from '../../model';

function configDocument(uri: string, text: string): ParsedDocument {
  const parsed = parseSource(text, 'yaml');
  return { document: TextDocument.create(uri, 'yaml', 0, text), text, format: { kind: 'config', syntax: 'yaml' }, parsed, value: () => undefined, memo: new Map() };
}

export function profileReferenceEdit(uri: string, text: string, profile: string, key: 'seccomp' | 'landlock', file: string): TextEdit[] | undefined {
  const doc = configDocument(uri, text);
  if (doc.parsed.problems.length > 0 || !doc.parsed.root || doc.parsed.root.type !== 'object') return undefined;
  const profiles = childAt(doc.parsed.root, 'profiles');
  const node = profiles?.type === 'object' ? childAt(profiles, profile) : undefined;
  if (!node || node.type !== 'object') return undefined;
  const existing = childAt(node, key);
  if (existing) return existing.type === 'string' ? [replaceScalar(doc, existing, file)] : undefined;
  const value = scalarLike('', file, 'yaml');
  const first = node.children?.[0];
  if (text[node.start] === '{') {
    if (!first || first.keyStart === undefined) return [textEdit(doc, node.start, node.end, `{ ${key}: ${value} }`)];
    return [textEdit(doc, first.keyStart, first.keyStart, `${key}: ${value}, `)];
  }
  if (!first || first.keyStart === undefined) return undefined;
  const lineStart = text.lastIndexOf('\n', first.keyStart - 1) + 1;
  const indent = text.slice(lineStart, first.keyStart);
  if (indent.trim() !== '') return undefined; // the first key shares its line with something else
  return [textEdit(doc, lineStart, lineStart, `${indent}${key}: ${value}\n`)];
}

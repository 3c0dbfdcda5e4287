/** Completion of domain values (syscalls, rights, …), then keys and enum values from the schema at the cursor. Pure. */
import { CompletionItemKind, type CompletionItem, type CompletionList } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { configCompletions } from './config/configCompletion';
import { parsedDocument, schemaFor, nodeAtPath, pathAtOffset, type PathSegment, type SourceNode, type ValidationContext } from '../../model';
import { profileCompletions } from './profileCompletion';
import { schemasAt, type Schema } from './schemaNavigator';

export function completionsAt(document: TextDocument, offset: number, context: ValidationContext = {}): CompletionItem[] | CompletionList {
  const doc = parsedDocument(document);
  if (!doc) return [];
  const config = doc.format.kind === 'config' ? configCompletions(doc, offset, context) : undefined;
  if (config) return config;
  const domain = profileCompletions(doc, offset);
  if (domain) return domain;
  const { format, text, parsed } = doc;
  const schema = schemaFor(format) as Schema | undefined;
  if (!schema) return [];
  const { path, node, onKey } = pathAtOffset(parsed.root, offset);
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const linePrefix = text.slice(lineStart, offset);
  // "key: |" completes the value of key; otherwise the cursor is on a (new) key of the enclosing object.
  const valuePosition = /:\s*[^\s]*$/.test(linePrefix) && !onKey;
  if (valuePosition && node && node.key !== undefined) return valueItems(schemasAt(schema, path));
  const objectPath =
    format.syntax === 'yaml' && /^\s*(- )?\s*[\w.-]*$/.test(linePrefix)
      ? yamlPathByIndent(parsed.root, text, offset, linePrefix.length - linePrefix.trimStart().length)
      : objectPathFor(parsed.root, path, onKey);
  const existing = new Set((nodeAtPath(parsed.root, objectPath)?.node.children ?? []).map((c) => c.key));
  return keyItems(schemasAt(schema, objectPath), existing, format.syntax === 'json');
}

/**
 * In YAML the object a new key belongs to is decided by indentation: descend through the last member
 * before the cursor whose key is indented less than the cursor's line.
 */
function yamlPathByIndent(root: SourceNode | undefined, text: string, offset: number, indent: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node = root;
  while (node && node.type === 'object') {
    let next: SourceNode | undefined;
    for (const child of node.children ?? []) {
      if (child.keyStart === undefined || child.keyStart >= offset) break;
      if (columnOf(text, child.keyStart) < indent) next = child;
    }
    if (!next || (next.type !== 'object' && next.type !== 'null')) break;
    path.push(next.key ?? '');
    node = next;
  }
  return path;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

function objectPathFor(root: SourceNode | undefined, path: PathSegment[], onKey: boolean): PathSegment[] {
  // On a key or inside a scalar value of a member: complete siblings, i.e. the parent object's keys.
  const located = nodeAtPath(root, path);
  if (onKey || (located && located.node.type !== 'object')) return path.slice(0, -1);
  return path;
}

function keyItems(schemas: Schema[], existing: Set<string | undefined>, json: boolean): CompletionItem[] {
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  for (const schema of schemas) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [key, property] of Object.entries(properties)) {
      if (seen.has(key) || existing.has(key)) continue;
      seen.add(key);
      items.push({
        label: key,
        kind: CompletionItemKind.Property,
        documentation: typeof property.description === 'string' ? { kind: 'markdown', value: property.description } : undefined,
        insertText: json ? `"${key}": ` : `${key}: `,
      });
    }
  }
  return items;
}

function valueItems(schemas: Schema[]): CompletionItem[] {
  const values = new Set<string>();
  for (const schema of schemas) {
    for (const v of (schema.enum as unknown[] | undefined) ?? []) values.add(String(v));
    if (schema.const !== undefined) values.add(String(schema.const));
    if (schema.type === 'boolean') ['true', 'false'].forEach((v) => values.add(v));
  }
  return [...values].map((v) => ({ label: v, kind: CompletionItemKind.EnumMember }));
}

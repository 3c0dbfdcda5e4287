/** Hover: what the domain tables say about the value under the cursor, else the schema's description. Pure. */
import type { Hover } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { configHover } from './config/configHover';
import { parsedDocument, schemaFor, pathAtOffset, type ValidationContext } from '../../model';
import { profileHover } from './profileHover';
import { descriptionOf, schemasAt, type Schema } from './schemaNavigator';

export function hoverAt(document: TextDocument, offset: number, context: ValidationContext = {}): Hover | null {
  const doc = parsedDocument(document);
  const schema = doc && (schemaFor(doc.format) as Schema | undefined);
  if (!doc || !schema) return null;
  const { path, node, onKey } = pathAtOffset(doc.parsed.root, offset);
  if (!node || path.length === 0) return null;
  const config = doc.format.kind === 'config' ? configHover(doc, path, node, onKey, context) : undefined;
  if (config) return { contents: { kind: 'markdown', value: config.markdown }, range: { start: document.positionAt(config.start), end: document.positionAt(config.end) } };
  const domain = onKey ? undefined : profileHover(doc, path, node);
  if (domain) return { contents: { kind: 'markdown', value: domain }, range: { start: document.positionAt(node.start), end: document.positionAt(node.end) } };
  const description = descriptionOf(schemasAt(schema, path));
  if (!description) return null;
  const start = onKey ? node.keyStart! : node.start;
  const end = onKey ? node.keyEnd! : node.end;
  const title = typeof path[path.length - 1] === 'string' ? `**${String(path[path.length - 1])}**\n\n` : '';
  return {
    contents: { kind: 'markdown', value: `${title}${description}` },
    range: { start: document.positionAt(start), end: document.positionAt(end) },
  };
}

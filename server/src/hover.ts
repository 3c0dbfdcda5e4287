/** Hover: the schema's description of the key or value under the cursor. Pure. */
import type { Hover } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { documentFormat } from './documentKind';
import { parseSource } from './parse';
import { descriptionOf, schemasAt, type Schema } from './schemaNavigator';
import { schemaFor } from './schemas';
import { pathAtOffset } from './sourceTree';

export function hoverAt(document: TextDocument, offset: number): Hover | null {
  const format = documentFormat(document.uri);
  const schema = format && (schemaFor(format) as Schema | undefined);
  if (!format || !schema) return null;
  const parsed = parseSource(document.getText(), format.syntax);
  const { path, node, onKey } = pathAtOffset(parsed.root, offset);
  if (!node || path.length === 0) return null;
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

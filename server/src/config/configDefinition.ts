/**
 * Go to definition in `phantom-fragment.yaml`: a fragment name in a `fragments` list goes to its
 * declaration in this file (a built-in fragment has no source to go to: its hover says what it grants);
 * a seccomp/Landlock file reference goes to the file, when it exists. Pure; the file's existence comes
 * from the injectable ValidationContext.
 */
import { pathToFileURL } from 'node:url';
import type { Location } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parsedDocument, childAt, nodeAtPath, pathAtOffset, type ValidationContext, isFragmentReference, referenceKind, resolveReference } from '../../../model';

export function definitionAt(document: TextDocument, offset: number, context: ValidationContext = {}): Location | null {
  const doc = parsedDocument(document);
  if (!doc || doc.format.kind !== 'config') return null;
  const { path, node, onKey } = pathAtOffset(doc.parsed.root, offset);
  if (!node || onKey || node.type !== 'string' || typeof node.value !== 'string') return null;
  if (isFragmentReference(path)) {
    const fragments = nodeAtPath(doc.parsed.root, ['fragments'])?.node;
    const declared = fragments?.type === 'object' && path.length > 0 ? childAt(fragments, node.value) : undefined;
    if (!declared || declared.keyStart === undefined) return null;
    return { uri: document.uri, range: { start: document.positionAt(declared.keyStart), end: document.positionAt(declared.keyEnd ?? declared.keyStart) } };
  }
  if (referenceKind(path)) {
    const absolute = resolveReference(doc, node.value);
    if (absolute === undefined || context.pathKind?.(absolute) !== 'file') return null;
    return { uri: pathToFileURL(absolute).href, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  }
  return null;
}

/** Test fixtures as TextDocuments named like the real files (the server recognises files by name). */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';

export const FIXTURES = path.resolve(__dirname, '../fixtures');
export const REPO = path.resolve(__dirname, '../..');

/** A fixture file opened under the name the server expects, e.g. `config/x.phantom-fragment.yaml` → `phantom-fragment.yaml`. */
export function fixtureDocument(relative: string, asName?: string): TextDocument {
  const file = path.join(FIXTURES, relative);
  const text = fs.readFileSync(file, 'utf8');
  const name = asName ?? path.basename(file).replace(/^.*\.(phantom-fragment\.ya?ml)$/, '$1');
  const uri = pathToFileURL(path.join(path.dirname(file), name)).href;
  return TextDocument.create(uri, 'yaml', 1, text);
}

export function textDocument(name: string, text: string): TextDocument {
  return TextDocument.create(pathToFileURL(path.join('/workspace', name)).href, 'yaml', 1, text);
}

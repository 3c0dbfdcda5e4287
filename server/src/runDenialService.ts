/**
 * The LSP side of run denials (runDenials.ts): which document a denial's file is, what to publish when a run's
 * denials arrive, when a profile is validated and when it is closed, and the quick fixes. server.ts only connects
 * these to its connection and documents.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, Range } from 'vscode-languageserver-types';
import { parsedDocument, type ParsedDocument } from '../../model';
import type { RunDenialsParams } from './protocol';
import { denialCodeActions, detachedDocument, readProfileText, RunDenialStore } from './runDenials';

function fileOf(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined; // a malformed uri has no file
  }
}

export class RunDenialService {
  private readonly store = new RunDenialStore(readProfileText);

  constructor(
    /** The documents the editor has open. */
    private readonly open: () => readonly TextDocument[],
    /** Publishes diagnostics of a file that is not open. */
    private readonly publish: (params: { uri: string; diagnostics: Diagnostic[] }) => void,
    /** Revalidates an open document (its diagnostics then include these, diagnosticsOf). */
    private readonly revalidate: (uri: string) => void,
  ) {}

  private openDocument(file: string): TextDocument | undefined {
    return this.open().find((d) => fileOf(d.uri) === file);
  }

  /** A run's denials arrived: publish every file they touch (or touched before), open or not. */
  update(params: RunDenialsParams): void {
    for (const file of this.store.set(params)) {
      const document = this.openDocument(file);
      if (document) this.revalidate(document.uri);
      else this.publish({ uri: pathToFileURL(file).href, diagnostics: this.store.diagnostics(file) });
    }
  }

  /** The denial warnings of an open document, beside its validation diagnostics. */
  diagnosticsOf(document: TextDocument): Diagnostic[] {
    const file = fileOf(document.uri);
    const parsed = file && this.store.has(file) ? parsedDocument(document) : undefined;
    return file && parsed ? this.store.diagnostics(file, parsed) : [];
  }

  /** A closed profile keeps its warnings (like a build's problems), their lines following the text on disk again. */
  closed(uri: string): Diagnostic[] {
    const file = fileOf(uri);
    if (!file || !this.store.has(file)) return [];
    const text = readProfileText(file);
    return this.store.diagnostics(file, text === undefined ? undefined : detachedDocument(file, text));
  }

  /** The quick fixes of the denial warnings among `diagnostics`, each edit computed from its file's current text. */
  codeActions(uri: string, diagnostics: readonly Diagnostic[], range: Range): CodeAction[] {
    return denialCodeActions(uri, diagnostics, range, (file): ParsedDocument | undefined => {
      const document = this.openDocument(file);
      if (document) return parsedDocument(document);
      const text = readProfileText(file);
      return text === undefined ? undefined : detachedDocument(file, text);
    });
  }
}

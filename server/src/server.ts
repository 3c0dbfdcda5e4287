/**
 * The Phantom language server: thin LSP wiring over the pure services (validation, completion, hover,
 * symbols). Started by the extension over IPC, or by any client with `node dist/server.js --stdio`.
 */
import {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { completionsAt } from './completion';
import { documentFormat } from './documentKind';
import { hoverAt } from './hover';
import { documentSymbols, foldingRanges } from './symbols';
import { validateDocument } from './validation';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

connection.onInitialize(
  (): InitializeResult => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [':', '"', ' ', '-'] },
      hoverProvider: true,
      documentSymbolProvider: true,
      foldingRangeProvider: true,
    },
    serverInfo: { name: 'phantom-fragment-language-server', version: '0.1.0' },
  }),
);

/** Validation runs once per burst of changes: the pending set is drained on the next turn of the event loop. */
const pending = new Set<string>();
function scheduleValidation(uri: string): void {
  if (pending.size === 0) setImmediate(flush);
  pending.add(uri);
}
function flush(): void {
  for (const uri of pending) {
    const document = documents.get(uri);
    if (!document || !documentFormat(uri)) continue;
    try {
      void connection.sendDiagnostics({ uri, version: document.version, diagnostics: validateDocument(document) });
    } catch (error) {
      // A validator bug must never take the server down: say so in the log and keep serving.
      connection.console.error(`validation of ${uri} failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  pending.clear();
}

documents.onDidChangeContent((event) => scheduleValidation(event.document.uri));
documents.onDidClose((event) => void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] }));

connection.onHover((params) => {
  const document = documents.get(params.textDocument.uri);
  return document ? hoverAt(document, document.offsetAt(params.position)) : null;
});
connection.onCompletion((params) => {
  const document = documents.get(params.textDocument.uri);
  return document ? completionsAt(document, document.offsetAt(params.position)) : [];
});
connection.onDocumentSymbol((params) => {
  const document = documents.get(params.textDocument.uri);
  return document ? documentSymbols(document) : [];
});
connection.onFoldingRanges((params) => {
  const document = documents.get(params.textDocument.uri);
  return document ? foldingRanges(document) : [];
});

documents.listen(connection);
connection.listen();

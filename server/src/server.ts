/**
 * The Phantom language server: thin LSP wiring over the pure services (validation, completion, hover,
 * symbols). Started by the extension over IPC, or by any client with `node dist/server.js --stdio`.
 */
import './memoryTuning';
import {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { pathToFileURL } from 'node:url';
import { codeActionsFor } from './codeActions';
import { completionsAt } from './completion';
import { definitionAt } from './config/configDefinition';
import { fileSystemListDirectory, fileSystemReadFile, documentFormat, forgetDocument, fileSystemPathKind, parsedDocument, validateDocument, type ValidationContext } from '../../model';
import { hoverAt } from './hover';
import { kernelLandlockAbiNotification, learnedRightsNotification, learnedUsageNotification, profileReferenceRequest, runDenialsNotification, type InitializationOptions } from './protocol';
import { RunDenialService } from './runDenialService';
import { learnedRightsDiagnostics, setLearnedRights } from './learnedRights';
import { profileReferenceEdit } from './profileReference';
import { learnCodeActions, learnedUsageDiagnostics, setLearnedUsage } from './learnedUsage';
import { documentSymbols, foldingRanges } from './symbols';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

/** What validation knows beyond the text: the machine's filesystem and, once the client says, its kernel's Landlock ABI. */
const context: ValidationContext = {
  pathKind: fileSystemPathKind,
  // A profile referenced by phantom-fragment.yaml is read as the editor has it, unsaved changes included.
  readFile: (file) => documents.get(pathToFileURL(file).href)?.getText() ?? fileSystemReadFile(file),
  listDirectory: fileSystemListDirectory,
};

function setKernelLandlockAbi(abi: unknown): void {
  context.kernelLandlockAbi = typeof abi === 'number' && Number.isInteger(abi) && abi >= 0 ? abi : undefined;
}

connection.onInitialize((params): InitializeResult => {
  setKernelLandlockAbi((params.initializationOptions as InitializationOptions | undefined)?.kernelLandlockAbi);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [':', '"', ' ', '-', '{'] },
      hoverProvider: true,
      definitionProvider: true,
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix', 'refactor'], resolveProvider: false },
    },
    serverInfo: { name: 'phantom-fragment-language-server', version: '0.1.0' },
  };
});

connection.onNotification(kernelLandlockAbiNotification, (params) => {
  setKernelLandlockAbi(params?.abi);
  for (const document of documents.all()) if (documentFormat(document.uri)?.kind === 'landlock') scheduleValidation(document.uri);
});

/** Learn mode: what the last learn run never used (learnedUsage.ts). */
function learnedDiagnostics(document: TextDocument) {
  const parsed = parsedDocument(document);
  return parsed ? [...learnedUsageDiagnostics(parsed), ...learnedRightsDiagnostics(parsed)] : [];
}
connection.onNotification(learnedUsageNotification, (params) => {
  setLearnedUsage(params);
  scheduleValidation(params.uri);
});
connection.onNotification(learnedRightsNotification, (params) => {
  setLearnedRights(params);
  scheduleValidation(params.uri);
});
connection.onRequest(profileReferenceRequest, (params) => profileReferenceEdit(params.uri, params.text, params.profile, params.key, params.file) ?? null);

/** What the last runs refused, on the profile lines that refused it, closed files too (runDenialService.ts). */
const runDenials = new RunDenialService(() => documents.all(), (p) => void connection.sendDiagnostics(p), (uri) => scheduleValidation(uri));
connection.onNotification(runDenialsNotification, (params) => runDenials.update(params));

/**
 * Validation runs once per burst of changes, with no fixed delay. The LSP connection handles one queued
 * message per turn of the event loop, so a burst already received (fast typing during a long validation,
 * multi-cursor edits) arrives over several turns: the flush waits one more turn for as long as the previous
 * turn brought a change, then validates the latest text once.
 */
const pending = new Set<string>();
let changedThisTurn = false;
function scheduleValidation(uri: string): void {
  if (pending.size === 0) setImmediate(settle);
  pending.add(uri);
  changedThisTurn = true;
}
function settle(): void {
  if (changedThisTurn) {
    changedThisTurn = false;
    setImmediate(settle);
    return;
  }
  flush();
}
function flush(): void {
  for (const uri of pending) {
    const document = documents.get(uri);
    if (!document || !documentFormat(uri)) continue;
    try {
      void connection.sendDiagnostics({ uri, version: document.version, diagnostics: [...validateDocument(document, context), ...learnedDiagnostics(document), ...runDenials.diagnosticsOf(document)] });
    } catch (error) {
      // A validator bug must never take the server down: say so in the log and keep serving.
      connection.console.error(`validation of ${uri} failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  pending.clear();
}

documents.onDidChangeContent((event) => {
  scheduleValidation(event.document.uri);
  // Open configurations summarise the errors of the profiles they reference: revalidate them too.
  if (documentFormat(event.document.uri)?.kind !== 'config') for (const d of documents.all()) if (documentFormat(d.uri)?.kind === 'config') scheduleValidation(d.uri);
});
documents.onDidClose((event) => {
  forgetDocument(event.document.uri);
  void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: runDenials.closed(event.document.uri) });
});

connection.onHover((params) => {
  const document = documents.get(params.textDocument.uri);
  return document ? hoverAt(document, document.offsetAt(params.position), context) : null;
});
connection.onDefinition((params) => {
  const document = documents.get(params.textDocument.uri);
  return document ? definitionAt(document, document.offsetAt(params.position), context) : null;
});
connection.onCompletion((params) => {
  const document = documents.get(params.textDocument.uri);
  return document ? completionsAt(document, document.offsetAt(params.position), context) : [];
});
connection.onCodeAction((params) => {
  const actions = codeActionsFor(params.textDocument.uri, params.range, params.context.diagnostics);
  const document = documents.get(params.textDocument.uri);
  const parsed = document && parsedDocument(document);
  const fixes = runDenials.codeActions(params.textDocument.uri, params.context.diagnostics, params.range);
  return parsed ? [...actions, ...fixes, ...learnCodeActions(parsed, params.range)] : [...actions, ...fixes];
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

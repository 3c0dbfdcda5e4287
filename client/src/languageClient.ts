/** Starts the language server (dist/server.js) over IPC for the product's three file formats. */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'phantom-fragment' },
  { scheme: 'file', language: 'seccomp-profile' },
  { scheme: 'file', language: 'landlock-profile' },
  // By name too, for files another extension's language claims (e.g. json for *.seccomp.json).
  { scheme: 'file', pattern: '**/phantom-fragment.{yaml,yml}' },
  { scheme: 'file', pattern: '**/*.seccomp.{json,yaml,yml}' },
  { scheme: 'file', pattern: '**/*.landlock.{json,yaml,yml,toml}' },
];

/** The server's messages and traces go to the extension's one "Phantom" log channel. */
export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    diagnosticCollectionName: 'phantom',
    outputChannel: log,
    traceOutputChannel: log,
  };
  return new LanguageClient('phantom', 'Phantom Fragment', serverOptions, clientOptions);
}

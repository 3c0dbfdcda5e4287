/** The built language server over real LSP stdio: diagnostics, hover, completion, symbols, robustness. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompletionItem, DocumentSymbol, Hover } from 'vscode-languageserver-types';
import { FIXTURES } from '../support/fixtures';
import { LspClient } from '../support/lspClient';

let client: LspClient;
const uri = pathToFileURL('/workspace/phantom-fragment.yaml').href;

before(async () => {
  client = new LspClient();
  const { capabilities } = await client.initialize();
  assert.ok(capabilities.hoverProvider);
  assert.ok(capabilities.completionProvider);
});

after(async () => {
  assert.equal(await client.shutdown(), 0, 'the server exits cleanly after shutdown/exit');
});

test('opening a broken phantom-fragment.yaml publishes the schema diagnostic on the offending key', async () => {
  const text = fs.readFileSync(path.join(FIXTURES, 'config/unknown-key.phantom-fragment.yaml'), 'utf8');
  await client.open(uri, text, 'phantom-fragment', 1);
  const diagnostics = await client.waitForDiagnostics(uri, 1);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0].message, "Unknown key 'netwrk' in 'py'. Did you mean 'network'?");
  assert.deepEqual(diagnostics[0].range, { start: { line: 4, character: 4 }, end: { line: 4, character: 10 } });
  assert.equal(diagnostics[0].source, 'phantom');
});

test('an edit that fixes the key clears the diagnostic', async () => {
  await client.change(uri, 2, 'version: 1\nprofiles:\n  py:\n    network: none\n');
  assert.deepEqual(await client.waitForDiagnostics(uri, 2), []);
});

test('hover shows the schema description of a key', async () => {
  const hover = await client.connection.sendRequest<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 6 } });
  const value = (hover.contents as { value: string }).value;
  assert.match(value, /\*\*network\*\*/);
  assert.match(value, /loopback/);
});

test('completion offers the keys a profile may still take, and enum values', async () => {
  await client.change(uri, 3, 'version: 1\nprofiles:\n  py:\n    network: none\n    \n');
  await client.waitForDiagnostics(uri, 3);
  const keys = await client.connection.sendRequest<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 4, character: 4 } });
  const labels = keys.map((k) => k.label);
  assert.ok(labels.includes('limits') && labels.includes('run') && labels.includes('fragments'), labels.join(','));
  assert.ok(!labels.includes('network'), 'keys already present are not offered again');
  await client.change(uri, 4, 'version: 1\nprofiles:\n  py:\n    network: \n');
  await client.waitForDiagnostics(uri, 4);
  const values = await client.connection.sendRequest<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 3, character: 13 } });
  assert.deepEqual(values.map((v) => v.label).sort(), ['host', 'loopback', 'none']);
});

test('document symbols follow the structure', async () => {
  await client.change(uri, 5, 'version: 1\nprofiles:\n  py:\n    network: none\n  sh:\n    network: host\n');
  await client.waitForDiagnostics(uri, 5);
  const symbols = await client.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  const profiles = symbols.find((s) => s.name === 'profiles');
  assert.deepEqual(profiles?.children?.map((c) => c.name), ['py', 'sh']);
});

test('random bytes and broken documents never take the server down', async () => {
  const noise = pathToFileURL('/workspace/noise/phantom-fragment.yaml').href;
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  await client.open(noise, '', 'phantom-fragment', 1);
  for (let version = 2; version < 40; version++) {
    const bytes = Array.from({ length: 200 + Math.floor(random() * 800) }, () => String.fromCharCode(Math.floor(random() * 128)));
    await client.change(noise, version, bytes.join(''));
  }
  await client.change(noise, 40, 'version: 1\n');
  assert.deepEqual(await client.waitForDiagnostics(noise, 40), []);
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import { test } from './harness';

export const EXTENSION_ID = 'phantom-fragment.phantom-fragment';

test('the extension is present and activates', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} not found; loaded: ${vscode.extensions.all.map((e) => e.id).filter((id) => !id.startsWith('vscode.')).join(', ')}`);
  await ext.activate();
  assert.equal(ext.isActive, true, 'extension did not become active');
});

test('the copy under test is the one the driver meant (the installed .vsix by default)', () => {
  const file = process.env.PHANTOM_E2E_EXPECTED_EXTENSION_FILE;
  assert.ok(file, 'PHANTOM_E2E_EXPECTED_EXTENSION_FILE is not set (test/e2e/extensionHost.e2e.test.ts sets it)');
  const expected = fs.readFileSync(file, 'utf8');
  assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath, expected);
});

test('its commands are registered', async () => {
  const commands = await vscode.commands.getCommands(true);
  for (const id of ['phantom.runInSandbox', 'phantom.learnSeccompProfile', 'phantom.showMetrics']) {
    assert.ok(commands.includes(id), `command ${id} is not registered; phantom.* commands: ${commands.filter((c) => c.startsWith('phantom.')).join(', ') || 'none'}`);
  }
});

import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { test } from './harness';

export const EXTENSION_ID = 'phantom-fragment.phantom-fragment';

test('the extension is present and activates', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} not found; loaded: ${vscode.extensions.all.map((e) => e.id).filter((id) => !id.startsWith('vscode.')).join(', ')}`);
  await ext.activate();
  assert.equal(ext.isActive, true, 'extension did not become active');
});

test('its commands are registered', async () => {
  const commands = await vscode.commands.getCommands(true);
  for (const id of ['phantom.runInSandbox', 'phantom.learnSeccompProfile', 'phantom.showMetrics']) {
    assert.ok(commands.includes(id), `command ${id} is not registered; phantom.* commands: ${commands.filter((c) => c.startsWith('phantom.')).join(', ') || 'none'}`);
  }
});

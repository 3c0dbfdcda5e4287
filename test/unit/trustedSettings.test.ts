/** Settings a workspace may not set (client/src/trustedSettings.ts) and package.json's Workspace Trust declaration. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RESTRICTED_SETTINGS, userLevelValue, workspaceTriedToSet } from '../../client/src/trustedSettings';

const pkg = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8'));

test('package.json: limited support in Restricted Mode, and the restricted settings listed', () => {
  const trust = pkg.capabilities?.untrustedWorkspaces;
  assert.equal(trust?.supported, 'limited');
  assert.ok(typeof trust.description === 'string' && trust.description.length > 20);
  assert.deepEqual([...trust.restrictedConfigurations].sort(), [...RESTRICTED_SETTINGS].sort());
  for (const key of RESTRICTED_SETTINGS) assert.ok(pkg.contributes.configuration.properties[key], `${key} is a declared setting`);
});

test('every phantom.* setting that can widen a sandbox or name code to run is restricted', () => {
  const harmless = new Set(['phantom.trace.server', 'phantom.pressure.warning', 'phantom.pressure.critical']);
  for (const key of Object.keys(pkg.contributes.configuration.properties)) {
    if (!harmless.has(key)) assert.ok((RESTRICTED_SETTINGS as readonly string[]).includes(key), `${key} is neither restricted nor known harmless`);
  }
});

test("a workspace's value is ignored; the user's or the default is used", () => {
  // Before: getConfiguration().get() returned the workspace's "host" from .vscode/settings.json.
  assert.equal(userLevelValue({ defaultValue: 'none', workspaceValue: 'host' }, 'none'), 'none');
  assert.equal(userLevelValue({ defaultValue: 'none', workspaceFolderValue: 'host' }, 'none'), 'none');
  assert.equal(userLevelValue({ defaultValue: 'none', globalValue: 'loopback', workspaceValue: 'host' }, 'none'), 'loopback');
  assert.equal(userLevelValue<number>(undefined, 300), 300);
  assert.equal(workspaceTriedToSet({ workspaceValue: 'x' }), true);
  assert.equal(workspaceTriedToSet({ globalValue: 'x' }), false);
});

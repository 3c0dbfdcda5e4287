/** Every setting of package.json has a typed getter in client/src/config.ts; the runtime bundle a setting names. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runtimeBundle, SETTING_KEYS } from '../../client/src/settingKeys';

const REPO = path.join(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

test('every contributed setting is typed in config.ts, and no other', () => {
  assert.deepEqual([...SETTING_KEYS], Object.keys(pkg.contributes.configuration.properties));
  const source = fs.readFileSync(path.join(REPO, 'client/src/config.ts'), 'utf8');
  for (const key of SETTING_KEYS) assert.match(source, new RegExp(`\\('${key.replace(/\./g, '\\.')}'`), `${key} has a getter`);
});

test('an empty phantom.runtime.path means the bundled runtime', () => {
  assert.equal(runtimeBundle('', '/ext/dist/runtime.js'), '/ext/dist/runtime.js');
  assert.equal(runtimeBundle('  ', '/ext/dist/runtime.js'), '/ext/dist/runtime.js');
  assert.equal(runtimeBundle('/opt/phantom/runtime.js', '/ext/dist/runtime.js'), '/opt/phantom/runtime.js');
});

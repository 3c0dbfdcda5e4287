import { test } from 'node:test';
import assert from 'node:assert/strict';
import { documentFormat } from '../../server/src/documentKind';

test('files are recognised by name alone', () => {
  assert.deepEqual(documentFormat('file:///w/phantom-fragment.yaml'), { kind: 'config', syntax: 'yaml' });
  assert.deepEqual(documentFormat('/w/a/python.seccomp.json'), { kind: 'seccomp', syntax: 'json' });
  assert.deepEqual(documentFormat('/w/a/python.seccomp.yml'), { kind: 'seccomp', syntax: 'yaml' });
  assert.deepEqual(documentFormat('/w/ws.landlock.toml'), { kind: 'landlock', syntax: 'toml' });
  assert.equal(documentFormat('/w/ws.seccomp.toml'), undefined);
  assert.equal(documentFormat('/w/package.json'), undefined);
});

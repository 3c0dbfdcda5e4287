import { test } from 'node:test';
import assert from 'node:assert/strict';
import { documentFormat } from '../../model/src/documentKind';

test('files are recognised by name alone', () => {
  assert.deepEqual(documentFormat('file:///w/phantom-fragment.yaml'), { kind: 'config', syntax: 'yaml' });
  assert.deepEqual(documentFormat('/w/a/python.seccomp.json'), { kind: 'seccomp', syntax: 'json' });
  assert.deepEqual(documentFormat('/w/a/python.seccomp.yml'), { kind: 'seccomp', syntax: 'yaml' });
  assert.deepEqual(documentFormat('/w/ws.landlock.toml'), { kind: 'landlock', syntax: 'toml' });
  assert.equal(documentFormat('/w/ws.seccomp.toml'), undefined);
  assert.equal(documentFormat('/w/package.json'), undefined);
});

test("package.json's languages name the files the model recognises, no more and no fewer", async () => {
  const { FILE_PATTERNS } = await import('../../model/src/documentKind');
  const manifest = (await import('../../package.json')).default as { contributes: { languages: { id: string; filenames?: string[]; filenamePatterns?: string[] }[] } };
  const ids: Record<string, keyof typeof FILE_PATTERNS> = { 'phantom-fragment': 'config', 'seccomp-profile': 'seccomp', 'landlock-profile': 'landlock' };
  for (const language of manifest.contributes.languages) {
    assert.deepEqual([...(language.filenames ?? []), ...(language.filenamePatterns ?? [])], FILE_PATTERNS[ids[language.id]], language.id);
  }
});

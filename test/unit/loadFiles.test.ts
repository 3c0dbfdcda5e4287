/** The model's loaders (model/src/loadFiles.ts): one parse, and exactly the diagnostics `phantom check` prints. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkedName, loadConfig, loadLandlockProfile, loadSeccompProfile } from '../../model';
import { fileSystemContext } from '../../model/src/config/fileAccess';
import { validateDocument } from '../../model/src/validation';
import { FIXTURES, REPO } from '../support/fixtures';

test('a configuration: its model, and the diagnostics check gives it', () => {
  const file = path.join(REPO, 'examples/phantom-fragment.yaml');
  const text = fs.readFileSync(file, 'utf8');
  const loaded = loadConfig(file, text);
  assert.equal(loaded.syntaxError, undefined);
  assert.ok(Object.keys(loaded.config.profiles).includes('python'));
  const direct = validateDocument(TextDocument.create(pathToFileURL(file).href, 'yaml', 0, text), fileSystemContext());
  assert.deepEqual(loaded.diagnostics(), direct);
});

test('a syntax error is given with its line and column', () => {
  const loaded = loadConfig('/w/phantom-fragment.yaml', 'version: 1\nprofiles:\n\tpython: {}\n');
  assert.equal(loaded.syntaxError?.line, 3);
  assert.equal(loaded.syntaxError?.column, 1);
  assert.ok(loaded.errors().length > 0);
});

test('a profile under any name is checked as what it is loaded as', () => {
  assert.equal(checkedName('/w/p.json', 'seccomp'), '/w/p.json.seccomp.json');
  assert.equal(checkedName('/w/a.seccomp.yaml', 'seccomp'), '/w/a.seccomp.yaml');
  const seccomp = loadSeccompProfile('/w/p.json', '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 5000}');
  assert.ok(seccomp.errors().length > 0, 'an errno above 4094 is an error');
  const landlock = loadLandlockProfile('/w/l.json', '{"abi": 4294967296, "pathBeneath": [{"allowedAccess": ["read_file"], "parent": ["/"]}]}');
  assert.ok(landlock.errors().length > 0, 'an abi of 2^32 is an error');
  const good = loadSeccompProfile(path.join(FIXTURES, 'profiles/docker-default.seccomp.json'), fs.readFileSync(path.join(FIXTURES, 'profiles/docker-default.seccomp.json'), 'utf8'));
  assert.deepEqual(good.errors(), []);
});

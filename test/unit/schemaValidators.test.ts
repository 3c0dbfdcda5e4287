/** The validators ajv compiled ahead of time (model/src/schemaValidators.generated.ts) match schemas/ and agree with compiling now. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { schemaFindings } from '../../model/src/schemaErrors';
import { schemaFor } from '../../model/src/schemas';
import { REPO } from '../support/fixtures';

test('the generated validators are up to date with schemas/ (else: node scripts/gen-schema-validators.mjs)', () => {
  const result = spawnSync(process.execPath, [path.join(REPO, 'scripts/gen-schema-validators.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});

test('a schema changed since generation is compiled at run time, with the same findings', () => {
  const schema = schemaFor({ kind: 'seccomp', syntax: 'yaml' }) as Record<string, unknown>;
  // Another $id keeps ajv from seeing two schemas under one id; any change to the text defeats the hash.
  const changed = { ...structuredClone(schema), $id: 'https://phantom-fragment.invalid/schemas/changed.json' };
  const value = { defaultAction: 'SCMP_ACT_ALOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 9, value: 1, op: 'X' }] }], extra: 1 };
  const ahead = schemaFindings(schema, value);
  assert.ok(ahead.length >= 4, JSON.stringify(ahead));
  assert.deepEqual(schemaFindings(changed, value), ahead);
});

/**
 * The validators ajv compiled ahead of time (model/generated/schemaValidators.ts, written by every build from
 * schemas/) exist for every schema the model validates with, and find what compiling the schema now finds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { schemaFindings } from '../../model/src/schemaErrors';
import { schemaFor } from '../../model/src/schemas';
import * as generated from '../../model/generated/schemaValidators';

type Problem = { instancePath: string; keyword: string };
type Validate = { (value: unknown): boolean; errors?: Problem[] | null };
const summary = (errors: Problem[] | null | undefined) => (errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`).sort();

const FORMATS = [
  { kind: 'config', syntax: 'yaml' },
  { kind: 'seccomp', syntax: 'json' },
  { kind: 'landlock', syntax: 'json' },
  { kind: 'landlock', syntax: 'toml' },
] as const;

test('every schema of the model has a generated validator', () => {
  for (const format of FORMATS) {
    const id = (schemaFor(format) as { $id: string }).$id;
    const name = generated.VALIDATOR_NAMES[id];
    assert.ok(name, `${id}: no generated validator (run npm run build)`);
    assert.equal(typeof (generated as unknown as Record<string, unknown>)[name], 'function', id);
  }
});

test('a generated validator reports what ajv compiling the schema now reports', () => {
  const schema = schemaFor({ kind: 'seccomp', syntax: 'yaml' }) as Record<string, unknown>;
  const value = { defaultAction: 'SCMP_ACT_ALOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 9, value: 1, op: 'X' }] }], extra: 1 };
  const findings = schemaFindings(schema, value);
  assert.ok(findings.length >= 4, JSON.stringify(findings));
  const now = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  assert.equal(now(value), false);
  const ahead = (generated as unknown as Record<string, Validate>).seccomp;
  assert.equal(ahead(value), false);
  assert.deepEqual(summary(ahead.errors), summary(now.errors));
});

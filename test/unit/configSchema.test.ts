/** schemas/phantom-fragment.schema.json: documented everywhere, its defaults the model's, the example valid. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import schema from '../../schemas/phantom-fragment.schema.json';
import { DEFAULT_PRESSURE, readConfig } from '../../model/src/config/configModel';
import type { JsonValue } from '../../model/src/sourceTree';
import { REPO } from '../support/fixtures';

function undocumented(node: unknown, where = '#', missing: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n, i) => undocumented(n, `${where}/${i}`, missing));
  if (!node || typeof node !== 'object' || Array.isArray(node)) return missing;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if ((k === 'properties' || k === 'definitions') && v && typeof v === 'object') {
      for (const [name, sub] of Object.entries(v as Record<string, unknown>)) {
        const d = (sub as { description?: unknown }).description;
        if (typeof d !== 'string' || d.trim().length < 3) missing.push(`${where}/${k}/${name}`);
        undocumented(sub, `${where}/${k}/${name}`, missing);
      }
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object' && !Array.isArray(v)) {
      const s = v as { description?: unknown; $ref?: unknown };
      if (typeof s.description !== 'string' && typeof s.$ref !== 'string') missing.push(`${where}/${k}`);
      undocumented(v, `${where}/${k}`, missing);
    } else if (k !== 'default') {
      undocumented(v, `${where}/${k}`, missing);
    }
  }
  return missing;
}

test('every property, definition, item and map value of the configuration schema has a description', () => {
  assert.equal(typeof schema.description, 'string');
  assert.deepEqual(undocumented(schema), []);
});

test("the orchestrator's defaults are written in the schema, and are the model's", () => {
  const pressure = schema.properties.orchestrator.properties.pressure;
  assert.deepEqual(pressure.default, DEFAULT_PRESSURE);
  for (const r of ['cpu', 'memory', 'io'] as const) assert.deepEqual(pressure.properties[r].default, DEFAULT_PRESSURE[r]);
  assert.deepEqual(readConfig({ version: 1 }).pressure, DEFAULT_PRESSURE);
  assert.deepEqual(readConfig({ version: 1, orchestrator: { pressure: { io: { warning: 10 } } } }).pressure.io, { ...DEFAULT_PRESSURE.io, warning: 10 });
});

test('the example configuration validates against the schema, and its model reads every profile', () => {
  const value = parse(fs.readFileSync(path.join(REPO, 'examples/phantom-fragment.yaml'), 'utf8'));
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  assert.ok(validate(value), JSON.stringify(validate.errors));
  const config = readConfig(value as JsonValue);
  assert.deepEqual(Object.keys(config.profiles), ['python', 'node', 'shell']);
  assert.deepEqual(config.profiles.python.seccomp, { file: 'profiles/python.seccomp.json' });
});

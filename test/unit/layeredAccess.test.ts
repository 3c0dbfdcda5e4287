// A profile's own Landlock write grant that the fragments' layer makes useless (server/src/config/layeredAccess.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readConfig } from '../../model';
import { effectivePolicy } from '../../model';
import { uselessGrants } from '../../model';

const config = (filesystem: string) => readConfig({
  version: 1,
  profiles: { tool: { fragments: ['python', 'workspace-read'], ...(filesystem ? { filesystem: { readWrite: [filesystem] } } : {}) } },
});

const own = { abi: 3, pathBeneath: [{ allowedAccess: ['read_file', 'write_file'], parent: ['${workspaceFolder}'] }] };

test('write on the workspace where the profile keeps it read-only: no effect', () => {
  const useless = uselessGrants(effectivePolicy(config(''), 'tool')!, own);
  assert.equal(useless.length, 1);
  assert.match(useless[0].message, /grants write on the workspace, but profile 'tool' keeps it read-only: this has no effect/);
});

test('write on the workspace where a folder beneath it is read-write: it has an effect there (no warning)', () => {
  assert.deepEqual(uselessGrants(effectivePolicy(config('${workspaceFolder}/cache'), 'tool')!, own), []);
});

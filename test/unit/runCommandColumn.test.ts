/** The metrics' "command" column for profile runs (runtime/src/runs/runManager.ts recordedCommand, sandboxSpec.ts command). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordedCommand } from '../../runtime/src/runs/runManager';
import { sandboxSpecFor } from '../../runtime/src/sandbox/sandboxSpec';

test("a profile run records the profile's run, as written, with ${file} substituted", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-cmd-'));
  try {
    fs.writeFileSync(path.join(dir, 'phantom-fragment.yaml'), 'version: 1\nprofiles:\n  py:\n    run: [python3, "${file}"]\n');
    fs.writeFileSync(path.join(dir, 'x.py'), 'print(1)\n');
    const params = { runId: 'r', argv: [], cwd: dir, config: path.join(dir, 'phantom-fragment.yaml'), profile: 'py', file: path.join(dir, 'x.py') };
    const prepared = sandboxSpecFor(params);
    // Before: params.argv.join(' ') — empty for every profile run.
    assert.equal(recordedCommand(params, prepared.command), `python3 ${path.join(dir, 'x.py')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a request argv is recorded as given; a refused profile run still names its profile', () => {
  assert.equal(recordedCommand({ argv: ['node', 'a.js'] }), 'node a.js');
  assert.equal(recordedCommand({ argv: [], profile: 'py' }), '(the run of profile py)');
});

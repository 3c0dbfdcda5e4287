/** The `phantom` task type (client/src/taskDefinition.ts) and its package.json declaration. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { taskLabel, taskRun } from '../../client/src/taskDefinition';

const pkg = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8'));

test('package.json declares the phantom task type with profile required and file/command/config optional', () => {
  const def = pkg.contributes.taskDefinitions.find((d: { type: string }) => d.type === 'phantom');
  assert.ok(def, 'no taskDefinitions entry of type phantom');
  assert.deepEqual(def.required, ['profile']);
  assert.deepEqual(Object.keys(def.properties).sort(), ['command', 'config', 'file', 'profile']);
  assert.equal(def.properties.command.type, 'array');
  assert.ok(pkg.contributes.problemMatchers.some((m: { name: string }) => m.name === 'phantom'), 'the $phantom problem matcher');
  assert.ok(pkg.activationEvents.includes('onTaskType:phantom') || pkg.activationEvents.includes('onCommand:workbench.action.tasks.runTask'));
});

test('a definition becomes a run of the profile in the folder', () => {
  assert.deepEqual(taskRun({ type: 'phantom', profile: 'python', file: 'hello.py' }, '/w', '/w/phantom-fragment.yaml'), {
    config: '/w/phantom-fragment.yaml', profile: 'python', file: '/w/hello.py', argv: [], cwd: '/w',
  });
  assert.deepEqual(taskRun({ type: 'phantom', profile: 'p', command: ['make', 'test'], config: 'sub/phantom-fragment.yaml' }, '/w', undefined), {
    config: '/w/sub/phantom-fragment.yaml', profile: 'p', file: undefined, argv: ['make', 'test'], cwd: '/w',
  });
});

test('a wrong definition says what is wrong', () => {
  assert.match((taskRun({ type: 'phantom' }, '/w', '/w/c.yaml') as { error: string }).error, /no "profile"/);
  assert.match((taskRun({ type: 'phantom', profile: 'p', command: 'make' }, '/w', '/w/c.yaml') as { error: string }).error, /list of strings/);
  assert.match((taskRun({ type: 'phantom', profile: 'p' }, '/w', undefined) as { error: string }).error, /no phantom-fragment\.yaml in \/w/);
});

test('detected task labels', () => {
  assert.equal(taskLabel('python', 'phantom-fragment.yaml'), 'run profile python');
  assert.equal(taskLabel('python', 'examples/phantom-fragment.yaml'), 'run profile python (examples/phantom-fragment.yaml)');
});

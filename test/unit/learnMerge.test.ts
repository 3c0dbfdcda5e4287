// "Add missing only": the current profile plus one rule with what the learn run used and it lacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addMissingText } from '../../runtime/src/learn/learnMerge';
import { emptyUsage, normalizeUsage } from '../../runtime/src/learn/learnRecording';
import { loadSeccompProfile as loadSeccompModel } from '../../model';

const usage = normalizeUsage({ ...emptyUsage(), runs: 1, notifications: 5, arches: { SCMP_ARCH_X86_64: { read: 3, write: 1, execve: 1 } } });

test('YAML keeps its comments and gets one added rule', () => {
  const text = '# mine\ndefaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - names: [read] # reading\n    action: SCMP_ACT_ALLOW\n';
  const out = addMissingText(text, 'yaml', usage);
  assert.deepEqual(out.missing, ['execve', 'write']);
  assert.match(out.text, /# mine/);
  assert.match(out.text, /# reading/);
  const p = loadSeccompModel('x', out.text).profile();
  assert.deepEqual(p.syscalls?.[1].names, ['execve', 'write']);
});

test('JSON: nothing missing leaves the text as it is', () => {
  const text = '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","execve"],"action":"SCMP_ACT_ALLOW"}]}';
  assert.equal(addMissingText(text, 'json', usage).text, text);
});

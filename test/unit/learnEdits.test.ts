// The composition of a learn proposal's edit (client/src/learnEdits.ts): every file's change, applied together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failedParts, proposalChanges, type LandlockPart, type SeccompPart } from '../../client/src/learnEdits';
import { applyChange } from '../../client/src/profileEdits';
import type { LearnLandlockResult, LearnProfileResult } from '../../runtime/src/protocol';

const MINE = '{\n    "defaultAction": "SCMP_ACT_ERRNO",\n    "syscalls": [\n        { "names": ["read"], "action": "SCMP_ACT_ALLOW" }\n    ]\n}\n';
const MINIMAL = '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [\n    { "names": ["read", "write"], "action": "SCMP_ACT_ALLOW" }\n  ]\n}\n';

function seccomp(currentText: string | undefined, status: LearnProfileResult['status'] = 'verified'): SeccompPart {
  const result: LearnProfileResult = {
    status, added: [], minimalText: MINIMAL, addMissingText: MINIMAL, missing: ['write'], usedNames: ['read', 'write'], runs: 2, notifications: 0, varying: [], notes: [],
  };
  return { result, format: 'json', currentText };
}

function landlock(currentText: string | undefined, text: string, status: LearnLandlockResult['status'] = 'verified'): LandlockPart {
  return { currentText, result: { status, added: [], text, abi: 4, usedPaths: {}, usedPorts: {}, workspace: '/w', varying: [], notGranted: [], replays: { alone: 3, withSeccomp: 3 } } };
}

test('both files: the seccomp choice and the Landlock proposal, in one list, seccomp first', () => {
  const ll = landlock('{ "abi": 1 }\n', '{ "abi": 4 }\n');
  const changes = proposalChanges({ seccomp: seccomp(MINE), landlock: ll }, 'addMissing', 'python3 app.py');
  assert.deepEqual(changes.map((c) => [c.file, c.create]), [['seccomp', false], ['landlock', false]]);
  const [s, l] = changes;
  assert.ok(!s.create && !l.create);
  const seccompAfter = applyChange(MINE, s.change);
  // Add missing keeps the user's line and layout and adds one rule with a comment naming the command.
  assert.match(seccompAfter, /^ {8}\{ "names": \["read"\], "action": "SCMP_ACT_ALLOW" \},$/m);
  assert.match(seccompAfter, /"names": \["write"\][\s\S]*Added by learn mode: used by `python3 app\.py`/);
  // The Landlock proposal replaces the file (the smallest replacement), whatever the seccomp choice.
  assert.equal(applyChange('{ "abi": 1 }\n', l.change), '{ "abi": 4 }\n');
  const [minimal] = proposalChanges({ seccomp: seccomp(MINE) }, 'minimal', 'x');
  assert.ok(!minimal.create);
  assert.equal(applyChange(MINE, minimal.change), MINIMAL, 'minimal replaces the seccomp profile');
});

test('new files are created with the proposal; a file the proposal leaves unchanged gets no edit', () => {
  const changes = proposalChanges({ seccomp: seccomp(undefined), landlock: landlock(undefined, 'abi: 4\n') }, 'addMissing', 'x');
  assert.deepEqual(changes, [{ file: 'seccomp', create: true, text: MINIMAL }, { file: 'landlock', create: true, text: 'abi: 4\n' }]);
  assert.deepEqual(proposalChanges({ landlock: landlock('abi: 4\n', 'abi: 4\n') }, 'minimal', 'x'), []);
});

test('a failed replay of either part is named (the proposal is then never applied)', () => {
  assert.deepEqual(failedParts({ seccomp: seccomp(MINE), landlock: landlock(undefined, '', 'verified') }), []);
  const failed = landlock(undefined, '', 'failed');
  failed.result.reason = 'replay 1: exit 1 under the Landlock proposal';
  assert.deepEqual(failedParts({ seccomp: seccomp(MINE, 'failed'), landlock: failed }), ['seccomp: the replay did not match', 'Landlock: replay 1: exit 1 under the Landlock proposal']);
});

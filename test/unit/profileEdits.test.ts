/** "Add missing only" as a precise edit (client/src/profileEdits.ts): the rest of the file stays as written. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addRuleEdit, applyChange, minimalEdit } from '../../client/src/profileEdits';

const rule = { names: ['getrandom', 'openat'], comment: 'learned from `python3 hello.py`' };

/** Every line of `before` is a line of `after`, in order (nothing rewritten, only lines added; JSON may add a comma). */
function onlyAdded(before: string, after: string): void {
  const added = after.split('\n').map((l) => l.replace(/,$/, ''));
  let at = 0;
  for (const line of before.split('\n').map((l) => l.replace(/,$/, ''))) {
    const found = added.indexOf(line, at);
    assert.ok(found >= 0, `line ${JSON.stringify(line)} of the user's file was changed:\n${after}`);
    at = found + 1;
  }
}

test('JSON: the user layout (names on one line, odd spacing, key order) is kept; one rule is appended', () => {
  const before = `{
    "defaultAction": "SCMP_ACT_ERRNO",
    "syscalls": [
        { "names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW" }
    ],
    "architectures": ["SCMP_ARCH_X86_64"]
}
`;
  const after = applyChange(before, addRuleEdit(before, 'json', rule)!);
  onlyAdded(before, after);
  const parsed = JSON.parse(after) as { syscalls: { names: string[]; action: string }[] };
  assert.equal(parsed.syscalls.length, 2);
  assert.deepEqual(parsed.syscalls[1].names, ['getrandom', 'openat']);
  assert.equal(parsed.syscalls[1].action, 'SCMP_ACT_ALLOW');
  assert.ok(after.split('\n').length - before.split('\n').length <= 6, 'the names are not one per line');
  assert.match(after, /^ {8}\{$/m, "the new rule is indented like the user's rules");
});

test('JSON: no syscalls key, or an empty list, gets one', () => {
  const none = '{\n  "defaultAction": "SCMP_ACT_ERRNO"\n}\n';
  const a = applyChange(none, addRuleEdit(none, 'json', rule)!);
  onlyAdded(none, a);
  assert.deepEqual((JSON.parse(a) as { syscalls: { names: string[] }[] }).syscalls[0].names, rule.names);
  const empty = '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": []\n}\n';
  const b = applyChange(empty, addRuleEdit(empty, 'json', rule)!);
  assert.deepEqual((JSON.parse(b) as { syscalls: { names: string[] }[] }).syscalls[0].names, rule.names);
  assert.match(b, /^ {2}"defaultAction": "SCMP_ACT_ERRNO",$/m);
});

test('YAML: comments and layout kept, the rule goes after the last item of syscalls even when keys follow', () => {
  const before = `# my profile
defaultAction: SCMP_ACT_ERRNO
syscalls:
  # the basics
  - names: [read, write]   # aligned comment
    action: SCMP_ACT_ALLOW

architectures: [SCMP_ARCH_X86_64]
`;
  const after = applyChange(before, addRuleEdit(before, 'yaml', rule)!);
  onlyAdded(before, after);
  assert.match(after, /action: SCMP_ACT_ALLOW\n {2}- names: \[getrandom, openat\]\n {4}action: SCMP_ACT_ALLOW\n {4}comment: "learned from `python3 hello\.py`"\n\narchitectures/);
});

test('layouts it does not know give undefined (the caller falls back to a minimal replacement)', () => {
  assert.equal(addRuleEdit('{"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}', 'json', rule), undefined);
  assert.equal(addRuleEdit('syscalls: [{names: [read], action: SCMP_ACT_ALLOW}]\n', 'yaml', rule), undefined);
  assert.equal(addRuleEdit('[1, 2]', 'json', rule), undefined);
});

test('minimalEdit replaces only the part that differs', () => {
  const change = minimalEdit('a\nb\nc\n', 'a\nB\nc\n');
  assert.deepEqual(change, { offset: 2, length: 1, text: 'B' });
  assert.equal(applyChange('a\nb\nc\n', change), 'a\nB\nc\n');
  assert.deepEqual(minimalEdit('same', 'same'), { offset: 4, length: 0, text: '' });
  assert.equal(applyChange('aaa', minimalEdit('aaa', 'aaaa')), 'aaaa');
});

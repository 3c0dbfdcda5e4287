/** Completion and hover from the domain tables: syscalls, architectures, Landlock rights, variables. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CompletionItem, CompletionList, MarkupContent } from 'vscode-languageserver-types';
import { completionsAt } from '../../server/src/completion';
import { hoverAt } from '../../server/src/hover';
import { FIXTURES, textDocument } from '../support/fixtures';

/** Completion at the `|` in `text` (removed). */
function complete(name: string, text: string): CompletionItem[] {
  const offset = text.indexOf('|');
  const document = textDocument(name, text.replace('|', ''));
  const result = completionsAt(document, offset);
  return Array.isArray(result) ? result : (result as CompletionList).items;
}

function hover(name: string, text: string): string {
  const offset = text.indexOf('|');
  const document = textDocument(name, text.replace('|', ''));
  return ((hoverAt(document, offset)?.contents as MarkupContent | undefined)?.value) ?? '';
}

test('syscall names inside names, filtered by the prefix, with description and signature', () => {
  const items = complete('a.seccomp.yaml', 'defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - names:\n      - opena|\n    action: SCMP_ACT_ALLOW\n');
  assert.deepEqual(items.map((i) => i.label), ['openat', 'openat2']);
  assert.equal(items[0].detail, 'open and possibly create a file');
  assert.match((items[0].documentation as MarkupContent).value, /int openat\(int dirfd/);
  assert.deepEqual(items[0].textEdit && 'range' in items[0].textEdit ? items[0].textEdit.range : undefined, { start: { line: 3, character: 8 }, end: { line: 3, character: 13 } });
});

test('JSON flow lists get quoted names; names of the profile architectures only', () => {
  const items = complete('a.seccomp.json', '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", set_t|], "action": "SCMP_ACT_ALLOW"}]}');
  assert.deepEqual(items.map((i) => i.label), ['set_thread_area', 'set_tid_address']);
  assert.equal((items[0].textEdit as { newText: string }).newText, '"set_thread_area"');
  const arm = complete('a.seccomp.yaml', 'defaultAction: SCMP_ACT_ERRNO\narchitectures: [SCMP_ARCH_ARM]\nsyscalls:\n  - names: [set_t|]\n    action: SCMP_ACT_ALLOW\n');
  assert.ok(arm.some((i) => i.label === 'set_tls'));
});

test('Landlock rights and groups inside rights lists, by kind', () => {
  const fs1 = complete('a.landlock.yaml', 'abi: 3\npathBeneath:\n  - allowedAccess: [read_|]\n    parent: [/usr]\n');
  assert.deepEqual(fs1.map((i) => i.label), ['read_file', 'read_dir', 'abi.read_execute', 'abi.read_write']);
  const net = complete('a.landlock.toml', 'abi = 4\n[[net_port]]\nallowed_access = [|]\nport = [80]\n');
  assert.deepEqual(net.map((i) => i.label).sort(), ['abi.all', 'bind_tcp', 'connect_tcp']);
  assert.equal((net.find((i) => i.label === 'bind_tcp')!.textEdit as { newText: string }).newText, '"bind_tcp"');
});

test('variables inside ${…}', () => {
  const items = complete('a.landlock.json', '{"abi": 4, "variable": [{"name": "home", "literal": ["/home"]}, {"name": "tmp", "literal": ["/tmp"]}], "pathBeneath": [{"allowedAccess": ["read_file"], "parent": ["${h|"]}]}');
  assert.deepEqual(items.map((i) => [i.label, (i.textEdit as { newText: string }).newText]), [['home', 'home}']]);
});

test('a snippet for a new seccomp rule', () => {
  const items = complete('a.seccomp.yaml', 'defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - |\n');
  assert.equal(items.length, 1);
  assert.equal(items[0].insertTextFormat, 2);
  assert.match((items[0].textEdit as { newText: string }).newText, /^names: \[\$\{1:read\}\]\n {2}action: \$\{2\|SCMP_ACT_ALLOW,/);
});

test('hover on a syscall, an action, an operator and a Landlock right', () => {
  const syscall = hover('a.seccomp.yaml', 'defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - names: [ope|nat]\n    action: SCMP_ACT_ALLOW\n');
  assert.match(syscall, /\*\*openat\*\* — open and possibly create a file/);
  assert.match(syscall, /Number: x86_64 257 · x86 295 · x32 1073742081/);
  assert.match(hover('a.seccomp.yaml', 'defaultAction: SCMP_ACT_E|RRNO\n'), /Fail the syscall with an errno/);
  assert.match(hover('a.seccomp.yaml', 'defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - names: [clone]\n    action: SCMP_ACT_ALLOW\n    args: [{index: 0, value: 1, valueTwo: 0, op: SCMP_CMP_MASK|ED_EQ}]\n'), /\(arg & value\) == valueTwo/);
  const right = hover('a.landlock.toml', 'abi = 2\n[[path_beneath]]\nallowed_access = ["trunc|ate"]\nparent = ["/tmp"]\n');
  assert.match(right, /Landlock ABI 3, Linux 6.2 — above the declared abi 2/);
});

test('syscall completion on a 20,000-line profile stays under 30 ms once parsed', () => {
  const base = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'profiles/docker-default.seccomp.json'), 'utf8'));
  const extra = Array.from({ length: 1800 }, (_, i) => ({ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: i, op: 'SCMP_CMP_EQ' }] }));
  const text = JSON.stringify({ ...base, syscalls: [...base.syscalls, ...extra] }, null, 2);
  assert.ok(text.split('\n').length > 20000);
  const at = text.indexOf('"names": [\n') + '"names": [\n      "'.length + 1;
  const document = TextDocument.create('file:///w/big.seccomp.json', 'json', 1, text);
  completionsAt(document, at); // parses and caches this version
  const started = performance.now();
  const result = completionsAt(document, at) as CompletionList;
  const elapsed = performance.now() - started;
  assert.ok(result.items.length > 0);
  assert.ok(elapsed < 30, `${elapsed.toFixed(1)} ms`);
});

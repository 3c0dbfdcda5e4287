// A denial's fix as text edits on the file as it is (server/src/denialEdits.ts), in each syntax and layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { denialEdit, plainPath } from '../../server/src/denialEdits';
import { parseSource } from '../../model';
import { parsedDocument } from '../../model';
import type { RunDenialEdit } from '../../server/src/protocol';
import { textDocument } from '../support/fixtures';

let n = 0;
/** Applies the edit to `text` in a file called `name`; the result must parse without a problem. */
type EditWithoutFile = RunDenialEdit extends infer E ? (E extends RunDenialEdit ? Omit<E, 'file'> : never) : never;
function apply(name: string, text: string, edit: EditWithoutFile): { text: string; title: string } | 'applied' | undefined {
  const doc = parsedDocument(textDocument(`${n++}/${name}`, text))!;
  const result = denialEdit(doc, { file: '/workspace/x', ...edit } as RunDenialEdit);
  if (!result || result === 'applied') return result;
  const fixed = TextDocument.applyEdits(doc.document, result.edits);
  const syntax = /\.json$/.test(name) ? 'json' : /\.toml$/.test(name) ? 'toml' : 'yaml';
  assert.deepEqual(parseSource(fixed, syntax).problems, [], `the fixed ${name} parses:\n${fixed}`);
  return { text: fixed, title: result.title };
}

const seccompJson = '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [\n    { "names": ["close", "read", "write"], "action": "SCMP_ACT_ALLOW" }\n  ]\n}\n';

test('seccompAllow: the syscall joins the allow rule at its sorted place (JSON)', () => {
  const r = apply('p.seccomp.json', seccompJson, { kind: 'seccompAllow', syscall: 'mkdir', line: 4 });
  assert.ok(r && r !== 'applied');
  assert.match(r.text, /"names": \["close", "mkdir", "read", "write"\]/);
  assert.match(r.title, /add it to the rule at line 4/);
  const first = apply('p.seccomp.json', seccompJson, { kind: 'seccompAllow', syscall: 'access', line: 4 });
  assert.ok(first && first !== 'applied');
  assert.match(first.text, /"names": \["access", "close", "read", "write"\]/);
});

test('seccompAllow: YAML block lists, and a rule that is already there is "applied"', () => {
  const yaml = 'defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - names:\n      - read\n      - write\n    action: SCMP_ACT_ALLOW\n';
  const r = apply('p.seccomp.yaml', yaml, { kind: 'seccompAllow', syscall: 'mkdir', line: 3 });
  assert.ok(r && r !== 'applied');
  assert.equal(r.text, 'defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - names:\n      - mkdir\n      - read\n      - write\n    action: SCMP_ACT_ALLOW\n');
  assert.equal(apply('p.seccomp.yaml', r.text, { kind: 'seccompAllow', syscall: 'mkdir', line: 3 }), 'applied');
});

test('seccompAllow: a new allow rule when none is unconditional, or no rules at all', () => {
  const onlyErrno = '{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_ERRNO" } ] }';
  const r = apply('p.seccomp.json', onlyErrno, { kind: 'seccompAllow', syscall: 'rmdir' });
  assert.ok(r && r !== 'applied');
  assert.match(r.text, /\{ "names": \["rmdir"\], "action": "SCMP_ACT_ALLOW" \} \]/);
  const none = apply('p.seccomp.yaml', 'defaultAction: SCMP_ACT_ERRNO\n', { kind: 'seccompAllow', syscall: 'rmdir' });
  assert.ok(none && none !== 'applied');
  assert.match(none.text, /syscalls:\n {2}- \{ names: \[rmdir\], action: SCMP_ACT_ALLOW \}/);
  assert.equal(apply('p.seccomp.json', seccompJson, { kind: 'seccompAllow', syscall: 'bad name' }), undefined, 'no fix for a name that is not a syscall');
});

const config = 'version: 1\nprofiles:\n  job:\n    run: [bash, job.sh]\n    fragments: [core]\n  bare:\n    run: [true]\n';

test('addFragment, network and filesystemPath on a profile of phantom-fragment.yaml', () => {
  const f = apply('phantom-fragment.yaml', config, { kind: 'addFragment', profile: 'job', fragment: 'tmp-write' });
  assert.ok(f && f !== 'applied');
  assert.match(f.text, /fragments: \[core, tmp-write\]/);
  const g = apply('phantom-fragment.yaml', config, { kind: 'addFragment', profile: 'bare', fragment: 'subprocess' });
  assert.ok(g && g !== 'applied');
  assert.match(g.text, /bare:\n {4}run: \[true\]\n {4}fragments: \[subprocess\]\n/);
  assert.equal(apply('phantom-fragment.yaml', config, { kind: 'addFragment', profile: 'job', fragment: 'core' }), 'applied');
  const net = apply('phantom-fragment.yaml', config, { kind: 'network', profile: 'job', mode: 'loopback' });
  assert.ok(net && net !== 'applied');
  assert.match(net.text, /fragments: \[core\]\n {4}network: loopback\n {2}bare:/);
  const again = apply('phantom-fragment.yaml', net.text.replace('loopback', 'none'), { kind: 'network', profile: 'job', mode: 'host' });
  assert.ok(again && again !== 'applied');
  assert.match(again.text, /network: host/);
  const fsPath = apply('phantom-fragment.yaml', config, { kind: 'filesystemPath', profile: 'job', list: 'readOnly', path: '/srv/data' });
  assert.ok(fsPath && fsPath !== 'applied');
  assert.match(fsPath.text, /filesystem: \{ readOnly: \[\/srv\/data\] \}/);
  const more = apply('phantom-fragment.yaml', fsPath.text, { kind: 'filesystemPath', profile: 'job', list: 'readOnly', path: '/opt/x y' });
  assert.ok(more && more !== 'applied');
  assert.match(more.text, /readOnly: \[\/srv\/data, \/opt\/x y\]/);
  assert.equal(apply('phantom-fragment.yaml', config, { kind: 'network', profile: 'missing', mode: 'host' }), undefined);
});

test('landlockPath: a pathBeneath rule in JSON, YAML and TOML; rights added to a rule for the same path', () => {
  const json = '{\n  "ruleset": [{ "handledAccessFs": ["abi.all"] }],\n  "pathBeneath": [\n    { "allowedAccess": ["abi.read_execute"], "parent": ["/usr"] }\n  ]\n}\n';
  const j = apply('w.landlock.json', json, { kind: 'landlockPath', path: '/etc/hostname', access: ['read_file'] });
  assert.ok(j && j !== 'applied');
  assert.match(j.text, /\{ "allowedAccess": \["read_file"\], "parent": \["\/etc\/hostname"\] \}/);
  assert.equal(apply('w.landlock.json', j.text, { kind: 'landlockPath', path: '/etc/hostname', access: ['read_file'] }), 'applied');
  const k = apply('w.landlock.json', j.text, { kind: 'landlockPath', path: '/etc/hostname', access: ['read_file', 'write_file'] });
  assert.ok(k && k !== 'applied');
  assert.match(k.text, /"allowedAccess": \["read_file", "write_file"\], "parent": \["\/etc\/hostname"\]/);
  const yaml = 'ruleset:\n  - handledAccessFs: [abi.all]\npathBeneath:\n  - allowedAccess: [abi.read_execute]\n    parent: [/usr]\n';
  const y = apply('w.landlock.yaml', yaml, { kind: 'landlockPath', path: '/etc/hostname', access: ['read_file'] });
  assert.ok(y && y !== 'applied');
  assert.match(y.text, /\n {2}- \{ allowedAccess: \["read_file"\], parent: \["\/etc\/hostname"\] \}\n$/);
  const toml = '[[ruleset]]\nhandled_access_fs = ["abi.all"]\n\n[[path_beneath]]\nallowed_access = ["abi.read_execute"]\nparent = ["/usr"]\n';
  const t = apply('w.landlock.toml', toml, { kind: 'landlockPath', path: '/etc/hostname', access: ['read_file'] });
  assert.ok(t && t !== 'applied');
  assert.match(t.text, /\n\n\[\[path_beneath\]\]\nallowed_access = \["read_file"\]\nparent = \["\/etc\/hostname"\]\n$/);
  const none = apply('w.landlock.json', '{ "ruleset": [{ "handledAccessFs": ["abi.all"] }] }', { kind: 'landlockPath', path: '/etc/hostname', access: ['read_file'] });
  assert.ok(none && none !== 'applied');
  assert.match(none.text, /^\{ "pathBeneath": \[\{ "allowedAccess": \["read_file"\], "parent": \["\/etc\/hostname"\] \}\], "ruleset"/);
});

test('a path from the sandbox goes into a profile only when it is plain', () => {
  assert.equal(plainPath('/etc/hostname'), true);
  for (const bad of ['relative', '/a\nb', '/a\u001b[31m', '/a\u202eb', '/a\u0085', '/a\ud800']) assert.equal(plainPath(bad), false, JSON.stringify(bad));
  assert.equal(apply('w.landlock.json', '{ "pathBeneath": [] }', { kind: 'landlockPath', path: '/x\n"], "parent": ["/', access: ['read_file'] }), undefined);
  assert.equal(apply('phantom-fragment.yaml', config, { kind: 'filesystemPath', profile: 'job', list: 'readWrite', path: '/a\u202e' }), undefined);
});

test('a fix naming a file of another kind is not offered', () => {
  assert.equal(apply('p.seccomp.json', seccompJson, { kind: 'network', profile: 'job', mode: 'host' }), undefined);
  assert.equal(apply('phantom-fragment.yaml', config, { kind: 'seccompAllow', syscall: 'mkdir' }), undefined);
});

// Learn mode's Landlock side in the server: "Learn …" actions offering seccomp / Landlock / both, the rights a learn
// run never used as information diagnostics with their fixes, and the reference edit of a new profile file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { learnedRightsDiagnostics } from '../../server/src/learnedRights';
import { learnCodeActions, type LearnCommandArgs } from '../../server/src/learnedUsage';
import { parsedDocument } from '../../model';
import { profileReferenceEdit } from '../../server/src/profileReference';
import type { LearnedRightsParams } from '../../server/src/protocol';
import { fixesOf } from '../../model';
import { textDocument } from '../support/fixtures';

const LANDLOCK = `{
  "abi": 4,
  "variable": [{ "name": "workspaceFolder", "literal": ["."] }],
  "ruleset": [{ "handledAccessFs": ["abi.all"], "handledAccessNet": ["bind_tcp", "connect_tcp"] }],
  "pathBeneath": [
    { "allowedAccess": ["abi.read_execute"], "parent": ["/usr"] },
    { "allowedAccess": ["read_file", "write_file", "remove_file"], "parent": ["\${workspaceFolder}"] },
    { "allowedAccess": ["read_file"], "parent": ["/opt/data"] }
  ],
  "netPort": [{ "allowedAccess": ["bind_tcp", "connect_tcp"], "port": [8080] }]
}
`;

const USAGE: Omit<LearnedRightsParams, 'uri'> = {
  paths: {
    '/usr/bin/python3': ['execute', 'read_file'],
    '/usr/lib/python3/os.py': ['read_file'],
    '/work/app/out.txt': ['write_file'],
    '/work/app/in.txt': ['read_file'],
  },
  ports: { 8080: ['bind_tcp'] },
  workspace: '/work/app',
  runs: 2,
  command: 'python3 app.py',
};

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function diagnosticsOf(name: string, text: string) {
  const doc = parsedDocument(textDocument(name, text))!;
  return { doc, ds: learnedRightsDiagnostics(doc, { uri: doc.document.uri, ...USAGE }) };
}

test('rights a learn run never used: information diagnostics on each, with a fix that drops it', () => {
  const { doc, ds } = diagnosticsOf('app.landlock.json', LANDLOCK);
  const by = (re: RegExp) => ds.filter((d) => re.test(d.message));
  assert.ok(ds.every((d) => d.severity === 3 && d.code === 'learn-unused-right'));
  // ${workspaceFolder} resolves to the folder the learn run ran in: read_file and write_file used, remove_file not.
  assert.equal(by(/'remove_file' on \$\{workspaceFolder\} was never used by the last learn run \(python3 app\.py, 2 runs\)/).length, 1);
  assert.equal(by(/'(read_file|write_file)' on \$\{workspaceFolder\}/).length, 0);
  const removeFix = fixesOf(by(/remove_file/)[0])[0];
  assert.match(TextDocument.applyEdits(doc.document, removeFix.edits), /"allowedAccess": \["read_file", "write_file"\], "parent": \["\$\{workspaceFolder\}"\]/);
  // A rule whose only right was never used: the fix drops the rule.
  const opt = by(/'read_file' on \/opt\/data/);
  assert.equal(opt.length, 1);
  const dropRule = fixesOf(opt[0])[0];
  assert.match(dropRule.title, /Drop the rule on \/opt\/data/);
  const withoutRule = TextDocument.applyEdits(doc.document, dropRule.edits);
  assert.doesNotMatch(withoutRule, /\/opt\/data/);
  assert.doesNotThrow(() => JSON.parse(withoutRule), withoutRule);
  // A group used in part: named, and the fix replaces it with the rights that were used.
  const group = by(/'abi\.read_execute' on \/usr: the last learn run .* used only execute, read_file of it; never read_dir/);
  assert.equal(group.length, 1, ds.map((d) => d.message).join('\n'));
  assert.match(TextDocument.applyEdits(doc.document, fixesOf(group[0])[0].edits), /"allowedAccess": \["execute", "read_file"\], "parent": \["\/usr"\]/);
  // Ports: connect_tcp on 8080 never used, bind_tcp used.
  assert.equal(by(/'connect_tcp' on port 8080/).length, 1);
  assert.equal(by(/'bind_tcp'/).length, 0);
});

test('a YAML Landlock profile: the same findings, the fix keeps the block layout', () => {
  const yaml = [
    'abi: 4',
    'ruleset:',
    '  - handledAccessFs: [abi.all]',
    'pathBeneath:',
    '  - allowedAccess:',
    '      - read_file',
    '      - make_dir',
    '    parent: [.]',
    '',
  ].join('\n');
  const { doc, ds } = diagnosticsOf('app.landlock.yaml', yaml);
  assert.equal(ds.length, 1, ds.map((d) => d.message).join('\n'));
  assert.match(ds[0].message, /'make_dir' on \. was never used/);
  assert.equal(TextDocument.applyEdits(doc.document, fixesOf(ds[0])[0].edits), yaml.replace('      - make_dir\n', ''));
});

test('no learn run, an undefined variable: no findings', () => {
  const doc = parsedDocument(textDocument('none.landlock.json', LANDLOCK))!;
  assert.deepEqual(learnedRightsDiagnostics(doc), []);
  const { ds } = diagnosticsOf('undef.landlock.json', LANDLOCK.replace('"variable": [{ "name": "workspaceFolder", "literal": ["."] }],', ''));
  assert.equal(ds.filter((d) => d.message.includes('workspaceFolder')).length, 0, 'a rule whose parent cannot be resolved is not judged');
});

test('"Learn …" on a profile of phantom-fragment.yaml offers seccomp, Landlock or both, with the profile\'s files', () => {
  const config = parsedDocument(textDocument('phantom-fragment.yaml', 'version: 1\nprofiles:\n  py:\n    run: [python3, main.py]\n    seccomp: py.seccomp.json\n    landlock: profiles/py.landlock.json\n'))!;
  const actions = learnCodeActions(config, { start: { line: 3, character: 6 }, end: { line: 3, character: 6 } });
  assert.deepEqual(actions.map((a) => a.title), [
    "Learn seccomp profile for 'py' from `python3 main.py`",
    "Learn Landlock profile for 'py' from `python3 main.py`",
    "Learn seccomp and Landlock profiles for 'py' from `python3 main.py`",
  ]);
  const args = actions.map((a) => a.command!.arguments![0] as LearnCommandArgs);
  assert.deepEqual(args.map((a) => a.learn), [['seccomp'], ['landlock'], ['seccomp', 'landlock']]);
  assert.ok(args.every((a) => a.seccompFile === 'py.seccomp.json' && a.landlockFile === 'profiles/py.landlock.json' && a.profile === 'py'));
  // An inline Landlock policy is not a file a proposal replaces: only seccomp is offered.
  const inline = parsedDocument(textDocument('phantom-fragment.yaml', 'version: 1\nprofiles:\n  py:\n    run: [python3, main.py]\n    landlock:\n      abi: 4\n      pathBeneath: []\n'))!;
  assert.deepEqual(learnCodeActions(inline, { start: { line: 3, character: 6 }, end: { line: 3, character: 6 } }).map((a) => a.command!.arguments![0].learn), [['seccomp']]);
});

test('"Learn …" on a Landlock profile: Landlock, or both with the seccomp file beside it', () => {
  const doc = parsedDocument(textDocument('profiles/app.landlock.json', LANDLOCK))!;
  const actions = learnCodeActions(doc, range);
  assert.deepEqual(actions.map((a) => a.title), ['Learn Landlock profile', 'Learn seccomp and Landlock profiles (seccomp into app.seccomp.json)']);
  const both = actions[1].command!.arguments![0] as LearnCommandArgs;
  assert.equal(both.seccompUri, doc.document.uri.replace('app.landlock.json', 'app.seccomp.json'));
});

test('the reference of a new profile file: inserted as the profile\'s first key (block, flow), or replacing a file name', () => {
  const block = 'version: 1\nprofiles:\n  # mine\n  py:\n    run: [python3, main.py]   # keep\n    seccomp: py.seccomp.json\n  other:\n    run: [true]\n';
  const apply = (text: string, edits: ReturnType<typeof profileReferenceEdit>) => TextDocument.applyEdits(TextDocument.create('file:///w/phantom-fragment.yaml', 'yaml', 0, text), edits!);
  assert.equal(apply(block, profileReferenceEdit('file:///w/phantom-fragment.yaml', block, 'py', 'landlock', 'profiles/py.landlock.json')),
    block.replace('  py:\n', '  py:\n    landlock: profiles/py.landlock.json\n'));
  assert.equal(apply(block, profileReferenceEdit('file:///w/phantom-fragment.yaml', block, 'py', 'seccomp', 'other.seccomp.json')), block.replace('seccomp: py.seccomp.json', 'seccomp: other.seccomp.json'));
  const flow = 'version: 1\nprofiles:\n  py: { run: [python3, main.py] }\n  empty: {}\n';
  assert.equal(apply(flow, profileReferenceEdit('file:///w/phantom-fragment.yaml', flow, 'py', 'landlock', 'a: b.landlock.json')), flow.replace('{ run:', '{ landlock: "a: b.landlock.json", run:'));
  assert.equal(apply(flow, profileReferenceEdit('file:///w/phantom-fragment.yaml', flow, 'empty', 'landlock', 'e.landlock.json')), flow.replace('empty: {}', 'empty: { landlock: e.landlock.json }'));
  // What it does not guess at: an unknown profile, an inline policy, a text with syntax errors.
  assert.equal(profileReferenceEdit('file:///w/phantom-fragment.yaml', block, 'nope', 'landlock', 'x.landlock.json'), undefined);
  assert.equal(profileReferenceEdit('file:///w/phantom-fragment.yaml', 'profiles:\n  py:\n    landlock: { abi: 4 }\n', 'py', 'landlock', 'x.landlock.json'), undefined);
  assert.equal(profileReferenceEdit('file:///w/phantom-fragment.yaml', 'profiles:\n  py: [\n', 'py', 'landlock', 'x.landlock.json'), undefined);
});

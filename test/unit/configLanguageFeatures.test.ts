/** Hover, completion and go to definition in phantom-fragment.yaml, with file access injected. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompletionItem, CompletionList, MarkupContent } from 'vscode-languageserver-types';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { builtinFragment } from '../../model/src/config/builtinFragments';
import { definitionAt } from '../../server/src/config/configDefinition';
import { completionsAt } from '../../server/src/completion';
import { hoverAt } from '../../server/src/hover';
import type { PathKind, ValidationContext } from '../../model/src/validationContext';

const FILES: Record<string, string> = {
  '/ws/profiles/app.seccomp.json': JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write', 'ptrace'], action: 'SCMP_ACT_ALLOW' }] }),
  '/ws/profiles/app.landlock.toml': 'abi = 1\n',
  '/ws/deep/a/b/c.seccomp.yaml': 'defaultAction: SCMP_ACT_ALLOW\n',
  '/ws/node_modules/x.seccomp.json': '{}',
  '/ws/notes.txt': 'hello',
};
const DIRECTORIES = new Set(['/ws', '/ws/profiles', '/ws/deep', '/ws/deep/a', '/ws/deep/a/b', '/ws/node_modules']);

const context: ValidationContext = {
  pathKind: (p): PathKind => (FILES[p] !== undefined ? 'file' : DIRECTORIES.has(p) ? 'directory' : 'missing'),
  readFile: (p) => FILES[p],
  listDirectory: (dir) => [
    ...[...DIRECTORIES].filter((d) => d !== dir && path.dirname(d) === dir).map((d) => ({ name: path.basename(d), kind: 'directory' as PathKind })),
    ...Object.keys(FILES).filter((f) => path.dirname(f) === dir).map((f) => ({ name: path.basename(f), kind: 'file' as PathKind })),
  ],
};

const TEXT = `version: 1
profiles:
  app:
    description: The app.
    run: [python3, "\${file}"]
    fragments: [python, mine, network-client]
    seccomp: profiles/app.seccomp.json
    landlock: profiles/app.landlock.toml
    network: host
    limits:
      memory: 256M
      timeout: 10
fragments:
  mine:
    description: Reads the data folder.
    syscalls: [flock]
    filesystem:
      readOnly: [/data]
    landlock:
      pathBeneath:
        - { allowedAccess: [read_file, read_dir], parent: [/data] }
`;

function doc(text = TEXT): TextDocument {
  return TextDocument.create(pathToFileURL('/ws/phantom-fragment.yaml').href, 'yaml', 1, text);
}

function hoverText(text: string, needle: string, delta = 1): string {
  const d = doc(text);
  const hover = hoverAt(d, text.indexOf(needle) + delta, context);
  return hover ? (hover.contents as MarkupContent).value : '';
}

function labels(result: CompletionItem[] | CompletionList): string[] {
  return (Array.isArray(result) ? result : result.items).map((i) => i.label);
}

test("hover on a profile's name shows its effective policy in short", () => {
  const value = hoverText(TEXT, '  app:', 3);
  assert.match(value, /^\*\*app\*\* — effective policy/);
  assert.match(value, /The app\./);
  assert.match(value, /- Syscalls: \d+ allowed \(\d+ from fragments core, threads, python, mine, dns, network-client, 3 from profiles\/app\.seccomp\.json\)/);
  assert.match(value, /- Paths: read-only \/data, \/etc\/resolv\.conf/);
  assert.match(value, /- Landlock: 1 rule from fragments, then profiles\/app\.landlock\.toml as a layer on top \(it narrows, never widens\)/);
  assert.match(value, /- Network: host \(set by the profile\)/);
  assert.match(value, /- Limits: memory 256M, pids 512 \(default\), timeout 10 s, output 64 MiB \(default\)/);
});

test('hover on a fragment name says what it grants: built-in with reasons, declared from the file', () => {
  const builtin = hoverText(TEXT, 'network-client]');
  assert.match(builtin, /^\*\*network-client\*\* — built-in fragment/);
  assert.match(builtin, /- `connect` — connects to a server/);
  assert.match(builtin, /Network: needs host/);
  assert.match(builtin, /Includes dns: \d+ syscalls with them\./);
  const declared = hoverText(TEXT, 'mine,');
  assert.match(declared, /^\*\*mine\*\* — fragment declared in this file\n\nReads the data folder\./);
  assert.match(declared, /Syscalls \(1\):\n- `flock`/);
  assert.match(declared, /Paths: read-only \/data/);
  assert.equal(hoverText(TEXT, '  mine:', 3), declared, 'hover on the declaration');
  // Elsewhere the schema's description still answers.
  assert.match(hoverText(TEXT, 'network: host', 2), /^\*\*network\*\*/);
});

test('completion offers fragment names (built-in and declared) in flow and block lists, filtered by the prefix', () => {
  const flow = TEXT.replace('[python, mine, network-client]', '[python, ne');
  const items = completionsAt(doc(flow), flow.indexOf('[python, ne') + '[python, ne'.length, context);
  assert.deepEqual(labels(items).slice(0, 2), ['network-client', 'network-server']);
  const block = TEXT.replace('    fragments: [python, mine, network-client]\n', '    fragments:\n      - \n');
  const all = labels(completionsAt(doc(block), block.indexOf('      - ') + 8, context));
  for (const name of ['core', 'dns', 'mine', 'python', 'shell', 'workspace-write']) assert.ok(all.includes(name), name);
  const first = (completionsAt(doc(block), block.indexOf('      - ') + 8, context) as CompletionList).items.find((i) => i.label === 'core')!;
  assert.equal((first.documentation as MarkupContent).value, builtinFragment('core')!.description);
});

test('completion offers seccomp/Landlock profile files relative to the configuration, of the right kind', () => {
  const text = TEXT.replace('seccomp: profiles/app.seccomp.json', 'seccomp: pro');
  const items = completionsAt(doc(text), text.indexOf('seccomp: pro') + 'seccomp: pro'.length, context);
  assert.deepEqual(labels(items), ['profiles/app.seccomp.json']);
  const empty = TEXT.replace('seccomp: profiles/app.seccomp.json', 'seccomp: ');
  assert.deepEqual(labels(completionsAt(doc(empty), empty.indexOf('seccomp: ') + 9, context)), ['deep/a/b/c.seccomp.yaml', 'profiles/app.seccomp.json']);
  const landlock = TEXT.replace('landlock: profiles/app.landlock.toml', 'landlock: ');
  assert.deepEqual(labels(completionsAt(doc(landlock), landlock.indexOf('landlock: ') + 10, context)), ['profiles/app.landlock.toml']);
});

test('completion offers the ${variables}', () => {
  const text = TEXT.replace('"${file}"', '"${fi');
  assert.deepEqual(labels(completionsAt(doc(text), text.indexOf('${fi') + 4, context)), ['file', 'fileDirname']);
});

test('go to definition: a declared fragment goes to its key, a built-in nowhere, a profile file to the file', () => {
  const d = doc();
  const declared = definitionAt(d, TEXT.indexOf('mine,') + 1, context);
  assert.deepEqual(declared?.range.start, { line: 13, character: 2 });
  assert.equal(declared?.uri, d.uri);
  assert.equal(definitionAt(d, TEXT.indexOf('python,') + 1, context), null);
  assert.equal(definitionAt(d, TEXT.indexOf('profiles/app.seccomp') + 3, context)?.uri, pathToFileURL('/ws/profiles/app.seccomp.json').href);
  assert.equal(definitionAt(d, TEXT.indexOf('profiles/app.landlock') + 3, context)?.uri, pathToFileURL('/ws/profiles/app.landlock.toml').href);
  const missing = TEXT.replace('profiles/app.seccomp.json', 'profiles/gone.seccomp.json');
  assert.equal(definitionAt(doc(missing), missing.indexOf('profiles/gone') + 3, context), null);
});

/** Any input, bounded time: mutated profiles, random bytes, alias bombs and a 5 MB file never throw or hang. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { codeActionsFor } from '../../server/src/codeActions';
import { completionsAt } from '../../server/src/completion';
import { hoverAt } from '../../server/src/hover';
import { documentSymbols } from '../../server/src/symbols';
import { validateDocument } from '../../model/src/validation';
import { FIXTURES, textDocument } from '../support/fixtures';

let seed = 12345;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];

/** Every service on one text: must not throw. Returns the validation time. */
function exercise(name: string, text: string): number {
  const document = textDocument(name, text);
  const started = performance.now();
  const diagnostics = validateDocument(document, { kernelLandlockAbi: 3, pathKind: () => 'missing' });
  const elapsed = performance.now() - started;
  const offset = Math.floor(random() * (text.length + 1));
  completionsAt(document, offset);
  hoverAt(document, offset);
  documentSymbols(document);
  if (diagnostics[0]) codeActionsFor(document.uri, diagnostics[0].range, diagnostics);
  return elapsed;
}

function mutate(text: string): string {
  const chars = [...text];
  for (let i = 0; i < 1 + Math.floor(random() * 8); i++) {
    const at = Math.floor(random() * chars.length);
    const op = random();
    if (op < 0.33) chars.splice(at, 1 + Math.floor(random() * 20));
    else if (op < 0.66) chars.splice(at, 0, pick(['"', '[', ']', '{', '}', ',', ':', '\n', '- ', '&a ', '*a', '${', '#', "'", 'SCMP_ACT_NOTIFY', '\t', '\u0000']));
    else chars.splice(at, 0, ...chars.slice(Math.floor(random() * chars.length), Math.floor(random() * chars.length)));
  }
  return chars.join('');
}

test('mutated Docker profiles and Landlock examples', () => {
  const sources = [
    ['profiles/docker-default.seccomp.json', 'a.seccomp.json'],
    ['profiles/docker-default.seccomp.yaml', 'a.seccomp.yaml'],
    ['profiles/mini-write-tmp.landlock.toml', 'a.landlock.toml'],
    ['profiles/composition.landlock.json', 'a.landlock.json'],
    ['profiles/mini-write-tmp.landlock.yaml', 'a.landlock.yaml'],
  ];
  for (const [file, name] of sources) {
    const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
    for (let i = 0; i < 40; i++) assert.ok(exercise(name, mutate(text)) < 2000, name);
  }
});

test('random bytes in every kind of file', () => {
  for (const name of ['a.seccomp.json', 'a.seccomp.yaml', 'a.landlock.toml', 'a.landlock.yaml', 'phantom-fragment.yaml']) {
    for (let i = 0; i < 30; i++) {
      const bytes = Array.from({ length: Math.floor(random() * 2000) }, () => String.fromCharCode(Math.floor(random() * 256)));
      exercise(name, bytes.join(''));
    }
  }
});

test('YAML alias bombs stay bounded', () => {
  const lines = ['defaultAction: SCMP_ACT_ERRNO', 'a: &a [read, read, read, read, read, read, read, read, read]'];
  for (let i = 0; i < 12; i++) {
    const prev = String.fromCharCode(97 + i);
    lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  lines.push('syscalls:', '  - names: *m', '    action: SCMP_ACT_ALLOW');
  assert.ok(exercise('bomb.seccomp.yaml', lines.join('\n')) < 2000);
});

test('a 5 MB profile is validated within a bound generous for a slow machine', () => {
  const base = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'profiles/docker-default.seccomp.json'), 'utf8'));
  const rules: unknown[] = [];
  let text = '';
  while (text.length < 5_000_000) {
    for (let i = 0; i < 2000; i++) rules.push({ names: [pick(base.syscalls[0].names), 'read'], action: pick(['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO']), args: [{ index: rules.length % 6, value: rules.length, op: 'SCMP_CMP_EQ' }] });
    text = JSON.stringify({ ...base, syscalls: [...base.syscalls, ...rules] }, null, 2);
  }
  const elapsed = exercise('huge.seccomp.json', text);
  assert.ok(elapsed < 5000, `${elapsed.toFixed(0)} ms for ${(text.length / 1e6).toFixed(1)} MB`);
});

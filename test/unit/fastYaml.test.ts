/**
 * The fast YAML reader against the full `yaml` parser: on every YAML fixture and on generated and mutated
 * documents it either gives up or yields exactly the same tree (types, values, key and value offsets).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseFastYaml } from '../../model/src/fastYaml';
import { parseYamlFully, parseYamlSource } from '../../model/src/yamlSource';
import { FIXTURES } from '../support/fixtures';

/** More rounds: FAST_YAML_ROUNDS=20000 node --import tsx --test test/unit/fastYaml.test.ts */
const ROUNDS = Number(process.env.FAST_YAML_ROUNDS ?? 1500);

let seed = 4242;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];

function yamlFixtures(dir = FIXTURES): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFixtures(file);
    return /\.ya?ml$/.test(entry.name) ? [file] : [];
  });
}

/** Same tree or undefined; returns whether the fast reader answered. */
function agrees(text: string): boolean {
  const fast = parseFastYaml(text);
  if (!fast) return false;
  const full = parseYamlFully(text);
  assert.deepStrictEqual(fast, full, `the readers disagree on:\n${text}`);
  return true;
}

test('every YAML fixture: the fast reader answers the same tree, or leaves it to the full parser', () => {
  const files = yamlFixtures();
  assert.ok(files.length > 10);
  // The fixtures are in the subset, except those with planted syntax errors, a YAML alias (u64-alias: the alias is
  // the point of the file) and the Kubernetes CRD document.
  const outside = new Set(['syntax-error.phantom-fragment.yaml', 'u64-alias.seccomp.yaml', 'spo-seccompprofile-crd.yaml']);
  const leftToTheFullParser = files.filter((file) => !agrees(fs.readFileSync(file, 'utf8'))).map((file) => path.basename(file));
  assert.deepEqual(leftToTheFullParser.filter((name) => !outside.has(name)), [], 'fixtures the fast reader should answer');
});

test("Docker's profile in YAML is read by the fast reader", () => {
  const text = fs.readFileSync(path.join(FIXTURES, 'profiles/docker-default.seccomp.yaml'), 'utf8');
  assert.ok(agrees(text));
  assert.deepStrictEqual(parseYamlSource(text), parseYamlFully(text));
});

const SCALARS = [
  'read', 'SCMP_ACT_ALLOW', '"quoted"', "'single'", "'it''s'", '"esc\\n\\t\\"\\u00e9\\x41"', '"\\z"', '1', '-1', '+3', '0', '-0', '007',
  '0o17', '0x1F', '1.5', '1.', '.5', '1e3', '-1.5E-2', '.inf', '-.Inf', '.nan', 'true', 'False', 'TRUE', 'yes', 'null', '~', 'Null',
  'a b c', "it's", 'x#y', 'a:b', '-x', '-', '--', '---', '...', '?x', ':x', 'a ]', '[a, b]', '[a, "b", 3]', '{x: 1, y: [2, 3]}', '[]',
  '{}', '[ ]', '[a,b]', '[a, b,]', '[a, [b, c]]', '{a: }', '{a}', '[a: 1]', '"unterminated', "'x'y", '"a" b', '&anchor x', '*alias',
  '!tag x', '|', '>', '%x', '@x', '`x', 'é ü', '"\\U0001F600"', '"\\ud800"', '1_000', '0b1', '12:30', '2024-01-01',
];
/** Scalars of the subset: documents made only of these (and KEYS' first entries) are read by the fast reader. */
const SUBSET_SCALARS = SCALARS.slice(0, SCALARS.indexOf('"\\z"')).concat(['1', 'a b c', "it's", 'x#y', 'a:b', '-x', '[a, "b", 3]', '{x: 1, y: [2, 3]}', '[]']);
const KEYS = ['names', 'action', 'args', 'index', 'value', 'op', 'comment', '"quoted key"', "'k'", '1', 'null', 'true', 'a b', 'x:y', '-k', 'k ', '? k'];

/** A random document: in the subset (tame), or mostly in it with some of everything around it. */
function generate(tame = false): string {
  const scalar = () => pick(tame ? SUBSET_SCALARS : SCALARS);
  const key = () => pick(tame ? KEYS.slice(0, 12) : KEYS);
  const lines: string[] = [];
  if (!tame && random() < 0.1) lines.push(pick(['---', '--- # c', '%YAML 1.2\n---', '# head']));
  const node = (indent: number, depth: number, forceSeq: boolean): void => {
    const pad = ' '.repeat(indent);
    const items = 1 + Math.floor(random() * 4);
    const seq = forceSeq || random() < 0.4;
    for (let i = 0; i < items; i++) {
      if (random() < 0.15) lines.push(pick(tame ? ['', `${pad}# c`, '# left'] : ['', `${pad}# c`, `${' '.repeat(indent + 2)}# deeper`, '# left', `${pad}  `]));
      const nested = depth < 4 && random() < 0.35;
      const comment = random() < 0.15 ? pick(tame ? [' # c', '  # c'] : [' # c', '  # c', '#c']) : '';
      const head = seq ? `${pad}-` : `${pad}${key()}:`;
      if (nested) {
        const compact = seq && random() < 0.5;
        if (compact) {
          lines.push(`${head} ${key()}: ${scalar()}${comment}`);
          if (random() < 0.7) lines.push(`${pad}  ${key()}: ${scalar()}`);
        } else {
          lines.push(`${head}${random() < 0.1 ? ' ' : ''}${comment}`);
          const childIndent = !seq && random() < 0.2 ? indent : indent + pick([1, 2, 2, 4]);
          // `key:` with its list at the same indentation is valid; a mapping there would be a sibling.
          node(childIndent, depth + 1, tame && childIndent === indent);
        }
      } else if (random() < 0.08) {
        lines.push(`${head}${comment}`);
      } else {
        lines.push(`${head} ${scalar()}${comment}`);
      }
    }
  };
  node(!tame && random() < 0.1 ? 2 : 0, 0, false);
  if (!tame && random() < 0.2) lines.push(pick(['# tail', '  # tail', '', '...', '---\nb: 1']));
  return lines.join('\n') + (random() < 0.8 ? '\n' : '');
}

function mutate(text: string): string {
  const chars = [...text];
  for (let i = 0; i < 1 + Math.floor(random() * 4); i++) {
    const at = Math.floor(random() * chars.length);
    const op = random();
    if (op < 0.3) chars.splice(at, 1 + Math.floor(random() * 6));
    else if (op < 0.8) chars.splice(at, 0, ...pick(['"', "'", '[', ']', '{', '}', ',', ':', ': ', '\n', '- ', ' ', '  ', '#', ' #', '&a ', '*a', '!', '|', '\t', '\r', '? ', '---\n', '\\']));
    else chars.splice(at, 0, ...chars.slice(Math.floor(random() * chars.length), Math.floor(random() * chars.length)));
  }
  return chars.join('');
}

test('generated documents: the same tree or a fallback', () => {
  for (let i = 0; i < ROUNDS; i++) agrees(generate());
});

test('generated documents in the subset: the fast reader answers (almost) all, with the same tree', () => {
  let answered = 0;
  for (let i = 0; i < ROUNDS; i++) if (agrees(generate(true))) answered++;
  assert.ok(answered > ROUNDS * 0.85, `the fast reader answered only ${answered} of ${ROUNDS}`);
});

test('mutated fixtures and generated documents: the same tree or a fallback', () => {
  const texts = yamlFixtures().map((f) => fs.readFileSync(f, 'utf8'));
  for (let i = 0; i < ROUNDS; i++) agrees(mutate(random() < 0.5 ? pick(texts) : generate()));
});

test('what the fast reader leaves to the full parser', () => {
  for (const text of [
    '', '# only a comment\n', 'a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: |\n  text\n', 'a: >\n  text\n', 'a: b\n  c\n', 'a: [x,\n  y]\n',
    '? a\n: b\n', '%YAML 1.2\n---\na: 1\n', 'a:\n\tb: 1\n', 'a: 1\r\nb: 2\r\n', 'a: 1\n---\nb: 2\n', 'a: b: c\n', 'a: 1\n a: 2\n', '"a\n b": 1\n',
    'plain scalar\n', '[a, b]\n',
  ]) {
    assert.equal(parseFastYaml(text), undefined, JSON.stringify(text));
  }
});

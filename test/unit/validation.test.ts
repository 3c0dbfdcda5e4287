import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateDocument } from '../../model/src/validation';
import { fixtureDocument, textDocument } from '../support/fixtures';

function messages(relative: string) {
  return validateDocument(fixtureDocument(relative)).map((d) => ({
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endColumn: d.range.end.character + 1,
    message: d.message,
    code: d.code,
    source: d.source,
  }));
}

test('an unknown key is reported on the key itself, with a suggestion', () => {
  const [d, ...rest] = messages('config/unknown-key.phantom-fragment.yaml');
  assert.equal(rest.length, 0);
  assert.deepEqual({ line: d.line, column: d.column, endColumn: d.endColumn }, { line: 5, column: 5, endColumn: 11 });
  assert.equal(d.message, "Unknown key 'netwrk' in 'py'. Did you mean 'network'?");
  assert.equal(d.code, 'schema-unknown-key');
  assert.equal(d.source, 'phantom');
});

test('enum, pattern and range errors point at the value, in plain words', () => {
  const found = messages('config/bad-enum.phantom-fragment.yaml');
  assert.deepEqual(
    found.map((d) => [d.line, d.column, d.message]),
    [
      [4, 14, `"nonee" is not allowed for 'network'. Did you mean 'none'?`],
      [6, 15, `"12Q" is not a valid 'memory'. Expected e.g. 256M or 1G.`],
      [7, 13, `'pids' must be at least 1.`],
    ],
  );
});

test('a missing required key is reported, and a wrong type in plain words', () => {
  const found = messages('config/missing-version.phantom-fragment.yaml');
  assert.deepEqual(
    found.map((d) => [d.line, d.column, d.message]).sort(),
    [
      [1, 1, "Missing required key 'version' at the top level."],
      [3, 10, "'run' should be a list, not a string."],
    ].sort(),
  );
});

test('a YAML syntax error is reported at its place and nothing else is invented', () => {
  const found = messages('config/syntax-error.phantom-fragment.yaml');
  assert.ok(found.length >= 1);
  assert.equal(found[0].code, 'syntax');
  assert.ok(found[0].line >= 4 && found[0].line <= 5, `line ${found[0].line}`);
});

test('every message stays under 200 characters and never lists a oneOf', () => {
  const doc = textDocument('phantom-fragment.yaml', 'version: 2\nprofiles:\n  a:\n    seccomp: 3\n    landlock: []\n    zzzzzzzzzz: 1\n');
  const found = validateDocument(doc);
  assert.ok(found.length >= 3);
  for (const d of found) {
    const message = String(d.message);
    assert.ok(message.length < 200, message);
    assert.doesNotMatch(message, /oneOf|must match/);
  }
  assert.ok(found.some((d) => d.message === "'seccomp' should be a string or a mapping of keys, not a whole number."));
  assert.ok(found.some((d) => d.message === "'version' must be 1."));
});

test('a valid configuration has no diagnostics', () => {
  const doc = textDocument('phantom-fragment.yaml', 'version: 1\nprofiles:\n  py:\n    run: [python3, x.py]\n    network: loopback\n');
  assert.deepEqual(validateDocument(doc), []);
});

test('files that are not ours get nothing', () => {
  assert.deepEqual(validateDocument(textDocument('other.yaml', 'nonsense: [')), []);
});

test('alias bombs are bounded', () => {
  const bomb = ['version: 1', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 0; i < 12; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`);
  const started = performance.now();
  const found = validateDocument(textDocument('phantom-fragment.yaml', bomb.join('\n')));
  assert.ok(performance.now() - started < 2000, 'validation of an alias bomb must stay fast');
  assert.ok(found.some((d) => /aliases expand/.test(d.message)));
});

test("Docker's default seccomp profile has exactly one finding: its 64-bit `socket: family > 40` (AF_VSOCK through 0x100000028)", () => {
  for (const file of ['docker-default.seccomp.json', 'docker-default.seccomp.yaml']) {
    const found = validateDocument(fixtureDocument(`profiles/${file}`));
    assert.deepEqual(found.map((d) => [d.code, d.severity]), [['seccomp-64bit-int-arg', 2]], file);
    assert.match(found[0].message, /^'socket' argument 0 is a 32-bit int to the kernel, but SCMP_CMP_GT compares the whole 64-bit register/);
  }
});

test('a refusing == on an int argument: the quick fix compares the low 32 bits', () => {
  const text = 'defaultAction: SCMP_ACT_ALLOW\nsyscalls:\n  - names: [ioctl]\n    action: SCMP_ACT_ERRNO\n    args:\n      - index: 1\n        value: 21522\n        valueTwo: 0\n        op: SCMP_CMP_EQ\n';
  const [d, ...rest] = validateDocument(textDocument('t.seccomp.yaml', text));
  assert.equal(rest.length, 0);
  assert.equal(d.code, 'seccomp-64bit-int-arg');
  assert.equal(d.range.start.line + 1, 9);
  const edits = (d.data as { fixes: { title: string; edits: { newText: string }[] }[] }).fixes[0].edits.map((e) => e.newText);
  assert.deepEqual(edits, ['SCMP_CMP_MASKED_EQ', '4294967295', '21522']);
  // An allow rule with == is stricter than the kernel, not a hole: no finding.
  const allowing = text.replace('defaultAction: SCMP_ACT_ALLOW', 'defaultAction: SCMP_ACT_ERRNO').replace('action: SCMP_ACT_ERRNO', 'action: SCMP_ACT_ALLOW');
  assert.deepEqual(validateDocument(textDocument('t.seccomp.yaml', allowing)), []);
});

test("landlockconfig's examples have no diagnostics, in every syntax", () => {
  const files = [
    'composition.landlock.json',
    'composition.landlock.yaml',
    'micro-var.landlock.toml',
    'micro-write-tmp.landlock.toml',
    'mini-scoped.landlock.json',
    'mini-scoped.landlock.yaml',
    'mini-write-tmp.landlock.json',
    'mini-write-tmp.landlock.toml',
    'mini-write-tmp.landlock.yaml',
    'verbose-write-tmp.landlock.json',
    'verbose-write-tmp.landlock.yaml',
  ];
  for (const file of files) {
    const document = fixtureDocument(`profiles/${file}`);
    assert.deepEqual(validateDocument(document).map((d) => `${d.range.start.line + 1}: ${d.message}`), [], file);
  }
});

test('seccomp and Landlock schema errors land on the key or value, in every syntax', () => {
  const seccomp = validateDocument(textDocument('a.seccomp.yaml', 'defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - names: [read]\n    action: SCMP_ACT_ALOW\n'));
  assert.deepEqual(seccomp.map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.message]), [
    [4, 13, `"SCMP_ACT_ALOW" is not allowed for 'action'. Did you mean 'SCMP_ACT_ALLOW'?`],
  ]);
  const toml = validateDocument(textDocument('a.landlock.toml', '[[ruleset]]\nhandled_access_fs = ["execute"]\n\n[[path_beneath]]\nallowed_acess = ["execute"]\nparent = ["/usr"]\n'));
  assert.deepEqual(
    toml.map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.message]),
    [
      [4, 15, "Missing required key 'allowed_access' in an item of 'path_beneath'."],
      [5, 1, "Unknown key 'allowed_acess' in an item of 'path_beneath'. Did you mean 'allowed_access'?"],
    ],
  );
});

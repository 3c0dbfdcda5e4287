/**
 * The typed profiles come from the model's one parser (model/src/seccompProfileModel.ts, landlockProfileModel.ts):
 * 64-bit argument values are exact in every syntax, and a Landlock profile means the same in TOML, YAML and JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLandlockProfile, loadSeccompProfile, ProfileLoadError } from '../../model';
import { compileLandlock } from '../../runtime/src/policy/landlockCompiler';
import { compileSeccomp } from '../../runtime/src/policy/seccompCompiler';

const MAX = 18446744073709551615n; // 2^64 - 1: a double rounds it to 2^64
const HIGH = 0x8000000000000001n; // 2^63 + 1: a double rounds it to 2^63

const json = `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
  "args": [{"index": 0, "value": 18446744073709551615, "valueTwo": 9223372036854775809, "op": "SCMP_CMP_MASKED_EQ"}]}]}`;
const yaml = `defaultAction: SCMP_ACT_ALLOW
syscalls:
  - names: [personality]
    action: SCMP_ACT_ERRNO
    args:
      - { index: 0, value: 18446744073709551615, valueTwo: 0x8000000000000001, op: SCMP_CMP_MASKED_EQ }
`;

test('seccomp: values above 2^53 keep every bit, in JSON and YAML (decimal and hex), up to the compiled filter', () => {
  for (const [file, text] of [['big.seccomp.json', json], ['big.seccomp.yaml', yaml]]) {
    const loaded = loadSeccompProfile(file, text);
    assert.deepEqual(loaded.errors(), [], `${file} is accepted by check`);
    const arg = loaded.profile().syscalls?.[0].args?.[0];
    assert.equal(arg?.value, MAX, file);
    assert.equal(arg?.valueTwo, HIGH, file);
    assert.notEqual(BigInt(Number(MAX)), MAX, 'the test needs a value a double cannot hold');
    const compiled = compileSeccomp(loaded.profile(), file);
    assert.ok(compiled.instructions > 0);
  }
  // The two syntaxes give the same program: the exact constants reach the BPF.
  const a = compileSeccomp(loadSeccompProfile('a.seccomp.json', json).profile(), 'a');
  const b = compileSeccomp(loadSeccompProfile('b.seccomp.yaml', yaml).profile(), 'b');
  assert.deepEqual(a.bpf, b.bpf);
  // The compiled filter differs from one written with the rounded doubles (2^64 - 2048 and 2^63).
  const rounded = compileSeccomp(loadSeccompProfile('r.seccomp.yaml', yaml.replace('18446744073709551615', '18446744073709549568').replace('0x8000000000000001', '0x8000000000000000')).profile(), 'r');
  assert.notDeepEqual(rounded.bpf, a.bpf);
});

test('seccomp: small values stay numbers, as the compilers and exporters expect', () => {
  const p = loadSeccompProfile('s.seccomp.yaml', 'defaultAction: SCMP_ACT_ALLOW\nsyscalls: [{names: [kill], action: SCMP_ACT_ERRNO, errnoRet: 1, args: [{index: 1, value: 0x9, op: SCMP_CMP_EQ}]}]\n').profile();
  assert.deepEqual(p.syscalls, [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 1, value: 9, op: 'SCMP_CMP_EQ' }] }]);
});

test('Landlock: TOML (snake_case), YAML and JSON (camelCase) give the same typed model and the same plan', () => {
  const toml = `abi = 4
[[variable]]
name = "d"
literal = ["/a", "/b"]
[[ruleset]]
handled_access_fs = ["read_file", "write_file"]
handled_access_net = ["connect_tcp"]
[[path_beneath]]
allowed_access = ["read_file"]
parent = ["\${d}/x", "/usr"]
[[net_port]]
allowed_access = ["connect_tcp"]
port = [443]
`;
  const yamlText = `abi: 4
variable: [{name: d, literal: [/a, /b]}]
ruleset: [{handledAccessFs: [read_file, write_file], handledAccessNet: [connect_tcp]}]
pathBeneath: [{allowedAccess: [read_file], parent: ["\${d}/x", /usr]}]
netPort: [{allowedAccess: [connect_tcp], port: [443]}]
`;
  const jsonText = JSON.stringify({
    abi: 4,
    variable: [{ name: 'd', literal: ['/a', '/b'] }],
    ruleset: [{ handledAccessFs: ['read_file', 'write_file'], handledAccessNet: ['connect_tcp'] }],
    pathBeneath: [{ allowedAccess: ['read_file'], parent: ['${d}/x', '/usr'] }],
    netPort: [{ allowedAccess: ['connect_tcp'], port: [443] }],
  });
  const models = [['p.landlock.toml', toml], ['p.landlock.yaml', yamlText], ['p.landlock.json', jsonText]].map(([file, text]) => {
    const loaded = loadLandlockProfile(file, text);
    assert.deepEqual(loaded.errors().map((e) => e.message), [], `${file} is accepted by check`);
    return loaded.profile();
  });
  assert.deepEqual(models[0], {
    abi: 4,
    variable: [{ name: 'd', literal: ['/a', '/b'] }],
    ruleset: [{ handledAccessFs: ['read_file', 'write_file'], handledAccessNet: ['connect_tcp'], scoped: [] }],
    pathBeneath: [{ allowedAccess: ['read_file'], parent: ['${d}/x', '/usr'] }],
    netPort: [{ allowedAccess: ['connect_tcp'], port: [443] }],
  });
  assert.deepEqual(models[1], models[0]);
  assert.deepEqual(models[2], models[0]);
  assert.deepEqual(compileLandlock(models[1], 'y', '/').rules, compileLandlock(models[0], 't', '/').rules);
});

test('seccomp: a value beyond 2^53 that is no integer literal (an alias, a float form) is refused by check and by the model alike', () => {
  const alias = 'defaultAction: SCMP_ACT_ALLOW\nsyscalls:\n  - names: [personality]\n    action: SCMP_ACT_ERRNO\n    args:\n      - index: 0\n        value: &m 18446744073709551615\n        valueTwo: *m\n        op: SCMP_CMP_MASKED_EQ\n';
  const float = '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1.8446744073709551615e19, "op": "SCMP_CMP_EQ"}]}]}';
  for (const [file, text, line] of [['alias.seccomp.yaml', alias, 8], ['float.seccomp.json', float, 1]] as const) {
    const loaded = loadSeccompProfile(file, text);
    assert.deepEqual(loaded.errors().map((e) => [e.range.start.line + 1, e.code]), [[line, 'seccomp-inexact-value']], file);
    assert.throws(() => loaded.profile(), (e: Error) => e instanceof ProfileLoadError && new RegExp(`^${file.replace('.', '\\.')}:${line}:\\d+: .*not written as an integer literal.* Write it in digits`).test(e.message), file);
  }
});

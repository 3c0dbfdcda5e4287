// The JSON Schemas of the profile formats and the generated domain tables.
// Run: node --import tsx --test test/unit/schemas.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import YAML from 'yaml';
import { parse as parseToml } from 'smol-toml';

// The repository root: the nearest folder above the working directory that has the schemas
// (works whether this file runs as CommonJS or as an ES module).
function findRoot(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'schemas/seccomp.schema.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no schemas/ above ${from}`);
  }
}
const ROOT = findRoot(process.cwd());
const FIXTURES = path.join(ROOT, 'test/fixtures/profiles');
const readJson = (rel: string): unknown => JSON.parse(fs.readFileSync(path.join(ROOT, rel), 'utf8'));
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

type Schema = Record<string, unknown>;
const seccompSchema = readJson('schemas/seccomp.schema.json') as Schema;
const landlockSchema = readJson('schemas/landlock.schema.json') as Schema;
const landlockTomlSchema = readJson('schemas/landlock.toml.schema.json') as Schema;

const ajvWarnings: string[] = [];
function compile(schema: Schema): ValidateFunction {
  // Strict mode (unknown keywords, ignored keywords, loose types and tuples are errors), except
  // strictRequired: it rejects the standard `anyOf: [{required: [a]}, {required: [b]}]` idiom
  // that both schemas use (as landlockconfig's own schema does). Warnings fail the test below.
  const logger = { log: () => {}, warn: (...a: unknown[]) => ajvWarnings.push(a.join(' ')), error: (...a: unknown[]) => ajvWarnings.push(a.join(' ')) };
  const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true, logger });
  return ajv.compile(schema);
}
const validateSeccomp = compile(seccompSchema);
const validateLandlock = compile(landlockSchema);
const validateLandlockToml = compile(landlockTomlSchema);

function errorsOf(validate: ValidateFunction, data: unknown): ErrorObject[] {
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
function assertValid(validate: ValidateFunction, data: unknown, what: string): void {
  const errors = errorsOf(validate, data);
  assert.deepEqual(errors.map((e) => `${e.instancePath} ${e.message}`), [], `${what} must validate`);
}
function assertInvalidAt(validate: ValidateFunction, data: unknown, instancePath: string, keyword?: string): void {
  const errors = errorsOf(validate, data);
  assert.ok(errors.length > 0, `expected an error at ${instancePath}`);
  const at = errors.filter((e) => e.instancePath === instancePath && (!keyword || e.keyword === keyword));
  assert.ok(at.length > 0, `expected a ${keyword ?? ''} error at "${instancePath}", got ${JSON.stringify(errors.map((e) => [e.instancePath, e.keyword]))}`);
}
const clone = <T>(x: T): T => structuredClone(x);

test('ajv compiles the schemas in strict mode', () => {
  for (const v of [validateSeccomp, validateLandlock, validateLandlockToml]) assert.equal(typeof v, 'function');
  assert.deepEqual(ajvWarnings, []);
  // and with ajv's defaults, as a language server would most likely create it
  for (const s of [seccompSchema, landlockSchema, landlockTomlSchema]) assert.equal(typeof new Ajv({ allErrors: true }).compile(s), 'function');
});

// ---------------------------------------------------------------------------------------------
// Seccomp
// ---------------------------------------------------------------------------------------------
const dockerJson = JSON.parse(fixture('docker-default.seccomp.json')) as { syscalls: { names?: string[] }[] };
const dockerYaml = YAML.parse(fixture('docker-default.seccomp.yaml')) as unknown;

test("Docker's default seccomp profile validates (JSON and YAML)", () => {
  assertValid(validateSeccomp, dockerJson, 'docker-default.seccomp.json');
  assertValid(validateSeccomp, dockerYaml, 'docker-default.seccomp.yaml');
  assert.deepEqual(dockerYaml, dockerJson, 'the YAML fixture is the same data as the JSON one');
});

test('broken seccomp profiles fail at the expected place', () => {
  const base = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] };

  assertInvalidAt(validateSeccomp, { ...base, defaultAction: 'SCMP_ACT_DENY' }, '/defaultAction', 'enum');
  assertInvalidAt(validateSeccomp, { syscalls: base.syscalls }, '', 'required');
  assertInvalidAt(validateSeccomp, { ...base, defaultActoin: 'SCMP_ACT_ALLOW' }, '', 'additionalProperties');
  assertInvalidAt(validateSeccomp, { ...base, architectures: ['SCMP_ARCH_X86_64', 'x86'] }, '/architectures/1', 'enum');
  assertInvalidAt(validateSeccomp, { ...base, flags: ['SECCOMP_FILTER_FLAG_NEW_LISTENER'] }, '/flags/0', 'enum');
  // The kernel keeps 16 bits of errno: 5000 is a warning of the language server (libc reads 1–4095), 70000 an error.
  assertInvalidAt(validateSeccomp, { ...base, defaultErrnoRet: 70000 }, '/defaultErrnoRet', 'maximum');

  const badOp = clone(base) as Schema & { syscalls: Schema[] };
  badOp.syscalls.push({ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED' }] });
  assertInvalidAt(validateSeccomp, badOp, '/syscalls/1/args/0/op', 'enum');

  const badIndex = clone(base) as Schema & { syscalls: Schema[] };
  badIndex.syscalls[0].args = [{ index: 6, value: 0, op: 'SCMP_CMP_EQ' }];
  assertInvalidAt(validateSeccomp, badIndex, '/syscalls/0/args/0/index', 'maximum');

  const noOp = clone(base) as Schema & { syscalls: Schema[] };
  noOp.syscalls[0].args = [{ index: 0, value: 1 }];
  assertInvalidAt(validateSeccomp, noOp, '/syscalls/0/args/0', 'required');

  const errnoString = clone(base) as Schema & { syscalls: Schema[] };
  errnoString.syscalls[0].errnoRet = '1';
  assertInvalidAt(validateSeccomp, errnoString, '/syscalls/0/errnoRet', 'type');

  const noNames = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ action: 'SCMP_ACT_ALLOW' }] };
  assertInvalidAt(validateSeccomp, noNames, '/syscalls/0', 'required');

  const both = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ name: 'read', names: ['write'], action: 'SCMP_ACT_ALLOW' }] };
  assertInvalidAt(validateSeccomp, both, '/syscalls/0', 'not');

  const oldForm = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ name: 'read', action: 'SCMP_ACT_ALLOW' }] };
  assertValid(validateSeccomp, oldForm, 'the old single-name form');

  const dockerBroken = clone(dockerJson) as unknown as { archMap: { subArchitectures: string[] }[]; syscalls: Schema[] };
  dockerBroken.archMap[0].subArchitectures.push('SCMP_ARCH_I386');
  dockerBroken.syscalls[3].includes = { minKernel: '4' };
  dockerBroken.syscalls[4].excludes = { caps: ['CAP_SYS_ADMIN', 'SYS_PTRACE'], arches: ['amd64', 'x86_64'] };
  const errors = errorsOf(validateSeccomp, dockerBroken).map((e) => e.instancePath);
  for (const p of ['/archMap/0/subArchitectures/2', '/syscalls/3/includes/minKernel', '/syscalls/4/excludes/caps/1', '/syscalls/4/excludes/arches/1']) {
    assert.ok(errors.includes(p), `expected an error at ${p}, got ${JSON.stringify(errors)}`);
  }
  assertInvalidAt(validateSeccomp, { ...base, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '0.0' } }] }, '/syscalls/0/includes/minKernel', 'not');
});

// ---------------------------------------------------------------------------------------------
// Landlock
// ---------------------------------------------------------------------------------------------
const landlockFixtures = fs.readdirSync(FIXTURES).filter((f) => /\.landlock\.(json|ya?ml|toml)$/.test(f));

test('every landlockconfig example validates', () => {
  assert.ok(landlockFixtures.filter((f) => f.endsWith('.toml')).length >= 3, 'the TOML examples are there');
  assert.ok(landlockFixtures.filter((f) => f.endsWith('.json')).length >= 3, 'the JSON examples are there');
  assert.ok(landlockFixtures.filter((f) => f.endsWith('.yaml')).length >= 3, 'the YAML examples are there');
  for (const f of landlockFixtures) {
    const text = fixture(f);
    if (f.endsWith('.toml')) assertValid(validateLandlockToml, parseToml(text), f);
    else if (f.endsWith('.json')) assertValid(validateLandlock, JSON.parse(text), f);
    else assertValid(validateLandlock, YAML.parse(text), f);
  }
});

test('broken Landlock profiles fail at the expected place', () => {
  const base = JSON.parse(fixture('mini-write-tmp.landlock.json')) as {
    abi: number;
    ruleset: Schema[];
    pathBeneath: { allowedAccess: string[]; parent: string[] }[];
    netPort: { allowedAccess: string[]; port: number[] }[];
    variable?: Schema[];
  };

  let c = clone(base);
  c.pathBeneath[1].allowedAccess = ['write'];
  assertInvalidAt(validateLandlock, c, '/pathBeneath/1/allowedAccess/0', 'enum');

  c = clone(base);
  c.netPort[0].port = [80, 70000];
  assertInvalidAt(validateLandlock, c, '/netPort/0/port/1', 'maximum');

  c = clone(base);
  c.netPort[0].allowedAccess = ['read_file'];
  assertInvalidAt(validateLandlock, c, '/netPort/0/allowedAccess/0', 'enum');

  c = clone(base);
  c.pathBeneath[0].parent = ['${unclosed'];
  assertInvalidAt(validateLandlock, c, '/pathBeneath/0/parent/0', 'pattern');

  c = clone(base);
  c.pathBeneath[0].parent = [];
  assertInvalidAt(validateLandlock, c, '/pathBeneath/0/parent', 'minItems');

  c = clone(base);
  c.variable = [{ name: '1st', literal: ['/tmp'] }];
  assertInvalidAt(validateLandlock, c, '/variable/0/name', 'pattern');

  c = clone(base);
  c.ruleset = [{}];
  assertInvalidAt(validateLandlock, c, '/ruleset/0', 'minProperties');

  c = clone(base);
  (c.ruleset[0] as Schema).handledAccessFS = ['abi.all'];
  assertInvalidAt(validateLandlock, c, '/ruleset/0', 'additionalProperties');

  c = clone(base);
  c.abi = 0;
  assertInvalidAt(validateLandlock, c, '/abi', 'minimum');

  assertInvalidAt(validateLandlock, { abi: 5 }, '', 'anyOf');

  // variables and escapes that landlockconfig accepts
  c = clone(base);
  c.variable = [{ name: 'home_2', literal: ['/home'] }];
  c.pathBeneath[0].parent = ['${home_2}/bin', '/srv/$$cash', '/a$b', 'x$'];
  assertValid(validateLandlock, c, 'variables and $ escapes');

  // TOML: snake_case keys only
  const toml = parseToml(fixture('mini-write-tmp.landlock.toml')) as Record<string, unknown>;
  assertInvalidAt(validateLandlockToml, { ...toml, pathBeneath: base.pathBeneath }, '', 'additionalProperties');
  assertInvalidAt(validateLandlock, toml, '', 'additionalProperties');
  const tomlBad = clone(toml) as { path_beneath: { allowed_access: string[] }[] };
  tomlBad.path_beneath[0].allowed_access = ['abi.read_exec'];
  assertInvalidAt(validateLandlockToml, tomlBad, '/path_beneath/0/allowed_access/0', 'enum');
});

// ---------------------------------------------------------------------------------------------
// Every property has a description (hover shows it)
// ---------------------------------------------------------------------------------------------
function undocumented(schema: unknown): string[] {
  const missing: string[] = [];
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => walk(n, `${where}/${i}`));
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if ((k === 'properties' || k === 'definitions' || k === '$defs') && v && typeof v === 'object') {
        for (const [name, sub] of Object.entries(v as Record<string, unknown>)) {
          const d = (sub as { description?: unknown }).description;
          if (typeof d !== 'string' || d.trim().length < 3) missing.push(`${where}/${k}/${name}`);
          walk(sub, `${where}/${k}/${name}`);
        }
      } else if (k === 'items' && v && typeof v === 'object' && !Array.isArray(v)) {
        const d = (v as { description?: unknown }).description;
        if (typeof d !== 'string' || d.trim().length < 3) missing.push(`${where}/items`);
        walk(v, `${where}/items`);
      } else {
        walk(v, `${where}/${k}`);
      }
    }
  };
  walk(schema, '#');
  return missing;
}

test('every property, definition and array item of the schemas has a description', () => {
  for (const [name, schema] of [['seccomp', seccompSchema], ['landlock', landlockSchema], ['landlock.toml', landlockTomlSchema]] as const) {
    assert.equal(typeof schema.description, 'string', `${name}: root description`);
    assert.deepEqual(undocumented(schema), [], `${name}: undocumented`);
  }
});

test('the TOML schema is the snake_case twin of the camelCase one', () => {
  const keys = (s: unknown): string[] => {
    const out: string[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (!n || typeof n !== 'object') return;
      for (const [k, v] of Object.entries(n as Record<string, unknown>)) {
        if (k === 'properties') out.push(...Object.keys(v as object));
        walk(v);
      }
    };
    walk(s);
    return out;
  };
  const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  assert.deepEqual(keys(landlockTomlSchema), keys(landlockSchema).map(snake));
});

// ---------------------------------------------------------------------------------------------
// Domain tables
// ---------------------------------------------------------------------------------------------
interface Syscall {
  name: string;
  desc: string;
  sig?: string;
  argc?: number;
  nr: Record<string, number>;
  mux?: Record<string, string>;
  inLibseccomp?: boolean;
}
const syscalls = readJson('model/data/syscalls.json') as { syscalls: Syscall[]; counts: Record<string, number>; generatedFrom: Record<string, string> };
const byName = new Map(syscalls.syscalls.map((s) => [s.name, s]));

test('syscalls.json: coverage, openat, and every syscall of Docker\'s default profile', () => {
  assert.ok(syscalls.generatedFrom.libseccomp, 'records the libseccomp version');
  assert.ok(syscalls.generatedFrom.manpages, 'records the manpages version');
  const x86_64 = syscalls.syscalls.filter((s) => s.nr.SCMP_ARCH_X86_64 !== undefined);
  assert.ok(x86_64.length >= 360, `x86_64 has ${x86_64.length} syscalls`);
  assert.equal(syscalls.counts.SCMP_ARCH_X86_64, x86_64.length);
  for (const arch of ['SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_S390X', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_LOONGARCH64']) {
    assert.ok(syscalls.counts[arch] >= 300, `${arch}: ${syscalls.counts[arch]}`);
  }

  const openat = byName.get('openat');
  assert.ok(openat);
  assert.match(openat.sig ?? '', /^int openat\(int dirfd, const char \*pathname, int flags, mode_t mode\);$/);
  assert.equal(openat.argc, 4);
  assert.equal(openat.nr.SCMP_ARCH_X86_64, 257);
  assert.equal(openat.nr.SCMP_ARCH_AARCH64, 56);
  assert.equal(openat.nr.SCMP_ARCH_X32, 0x40000000 + 257);
  assert.match(openat.desc, /open/);
  assert.equal(byName.get('read')?.nr.SCMP_ARCH_X86_64, 0);
  assert.equal(byName.get('clone3')?.argc, 2);
  assert.equal(byName.get('landlock_create_ruleset')?.nr.SCMP_ARCH_X86_64, 444);

  for (const s of syscalls.syscalls) {
    assert.ok(s.desc.length > 0, `${s.name}: description`);
    assert.ok(Number.isInteger(s.argc) && (s.argc as number) >= 0 && (s.argc as number) <= 7, `${s.name}: argc ${s.argc}`);
    assert.ok(Object.keys(s.nr).length > 0 || Object.keys(s.mux ?? {}).length > 0, `${s.name}: on no architecture`);
  }

  const unknown = new Set<string>();
  for (const rule of dockerJson.syscalls) for (const n of rule.names ?? []) if (!byName.has(n)) unknown.add(n);
  assert.deepEqual([...unknown], [], 'every syscall of Docker\'s default profile is known');
});

test('seccomp.json and landlock.json agree with the schemas', () => {
  const seccomp = readJson('model/data/seccomp.json') as {
    actions: { name: string; errnoRet: boolean }[];
    operators: { name: string }[];
    flags: { name: string; oci: boolean }[];
    architectures: { name: string; compat: string[] }[];
    capabilities: { name: string }[];
  };
  const defs = seccompSchema.definitions as Record<string, { enum: string[] }>;
  assert.deepEqual(seccomp.actions.map((a) => a.name).sort(), [...defs.action.enum].sort());
  assert.deepEqual(seccomp.operators.map((o) => o.name).sort(), [...defs.operator.enum].sort());
  assert.deepEqual(seccomp.flags.filter((f) => f.oci).map((f) => f.name).sort(), [...defs.flag.enum].sort());
  assert.deepEqual(seccomp.capabilities.map((c) => c.name).sort(), [...defs.capability.enum].sort());
  assert.deepEqual(seccomp.actions.filter((a) => a.errnoRet).map((a) => a.name).sort(), ['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE']);
  assert.deepEqual(seccomp.architectures.find((a) => a.name === 'SCMP_ARCH_X86_64')?.compat, ['SCMP_ARCH_X86', 'SCMP_ARCH_X32']);

  const landlock = readJson('model/data/landlock.json') as {
    accessFs: { name: string; abi: number; appliesTo: string }[];
    accessNet: { name: string; abi: number }[];
    scopes: { name: string; abi: number }[];
    groupsByAbi: Record<string, { fs: Record<string, string[]>; net: Record<string, string[]>; scope: Record<string, string[]> }>;
  };
  const ldefs = landlockSchema.definitions as Record<string, { enum: string[] }>;
  assert.deepEqual(['abi.all', 'abi.read_execute', 'abi.read_write', ...landlock.accessFs.map((r) => r.name)], ldefs.accessFs.enum);
  assert.deepEqual(['abi.all', ...landlock.accessNet.map((r) => r.name)], ldefs.accessNet.enum);
  assert.deepEqual(['abi.all', ...landlock.scopes.map((r) => r.name)], ldefs.scope.enum);
  assert.equal(landlock.accessFs.length, 16);
  assert.deepEqual(
    landlock.accessFs.filter((r) => r.appliesTo === 'file').map((r) => r.name),
    ['execute', 'write_file', 'read_file', 'truncate', 'ioctl_dev'],
  );
  const abiOf = Object.fromEntries([...landlock.accessFs, ...landlock.accessNet, ...landlock.scopes].map((r) => [r.name, r.abi]));
  assert.deepEqual([abiOf.make_sym, abiOf.refer, abiOf.truncate, abiOf.bind_tcp, abiOf.ioctl_dev, abiOf.signal], [1, 2, 3, 4, 5, 6]);
  // landlockconfig's golden output for ABI 4: read_execute = execute|read_file|read_dir|refer, read_write = bits 1..14
  assert.deepEqual(landlock.groupsByAbi['4'].fs['abi.read_execute'], ['execute', 'read_file', 'read_dir', 'refer']);
  assert.equal(landlock.groupsByAbi['4'].fs['abi.read_write'].length, 14);
  assert.deepEqual(landlock.groupsByAbi['1'].fs['abi.read_execute'], ['execute', 'read_file', 'read_dir']);
  assert.deepEqual(landlock.groupsByAbi['3'].net['abi.all'], []);
  assert.deepEqual(landlock.groupsByAbi['6'].scope['abi.all'], ['abstract_unix_socket', 'signal']);
});

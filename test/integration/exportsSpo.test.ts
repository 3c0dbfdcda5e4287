/**
 * `phantom export --to spo` against the Security Profiles Operator's own SeccompProfile CRD (kept as a fixture, see
 * test/fixtures/consumers/README.md). Kubernetes validates a resource with the CRD's openAPIV3Schema and silently
 * prunes fields it does not declare, so the check here is stricter than the API server: every object that declares
 * properties gets `additionalProperties: false`, and a field that would be pruned fails the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { FIXTURES } from '../support/fixtures';
import { phantom } from '../support/consumers';

interface CrdVersion { name: string; served: boolean; schema: { openAPIV3Schema: Record<string, unknown> } }
const crd = parse(fs.readFileSync(path.join(FIXTURES, 'consumers/spo-seccompprofile-crd.yaml'), 'utf8')) as { spec: { versions: CrdVersion[] } };

/** The OpenAPI schema as JSON Schema: Kubernetes' x- extensions and formats dropped (int64 checked below), pruning made an error. */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k.startsWith('x-kubernetes-') || k === 'format') continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strict(s)])) : strict(v);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function validatorFor(apiVersion: string) {
  const version = apiVersion.split('/')[1];
  const v = crd.spec.versions.find((x) => x.name === version);
  assert.ok(v?.served, `the CRD serves ${version}`);
  const schema = strict(v.schema.openAPIV3Schema) as Record<string, unknown>;
  // metadata is validated by Kubernetes itself: any object.
  (schema.properties as Record<string, unknown>).metadata = { type: 'object' };
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

const SOURCES = ['profiles/docker-default.seccomp.json', 'exports/allow-default.seccomp.yaml', 'exports/kill-default.seccomp.yaml', 'exports/trap-default.seccomp.yaml', 'exports/log-default.seccomp.yaml'];

for (const source of SOURCES) {
  test(`${path.basename(source)} --to spo validates against the SeccompProfile CRD with nothing to prune`, () => {
    const r = phantom(['export', '--to', 'spo', '--quiet', path.join(FIXTURES, source)]);
    assert.equal(r.code, 0, r.stderr);
    const resource = JSON.parse(r.stdout) as { apiVersion: string; kind: string; metadata: { name: string; annotations: Record<string, string> }; spec: { syscalls: { args?: { value: number }[] }[] } };
    assert.equal(resource.kind, 'SeccompProfile');
    const validate = validatorFor(resource.apiVersion);
    assert.ok(validate(resource), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    assert.match(resource.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.match(resource.metadata.annotations['phantom-fragment/exported'], /resolved from .* for no capabilities .*architecture SCMP_ARCH_X86_64, kernel /);
    // format: int64 — JSON.parse would round a larger value; the exporter refuses those (u64.seccomp.yaml).
    const text = r.stdout;
    for (const m of text.matchAll(/"value(?:Two)?": (\d+)/g)) assert.ok(BigInt(m[1]) <= 2n ** 63n - 1n, m[1]);
  });
}

test("a control: the CRD check catches what Kubernetes would prune (defaultErrnoRet) and a wrong type", () => {
  const validate = validatorFor('security-profiles-operator.x-k8s.io/v1beta1');
  const base = { apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1', kind: 'SeccompProfile', metadata: { name: 'x' } };
  assert.ok(validate({ ...base, spec: { defaultAction: 'SCMP_ACT_ERRNO' } }));
  assert.ok(!validate({ ...base, spec: { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 } }));
  assert.ok(!validate({ ...base, spec: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } }] } }));
  assert.ok(!validate({ ...base, spec: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', comment: 'x' }] } }));
});

test('what a SeccompProfile cannot hold is refused with the reason, never dropped', () => {
  const errno = phantom(['export', '--to', 'spo', path.join(FIXTURES, 'exports/errno-default.seccomp.yaml')]);
  assert.equal(errno.code, 1);
  assert.match(errno.stderr, /errno-default\.seccomp\.yaml: defaultErrnoRet 38 is not in the SeccompProfile CRD .* remove defaultErrnoRet/);
  const u64 = phantom(['export', '--to', 'spo', path.join(FIXTURES, 'exports/u64.seccomp.yaml')]);
  assert.equal(u64.code, 1);
  assert.match(u64.stderr, /above 2\^63-1 \(the CRD's int64\)/);
  assert.equal(errno.stdout + u64.stdout, '', 'nothing half-written on stdout');
});

test("Docker's default --to spo: the capability-gated rules and archMap are resolved, the flags kept", () => {
  const r = phantom(['export', '--to', 'spo', '--caps', 'CAP_SYS_ADMIN', path.join(FIXTURES, 'profiles/docker-default.seccomp.json')]);
  assert.equal(r.code, 0, r.stderr);
  const spec = (JSON.parse(r.stdout) as { spec: { architectures: string[]; syscalls: { names: string[]; action: string }[] } }).spec;
  assert.deepEqual(spec.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const allowed = new Set(spec.syscalls.filter((s) => s.action === 'SCMP_ACT_ALLOW').flatMap((s) => s.names));
  assert.ok(allowed.has('mount') && allowed.has('setns'), 'with CAP_SYS_ADMIN, Docker allows mount and setns');
  assert.match(r.stderr, /for capabilities CAP_SYS_ADMIN/);
  const none = JSON.parse(phantom(['export', '--to', 'spo', '--quiet', path.join(FIXTURES, 'profiles/docker-default.seccomp.json')]).stdout) as { spec: { syscalls: { names: string[]; action: string }[] } };
  assert.ok(!none.spec.syscalls.some((s) => s.action === 'SCMP_ACT_ALLOW' && s.names.includes('mount')), 'without capabilities, mount stays denied');
});

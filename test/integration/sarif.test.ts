/**
 * `phantom check --format sarif`: the log validates against the SARIF 2.1.0 JSON schema (OASIS, kept as a
 * fixture: test/fixtures/consumers/README.md) and carries the rule id, line and column of every finding of a
 * planted fixture, with help text for each rule and the quick fixes as SARIF fixes. Docker's default profile and
 * the runtime-spec's example profile have no error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { FIXTURES, REPO } from '../support/fixtures';
import { phantom, scratch } from '../support/consumers';

const PLANTED = path.relative(REPO, path.join(FIXTURES, 'check/planted.seccomp.yaml'));

/** The draft-04 schema for ajv 8 (draft-07): `id` → `$id`; nothing else in it differs between the drafts. */
function sarifValidator() {
  const schema = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'consumers/sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;
  assert.match(String(schema.$schema), /draft-04/);
  const { id, $schema: _draft, ...rest } = schema;
  void _draft;
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  return ajv.compile({ ...rest, $id: String(id) });
}

interface SarifResult {
  ruleId: string; ruleIndex: number; level: string; message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn: number; endLine: number; endColumn: number } } }[];
  fixes?: { description: { text: string }; artifactChanges: { replacements: { deletedRegion: object; insertedContent: { text: string } }[] }[] }[];
}
interface SarifLog { version: string; runs: { tool: { driver: { name: string; rules: { id: string; help: { text: string } }[] } }; results: SarifResult[] }[] }

const run0 = (log: SarifLog) => log.runs[0];

let dir: string;
before(() => { dir = scratch('sarif'); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the SARIF log of a planted fixture validates against SARIF 2.1.0 and has every finding at its place', () => {
  const sarif = phantom(['check', '--format', 'sarif', PLANTED]);
  assert.equal(sarif.code, 1, 'the planted fixture has errors');
  const log = JSON.parse(sarif.stdout) as SarifLog;
  const validate = sarifValidator();
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  // A control: the schema is really applied (a driver needs a name, a region's startLine is at least 1).
  assert.ok(!validate({ version: '2.1.0', runs: [{ tool: { driver: {} }, results: [] }] }));
  assert.ok(!validate({ ...log, runs: [{ ...run0(log), results: [{ ...run0(log).results[0], locations: [{ physicalLocation: { region: { startLine: 0 } } }] }] }] }));
  const json = JSON.parse(phantom(['check', '--format', 'json', PLANTED]).stdout) as { line: number; column: number; endLine: number; endColumn: number; code: string; severity: string; message: string }[];
  assert.ok(json.length >= 8, `${json.length} findings`);
  const [run] = log.runs;
  assert.equal(run.results.length, json.length);
  json.forEach((f, i) => {
    const r = run.results[i];
    assert.equal(r.ruleId, f.code);
    assert.equal(run.tool.driver.rules[r.ruleIndex].id, f.code);
    assert.ok(run.tool.driver.rules[r.ruleIndex].help.text.length > 20, `help for ${f.code}`);
    assert.equal(r.level, { error: 'error', warning: 'warning', information: 'note', hint: 'note' }[f.severity]);
    const { artifactLocation, region } = r.locations[0].physicalLocation;
    assert.deepEqual(artifactLocation, { uri: 'test/fixtures/check/planted.seccomp.yaml', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(region, { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn });
    assert.equal(r.message.text, f.message);
  });
  const at = (code: string) => run.results.filter((r) => r.ruleId === code).map((r) => `${r.locations[0].physicalLocation.region.startLine}:${r.locations[0].physicalLocation.region.startColumn}`);
  assert.deepEqual(at('seccomp-errno-refused'), ['3:1', '11:5']);
  assert.deepEqual(at('seccomp-errno-range'), ['8:15']);
  assert.deepEqual(at('seccomp-unknown-syscall'), ['6:29']);
  assert.deepEqual(at('seccomp-duplicate-syscall'), ['6:21']);
  assert.deepEqual(at('seccomp-arg-index'), ['15:18']);
  assert.deepEqual(at('schema-enum'), ['4:35', '17:13'], 'the unknown architecture and the unknown action');
  // Quick fixes become SARIF fixes: the spelling fix replaces exactly the misspelt name.
  const typo = run.results.find((r) => r.ruleId === 'seccomp-unknown-syscall')!;
  assert.equal(typo.fixes?.[0].description.text, "Change to 'open'");
  assert.deepEqual(typo.fixes?.[0].artifactChanges[0].replacements[0], { deletedRegion: { startLine: 6, startColumn: 29, endLine: 6, endColumn: 33 }, insertedContent: { text: 'open' } });
});

test('--output writes the log to a file and keeps the exit code', () => {
  const out = path.join(dir, 'phantom.sarif');
  const r = phantom(['check', '--format', 'sarif', '--output', out, PLANTED]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal((JSON.parse(fs.readFileSync(out, 'utf8')) as SarifLog).version, '2.1.0');
});

test("Docker's default and the runtime-spec's example profile: no error; errnoRet 0 a warning, 4095 and above an error", () => {
  for (const f of ['profiles/docker-default.seccomp.json', 'check/oci-example.seccomp.json']) {
    const r = phantom(['check', path.join(FIXTURES, f)]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /0 errors/);
  }
  const range = JSON.parse(phantom(['check', '--format', 'json', path.join(FIXTURES, 'check/errno-range.seccomp.yaml')]).stdout) as { line: number; severity: string; code: string; message: string }[];
  assert.deepEqual(range.map((r) => [r.line, r.severity, r.code]), [[7, 'error', 'seccomp-errno-range'], [10, 'warning', 'seccomp-errno-range'], [13, 'error', 'seccomp-errno-range']]);
  assert.match(range[0].message, /errnoRet 12345 is outside 1–4095: .*libc reads only 1–4095 as an errno/);
  // A clean file gives a valid log with no results.
  const clean = JSON.parse(phantom(['check', '--format', 'sarif', path.join(FIXTURES, 'check/oci-example.seccomp.json')]).stdout) as SarifLog;
  assert.ok(sarifValidator()(clean));
  assert.deepEqual(clean.runs[0].results, []);
  // Docker's default: one warning, on its 64-bit comparison of socket's 32-bit family (`socket(0x100000028)` is AF_VSOCK).
  const docker = JSON.parse(phantom(['check', '--format', 'sarif', path.join(FIXTURES, 'profiles/docker-default.seccomp.json')]).stdout) as SarifLog;
  assert.ok(sarifValidator()(docker));
  assert.deepEqual(docker.runs[0].results.map((r) => [r.ruleId, r.level]), [['seccomp-64bit-int-arg', 'warning']]);
});

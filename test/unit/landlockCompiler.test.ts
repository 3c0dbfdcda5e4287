// Landlock profiles (landlockconfig JSON/YAML/TOML) → the helper's rule list: groups, variables, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES } from '../support/fixtures';
import { compileLandlock, defaultLandlockPlan, landlockRulesText, rightsOfAbi } from '../../runtime/src/policy/landlockCompiler';
import { loadLandlockProfile } from '../../runtime/src/policy/landlockProfileLoader';
import { loadLandlockProfile as loadLandlockModel, ProfileLoadError } from '../../model';

const fixture = (name: string) => path.join(FIXTURES, 'profiles', name);
const READ_EXECUTE_ABI4 = 1 | 4 | 8 | (1 << 13); // execute, read_file, read_dir, refer

test('the same policy in JSON, YAML and TOML compiles to the same rule list', () => {
  const plans = ['mini-write-tmp.landlock.json', 'mini-write-tmp.landlock.yaml', 'mini-write-tmp.landlock.toml'].map((f) =>
    compileLandlock(loadLandlockProfile(fixture(f)), f, '/work'));
  assert.deepEqual(plans[1], plans[0]);
  assert.deepEqual(plans[2], plans[0]);
  assert.ok(plans[0].rules.some((r) => r.path === '/tmp'));
});

test('groups expand per declared ABI, rule rights join the handled set, relative parents follow the cwd', () => {
  const plan = compileLandlock(loadLandlockProfile(fixture('composition.landlock.yaml')), 'c.yaml', '/work');
  assert.equal(plan.handledFs, rightsOfAbi('fs', 4) & ~0, 'abi.read_write ∪ abi.read_execute of ABI 4 = every ABI 4 fs right');
  assert.deepEqual(plan.rules.find((r) => r.path === '/usr'), { path: '/usr', access: READ_EXECUTE_ABI4 });
  const toml = compileLandlock(loadLandlockProfile(fixture('mini-write-tmp.landlock.toml')), 'm.toml', '/work/project');
  assert.ok(toml.rules.some((r) => r.path === '/work/project' || r.path === '/tmp'));
});

test('variables expand to every literal; $$ is a literal dollar; an undefined variable is an error', () => {
  const config = loadLandlockModel('v.yaml', 'abi: 4\nvariable:\n  - {name: d, literal: [/a, /b]}\npathBeneath:\n  - {allowedAccess: [read_file], parent: ["${d}/x", "/c$$"]}\n').profile();
  assert.deepEqual(compileLandlock(config, 'v.yaml', '/').rules.map((r) => r.path), ['/a/x', '/b/x', '/c$']);
  assert.throws(() => loadLandlockModel('u.yaml', 'abi: 4\npathBeneath:\n  - {allowedAccess: [read_file], parent: ["${home}"]}\n').profile(),
    /u\.yaml:3:44: Variable 'home' is not defined: add a variable entry with this name\. \[landlock-undefined-variable\]/);
  assert.throws(() => compileLandlock({ variable: [], ruleset: [], pathBeneath: [{ allowedAccess: ['read_file'], parent: ['${home}'] }], netPort: [] }, 'u.yaml', '/'),
    /u\.yaml: pathBeneath\[0\]\.parent: variable 'home' is not defined/);
});

test('scopes and network ports', () => {
  const plan = compileLandlock(loadLandlockProfile(fixture('mini-scoped.landlock.json')), 's.json', '/');
  assert.equal(plan.scoped, 3);
  assert.equal(plan.handledNet, 3);
  const ports = compileLandlock(loadLandlockModel('n.toml', 'abi = 4\n[[net_port]]\nallowed_access = ["connect_tcp"]\nport = [443, 80]\n').profile(), 'n.toml', '/');
  assert.deepEqual(ports.rules, [{ port: 443, access: 2 }, { port: 80, access: 2 }]);
  assert.match(landlockRulesText(ports), /^port 2 443$/m);
});

test('errors are check\'s: group without abi, wrong key spelling per format, ports out of range, syntax', () => {
  const refused = (file: string, text: string, message: RegExp) =>
    assert.throws(() => loadLandlockModel(file, text).profile(), (e: Error) => e instanceof ProfileLoadError && message.test(e.message), file);
  refused('g.yaml', 'pathBeneath:\n  - {allowedAccess: [abi.all], parent: [/]}\n',
    /^g\.yaml:2:22: 'abi\.all' expands to the rights of the declared ABI, but 'abi' is not declared\. \[landlock-group-without-abi\] — 'phantom check g\.yaml' lists every problem$/);
  const camelInToml = 'abi = 4\n[[pathBeneath]]\nallowed_access = ["read_file"]\nparent = ["/"]\n';
  refused('k.toml', camelInToml, /^k\.toml:1:1: Missing required key 'variable' at the top level\. \[schema-required\] \(and 4 more\) — 'phantom check k\.toml' lists every problem$/);
  assert.ok(loadLandlockModel('k.toml', camelInToml).errors().some((e) => e.range.start.line === 1 && /Unknown key 'pathBeneath' at the top level\. Did you mean 'path_beneath'\?/.test(e.message)));
  refused('p.toml', 'abi = 4\n[[net_port]]\nallowed_access = ["bind_tcp"]\nport = [70000]\n', /^p\.toml:4:9: an item of 'port' must be at most 65535\. \[schema-range\]/);
  refused('bad.toml', 'abi = [', /^bad\.toml:1:\d+: TOML: .* \[syntax\]/);
  // The compiler still refuses a group without abi in a model built in code.
  assert.throws(() => compileLandlock({ variable: [], ruleset: [], pathBeneath: [{ allowedAccess: ['abi.all'], parent: ['/'] }], netPort: [] }, 'g.yaml', '/'),
    /g\.yaml: pathBeneath\[0\]: group abi\.all needs the profile's abi/);
});

test('the default ruleset mirrors the view: system dirs read+execute, cwd and /tmp everything, devices read/write', () => {
  const plan = defaultLandlockPlan({ cwd: '/work/p', readOnly: ['/opt/py'], readWrite: ['/data'] }, 7);
  const access = (p: string) => plan.rules.find((r) => r.path === p)?.access;
  assert.equal(plan.handledFs, rightsOfAbi('fs', 7));
  assert.equal(plan.scoped, 3, 'abstract unix sockets and signals are scoped from ABI 6');
  assert.equal(access('/usr'), 1 | 4 | 8);
  assert.equal(access('/opt/py'), 1 | 4 | 8);
  assert.equal(access('/work/p'), rightsOfAbi('fs', 7));
  assert.equal(access('/data'), rightsOfAbi('fs', 7));
  assert.equal(access('/tmp'), rightsOfAbi('fs', 7));
  assert.equal(access('/dev/null'), 2 | 4 | (1 << 14) | (1 << 15));
  assert.equal(access('/root'), undefined);
  assert.equal(access('/'), undefined);
  const old = defaultLandlockPlan({ cwd: '/w', readOnly: [], readWrite: [] }, 1);
  assert.equal(old.scoped, 0);
  assert.equal(old.handledFs, rightsOfAbi('fs', 1));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BUILTIN_FRAGMENTS, builtinFragment, builtinFragmentNames } from '../../model/src/config/builtinFragments';
import { readConfig } from '../../model/src/config/configModel';
import { expandFragments } from '../../model/src/config/effectivePolicy';
import { groupsFor, rightsOf } from '../../model/src/landlockTable';
import { syscallInfo } from '../../model/src/syscallTable';
import { REPO } from '../support/fixtures';

const REQUIRED = ['core', 'dns', 'network-client', 'network-server', 'tmp-write', 'workspace-read', 'workspace-write', 'threads', 'subprocess', 'python', 'node', 'shell'];

test('the library has every fragment the issue names, each described, under a name the schema accepts', () => {
  for (const name of REQUIRED) assert.ok(builtinFragment(name), name);
  assert.equal(new Set(builtinFragmentNames()).size, BUILTIN_FRAGMENTS.length, 'names are unique');
  for (const f of BUILTIN_FRAGMENTS) {
    assert.match(f.name, /^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    assert.ok(f.description.length > 20, `${f.name}: description`);
  }
});

test('every syscall a built-in grants exists on x86_64, is known to libseccomp, is listed once and says why', () => {
  for (const f of BUILTIN_FRAGMENTS) {
    const seen = new Set<string>();
    for (const s of f.syscalls) {
      const info = syscallInfo(s.name);
      assert.ok(info, `${f.name}: unknown syscall ${s.name}`);
      assert.notEqual(info.nr?.SCMP_ARCH_X86_64, undefined, `${f.name}: ${s.name} has no x86_64 number`);
      assert.notEqual(info.inLibseccomp, false, `${f.name}: ${s.name} is unknown to the installed libseccomp`);
      assert.ok(typeof s.why === 'string' && s.why.trim().length >= 8, `${f.name}: ${s.name} needs a reason`);
      assert.ok(!seen.has(s.name), `${f.name}: ${s.name} twice`);
      seen.add(s.name);
    }
  }
});

test('built-ins include only built-ins, without cycles, and their Landlock rights and network modes are valid', () => {
  const config = readConfig({ version: 1 });
  for (const f of BUILTIN_FRAGMENTS) {
    for (const child of f.fragments ?? []) assert.ok(builtinFragment(child), `${f.name} includes unknown ${child}`);
    assert.deepEqual(expandFragments(config, [{ name: f.name, path: [] }]).problems, [], f.name);
    const fs = [...groupsFor('fs'), ...rightsOf('fs').map((r) => r.name)];
    const net = [...groupsFor('net'), ...rightsOf('net').map((r) => r.name)];
    for (const r of f.landlock?.pathBeneath ?? []) {
      for (const right of r.allowedAccess) assert.ok(fs.includes(right), `${f.name}: ${right}`);
      for (const p of r.parent) assert.match(p, /^(\/|\$\{workspaceFolder\})/);
    }
    for (const r of f.landlock?.netPort ?? []) for (const right of r.allowedAccess) assert.ok(net.includes(right), `${f.name}: ${right}`);
    if (f.network) assert.ok(['none', 'loopback', 'host'].includes(f.network));
  }
});

test('core grants no capability another fragment is for: no sockets, no new processes or threads, no tree changes', () => {
  const core = new Set(builtinFragment('core')!.syscalls.map((s) => s.name));
  for (const name of ['socket', 'connect', 'bind', 'listen', 'clone', 'clone3', 'fork', 'vfork', 'mkdir', 'unlink', 'rename', 'kill']) {
    assert.ok(!core.has(name), `core must not grant ${name}`);
  }
  assert.equal(builtinFragment('core')!.network, undefined);
});

test('docs/configuration.md lists every built-in fragment with its syscall count', () => {
  const doc = fs.readFileSync(path.join(REPO, 'docs/configuration.md'), 'utf8');
  for (const f of BUILTIN_FRAGMENTS) assert.match(doc, new RegExp(`^\\| \`${f.name}\` \\| .* \\| ${f.syscalls.length} \\|`, 'm'), f.name);
});

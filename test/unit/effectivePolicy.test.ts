/** The merge (model/src/config/effectivePolicy.ts), table-driven: configuration in, policy facts out. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinFragment } from '../../model/src/config/builtinFragments';
import { readConfig } from '../../model/src/config/configModel';
import { effectivePolicy, policySummary, seccompAllowList, type EffectivePolicy } from '../../model/src/config/effectivePolicy';
import type { JsonValue } from '../../model/src/sourceTree';

interface Case {
  name: string;
  config: JsonValue;
  profile?: string;
  expect: (p: EffectivePolicy) => unknown;
  equals: unknown;
}

const coreCount = builtinFragment('core')!.syscalls.length;
const problems = (p: EffectivePolicy) => p.problems.map((x) => [x.code, x.severity, x.path.join('.')]);

const CASES: Case[] = [
  {
    name: 'no fragments: nothing granted, network none by default, schema defaults for pool and privateTmp',
    config: { version: 1, profiles: { p: {} } },
    expect: (p) => [p.fragments, p.syscalls.length, p.network, p.filesystem, p.pool, p.bestEffort, p.problems],
    equals: [[], 0, { mode: 'none', setBy: 'default', needs: [] }, { readOnly: [], readWrite: [], hidden: [], privateTmp: true }, { min: 0, max: 2 }, false, []],
  },
  {
    name: 'nested fragments come first, in order, each once',
    config: { version: 1, profiles: { p: { fragments: ['python', 'shell', 'core'] } } },
    expect: (p) => p.fragments,
    equals: ['core', 'threads', 'python', 'subprocess', 'shell'],
  },
  {
    name: 'syscalls are the union, sorted, with every fragment that grants each',
    config: { version: 1, profiles: { p: { fragments: ['a', 'b'] } }, fragments: { a: { syscalls: ['write', 'read'] }, b: { syscalls: ['read', 'close'] } } },
    expect: (p) => p.syscalls,
    equals: [{ name: 'close', from: ['b'] }, { name: 'read', from: ['a', 'b'] }, { name: 'write', from: ['a'] }],
  },
  {
    name: 'core alone grants its own syscalls',
    config: { version: 1, profiles: { p: { fragments: ['core'] } } },
    expect: (p) => p.syscalls.length,
    equals: coreCount,
  },
  {
    name: 'network unset: the most open mode a fragment needs',
    config: { version: 1, profiles: { p: { fragments: ['network-server', 'network-client'] } } },
    expect: (p) => [p.network.mode, p.network.setBy, p.network.needs.map((n) => `${n.fragment}:${n.mode}`)],
    equals: ['host', 'fragment', ['network-server:loopback', 'dns:host', 'network-client:host']],
  },
  {
    name: 'network set by the profile wins when it is at least as open',
    config: { version: 1, profiles: { p: { fragments: ['network-server'], network: 'host' } } },
    expect: (p) => [p.network.mode, p.network.setBy, p.problems],
    equals: ['host', 'profile', []],
  },
  {
    name: 'network set more closed than a fragment needs: the profile wins, and it is a contradiction',
    config: { version: 1, profiles: { p: { fragments: ['network-client'], network: 'loopback' } } },
    expect: (p) => [p.network.mode, problems(p), p.problems[0].message],
    equals: [
      'loopback',
      [['network-contradiction', 'warning', 'profiles.p.network']],
      "Profile 'p' sets network: loopback, but fragments 'dns', 'network-client' need the host network: what they grant will fail. Set network: host, or remove them.",
    ],
  },
  {
    name: 'read-only in one fragment and read-write in another: read-write',
    config: { version: 1, profiles: { p: { fragments: ['workspace-read', 'workspace-write'] } } },
    expect: (p) => [p.filesystem.readOnly, p.filesystem.readWrite],
    equals: [[], ['${workspaceFolder}']],
  },
  {
    name: "the profile's own paths win for the paths they name, and a downgrade is a contradiction",
    config: { version: 1, profiles: { p: { fragments: ['workspace-write'], filesystem: { readOnly: ['${workspaceFolder}', '/opt'], readWrite: ['/srv'] } } } },
    expect: (p) => [p.filesystem.readOnly, p.filesystem.readWrite, problems(p)],
    equals: [['${workspaceFolder}', '/opt'], ['/srv'], [['access-contradiction', 'warning', 'profiles.p.filesystem.readOnly.0']]],
  },
  {
    name: 'hidden is the union; hiding what a fragment needs is a contradiction',
    config: { version: 1, profiles: { p: { fragments: ['f', 'dns'], filesystem: { hidden: ['/etc', '/root'] } } }, fragments: { f: { filesystem: { hidden: ['/var/secret'] } } } },
    expect: (p) => [p.filesystem.hidden, problems(p)],
    equals: [['/var/secret', '/etc', '/root'], [['access-contradiction', 'warning', 'profiles.p.filesystem.hidden.0']]],
  },
  {
    name: "privateTmp: the profile's value, else false when a fragment asks for the host's /tmp, else true",
    config: {
      version: 1,
      profiles: { a: { fragments: ['host-tmp'] }, b: { fragments: ['host-tmp'], filesystem: { privateTmp: true } }, c: { fragments: ['tmp-write'] } },
      fragments: { 'host-tmp': { filesystem: { privateTmp: false } } },
    },
    expect: (p) => p.filesystem.privateTmp,
    profile: 'a',
    equals: false,
  },
  {
    name: 'Landlock: the profile file is the base, fragment rules follow in order, identical rules once',
    config: { version: 1, profiles: { p: { landlock: 'x.landlock.json', fragments: ['workspace-write', 'tmp-write', 'dns', 'f'] } }, fragments: { f: { landlock: { pathBeneath: [{ allowedAccess: ['abi.read_write'], parent: ['/tmp'] }], netPort: [{ allowedAccess: ['connect_tcp'], port: [53] }] } } } },
    expect: (p) => [p.landlock.base, p.landlock.pathBeneath.map((r) => `${r.from}:${r.parent}`), p.landlock.netPort.map((r) => `${r.from}:${r.port}`)],
    equals: [{ file: 'x.landlock.json' }, ['workspace-read:${workspaceFolder}', 'workspace-write:${workspaceFolder}', 'tmp-write:/tmp'], ['f:53']],
  },
  {
    name: 'a declared fragment replaces the built-in of its name',
    config: { version: 1, profiles: { p: { fragments: ['dns'] } }, fragments: { dns: { syscalls: ['read'] } } },
    expect: (p) => [p.syscalls.map((s) => s.name), p.network.mode],
    equals: [['read'], 'none'],
  },
  {
    name: 'unknown fragments and cycles are problems, skipped, and the rest still merges',
    config: { version: 1, profiles: { p: { fragments: ['a', 'nope', 'core'] } }, fragments: { a: { fragments: ['b'], syscalls: ['read'] }, b: { fragments: ['a'] } } },
    expect: (p) => [p.fragments, problems(p)],
    equals: [['b', 'a', 'core'], [['fragment-cycle', 'error', 'fragments.b.fragments.0'], ['unknown-fragment', 'error', 'profiles.p.fragments.1']]],
  },
  {
    name: "run, match, env, limits and pool are the profile's own",
    config: { version: 1, profiles: { p: { run: ['sh', '${file}'], match: ['*.sh'], env: { A: '1' }, limits: { memory: '1G', timeout: 5 }, pool: { min: 1 }, bestEffort: true } } },
    expect: (p) => [p.run, p.match, p.env, p.limits, p.pool, p.bestEffort],
    equals: [['sh', '${file}'], ['*.sh'], { A: '1' }, { memory: '1G', timeout: 5 }, { min: 1, max: 2 }, true],
  },
  {
    name: 'pool.min above pool.max is a problem',
    config: { version: 1, profiles: { p: { pool: { min: 4, max: 1 } } } },
    expect: problems,
    equals: [['pool-range', 'error', 'profiles.p.pool.min']],
  },
];

for (const c of CASES) {
  test(`merge: ${c.name}`, () => {
    const policy = effectivePolicy(readConfig(c.config), c.profile ?? 'p');
    assert.ok(policy);
    assert.deepEqual(c.expect(policy), c.equals);
  });
}

test('merge: the same configuration always gives the same policy', () => {
  const config = { version: 1, profiles: { p: { fragments: ['shell', 'node', 'network-client', 'tmp-write'] } } };
  const a = JSON.stringify(effectivePolicy(readConfig(config), 'p'));
  const b = JSON.stringify(effectivePolicy(readConfig(JSON.parse(JSON.stringify(config))), 'p'));
  assert.equal(a, b);
});

test('merge: an unknown profile has no policy; a half-written configuration still merges what is valid', () => {
  assert.equal(effectivePolicy(readConfig({ version: 1 }), 'p'), undefined);
  const policy = effectivePolicy(readConfig({ profiles: { p: { fragments: ['core', 3], network: 'wifi', limits: 'lots' } } } as JsonValue), 'p')!;
  assert.deepEqual([policy.fragments, policy.network.mode, policy.limits], [['core'], 'none', {}]);
});

test('seccompAllowList and the summary count what a seccomp base allows', () => {
  const base = seccompAllowList({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'futex'], action: 'SCMP_ACT_ALLOW' }, { names: ['ptrace'], action: 'SCMP_ACT_ERRNO' }] });
  assert.deepEqual(base, { everything: false, names: ['futex', 'read'] });
  const policy = effectivePolicy(readConfig({ version: 1, profiles: { p: { fragments: ['core'], seccomp: 'p.seccomp.json', network: 'none', limits: { pids: 8 } } } }), 'p')!;
  const summary = policySummary(policy, base);
  assert.equal(summary[0], `Syscalls: ${coreCount + 0} allowed (${coreCount} from fragments core, 2 from p.seccomp.json)`);
  assert.ok(summary.includes('Network: none (set by the profile)'));
  assert.ok(summary.includes('Limits: memory 2 GiB or a quarter of RAM (default), pids 8, timeout 300 s (default), output 64 MiB (default)'), summary.join('\n'));
});

test('merge: problems point at the item as written, even after items that are not strings', () => {
  const policy = effectivePolicy(readConfig({ version: 1, profiles: { p: { fragments: [1, 'core', 'nope'], filesystem: { readOnly: [null, '${workspaceFolder}'] }, network: 'none' } } }), 'p')!;
  assert.deepEqual(policy.fragments, ['core']);
  assert.deepEqual(problems(policy), [['unknown-fragment', 'error', 'profiles.p.fragments.2']]);
  assert.deepEqual(policy.filesystem.readOnly, ['${workspaceFolder}']);
});

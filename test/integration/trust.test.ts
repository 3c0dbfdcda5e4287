/**
 * The approval rule, for real: a repository's phantom-fragment.yaml that asks for more than the built-in sandbox
 * runs only after `phantom trust` (or the editor's approval through the runtime protocol); any change to the
 * configuration or a file it references asks again; sensitive host paths are refused even when approved; a
 * sandbox can never reach the approval store. Real runs on the real kernel, as root and as an unprivileged user.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/fixtures';
import { TestRuntime } from '../support/runtimeClient';
import { ApprovalStatusRequest, ApproveRequest } from '../../runtime/src/protocol';

const CLI = path.join(REPO, 'dist/cli.js');
const NOBODY = 65534;

/** Each widening kind, as a profile of the configuration, with a command that shows it took effect. */
const WIDENING_PROFILES: Record<string, { yaml: string[]; run: string; expect: RegExp; says: RegExp }> = {
  'rw-outside': { yaml: ['    fragments: [shell, workspace-write]', '    filesystem:', '      readWrite: ["${workspaceFolder}/../outside"]'], run: 'echo planted > ../outside/f && cat ../outside/f', expect: /^planted$/m, says: /writes \S+\/outside, outside the workspace/ },
  'ro-outside': { yaml: ['    fragments: [shell, workspace-write]', '    filesystem:', '      readOnly: ["${workspaceFolder}/../outside"]'], run: 'ls ../outside >/dev/null && echo listed', expect: /^listed$/m, says: /reads \S+\/outside, outside the workspace/ },
  network: { yaml: ['    network: loopback'], run: 'cat /sys/class/net/lo/operstate 2>/dev/null; echo ran', expect: /^ran$/m, says: /network: loopback/ },
  'seccomp-all': { yaml: ['    seccomp: allow-all.seccomp.json'], run: 'unshare -U true && echo unshared', expect: /^unshared$/m, says: /seccomp allows every system call it does not list/ },
  syscall: { yaml: ['    fragments: [shell, workspace-write, namespaces]'], run: 'unshare -U true && echo unshared', expect: /^unshared$/m, says: /seccomp allows the system call unshare, which the built-in profile denies/ },
  // Without fragments the profile's own Landlock policy is the only layer (with fragments it is stacked on theirs and
  // can only narrow: no approval, learnProtocolLandlock.test.ts).
  landlock: {
    yaml: ['    landlock:', '      abi: 3',
      '      ruleset: [{ handledAccessFs: [abi.all] }]',
      '      pathBeneath:',
      '        - { allowedAccess: [abi.read_execute], parent: ["/usr", "/bin", "/lib", "/lib64", "/etc"] }',
      '        - { allowedAccess: [abi.read_write], parent: ["."] }',
      '        - { allowedAccess: [read_file, write_file], parent: ["/dev/null"] }',
      '        - { allowedAccess: [read_dir], parent: ["/srv"] }'],
    run: 'echo ran >/dev/null && echo ran', expect: /^ran$/m, says: /^ {2}- Landlock allows read_dir beneath \/srv, outside the workspace$/m,
  },
  'best-effort': { yaml: ['    bestEffort: true', '    limits:', '      output: 1M'], run: 'echo ran', expect: /^ran$/m, says: /bestEffort: what the kernel cannot apply is skipped/ },
};

function configText(): string {
  return [
    'version: 1',
    'profiles:',
    '  inside:',
    '    fragments: [shell, workspace-write]',
    ...Object.entries(WIDENING_PROFILES).flatMap(([name, p]) => [`  ${name}:`, ...p.yaml]),
    '  sensitive:',
    '    filesystem:',
    '      readWrite: ["/etc"]',
    'fragments:',
    '  namespaces:',
    '    syscalls: [unshare]',
    '',
  ].join('\n');
}

interface Place {
  base: string;
  ws: string;
  outside: string;
  state: string;
}

function makePlace(owner: number | undefined): Place {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-trust-'));
  fs.chmodSync(base, 0o755);
  const place = { base, ws: path.join(base, 'ws'), outside: path.join(base, 'outside'), state: path.join(base, 'state') };
  for (const dir of [place.ws, place.outside, place.state]) {
    fs.mkdirSync(dir, { mode: 0o755 });
    if (owner !== undefined) fs.chownSync(dir, owner, owner);
  }
  fs.writeFileSync(path.join(place.ws, 'phantom-fragment.yaml'), configText());
  fs.writeFileSync(path.join(place.ws, 'allow-all.seccomp.json'), '{ "defaultAction": "SCMP_ACT_ALLOW" }\n');
  return place;
}

for (const who of ['root', 'unprivileged'] as const) {
  describe(`approval (${who})`, () => {
    let place: Place;
    const uid = who === 'root' ? undefined : NOBODY;
    const phantom = (args: string[], env: Record<string, string> = {}) => {
      const vars = [`XDG_STATE_HOME=${place.state}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
      const command = uid === undefined
        ? ['env', ...vars, process.execPath, CLI, ...args]
        : ['setpriv', '--reuid', String(uid), '--regid', String(uid), '--clear-groups', 'env', 'HOME=/nonexistent', ...vars, process.execPath, CLI, ...args];
      const r = spawnSync(command[0], command.slice(1), { cwd: place.ws, encoding: 'utf8', input: '', timeout: 60_000 });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const run = (profile: string, script: string, env?: Record<string, string>) => phantom(['run', '--profile', profile, '--', 'sh', '-c', script], env);

    before(() => {
      place = makePlace(uid);
    });
    after(() => fs.rmSync(place.base, { recursive: true, force: true }));

    test('a profile inside the defaults runs at once, with no approval and nothing recorded', () => {
      const r = run('inside', 'echo fine > out && cat out');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'fine\n');
      assert.deepEqual(fs.readdirSync(place.state), [], 'no store was made');
    });

    for (const [name, profile] of Object.entries(WIDENING_PROFILES)) {
      test(`${name}: refused (125, naming phantom trust) until approved, then it runs with what it asked for`, () => {
        const refused = run(name, profile.run);
        assert.equal(refused.code, 125, refused.stderr);
        assert.match(refused.stderr, new RegExp(`run \`phantom trust --config \\S*phantom-fragment\\.yaml --profile ${name}\``));
        assert.match(refused.stderr, profile.says, 'the widening in plain words');
        assert.doesNotMatch(refused.stdout, profile.expect, 'nothing ran');
        if (name === 'rw-outside') assert.equal(fs.existsSync(path.join(place.outside, 'f')), false);

        const trust = phantom(['trust', '--profile', name]);
        assert.equal(trust.code, 0, trust.stderr);
        assert.match(trust.stdout, new RegExp(`profile '${name}' asks for more than the built-in sandbox gives:\\n  - `));
        assert.match(trust.stdout, /approved: recorded in .*approvals\.json/);
        const approved = run(name, profile.run);
        assert.equal(approved.code, 0, approved.stderr);
        assert.match(approved.stdout, profile.expect);
      });
    }

    test('changing the configuration or a file it references asks again', () => {
      assert.equal(phantom(['trust', '--profile', 'seccomp-all']).code, 0);
      assert.equal(run('seccomp-all', 'true').code, 0);
      const seccomp = path.join(place.ws, 'allow-all.seccomp.json');
      fs.writeFileSync(seccomp, '{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [] }\n');
      const changedFile = run('seccomp-all', 'echo ran');
      assert.equal(changedFile.code, 125, 'the referenced seccomp file changed');
      assert.match(changedFile.stderr, /phantom trust/);
      assert.equal(phantom(['trust', '--profile', 'seccomp-all']).code, 0);
      assert.equal(run('seccomp-all', 'true').code, 0);
      const config = path.join(place.ws, 'phantom-fragment.yaml');
      fs.appendFileSync(config, '# an edit\n');
      assert.equal(run('seccomp-all', 'true').code, 125, 'the configuration changed');
      assert.equal(run('network', 'true').code, 125, 'every profile of it');
      assert.equal(run('inside', 'true').code, 0, 'a profile inside the defaults still needs nothing');
    });

    test('revoke and list', () => {
      assert.equal(phantom(['trust', '--profile', 'network']).code, 0);
      assert.match(phantom(['trust', '--list']).stdout, /profile 'network' \(approved /);
      assert.match(phantom(['trust', '--revoke', '--profile', 'network']).stdout, /^1 approval of .* revoked/);
      assert.equal(run('network', 'true').code, 125);
    });

    test('phantom learn --profile is held to the same rule', () => {
      const learn = () => phantom(['learn', '--profile', 'network', '--out', 'learned.seccomp.json', '--', 'true']);
      const refused = learn();
      assert.equal(refused.code, 125, refused.stderr);
      assert.match(refused.stderr, /network: loopback[\s\S]*phantom trust --config \S+ --profile network/);
      assert.equal(fs.existsSync(path.join(place.ws, 'learned.seccomp.json')), false, 'nothing ran, nothing written');
      assert.equal(phantom(['trust', '--profile', 'network']).code, 0);
      const approved = learn();
      assert.equal(approved.code, 0, approved.stderr);
      assert.ok(fs.existsSync(path.join(place.ws, 'learned.seccomp.json')));
    });

    test('sensitive host paths are refused even with approval', () => {
      const trust = phantom(['trust', '--profile', 'sensitive']);
      assert.equal(trust.code, 1);
      assert.match(trust.stdout, /refused even with approval: readWrite \/etc: \/etc is a sensitive host folder/);
      const r = run('sensitive', 'echo x >> /etc/passwd; echo ran');
      assert.equal(r.code, 125);
      assert.match(r.stderr, /sensitive host paths, refused even with approval/);
      assert.doesNotMatch(r.stdout, /ran/);
    });

    test('a store the sandbox could write is refused, naming the folder; the run cannot forge an approval', () => {
      const inside = path.join(place.ws, 'state');
      const forge = 'mkdir -p state/phantom-fragment && echo forged > state/phantom-fragment/approvals.json; echo ran';
      const r = run('inside', forge, { XDG_STATE_HOME: inside });
      assert.equal(r.code, 125, r.stderr);
      assert.match(r.stderr, new RegExp(`the approval store ${inside}/phantom-fragment is inside ${place.ws}, which this run may write`));
      assert.equal(fs.existsSync(path.join(inside, 'phantom-fragment')), false);
      // The same with no configuration at all: a default run from that folder could plant approvals too.
      const plain = phantom(['run', '--', 'sh', '-c', forge], { XDG_STATE_HOME: inside });
      assert.equal(plain.code, 125);
      assert.match(plain.stderr, /approval store/);
      const trust = phantom(['trust', '--profile', 'network'], { XDG_STATE_HOME: inside });
      assert.notEqual(trust.code, 0, 'phantom trust refuses to record there');
      assert.equal(fs.existsSync(path.join(inside, 'phantom-fragment')), false);
    });

    test('a store that is not the user\u2019s own is not trusted', () => {
      const foreign = path.join(place.base, 'foreign');
      fs.mkdirSync(path.join(foreign, 'phantom-fragment'), { recursive: true, mode: 0o777 });
      fs.chmodSync(path.join(foreign, 'phantom-fragment'), 0o777);
      fs.writeFileSync(path.join(foreign, 'phantom-fragment', 'approvals.json'), '{"version":1,"approvals":[]}');
      const r = run('network', 'true', { XDG_STATE_HOME: foreign });
      assert.equal(r.code, 125);
      assert.match(r.stderr, /approvals cannot be read: approval store not trusted: .* (belongs to uid 0|is writable by others)/);
    });
  });
}

describe('approval through the runtime protocol (the editor)', () => {
  let place: Place;
  let runtime: TestRuntime;
  const saved = process.env.XDG_STATE_HOME;
  before(() => {
    place = makePlace(undefined);
    process.env.XDG_STATE_HOME = place.state;
    runtime = new TestRuntime();
  });
  after(async () => {
    await runtime.stop();
    if (saved === undefined) delete process.env.XDG_STATE_HOME;
    else process.env.XDG_STATE_HOME = saved;
    fs.rmSync(place.base, { recursive: true, force: true });
  });
  const request = (profile: string) => ({ runId: `r-${profile}-${Math.random()}`, argv: ['sh', '-c', 'echo ran'], cwd: place.ws, config: path.join(place.ws, 'phantom-fragment.yaml'), profile });

  test('an unapproved run exits 125 with the approval status; Allow once runs that exact policy once; Always records it', async () => {
    const refused = await runtime.run(request('network'));
    assert.equal(refused.exit.code, 125);
    assert.equal(refused.exit.approval?.profile, 'network');
    assert.deepEqual(refused.exit.approval?.widenings.map((w) => w.kind), ['network']);
    assert.match(refused.exit.error ?? '', /phantom trust/);

    const status = await runtime.connection.sendRequest(ApprovalStatusRequest, request('network'));
    assert.ok(status && !status.approved);
    assert.equal(status.hash, refused.exit.approval?.hash);
    assert.equal(await runtime.connection.sendRequest(ApprovalStatusRequest, request('inside')), null, 'inside the defaults: nothing to ask');

    const once = await runtime.run({ ...request('network'), approvedOnce: status.hash });
    assert.equal(once.exit.code, 0, once.exit.error);
    assert.equal(once.stdout, 'ran\n');
    assert.equal((await runtime.run({ ...request('network'), approvedOnce: 'another-hash' })).exit.code, 125, 'only for that exact hash');
    assert.equal((await runtime.run(request('network'))).exit.code, 125, 'once is once: nothing was recorded');

    const stale = await runtime.connection.sendRequest(ApproveRequest, { run: request('network'), hash: 'not-what-the-user-saw' });
    assert.equal(stale.approved, false, 'a hash that is not the current policy\u2019s records nothing');
    const always = await runtime.connection.sendRequest(ApproveRequest, { run: request('network'), hash: status.hash });
    assert.equal(always.approved, true);
    assert.equal((await runtime.run(request('network'))).exit.code, 0);
    const cli = spawnSync(process.execPath, [CLI, 'run', '--profile', 'network', '--', 'true'], { cwd: place.ws, encoding: 'utf8', env: { ...process.env, XDG_STATE_HOME: place.state } });
    assert.equal(cli.status, 0, `the CLI honours the editor's record: ${cli.stderr}`);
  });

  test("a network from the workspace's settings is ignored; the user's own setting is honoured", async () => {
    const params = { argv: ['sh', '-c', 'cat /sys/class/net/lo/operstate 2>/dev/null || ip -o link 2>/dev/null; ls /sys/class/net 2>/dev/null | wc -l'], cwd: place.ws, network: 'host' as const };
    const workspace = await runtime.run({ ...params, settingScopes: { network: 'workspace' } });
    assert.equal(workspace.exit.code, 0, workspace.exit.error);
    assert.ok(workspace.exit.notes?.some((n) => /ignored phantom\.run\.network: host from the workspace's settings/.test(n)), JSON.stringify(workspace.exit.notes));
    const user = await runtime.run({ ...params, settingScopes: { network: 'user' } });
    assert.equal(user.exit.code, 0, user.exit.error);
    assert.ok(!user.exit.notes?.some((n) => /ignored/.test(n)));
  });
});

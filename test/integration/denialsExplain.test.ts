/**
 * Landlock refusals (`phantom run --explain`) and network refusals (docs/sandbox.md, "Denials"), on the real kernel:
 * what was refused, which file and line or setting refused it, the fix in words and as an edit — and the proof that
 * neither the path recording nor the network branch ever lets through what the sandbox refuses.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { denialOrigin, exitDenials } from '../../runtime/src/denials/denials';
import type { Denial } from '../../runtime/src/protocol';
import { resolveCommand } from '../../runtime/src/sandbox/commandResolution';
import type { SandboxSpec } from '../../runtime/src/sandbox/sandboxSpawn';
import { ZygoteManager } from '../../runtime/src/zygote/zygoteManager';
import { REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
let dir: string;
let learned: string;

interface Report { exit: { code: number | null; signal: string | null }; denials: Denial[]; notes: string[] }
interface Ran { code: number | null; stdout: string; stderr: string; report: Report }

/** `phantom run --report` in `dir`, asynchronously (a test's own listener must keep accepting meanwhile). */
function run(args: string[]): Promise<Ran> {
  const report = path.join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', '--report', report, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve({ code, stdout, stderr, report: JSON.parse(readFileSync(report, 'utf8')) as Report });
      } catch (error) {
        reject(new Error(`no report (${String(error)}): ${stderr}`));
      }
    });
  });
}

/** A TCP listener on the host's 127.0.0.1 that counts the connections it gets. */
async function hostListener(): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, accepted: () => accepted, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const CONNECT = (port: number, host = '127.0.0.1') =>
  `import socket\ns = socket.socket()\ntry:\n    s.connect(('${host}', ${port})); print('connected')\nexcept OSError as e: print('refused', e.errno)\n`;

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-explain-'));
  chmodSync(dir, 0o755);
  learned = path.join(dir, 'echo.seccomp.json');
  const r = spawnSync(process.execPath, [CLI, 'learn', '--out', learned, '--', '/bin/echo', 'x'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a profile learned from echo refuses mkdir: the report\'s edit adds mkdir to the allow rule at its line', async () => {
  const target = path.join(dir, 'never-made');
  const r = await run(['--seccomp', learned, '--', '/bin/mkdir', target]);
  assert.equal(r.code, 1, r.stderr);
  const mkdir = r.report.denials.find((d) => d.syscall === 'mkdir' || d.syscall === 'mkdirat');
  assert.ok(mkdir, JSON.stringify(r.report.denials));
  assert.equal(mkdir.edit?.kind, 'seccompAllow');
  assert.ok(mkdir.edit?.kind === 'seccompAllow');
  assert.equal(mkdir.edit.file, learned);
  assert.equal(mkdir.edit.syscall, mkdir.syscall);
  assert.match(mkdir.fix ?? '', new RegExp(`add \`${mkdir.syscall}\` to the rule at line ${mkdir.edit.line}`));
  assert.match(readFileSync(learned, 'utf8').split('\n')[mkdir.edit.line! - 1], /\{/, 'the edit names the line of an allow rule');
});

const NO_ETC = {
  ruleset: [{ handledAccessFs: ['execute', 'read_file', 'read_dir', 'write_file'] }],
  pathBeneath: [{ allowedAccess: ['execute', 'read_file', 'read_dir'], parent: ['/usr', '/bin', '/lib', '/lib64'] }],
};

test('a Landlock file without /etc refuses cat /etc/hostname: --explain names the path, read_file, the file and line, and the edit', async () => {
  const file = path.join(dir, 'no-etc.landlock.json');
  writeFileSync(file, JSON.stringify(NO_ETC, null, 2));
  const plain = await run(['--landlock', file, '--', '/bin/cat', '/etc/hostname']);
  assert.equal(plain.code, 1);
  // Exact ones may appear where audit happens to be enabled (denialsAudit.test.ts turns it on for its own runs).
  assert.deepEqual(plain.report.denials.filter((d) => d.kind === 'landlock' && d.inferred), [], 'without --explain nothing is inferred');

  const r = await run(['--landlock', file, '--explain', '--', '/bin/cat', '/etc/hostname']);
  // The recording only observes: the access is refused exactly as without it.
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Permission denied/);
  assert.equal(r.stdout, '');
  const d = r.report.denials.find((x) => x.kind === 'landlock' && x.path === '/etc/hostname');
  assert.ok(d, JSON.stringify(r.report.denials));
  assert.equal(d.inferred, true);
  assert.ok(d.access?.includes('read_file'), JSON.stringify(d));
  assert.equal(d.source?.file, file);
  assert.match(readFileSync(file, 'utf8').split('\n')[d.source!.line! - 1], /"pathBeneath"/);
  assert.deepEqual(d.edit, { kind: 'landlockPath', file, path: '/etc/hostname', access: ['read_file'] });
  const at = r.stderr.indexOf('phantom: refused read_file "/etc/hostname" (inferred)');
  assert.ok(at > r.stderr.indexOf('Permission denied'), r.stderr);

  // The edit, applied as it says, makes the next run succeed.
  writeFileSync(file, JSON.stringify({ ...NO_ETC, pathBeneath: [...NO_ETC.pathBeneath, { allowedAccess: ['read_file'], parent: ['/etc/hostname'] }] }, null, 2));
  const fixed = await run(['--landlock', file, '--explain', '--', '/bin/cat', '/etc/hostname']);
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.ok(!fixed.report.denials.some((x) => x.path === '/etc/hostname'), JSON.stringify(fixed.report.denials));
});

test('attack: the program fails to read a credentials path on purpose — the report offers no one-click grant of it', async () => {
  const file = path.join(dir, 'no-etc.landlock.json');
  writeFileSync(file, JSON.stringify(NO_ETC, null, 2));
  const key = path.join(dir, 'home', '.ssh', 'id_ed25519');
  mkdirSync(path.dirname(key), { recursive: true });
  writeFileSync(key, 'not a key');
  const r = await run(['--landlock', file, '--explain', '--', '/bin/cat', key]);
  assert.equal(r.code, 1, r.stderr);
  const d = r.report.denials.find((x) => x.path === key);
  assert.ok(d, JSON.stringify(r.report.denials));
  assert.equal(d.edit, undefined, 'no quick fix for a path where credentials live');
  assert.match(d.fix ?? '', /holds credentials/);
});

test('attack: the program fails on a home folder on purpose — the report offers no one-click grant of it', async () => {
  // `cat /root` asks for the whole home folder, and ~/.ssh and the startup files with it: the fix stays in words.
  const config = path.join(dir, 'home-probe.phantom-fragment.yaml');
  writeFileSync(config, 'version: 1\nprofiles:\n  probe:\n    run: [/bin/cat, /root]\n');
  const r = await run(['--config', config, '--profile', 'probe', '--explain']);
  const d = r.report.denials.find((x) => x.path === '/root');
  assert.ok(d, JSON.stringify(r.report.denials));
  assert.equal(d.edit, undefined, JSON.stringify(d));
  assert.match(d.fix ?? '', /home folder/);
});

test('--explain: creating a file in a folder the view does not show is that folder missing (ENOENT), not a Landlock make_reg refusal', async () => {
  // The shell says "Directory nonexistent": the kernel fails the open before Landlock looks at the folder's rights.
  const r = await run(['--explain', '--', '/bin/sh', '-c', `echo x > /root/.phantom-explain-create-${process.pid}`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /nonexistent|No such file/);
  const onRoot = r.report.denials.filter((x) => x.path === '/root');
  assert.ok(onRoot.length > 0, JSON.stringify(r.report.denials));
  for (const d of onRoot) assert.equal(d.result, 'ENOENT', `reported as ${d.result}: ${JSON.stringify(d)}`);
});

test('attack: a create in a folder the view hides offers no one-click read-write grant of the whole folder', async () => {
  const hidden = mkdtempSync('/var/tmp/phantom-explain-folder-');
  try {
    const config = path.join(dir, 'create-probe.phantom-fragment.yaml');
    writeFileSync(config, `version: 1\nprofiles:\n  probe:\n    run: [/bin/sh, -c, "echo x > ${hidden}/f"]\n`);
    const r = await run(['--config', config, '--profile', 'probe', '--explain']);
    const d = r.report.denials.find((x) => x.path === hidden);
    assert.ok(d, JSON.stringify(r.report.denials));
    assert.equal(d.result, 'ENOENT');
    assert.equal(d.edit, undefined, `a one-click grant of the folder: ${JSON.stringify(d.edit)}`);
    assert.match(d.fix ?? '', /no quick fix/);
  } finally {
    rmSync(hidden, { recursive: true, force: true });
  }
});

test('--explain keeps the seccomp denials of the same run (one supervisor): mkdir refused with EPERM and reported', async () => {
  const r = await run(['--seccomp', learned, '--explain', '--', '/bin/mkdir', path.join(dir, 'never')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Operation not permitted/, 'still refused with the profile\'s errno: nothing is continued that the profile refuses');
  assert.ok(r.report.denials.some((d) => d.kind === 'seccomp' && (d.syscall === 'mkdir' || d.syscall === 'mkdirat')), JSON.stringify(r.report.denials));
});

test('--explain: a file the filesystem view hides is named, with the filesystem setting to change', async () => {
  const hidden = path.join(os.homedir(), `.phantom-explain-${process.pid}`);
  writeFileSync(hidden, 'secret');
  try {
    const r = await run(['--explain', '--', '/bin/cat', hidden]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /No such file/);
    const d = r.report.denials.find((x) => x.path === hidden);
    assert.ok(d, JSON.stringify(r.report.denials));
    assert.equal(d.result, 'ENOENT');
    assert.match(d.fix ?? '', new RegExp(`--ro ${hidden.replace(/\./g, '\\.')}`));
  } finally {
    rmSync(hidden, { force: true });
  }
});

test('network: none and a connection to a host loopback listener: refused by the namespace, the report names the address and the network: line', async () => {
  const listener = await hostListener();
  try {
    writeFileSync(path.join(dir, 'connect.py'), CONNECT(listener.port));
    writeFileSync(path.join(dir, 'phantom-fragment.yaml'), 'version: 1\nprofiles:\n  client:\n    run: [python3, connect.py]\n    network: none\n');
    const r = await run(['--config', path.join(dir, 'phantom-fragment.yaml'), '--profile', 'client']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /refused 101/, 'ENETUNREACH, from the empty namespace (lo is down)');
    assert.equal(listener.accepted(), 0);
    const d = r.report.denials.find((x) => x.kind === 'network');
    assert.ok(d, JSON.stringify(r.report.denials));
    assert.equal(d.address, `127.0.0.1:${listener.port}`);
    assert.equal(d.syscall, 'connect');
    assert.deepEqual(d.source, { file: path.join(dir, 'phantom-fragment.yaml'), line: 5, reason: "network: none of profile 'client'" });
    assert.deepEqual(d.edit, { kind: 'network', file: path.join(dir, 'phantom-fragment.yaml'), profile: 'client', mode: 'loopback' });
    assert.match(r.stderr, new RegExp(`phantom: refused connect to 127\\.0\\.0\\.1:${listener.port} by `));
  } finally {
    await listener.close();
  }
});

test('network: loopback — the sandbox\'s own lo works and is not reported; other addresses are; unix sockets are untouched', async () => {
  const script = [
    'import socket',
    'a, b = socket.socketpair(); a.sendmsg([b"hi"]); print(b.recv(2))',
    'l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(); c = socket.socket(); c.connect(l.getsockname()); print("lo ok")',
    'u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    'try: u.sendto(b"x", ("192.0.2.1", 53))',
    'except OSError as e: print("udp", e.errno)',
  ].join('\n');
  writeFileSync(path.join(dir, 'lo.py'), script);
  const r = await run(['--network', 'loopback', '--', 'python3', 'lo.py']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /b'hi'\nlo ok\nudp 101/);
  const network = r.report.denials.filter((d) => d.kind === 'network');
  assert.deepEqual(network.map((d) => [d.syscall, d.address, d.source?.file]), [['sendto', '192.0.2.1:53', '--network loopback']]);
});

test('attack: a connect the PROFILE refuses stays a seccomp refusal with its errno — the network branch never continues it', async () => {
  const listener = await hostListener();
  try {
    const profile = path.join(dir, 'no-connect.seccomp.json');
    writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['connect'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] }, null, 2));
    writeFileSync(path.join(dir, 'connect.py'), CONNECT(listener.port));
    for (const network of ['none', 'loopback', 'host']) {
      const r = await run(['--seccomp', profile, '--network', network, '--', 'python3', 'connect.py']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /refused 13/, `${network}: EACCES, the profile's errno (continuing it would give ENETUNREACH, or connect under host)`);
      const d = r.report.denials.find((x) => x.syscall === 'connect');
      assert.equal(d?.kind, 'seccomp', JSON.stringify(r.report.denials));
      assert.equal(d.result, 'EACCES');
    }
    assert.equal(listener.accepted(), 0);
  } finally {
    await listener.close();
  }
});

test('a warm run (a zygote\'s primed workload) reports network refusals too: the hand-off\'s sendmsg is not held', async () => {
  const listener = await hostListener();
  const manager = new ZygoteManager({ acceptTimeoutMs: 5000 });
  try {
    writeFileSync(path.join(dir, 'connect.py'), CONNECT(listener.port));
    const python = resolveCommand('python3', { cwd: dir, visible: [dir] });
    const spec: SandboxSpec = { argv: [python.path, 'connect.py'], cwd: dir, env: { PATH: '/usr/bin:/bin' }, network: 'none', readOnly: python.readOnly, readWrite: [], timeoutSeconds: 30 };
    await manager.spawn(spec).exited;
    assert.ok(await manager.whenWarm(spec), 'a zygote became ready');
    const p = manager.spawn(spec);
    let stdout = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.resume();
    p.stdin.end();
    const exit = await p.exited;
    assert.equal(exit.warm, true, exit.notes.join('; '));
    assert.match(stdout, /refused 101/);
    const denials = exitDenials(denialOrigin(spec), exit) ?? [];
    assert.ok(denials.some((d) => d.kind === 'network' && d.address === `127.0.0.1:${listener.port}`), JSON.stringify(denials));
    assert.equal(listener.accepted(), 0);
  } finally {
    manager.dispose();
    await listener.close();
  }
});

for (const [name, argv] of [
  ['python3 -c print(1)', ['python3', '-c', 'print(1)']],
  ['node -e 1', ['node', '-e', '1']],
  ["sh -c 'ls /usr/bin'", ['sh', '-c', 'ls /usr/bin']],
] as const) {
  test(`${name} with --explain in the default sandbox reports no denial that is not expected`, async () => {
    const r = await run(['--explain', '--', ...argv]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.report.denials.filter((d) => !d.expected), [], JSON.stringify(r.report.denials));
    assert.doesNotMatch(r.stderr, /phantom: refused/);
  });
}

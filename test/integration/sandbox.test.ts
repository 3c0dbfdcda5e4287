// The REAL helper on the REAL kernel: build it first (node scripts/build-native.mjs). Runs as root here, where
// the sandbox user maps to the unprivileged host id 65534 and the root-owned cwd is shown through an idmap.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { helperPath, spawnSandbox, type SandboxExit, type SandboxProcess, type SandboxSpec } from '../../runtime/src/sandbox/sandboxSpawn';

let cwd: string;
let hostTmpMarker: string;

before(() => {
  assert.ok(existsSync(helperPath()), `${helperPath()} is missing: run node scripts/build-native.mjs first`);
  cwd = mkdtempSync('/tmp/phantom-test-'); // root-owned, mode 0700; under the host /tmp on purpose (not $TMPDIR)
  hostTmpMarker = `/tmp/phantom-host-marker-${process.pid}`;
  writeFileSync(hostTmpMarker, 'host secret\n');
});

after(() => {
  rmSync(cwd, { recursive: true, force: true });
  rmSync(hostTmpMarker, { force: true });
});

function spec(argv: string[], extra: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    argv,
    cwd,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: cwd, LANG: 'C.UTF-8' },
    network: 'none',
    readOnly: [],
    readWrite: [],
    ...extra,
  };
}

interface Result extends SandboxExit {
  stdout: string;
  stderr: string;
}

function collect(p: SandboxProcess): Promise<Result> {
  let stdout = '';
  let stderr = '';
  p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const ended = Promise.all([new Promise((r) => p.stdout.on('end', r)), new Promise((r) => p.stderr.on('end', r))]);
  return p.exited.then(async (exit) => {
    await ended;
    return { ...exit, stdout, stderr };
  });
}

function run(argv: string[], extra: Partial<SandboxSpec> = {}, stdin?: string): Promise<Result> {
  const p = spawnSandbox(spec(argv, extra));
  if (stdin !== undefined) p.stdin.end(stdin);
  else p.stdin.end();
  return collect(p);
}

/** Host pids of `/bin/sleep MARKER` (an independent look at the host process table). */
function pidsWithMarker(marker: string): number[] {
  const wanted = `/bin/sleep\0${marker}\0`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8') === wanted) found.push(Number(entry));
    } catch {
      // the process exited while we looked
    }
  }
  return found;
}

async function waitFor<T>(what: string, probe: () => T | undefined | null | false, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const marker = () => `${100 + Math.floor(Math.random() * 800)}.${process.pid}${Math.floor(Math.random() * 1e6)}`;

test('echo hello streams back, exits 0 and reports the spawn time', async () => {
  const r = await run(['echo', 'hello']);
  assert.equal(r.stdout, 'hello\n');
  assert.equal(r.code, 0);
  assert.equal(r.signal, null);
  assert.equal(r.error, undefined);
  assert.ok(r.spawnMs > 0 && r.spawnMs < 5000, `spawnMs ${r.spawnMs}`);
});

test('standard input reaches the command', async () => {
  const r = await run(['/bin/cat'], {}, 'line one\nline two\n');
  assert.equal(r.stdout, 'line one\nline two\n');
});

test('exit codes propagate: 3, and a signal as its name (the helper itself exits 128+n)', async () => {
  assert.equal((await run(['/bin/sh', '-c', 'exit 3'])).code, 3);
  const killed = await run(['/bin/sh', '-c', 'kill -TERM $$']);
  assert.equal(killed.code, null);
  assert.equal(killed.signal, 'SIGTERM');
  const raw = spawnSync(helperPath(), ['--cwd', cwd, '--', '/bin/sh', '-c', 'kill -KILL $$']);
  assert.equal(raw.status, 128 + 9);
});

test('a command not on the host PATH is 127 with a clear message', async () => {
  const r = await run(['phantom-no-such-command']);
  assert.equal(r.code, 127);
  assert.match(r.error ?? '', /command "phantom-no-such-command" not found on the host PATH/);
  assert.match(r.stderr, /^phantom: command "phantom-no-such-command" not found/, 'said by the runtime, which refused to start the helper');
});

test('a path missing inside the sandbox is 127, a non-executable file 126, both from the helper', async () => {
  const missing = await run(['/usr/bin/phantom-no-such-binary']);
  assert.equal(missing.code, 127);
  assert.match(missing.error ?? '', /execve\("\/usr\/bin\/phantom-no-such-binary"\): ENOENT .*command not found/);
  assert.match(missing.stderr, /^phantom-sandbox: execve/m);
  writeFileSync(path.join(cwd, 'data.txt'), 'not a program\n', { mode: 0o644 });
  const notExec = await run([path.join(cwd, 'data.txt')]);
  assert.equal(notExec.code, 126);
  assert.match(notExec.error ?? '', /EACCES/);
});

test('a sandbox that cannot be made is 125 naming the step and the call', async () => {
  const r = await run(['/bin/true'], { readOnly: ['/phantom-no-such-dir'] });
  assert.equal(r.code, 125);
  assert.match(r.error ?? '', /--ro \/phantom-no-such-dir: realpath: ENOENT/);
});

test('the workload is no host root: uid 65534 seen from the host, 1000 inside, no capabilities', async () => {
  const m = marker();
  const p = spawnSandbox(spec(['/bin/sleep', m]));
  const result = collect(p);
  try {
    const [pid] = await waitFor('the sleeping workload', () => pidsWithMarker(m).length > 0 && pidsWithMarker(m));
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    assert.match(status, /^Uid:\t65534\t65534\t65534\t65534$/m);
    assert.match(status, /^Gid:\t65534\t65534\t65534\t65534$/m);
  } finally {
    p.kill('SIGTERM'); // forwarded by the helper to init, by init to the workload
  }
  const r = await result;
  assert.equal(r.signal, 'SIGTERM');

  const inside = await run(['/bin/sh', '-c', 'id -u; id -g; grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status']);
  assert.equal(inside.stdout, '1000\n1000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1\n');
});

test('host processes are invisible: /proc has only the sandbox\'s pids', async () => {
  const r = await run(['/bin/ls', '/proc']);
  const pids = r.stdout.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
  assert.ok(pids.includes(1), 'init is PID 1');
  assert.ok(pids.length <= 3, `pids: ${pids.join(' ')}`);
});

test('/root, /home, /var and the host /tmp are invisible', async () => {
  const r = await run(['/bin/sh', '-c', 'ls -A /tmp; for d in /root /home /var /srv; do test -e $d && echo "$d visible"; done; cat ' + hostTmpMarker + ' 2>&1']);
  // cwd lies under the host /tmp: the private /tmp holds only the path down to it
  assert.equal(r.stdout.split('\n')[0], path.basename(cwd));
  assert.doesNotMatch(r.stdout, /visible/);
  assert.doesNotMatch(r.stdout, /host secret/);
  assert.match(r.stdout, /No such file or directory/);
});

test('the private /tmp is empty when the cwd is elsewhere', async () => {
  const elsewhere = mkdtempSync('/var/tmp/phantom-test-');
  try {
    const r = await run(['/bin/sh', '-c', 'ls -A /tmp; echo end; echo x > /tmp/scratch && cat /tmp/scratch'], { cwd: elsewhere });
    assert.equal(r.stdout, 'end\nx\n');
    assert.equal(r.code, 0);
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test('system folders are read-only; the root-owned cwd is writable and files land there owned by root', async () => {
  const usr = await run(['/bin/sh', '-c', 'touch /usr/phantom-write-test']);
  assert.notEqual(usr.code, 0);
  assert.match(usr.stderr, /Read-only file system/);
  assert.equal(existsSync('/usr/phantom-write-test'), false);

  const etc = await run(['/bin/sh', '-c', 'echo x >> /etc/hostname']);
  assert.notEqual(etc.code, 0);

  assert.equal(statSync(cwd).uid, 0);
  const w = await run(['/bin/sh', '-c', 'echo data > out.txt && ls -ln out.txt']);
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, / 1000 +1000 /, 'inside, the file belongs to the sandbox user');
  assert.equal(readFileSync(path.join(cwd, 'out.txt'), 'utf8'), 'data\n');
  assert.equal(statSync(path.join(cwd, 'out.txt')).uid, 0, 'on the host, the idmap gives it to the folder owner');
});

const NET_SCRIPT = `
import socket, fcntl, struct, sys
ifaces = [l.split(':')[0].strip() for l in open('/proc/net/dev').read().splitlines()[2:]]
flags = struct.unpack('16sH', fcntl.ioctl(socket.socket(), 0x8913, struct.pack('16sH', b'lo', 0))[:18])[1]
print('ifaces', ','.join(ifaces))
print('lo_up', flags & 1)
try:
    socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=2)
    print('host_server reached')
except OSError as e:
    print('host_server', type(e).__name__)
`;

async function withHostServer(fn: (port: number, connections: () => number) => Promise<void>): Promise<void> {
  let count = 0;
  const server = net.createServer((s) => {
    count++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn((server.address() as net.AddressInfo).port, () => count);
  } finally {
    server.close();
  }
}

test('--net none: only lo, and it is down; a host server on 127.0.0.1 is unreachable', async () => {
  await withHostServer(async (port, connections) => {
    const r = await run(['/usr/bin/python3', '-c', NET_SCRIPT, String(port)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ifaces lo$/m);
    assert.match(r.stdout, /^lo_up 0$/m);
    assert.match(r.stdout, /^host_server (OSError|ConnectionRefusedError)$/m);
    assert.equal(connections(), 0);
  });
});

test('--net loopback: lo is up and usable inside, the host server is still unreachable', async () => {
  await withHostServer(async (port, connections) => {
    const script = `${NET_SCRIPT}
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(1)
c = socket.create_connection(srv.getsockname(), timeout=2); print('own_loopback ok')`;
    const r = await run(['/usr/bin/python3', '-c', script, String(port)], { network: 'loopback' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ifaces lo$/m);
    assert.match(r.stdout, /^lo_up 1$/m);
    assert.match(r.stdout, /^host_server ConnectionRefusedError$/m);
    assert.match(r.stdout, /^own_loopback ok$/m);
    assert.equal(connections(), 0);
  });
});

test('the hostname is phantom', async () => {
  assert.equal((await run(['/bin/uname', '-n'])).stdout, 'phantom\n');
});

test('the environment is exactly what the spec passes', async () => {
  process.env.PHANTOM_HOST_ONLY_VARIABLE = 'must-not-leak';
  try {
    const r = await run(['/usr/bin/env'], { env: { PATH: '/usr/bin:/bin', HOME: cwd, LANG: 'C.UTF-8', EXTRA: 'yes' } });
    assert.deepEqual(r.stdout.trim().split('\n').sort(), ['EXTRA=yes', `HOME=${cwd}`, 'LANG=C.UTF-8', 'PATH=/usr/bin:/bin']);
  } finally {
    delete process.env.PHANTOM_HOST_ONLY_VARIABLE;
  }
});

test('the wall-time limit kills the whole sandbox and leaves no process behind', async () => {
  const m1 = marker();
  const m2 = marker();
  const started = Date.now();
  const r = await run(['/bin/sh', '-c', `/bin/sleep ${m1} & /bin/sleep ${m2}`], { timeoutSeconds: 1 });
  assert.ok(Date.now() - started < 5000);
  assert.equal(r.code, null);
  assert.equal(r.signal, 'SIGKILL');
  assert.ok(r.notes.some((n) => /wall-time limit of 1 s reached/.test(n)), r.notes.join('\n'));
  assert.deepEqual(pidsWithMarker(m1), [], 'the background sleep is gone');
  assert.deepEqual(pidsWithMarker(m2), []);
});

test('killing the helper (SIGKILL) takes the whole sandbox with it', async () => {
  const m = marker();
  const p = spawnSandbox(spec(['/bin/sh', '-c', `/bin/sleep ${m} & wait`]));
  const result = collect(p);
  try {
    await waitFor('the workload', () => pidsWithMarker(m).length > 0);
  } finally {
    p.kill('SIGKILL');
  }
  const r = await result;
  assert.equal(r.signal, 'SIGKILL');
  await waitFor('the sandbox to disappear', () => pidsWithMarker(m).length === 0);
});

test('the memory limit stops a hog (the cgroup memory controller here: OOM kill)', async () => {
  const r = await run(['/usr/bin/python3', '-c', 'b = bytearray(1024 * 1024 * 1024); print("allocated")'], { memoryBytes: 256 * 1024 * 1024 });
  assert.doesNotMatch(r.stdout, /allocated/);
  assert.equal(r.signal, 'SIGKILL', `expected an OOM kill, got code ${r.code} ${r.stderr}`);
  assert.ok(r.notes.some((n) => /memory limit 268435456 bytes enforced by the cgroup v[12] memory controller/.test(n)), r.notes.join('\n'));
});

test('a memory limit below what node reserves still lets node start (resident memory is limited, not address space)', async () => {
  const r = await run(['/usr/bin/node', '-e', 'console.log("node ok")'], { memoryBytes: 256 * 1024 * 1024 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'node ok\n');
});

test('a pyenv python3 runs with its install prefix granted read-only', { skip: !existsSync('/root/.pyenv/shims/python3') && 'no pyenv here' }, async () => {
  const r = await run(['python3', '-c', 'import sys; print(sys.prefix)']);
  assert.equal(r.code, 0, r.stderr);
  const prefix = r.stdout.trim();
  assert.match(prefix, /^\/root\/\.pyenv\/versions\//);
  assert.ok(r.notes.includes(`made ${prefix} read-only visible for python3`), r.notes.join('\n'));
  const w = await run(['python3', '-c', `open("${prefix}/phantom-write-test", "w")`]);
  assert.notEqual(w.code, 0, 'the granted prefix is read-only');
});

test('unprivileged (helper run as uid 65534 through setpriv): own uid mapped, setgroups denied, cwd writable', () => {
  const dir = mkdtempSync('/var/tmp/phantom-unpriv-');
  chownSync(dir, 65534, 65534);
  try {
    const r = spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', helperPath(), '--cwd', dir, '--',
      '/bin/sh', '-c', 'id -u; cat /proc/self/uid_map /proc/self/setgroups; echo data > f'], { encoding: 'utf8' });
    assert.equal(r.error, undefined, 'setpriv (util-linux) runs the helper unprivileged');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' ')), ['1000', '1000 65534 1', 'deny', '']);
    assert.equal(statSync(path.join(dir, 'f')).uid, 65534);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

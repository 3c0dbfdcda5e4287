/**
 * The built-in fragment library on the REAL sandbox (build first: node scripts/build.mjs). For every
 * fragment, a program that needs exactly that capability runs under `core` + the fragment and fails under
 * `core` alone — with the precise refusal: the probe (test/fixtures/fragments/*.c) prints the call that was
 * refused and its errno, and interpreters print the failure that refusal causes.
 *
 * Each case gets its own workspace: the probe compiled into `bin/`, the files the program works on, and a
 * phantom-fragment.yaml with the profiles `with` ([core, <fragment>]) and `without` ([core]), plus any other
 * refusal the case also proves. Runs go through the CLI, as a user's do:
 * `phantom run --config phantom-fragment.yaml --profile with -- PROGRAM`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { builtinFragmentNames } from '../../model/src/config/builtinFragments';
import { FIXTURES, REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
const PROBE_SOURCES = path.join(FIXTURES, 'fragments');
const PROBES = ['hello', 'resolve', 'tcp-connect', 'tcp-serve', 'tmp-file', 'workspace-list', 'workspace-change', 'threads', 'spawn', 'create-file'];

/** The name the test's name server answers, and its answer (TEST-NET-1: reachable by nobody). */
const DNS_NAME = 'probe.phantom.test';
const DNS_ADDRESS = '192.0.2.7';

let built: string; // the compiled probes, copied into each case's workspace
let nameServer: { port: number; queries: string[]; close(): void };
let tcpServer: { port: number; connections: number; close(): void };
/** What the test's servers had seen when the granted run ended: the refused runs must add nothing. */
const seenAfterGranted = { queries: 0, connections: 0 };
const workspaces: string[] = [];

interface Run { code: number | null; stdout: string; stderr: string }

/**
 * The approvals of this test's configurations (fragments needing a network are wider than the built-in default:
 * docs/sandbox.md, "Approval"), kept apart from the user's own.
 */
const STATE_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-fragment-state-'));
const ENV = { ...process.env, XDG_STATE_HOME: STATE_HOME };

/** `phantom ARGS` in `cwd`, asynchronously: the test's own servers must keep answering while it runs. */
function phantom(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A UDP name server on 127.0.0.1 answering A queries for DNS_NAME (NXDOMAIN for anything else). */
async function startNameServer(): Promise<typeof nameServer> {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (query, client) => {
    const labels: string[] = [];
    let i = 12;
    while (query[i] !== 0) {
      labels.push(query.subarray(i + 1, i + 1 + query[i]).toString('ascii'));
      i += query[i] + 1;
    }
    const type = query.readUInt16BE(i + 1);
    const name = labels.join('.');
    queries.push(name);
    const found = name === DNS_NAME;
    const answers = found && type === 1 ? 1 : 0;
    // Header: the query's id; QR, RD, RA; RCODE 0 (or 3, NXDOMAIN); one question, `answers` answers.
    const header = Buffer.from([query[0], query[1], 0x81, found ? 0x80 : 0x83, 0, 1, 0, answers, 0, 0, 0, 0]);
    const question = query.subarray(12, i + 5);
    // The answer points back at the question's name (0xc00c), type A, class IN, TTL 60, 4 bytes of address.
    const answer = answers ? Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...DNS_ADDRESS.split('.').map(Number)]) : Buffer.alloc(0);
    socket.send(Buffer.concat([header, question, answer]), client.port, client.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, queries, close: () => socket.close() };
}

/** A TCP server on the host's 127.0.0.1 that greets every connection. */
async function startTcpServer(): Promise<typeof tcpServer> {
  const state = { port: 0, connections: 0, close: () => server.close() };
  const server = net.createServer((s) => {
    state.connections++;
    s.end('hello from the host\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as net.AddressInfo).port;
  return state;
}

before(async () => {
  built = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-fragment-probes-'));
  for (const probe of PROBES) {
    const cc = spawnSync('cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', path.join(built, probe), path.join(PROBE_SOURCES, `${probe}.c`)], { encoding: 'utf8' });
    assert.equal(cc.status, 0, `cc ${probe}.c failed (install gcc): ${cc.stderr}`);
  }
  nameServer = await startNameServer();
  tcpServer = await startTcpServer();
});

after(() => {
  nameServer?.close();
  tcpServer?.close();
  for (const dir of [built, STATE_HOME, ...workspaces]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** What a run must show: its stdout (exactly, or a pattern), and optionally its stderr and exit status. */
interface Expected { stdout: string | RegExp; stderr?: RegExp; code?: number }

interface Refusal extends Expected {
  /** The profile's name in the case's phantom-fragment.yaml, and its fragments. */
  profile: string;
  fragments: string[];
  /** Why this is the refusal to expect (which call, refused by which layer). */
  because: string;
}

interface FragmentCase {
  fragment: string;
  /** What the program does: the capability, and nothing another fragment is for. */
  program: string;
  /** The probe to copy into bin/, when the program is one. */
  probe?: string;
  argv: () => string[];
  /** Files of the workspace (relative path → content). */
  files?: Record<string, string>;
  /** Fragments declared in the case's phantom-fragment.yaml (name → syscalls). */
  declare?: Record<string, string[]>;
  /** The run with [core, fragment]. */
  with: Expected & { check?: (workspace: string) => void };
  /** First the run with [core] alone; then any other refusal the case proves. */
  without: Refusal[];
  /** Checked after the refusals: what a refused run must not have done. */
  unchanged?: (workspace: string) => void;
}

const CASES: FragmentCase[] = [
  {
    fragment: 'core',
    program: 'a program that only writes to stdout and exits',
    probe: 'hello',
    argv: () => ['bin/hello'],
    // `with` is core alone. Its "without" cannot be an empty fragment list (that is the built-in default
    // profile), nor a declared fragment granting nothing (no syscall granted also leaves the default profile:
    // runtime/src/policy/profileRun.ts seccompOf). So the comparison is a declared fragment granting exactly what the
    // probe's own code calls — write and exit_group — and nothing of what starting a program takes. (Without
    // write and exit_group the sandbox could not even report the refused execve: the run dies silently, 139.)
    declare: { 'program-only': ['write', 'exit_group'], 'program-and-exec': ['execve', 'write', 'exit_group'] },
    with: { stdout: 'ok hello\n', code: 0 },
    without: [
      {
        profile: 'without',
        fragments: ['program-only'],
        because: 'execve itself is core\'s: the sandbox reports the refused execve',
        stdout: '',
        stderr: /execve\("[^"]*\/bin\/hello"\): EPERM \(Operation not permitted\) — the seccomp profile does not allow execve/,
        code: 126,
      },
      {
        profile: 'without-startup',
        fragments: ['program-and-exec'],
        because: 'with execve granted, the dynamic loader\'s first brk/mmap is refused and it dies (SIGSEGV) before main',
        stdout: '',
        code: 128 + os.constants.signals.SIGSEGV,
      },
    ],
  },
  {
    fragment: 'dns',
    program: `getaddrinfo("${DNS_NAME}") through the system resolver, pointed at the test's name server on 127.0.0.1`,
    // The capability is resolving through name servers. Names in /etc/hosts ("localhost") need no dns: that is
    // file reading, which core grants (see the test after the table). The probe points glibc's resolver (_res)
    // at the test's server instead of /etc/resolv.conf's, so the test needs no outside network and the server
    // sees whether the query arrived.
    probe: 'resolve',
    argv: () => ['bin/resolve', DNS_NAME, String(nameServer.port)],
    with: {
      stdout: `ok ${DNS_ADDRESS}\n`,
      code: 0,
      check: () => {
        assert.ok(nameServer.queries.includes(DNS_NAME), 'the query reached the name server');
        seenAfterGranted.queries = nameServer.queries.length;
      },
    },
    without: [{
      profile: 'without',
      fragments: ['core'],
      because: 'the resolver\'s UDP socket is refused by seccomp (and network none has no route out)',
      stdout: 'getaddrinfo: Name or service not known\nsocket: EPERM\n',
      code: 1,
    }],
    unchanged: () => assert.equal(nameServer.queries.length, seenAfterGranted.queries, 'the refused run sent no query'),
  },
  {
    fragment: 'network-client',
    program: "a TCP connection to a server the test runs on the host's 127.0.0.1 (an arbitrary port)",
    probe: 'tcp-connect',
    argv: () => ['bin/tcp-connect', String(tcpServer.port)],
    with: {
      stdout: 'ok received hello from the host\n',
      code: 0,
      check: () => {
        assert.equal(tcpServer.connections, 1);
        seenAfterGranted.connections = tcpServer.connections;
      },
    },
    without: [{
      profile: 'without',
      fragments: ['core'],
      because: 'socket(AF_INET) is refused by seccomp (and network none has no route to the host)',
      stdout: 'socket: EPERM\n',
      code: 1,
    }],
    unchanged: () => assert.equal(tcpServer.connections, seenAfterGranted.connections, 'the refused run never connected'),
  },
  {
    fragment: 'network-server',
    program: "a TCP server on the sandbox's loopback: bind, listen, accept a connection made from inside the sandbox",
    probe: 'tcp-serve',
    argv: () => ['bin/tcp-serve'],
    with: { stdout: 'ok received served\n', code: 0 },
    without: [{ profile: 'without', fragments: ['core'], because: 'the listening socket is refused by seccomp', stdout: 'socket: EPERM\n', code: 1 }],
  },
  {
    fragment: 'tmp-write',
    program: 'a temporary file in /tmp: a folder made, the file created, written, renamed, read back, both removed',
    probe: 'tmp-file',
    argv: () => ['bin/tmp-file'],
    with: { stdout: 'ok read back kept\n', code: 0, check: () => assert.ok(!fs.existsSync('/tmp/probe'), 'the sandbox /tmp is private') },
    without: [{ profile: 'without', fragments: ['core'], because: 'mkdir is refused by seccomp', stdout: 'mkdir: EPERM\n', code: 1 }],
  },
  {
    fragment: 'workspace-read',
    // Under core alone the workspace is visible (it is the working directory) but not readable: the Landlock
    // layer of a fragments-composed profile grants it only through workspace-read (read_file, read_dir), and
    // the fragment's seccomp part adds listing (getdents64).
    program: 'lists the workspace, then reads the file it found',
    probe: 'workspace-list',
    argv: () => ['bin/workspace-list'],
    files: { 'data.txt': 'from the workspace\n' },
    with: { stdout: 'ok listed and read from the workspace\n', code: 0 },
    without: [{ profile: 'without', fragments: ['core'], because: 'Landlock grants the workspace only through workspace-read', stdout: 'opendir: EACCES\n', code: 1 }],
  },
  {
    fragment: 'workspace-write',
    program: 'changes the workspace as a build does: a folder made, a file written and renamed into place, a stale file removed',
    probe: 'workspace-change',
    argv: () => ['bin/workspace-change'],
    files: { 'stale.txt': 'stale\n' },
    with: {
      stdout: 'ok changed the workspace\n',
      code: 0,
      check: (ws) => {
        assert.equal(fs.readFileSync(path.join(ws, 'out/result.txt'), 'utf8'), 'built\n');
        assert.ok(!fs.existsSync(path.join(ws, 'stale.txt')));
        // Put the workspace back for the refusals.
        fs.rmSync(path.join(ws, 'out'), { recursive: true });
        fs.writeFileSync(path.join(ws, 'stale.txt'), 'stale\n');
      },
    },
    without: [{ profile: 'without', fragments: ['core'], because: 'mkdir is refused by seccomp', stdout: 'mkdir: EPERM\n', code: 1 }],
    unchanged: (ws) => {
      assert.ok(!fs.existsSync(path.join(ws, 'out')));
      assert.equal(fs.readFileSync(path.join(ws, 'stale.txt'), 'utf8'), 'stale\n');
    },
  },
  {
    fragment: 'threads',
    program: 'pthread_create and pthread_join',
    probe: 'threads',
    argv: () => ['bin/threads'],
    with: { stdout: 'ok thread returned 49\n', code: 0 },
    without: [{
      profile: 'without',
      fragments: ['core'],
      because: 'clone3 answers ENOSYS (always), glibc falls back to clone, which seccomp refuses',
      stdout: 'pthread_create: EPERM\n',
      code: 1,
    }],
  },
  {
    fragment: 'subprocess',
    program: 'fork, exec /bin/true in the child, wait for it',
    probe: 'spawn',
    argv: () => ['bin/spawn'],
    with: { stdout: 'ok child exited 0\n', code: 0 },
    without: [{ profile: 'without', fragments: ['core'], because: 'fork (clone) is refused by seccomp', stdout: 'fork: EPERM\n', code: 1 }],
  },
  {
    fragment: 'python',
    program: "Debian's CPython: python3 -c 'print(1)'",
    argv: () => ['/usr/bin/python3', '-c', 'print(1)'],
    with: { stdout: '1\n', code: 0 },
    without: [
      {
        profile: 'without',
        fragments: ['core'],
        // The import system lists sys.path folders (getdents64); refused, it takes them as empty.
        because: 'getdents64 is refused, so not even the encodings package is found',
        stdout: '',
        stderr: /Fatal Python error: init_fs_encoding[\s\S]*ModuleNotFoundError: No module named 'encodings'/,
        code: 1,
      },
      {
        profile: 'without-own',
        fragments: ['core', 'threads'],
        because: 'threads is not what python adds: its own syscalls are needed',
        stdout: '',
        stderr: /No module named 'encodings'/,
        code: 1,
      },
    ],
  },
  {
    fragment: 'node',
    program: "node -e 'console.log(1)'",
    argv: () => ['node', '-e', 'console.log(1)'],
    with: { stdout: '1\n', code: 0 },
    without: [
      {
        profile: 'without',
        fragments: ['core'],
        // libuv's loop is an epoll instance; epoll_create1 refused, Node's first loop fails its assertion.
        because: 'epoll_create1 is refused, so libuv cannot make its event loop',
        stdout: '',
        stderr: /Assertion failed: \(uv_loop_init\(&tracing_loop_\)\) == \(0\)/,
      },
      {
        profile: 'without-own',
        fragments: ['core', 'threads'],
        because: 'threads is not what node adds: its own syscalls are needed',
        stdout: '',
        stderr: /Assertion failed: \(uv_loop_init/,
      },
    ],
  },
  {
    fragment: 'shell',
    // `sh -c 'echo $((1+1))'` alone runs under core: echo and arithmetic are builtins, no command is started.
    // A shell's capability is running a script that starts commands: a pipeline, and the builtins around it.
    program: "sh -c 'echo $((1+1)) | cat && cd bin && echo \"in ${PWD##*/}\"'",
    argv: () => ['sh', '-c', 'echo $((1+1)) | cat && cd bin && echo "in ${PWD##*/}"'],
    with: { stdout: '2\nin bin\n', code: 0 },
    without: [
      { profile: 'without', fragments: ['core'], because: 'pipe2 is refused (dash reports it this way)', stdout: '', stderr: /sh: 0: Pipe call failed/, code: 2 },
      {
        profile: 'without-own',
        fragments: ['core', 'subprocess'],
        because: 'subprocess is not all a shell needs: the cd builtin is chdir, which only shell grants',
        stdout: '2\n',
        stderr: /cd: can't cd to bin/,
        code: 2,
      },
    ],
  },
];

/** The case's workspace: bin/ with its probe, its files, and the phantom-fragment.yaml of its profiles. */
function workspaceFor(c: FragmentCase): string {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), `phantom-fragment-${c.fragment}-`));
  workspaces.push(ws);
  fs.mkdirSync(path.join(ws, 'bin')); // also where the shell case changes into
  if (c.probe) fs.copyFileSync(path.join(built, c.probe), path.join(ws, 'bin', c.probe));
  for (const [name, content] of Object.entries(c.files ?? {})) fs.writeFileSync(path.join(ws, name), content);
  const withFragments = c.fragment === 'core' ? ['core'] : ['core', c.fragment];
  const lines = ['version: 1', 'profiles:', `  with: {fragments: [${withFragments.join(', ')}]}`];
  for (const r of c.without) lines.push(`  ${r.profile}: {fragments: [${r.fragments.join(', ')}]}`);
  if (c.declare) {
    lines.push('fragments:');
    for (const [name, syscalls] of Object.entries(c.declare)) {
      const grants = syscalls.length > 0 ? `${syscalls.join(', ')} and nothing else` : 'no syscall';
      lines.push(`  ${name}:`, `    description: grants ${grants}`, `    syscalls: [${syscalls.join(', ')}]`);
    }
  }
  fs.writeFileSync(path.join(ws, 'phantom-fragment.yaml'), `${lines.join('\n')}\n`);
  // The user approves what the case's profiles ask beyond the defaults (a network, for the network fragments).
  const trust = spawnSync(process.execPath, [CLI, 'trust', '--config', 'phantom-fragment.yaml'], { cwd: ws, env: ENV, encoding: 'utf8' });
  assert.equal(trust.status, 0, trust.stderr);
  return ws;
}

function assertRun(r: Run, expected: Expected, what: string): void {
  const context = `${what}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  if (typeof expected.stdout === 'string') assert.equal(r.stdout, expected.stdout, context);
  else assert.match(r.stdout, expected.stdout, context);
  if (expected.stderr) assert.match(r.stderr, expected.stderr, context);
  if (expected.code !== undefined) assert.equal(r.code, expected.code, context);
  else assert.notEqual(r.code, 0, context);
}

for (const c of CASES) {
  test(`${c.fragment}: ${c.program} — runs with it, is refused without it`, async () => {
    const ws = workspaceFor(c);
    const run = (profile: string) => phantom(['run', '--config', 'phantom-fragment.yaml', '--profile', profile, '--', ...c.argv()], ws);

    const granted = await run('with');
    assertRun(granted, c.with, `[${c.fragment === 'core' ? 'core' : `core, ${c.fragment}`}] must run the program`);
    c.with.check?.(ws);

    for (const refusal of c.without) {
      const refused = await run(refusal.profile);
      assertRun(refused, refusal, `[${refusal.fragments.join(', ')}] must refuse it: ${refusal.because}`);
    }
    c.unchanged?.(ws);
  });
}

test('the table covers every built-in fragment', () => {
  assert.deepEqual(CASES.map((c) => c.fragment).sort(), builtinFragmentNames().sort());
});

test('names in /etc/hosts resolve under core alone: that is reading files, not the dns capability', async () => {
  const ws = workspaceFor({ ...CASES.find((c) => c.fragment === 'dns')!, without: [{ ...CASES[0].without[0], profile: 'core', fragments: ['core'] }] });
  const r = await phantom(['run', '--config', 'phantom-fragment.yaml', '--profile', 'core', '--', 'bin/resolve', 'localhost'], ws);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'ok 127.0.0.1\n');
});

// Seccomp cannot tell creating a file from opening one (openat is core's): what keeps core alone from writing
// is the Landlock layer of a fragments-composed profile, which grants the workspace and /tmp only as far as
// its fragments do (tmp-write, workspace-read, workspace-write).
const WRITES_REFUSED = /^(open \S+: (EACCES|EROFS)\n)+$/;

test('core alone cannot create or overwrite files in /tmp or the workspace (tmp-write, workspace-write grant that)', async () => {
  const ws = workspaceFor({ ...CASES[0], probe: 'create-file', files: { 'data.txt': 'kept\n' }, without: [] });
  const r = await phantom(['run', '--config', 'phantom-fragment.yaml', '--profile', 'with', '--', 'bin/create-file', '/tmp/new.txt', 'new.txt', 'data.txt'], ws);
  assert.match(r.stdout, WRITES_REFUSED, r.stderr);
  assert.ok(!fs.existsSync(path.join(ws, 'new.txt')));
  assert.equal(fs.readFileSync(path.join(ws, 'data.txt'), 'utf8'), 'kept\n');
});

test('workspace-read leaves the workspace unchangeable', async () => {
  const ws = workspaceFor({ ...CASES.find((c) => c.fragment === 'workspace-read')!, probe: 'create-file', without: [] });
  const r = await phantom(['run', '--config', 'phantom-fragment.yaml', '--profile', 'with', '--', 'bin/create-file', 'new.txt', 'data.txt'], ws);
  assert.match(r.stdout, WRITES_REFUSED, r.stderr);
  assert.equal(fs.readFileSync(path.join(ws, 'data.txt'), 'utf8'), 'from the workspace\n');
});

test('fragments that grant no syscalls make an empty allowlist, not the built-in default profile', async () => {
  const ws = workspaceFor({ ...CASES[0], declare: { nothing: [] }, without: [{ ...CASES[0].without[0], profile: 'nothing', fragments: ['nothing'] }] });
  const r = await phantom(['run', '--config', 'phantom-fragment.yaml', '--profile', 'nothing', '--', 'bin/hello'], ws);
  assert.equal(r.stdout, '');
  assert.notEqual(r.code, 0);
});

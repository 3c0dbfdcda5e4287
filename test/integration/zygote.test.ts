// Warm zygotes on the REAL kernel (build first: node scripts/build.mjs): a warm run is as isolated as a cold one,
// broken zygotes are replaced and never make a run wait, and nothing outlives the runtime.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errno, errnoName, syscall } from '../../native/bindings/libc';
import { helperPath, spawnSandbox, type SandboxSpec } from '../../runtime/src/sandbox/sandboxSpawn';
import { ZygoteManager, type StartedSandbox } from '../../runtime/src/zygote/zygoteManager';
import { FIXTURES } from '../support/fixtures';
import { TestRuntime } from '../support/runtimeClient';

let cwd: string;
/** Tests that expect a warm start: a loaded machine must not turn a slow but healthy hand-off into a cold one. */
const PATIENT = { acceptTimeoutMs: 5000 };

before(() => {
  assert.ok(existsSync(helperPath()), `${helperPath()} is missing: run node scripts/build-native.mjs first`);
  cwd = mkdtempSync(path.join(os.tmpdir(), 'phantom-zygote-')); // root-owned: shown through an idmapped mount
});

after(() => rmSync(cwd, { recursive: true, force: true }));

function spec(argv: string[], dir = cwd): SandboxSpec {
  return { argv, cwd: dir, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' }, network: 'none', readOnly: [], readWrite: [], timeoutSeconds: 30 };
}

interface Result {
  stdout: string;
  stderr: string;
  code: number | null;
  warm: boolean;
  notes: string[];
  error?: string;
}

async function collect(p: StartedSandbox): Promise<Result> {
  let stdout = '';
  let stderr = '';
  p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const ended = Promise.all([new Promise((r) => p.stdout.on('end', r)), new Promise((r) => p.stderr.on('end', r))]);
  p.stdin.end();
  const exit = await p.exited;
  await ended;
  return { stdout, stderr, code: exit.code, warm: exit.warm, notes: exit.notes, error: exit.error };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, probe: () => boolean, ms = 3000, seen: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}${seen() ? `; still there: ${seen()}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** pid, state, parent and command line of each process, for a failure message that says what lingered. */
function describe(pids: number[]): string {
  return pids
    .map((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return `${pid} (${state}, parent ${ppid}): ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()}`;
      } catch {
        return `${pid} (gone)`;
      }
    })
    .join('; ');
}

/** Host pids whose command line mentions `marker` (the zygote helpers and their inits carry the cwd). */
/** kcmp(2) KCMP_VM: 0 when the two processes share one address space. x86_64's number (the machine kind's). */
const SYS_KCMP = 312;
const KCMP_VM = 1;
function shareMemory(a: number, b: number): boolean {
  const r = syscall(SYS_KCMP, 'int', a, 'int', b, 'int', KCMP_VM, 'long', 0, 'long', 0);
  if (r < 0) throw new Error(`kcmp(${a}, ${b}, KCMP_VM): ${errnoName(errno())}`);
  return r === 0;
}

function pidsMentioning(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(marker)) found.push(Number(entry));
    } catch {
      // the process exited while we looked
    }
  }
  return found;
}

// The same checks as the cold path's tests: hostname, no network, cwd writable, /root invisible, seccomp on.
const ISOLATION_SCRIPT = [
  'echo host=$(cat /proc/sys/kernel/hostname)',
  "echo ifaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')",
  'echo pwd=$(pwd)',
  'touch ./written-$$ && echo cwd=writable && rm ./written-$$',
  'ls /root >/dev/null 2>&1 && echo root=visible || echo root=invisible',
  "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status | tr -d '\\t'",
  'unshare -U true 2>/dev/null && echo userns=allowed || echo userns=denied',
  'echo uid=$(id -u)',
].join('; ');

test('a warm run reports warm: true and is isolated exactly like a cold one', async () => {
  const manager = new ZygoteManager(PATIENT);
  try {
    const cold = await collect(spawnSandboxAsStarted(spec(['/bin/sh', '-c', ISOLATION_SCRIPT])));
    const first = await collect(manager.spawn(spec(['/bin/sh', '-c', ISOLATION_SCRIPT])));
    assert.equal(first.warm, false, 'the first run of a profile is cold: it makes the pool');
    assert.ok(await manager.whenWarm(spec(['/bin/true'])), 'a zygote becomes ready after the first run');
    const warm = await collect(manager.spawn(spec(['/bin/sh', '-c', ISOLATION_SCRIPT])));
    assert.equal(warm.warm, true, `served by a zygote (notes: ${warm.notes.join('; ')})`);
    assert.equal(warm.code, 0, warm.stderr);
    for (const line of ['host=phantom', 'ifaces=lo', `pwd=${cwd}`, 'cwd=writable', 'root=invisible', 'Seccomp:2', 'NoNewPrivs:1', 'userns=denied', 'uid=1000']) {
      assert.ok(warm.stdout.split('\n').includes(line), `warm run: expected the line '${line}' in:\n${warm.stdout}`);
    }
    assert.equal(warm.stdout, cold.stdout, 'warm and cold runs see the same sandbox');
    assert.equal(first.stdout, cold.stdout);
  } finally {
    manager.dispose();
  }
});

test('a warm run gets its own argv, environment, stdin and exit code', async () => {
  const manager = new ZygoteManager(PATIENT);
  try {
    const s = (argv: string[]) => ({ ...spec(argv), env: { PATH: '/usr/bin:/bin', GREETING: 'hello warm' } });
    await collect(manager.spawn(s(['/bin/true'])));
    assert.ok(await manager.whenWarm(s(['/bin/true'])));
    const p = manager.spawn(s(['/bin/sh', '-c', 'read line; echo "$GREETING: $line: $0 $1"; env | sort | tr "\\n" " "; exit 7', 'arg-one']));
    p.stdin.write('from stdin\n');
    const r = await collect(p);
    assert.equal(r.warm, true);
    assert.equal(r.code, 7);
    assert.match(r.stdout, /^hello warm: from stdin: arg-one /);
    assert.match(r.stdout, /GREETING=hello warm PATH=\/usr\/bin:\/bin PWD=/, 'only the given environment (and the shell’s own PWD)');
  } finally {
    manager.dispose();
  }
});

test('a warm run keeps the per-run limits and errors of the cold path: wall time, command not found', async () => {
  const manager = new ZygoteManager(PATIENT);
  try {
    await collect(manager.spawn(spec(['/bin/true'])));
    assert.ok(await manager.whenWarm(spec(['/bin/true'])));
    const slow = manager.spawn({ ...spec(['/bin/sleep', '5']), timeoutSeconds: 0.3 });
    const r = await collect(slow);
    assert.equal(r.warm, true);
    assert.equal(r.code, null);
    assert.ok(r.notes.some((n) => /wall-time limit of 0.3 s reached/.test(n)), r.notes.join('\n'));
    assert.ok(await manager.whenWarm(spec(['/bin/true'])));
    const missing = await collect(manager.spawn(spec(['/opt/nowhere/cmd'])));
    assert.equal(missing.warm, true);
    assert.equal(missing.code, 127);
    assert.match(missing.error ?? '', /execve\("\/opt\/nowhere\/cmd"\): ENOENT/);
  } finally {
    manager.dispose();
  }
});

test('a warm run leaves nothing behind: background children die with it, and cancel kills the whole run', async () => {
  const manager = new ZygoteManager(PATIENT);
  try {
    await collect(manager.spawn(spec(['/bin/true'])));
    assert.ok(await manager.whenWarm(spec(['/bin/true'])));
    const marker = `${Date.now() % 100000}.${process.pid}`;
    const leaver = await collect(manager.spawn(spec(['/bin/sh', '-c', `/bin/sleep ${marker} & echo started`])));
    assert.equal(leaver.warm, true);
    assert.equal(leaver.stdout, 'started\n');
    await waitFor('the background child died with the run', () => pidsMentioning(marker).length === 0);

    assert.ok(await manager.whenWarm(spec(['/bin/true'])));
    const long = manager.spawn(spec(['/bin/sh', '-c', `/bin/sleep ${marker}0 & /bin/sleep ${marker}1`]));
    const done = collect(long);
    await waitFor('the warm run started its children', () => pidsMentioning(`${marker}1`).length === 1);
    long.kill('SIGKILL');
    const r = await done;
    assert.equal(r.warm, true);
    assert.equal(r.code, null);
    await waitFor('every process of the cancelled run is gone', () => pidsMentioning(`${marker}0`).length + pidsMentioning(`${marker}1`).length === 0);
  } finally {
    manager.dispose();
  }
});

test("a warm run keeps its output when the helper's exit is seen before its accepted status", async () => {
  // Node throws away a child's unread stdout/stderr when it sees the child exit; the output was only read from the
  // "accepted" status on, so a short command on a busy machine lost all of it (soak: 1 warm run in ~300). A stand-in
  // helper makes that order certain: it writes the output, exits, and a child of it sends the statuses 300 ms later.
  const helper = path.join(FIXTURES, 'zygote/late-status-helper.py');
  const manager = new ZygoteManager({ ...PATIENT, helper });
  try {
    const s = spec(['/bin/true']);
    await collect(manager.spawn(s)); // cold (the stand-in is not a sandbox: it only speaks the zygote protocol)
    assert.ok(await manager.whenWarm(s), 'the stand-in zygote became ready');
    for (let i = 0; i < 3; i++) {
      const r = await collect(manager.spawn(spec(['/bin/sh', '-c', 'unused', `late-${i}`])));
      assert.equal(r.warm, true, JSON.stringify(r));
      assert.equal(r.code, 3);
      assert.equal(r.stdout, `out-late-${i}\n`, 'the output written before the exit was seen');
      assert.equal(r.stderr, `err-late-${i}\n`);
      assert.ok(await manager.whenWarm(s));
    }
  } finally {
    manager.dispose();
  }
});

test('a killed zygote: the run falls back to cold at once and the zygote is replaced', async () => {
  const manager = new ZygoteManager(PATIENT);
  try {
    await collect(manager.spawn(spec(['/bin/true'])));
    assert.ok(await manager.whenWarm(spec(['/bin/true'])));
    const [victim] = manager.processes().filter((p) => p.state === 'ready');
    process.kill(victim.helper, 'SIGKILL');
    const started = Date.now();
    const r = await collect(manager.spawn(spec(['/bin/echo', 'still runs'])));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'still runs\n');
    assert.equal(r.warm, false);
    assert.ok(Date.now() - started < 5000, 'the run did not wait on the broken zygote');
    await waitFor('the killed zygote and its sandbox are gone', () => !alive(victim.helper) && !alive(victim.init));
    assert.ok(await manager.whenWarm(spec(['/bin/true'])), 'a replacement zygote becomes ready');
    const replacement = manager.processes().find((p) => p.state === 'ready');
    assert.notEqual(replacement?.helper, victim.helper);
    assert.equal((await collect(manager.spawn(spec(['/bin/true'])))).warm, true);
  } finally {
    manager.dispose();
  }
});

test('a stuck zygote (stopped): the run goes cold after the accept timeout and the zygote is killed', async () => {
  const manager = new ZygoteManager({ acceptTimeoutMs: 25 });
  try {
    await collect(manager.spawn(spec(['/bin/true'])));
    assert.ok(await manager.whenWarm(spec(['/bin/true'])));
    const [victim] = manager.processes().filter((p) => p.state === 'ready');
    process.kill(victim.helper, 'SIGSTOP');
    const r = await collect(manager.spawn(spec(['/bin/echo', 'cold after all'])));
    assert.equal(r.stdout, 'cold after all\n');
    assert.equal(r.warm, false);
    assert.ok(r.notes.some((n) => /did not accept the command within \d+ ms: started cold instead/.test(n)), r.notes.join('\n'));
    await waitFor('the stuck zygote and its sandbox are gone', () => !alive(victim.helper) && !alive(victim.init));
  } finally {
    manager.dispose();
  }
});

test('zygotes that fail their setup: runs stay cold and correct, and refilling backs off instead of looping', async () => {
  // /bin/false stands in for a helper whose every zygote dies during setup.
  const manager = new ZygoteManager({ ...PATIENT, helper: '/bin/false' });
  try {
    for (let i = 0; i < 6; i++) {
      const r = await collect(manager.spawn(spec(['/bin/echo', `run ${i}`])));
      assert.equal(r.stdout, `run ${i}\n`);
      assert.equal(r.warm, false);
      await manager.whenSettled();
      await new Promise((r) => setTimeout(r, 20));
    }
    const [pool] = manager.snapshot();
    assert.equal(pool.heldBack, 'setup failures', JSON.stringify(pool));
    assert.equal(pool.ready + pool.starting, 0);
  } finally {
    manager.dispose();
  }
});

test('the seccomp filter goes in before the wait only when it allows every call left before execve', async () => {
  // The primed workload installs the profile's filter ahead of the command when the filter allows, whatever the
  // arguments, each call it still makes (send, recv, brk, mmap, prlimit64, execve, write, exit_group); otherwise it
  // installs it with the command. Either way the warm run is filtered exactly like a cold one.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-zygote-filter-'));
  const profiles = {
    // The built-in default allows them all unconditionally.
    default: undefined,
    // write depends on its first argument: the answer depends on arguments, so not ahead.
    writeToStdoutDenied: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['write'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] }] },
    // recvfrom denied: the wait itself would fail under it.
    recvDenied: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['recvfrom'], action: 'SCMP_ACT_ERRNO' }] },
  };
  const expectAhead = { default: true, writeToStdoutDenied: false, recvDenied: false };
  try {
    for (const [name, profile] of Object.entries(profiles)) {
      const manager = new ZygoteManager(PATIENT);
      try {
        const file = path.join(dir, `${name}.seccomp.json`);
        if (profile) writeFileSync(file, JSON.stringify(profile));
        const s: SandboxSpec = { ...spec(['/bin/sh', '-c', 'echo out; echo err >&2; exit 0'], dir), ...(profile ? { seccompProfile: file } : {}) };
        const cold = await collect(manager.spawn(s, { pool: { min: 1, max: 1 } }));
        assert.ok(await manager.whenWarm(s), `${name}: a zygote is ready`);
        assert.equal(manager.processes().find((p) => p.state === 'ready')?.filterInstalled, expectAhead[name as keyof typeof expectAhead], `${name}: filter installed ahead of the command`);
        const warm = await collect(manager.spawn(s, { pool: { min: 1, max: 1 } }));
        assert.equal(warm.warm, true, name);
        assert.deepEqual([warm.code, warm.stdout, warm.stderr], [cold.code, cold.stdout, cold.stderr], `${name}: the warm run is filtered as the cold one`);
        if (name === 'writeToStdoutDenied') {
          // dash writes `>&2` output through fd 1 after a dup2: both lines are refused, and it says so on fd 2.
          assert.equal(warm.stdout, '', name);
          assert.match(warm.stderr, /I\/O error|not permitted/, name);
        } else {
          assert.deepEqual([warm.stdout, warm.stderr], ['out\n', 'err\n'], name);
        }
      } finally {
        manager.dispose();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dispose() leaves no zygote process behind', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-zygote-dispose-'));
  const manager = new ZygoteManager(PATIENT);
  try {
    await collect(manager.spawn(spec(['/bin/true'], dir), { pool: { min: 2, max: 2 } }));
    assert.ok(await manager.whenSettled());
    await waitFor('two zygotes ready', () => manager.processes().filter((p) => p.state === 'ready').length === 2);
    const zygotes = manager.processes();
    // Each zygote: its helper, the sandbox's init and the primed workload init started ahead of time (init's
    // only child, in init's address space until its execve: CLONE_VM, so it adds no resident memory of its own).
    const primed = zygotes.map((z) => Number(readFileSync(`/proc/${z.init}/task/${z.init}/children`, 'utf8').trim()));
    for (const [i, z] of zygotes.entries()) {
      assert.ok(primed[i] > 0, `init ${z.init} has its primed workload`);
      assert.ok(shareMemory(primed[i], z.init), 'the primed workload shares init\'s address space');
      assert.ok(!shareMemory(z.helper, z.init), 'the helper has its own');
    }
    const pids = [...zygotes.flatMap((p) => [p.helper, p.init]), ...primed];
    // And each helper's janitor, which removes the placeholders of absent protected folders (.git, .vscode, .idea)
    // once its sandbox is gone (native/src/protect.c).
    // (The cold run's own janitor may still be retrying the zygotes' shared lock for its 100 ms: it is waited out.)
    await waitFor('the cold run\'s janitor gone', () => pidsMentioning(dir).length <= 8);
    assert.equal(pidsMentioning(dir).length, 8, 'two helpers, two waiting inits, their two primed workloads and two janitors');
    manager.dispose();
    await waitFor('every zygote process gone', () => pids.every((pid) => !alive(pid)) && pidsMentioning(dir).length === 0);
  } finally {
    manager.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('through the runtime: timings.warm is true once the pool is warm, and nothing outlives the runtime', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-zygote-runtime-'));
  const runtime = new TestRuntime();
  try {
    const first = await runtime.run({ argv: ['/bin/echo', 'one'], cwd: dir });
    assert.equal(first.exit.code, 0, first.stderr);
    assert.equal(first.exit.timings.warm, false);
    let warm = false;
    for (let i = 0; i < 50 && !warm; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const r = await runtime.run({ argv: ['/bin/echo', 'again'], cwd: dir });
      assert.equal(r.stdout, 'again\n');
      warm = r.exit.timings.warm;
    }
    assert.ok(warm, 'a later run was served warm');
    await waitFor('a zygote waits for the next run', () => pidsMentioning(dir).length > 0);
  } finally {
    await runtime.stop();
  }
  try {
    // Killed processes leave the table once the kernel has torn them down, which a loaded machine can delay:
    // the property is that nothing outlives the runtime, so the wait is patient and a failure names the rest.
    await waitFor('no zygote or sandbox process left after the runtime exited', () => pidsMentioning(dir).length === 0, 10_000, () => describe(pidsMentioning(dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a runtime killed with SIGKILL takes its zygotes with it (control socket end of file, parent-death signal)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-zygote-sigkill-'));
  const runtime = new TestRuntime();
  try {
    await runtime.run({ argv: ['/bin/true'], cwd: dir });
    await waitFor('a zygote waits for the next run', () => pidsMentioning(dir).length >= 2);
    runtime.child.kill('SIGKILL');
    await waitFor('no zygote or sandbox process left after the runtime was killed', () => pidsMentioning(dir).length === 0);
  } finally {
    runtime.connection.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

function spawnSandboxAsStarted(s: SandboxSpec): StartedSandbox {
  const p = spawnSandbox(s);
  return { ...p, exited: p.exited.then((e) => ({ ...e, warm: false })) };
}

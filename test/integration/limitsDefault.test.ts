// Issue 11, attack 9 and the runtime side of 11, for real: a run that sets no limits still gets them — memory
// (2 GiB or a quarter of RAM), 512 processes, /tmp and /dev/shm of half the memory, 4096 open files, no core dumps —
// said in its notes; a fork bomb stops under the pids limit and the machine's process count comes back; `dd` into
// /tmp stops at its size; a run's output is cut at its limit (64 MiB by default, `limits.output`) and the run is told.
// As root (cgroups) and as nobody (rlimits).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/fixtures';
import { TestRuntime } from '../support/runtimeClient';

const CLI = path.join(REPO, 'dist/cli.js');
const NOBODY = ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups', 'env', 'HOME=/nonexistent'];
const MEMORY = Math.min(2 * 1024 ** 3, Math.floor(os.totalmem() / 4));
let dir: string;

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-limits-'));
  chmodSync(dir, 0o777);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function phantom(args: string[], asNobody = false) {
  const argv = [...(asNobody ? NOBODY : ['env']), process.execPath, CLI, ...args];
  const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function processCount(): number {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).length;
}

const SHOW = 'ulimit -n; ulimit -c; grep -E " /(tmp|dev/shm) " /proc/mounts';

for (const asNobody of [false, true]) {
  const who = asNobody ? 'as nobody' : 'as root';
  test(`a run without limits gets the defaults ${who}: memory, pids, tmpfs sizes, open files, no core dumps`, () => {
    const r = phantom(['run', '-v', '--', 'sh', '-c', SHOW], asNobody);
    assert.equal(r.code, 0, r.stderr);
    const mechanism = asNobody ? 'with RLIMIT_AS only' : 'by the cgroup v1 memory controller';
    assert.match(r.stderr, new RegExp(`memory limit ${MEMORY} bytes enforced ${mechanism}`));
    assert.match(r.stderr, asNobody ? /process limit 512 enforced with RLIMIT_NPROC only/ : /process limit 512 enforced by the cgroup v1 pids controller/);
    const [nofile, core, ...mounts] = r.stdout.trim().split('\n');
    assert.equal(nofile, '4096');
    assert.equal(core, '0');
    assert.equal(mounts.length, 2, r.stdout);
    for (const m of mounts) assert.match(m, new RegExp(`size=${MEMORY / 2 / 1024}k`), m);
  });

  test(`a fork bomb stays under the default pids limit and the machine's process count comes back ${who}`, async () => {
    const before = processCount();
    const bomb = `import os, time
n = 0
try:
    while n < 5000:
        if os.fork() == 0:
            time.sleep(60); os._exit(0)
        n += 1
except OSError as e:
    print("stopped at", n, e.errno, flush=True)`;
    const r = phantom(['run', '--timeout', '30', '--', '/usr/bin/python3', '-c', bomb], asNobody);
    const stopped = /stopped at (\d+) 11/.exec(r.stdout);
    assert.ok(stopped, `not stopped: ${r.stdout} ${r.stderr}`);
    assert.ok(Number(stopped[1]) <= 512, stopped[0]);
    let now = processCount();
    for (let i = 0; i < 50 && now > before + 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      now = processCount();
    }
    assert.ok(now <= before + 20, `processes before ${before}, after ${now}`); // other tests share the machine
  });
}

// The helper joins the v1 run groups while the child mounts its view; nothing of the workload may run before that.
// The v2 group the child is born in (clone3 CLONE_INTO_CGROUP) is the root of its cgroup namespace, so that one is
// looked at from the host.
test("as root the workload's first process is already in the run's groups (v1 memory and pids, the v2 accounting group)", async () => {
  for (let i = 0; i < 3; i++) {
    const r = phantom(['run', '--', 'cat', '/proc/self/cgroup']);
    assert.equal(r.code, 0, r.stderr);
    const group = (pattern: RegExp) => r.stdout.split('\n').find((l) => pattern.test(l))?.split(':')[2];
    for (const line of [/^\d+:memory:/, /^\d+:pids:/]) assert.match(group(line) ?? '', /^\/phantom\/run-\d+$/, `${line}: ${r.stdout}`);
    assert.equal(group(/^0::/), '/', r.stdout);
  }
  const marker = `${1000 + Math.floor(Math.random() * 1000)}.25`;
  const child = spawn(process.execPath, [CLI, 'run', '--', 'sleep', marker], { cwd: dir, stdio: 'ignore' });
  try {
    let pid: string | undefined;
    for (let i = 0; i < 200 && !pid; i++) {
      await new Promise((r) => setTimeout(r, 50));
      pid = readdirSync('/proc').find((e) => /^\d+$/.test(e) && /^\/\S*\/sleep\0[\d.]+\0$/.test(readFileSafe(`/proc/${e}/cmdline`)) && readFileSafe(`/proc/${e}/cmdline`).endsWith(`\0${marker}\0`));
    }
    assert.ok(pid, 'the sandboxed sleep was found');
    const v2 = readFileSafe(`/proc/${pid}/cgroup`).split('\n').find((l) => l.startsWith('0::'));
    assert.match(v2 ?? '', /\/phantom\/run-\d+$/, `the workload's v2 group seen from the host: ${v2}`);
  } finally {
    child.kill('SIGTERM');
  }
});

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

test('dd into /tmp and /dev/shm stops at their size (half the memory limit; the default one is checked above)', () => {
  const mib = 128;
  const r = phantom(['run', '--memory', '256M', '--', 'sh', '-c', `for d in /tmp /dev/shm; do dd if=/dev/zero of=$d/big bs=1M count=${mib + 64} 2>&1 | grep -E "No space|copied"; echo "$d $(du -m $d/big | cut -f1)"; rm $d/big; done`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.match(/No space left on device/g)?.length, 2, r.stdout);
  for (const d of ['/tmp', '/dev/shm']) {
    const size = new RegExp(`^${d} (\\d+)$`, 'm').exec(r.stdout);
    assert.ok(size && Number(size[1]) <= mib, `${d}: ${r.stdout}`);
  }
});

test('the output of a run is cut at 64 MiB by default, and the run is stopped and told', () => {
  const r = phantom(['run', '--', 'sh', '-c', 'yes phantom-output-line']);
  assert.equal(r.code, 137);
  assert.equal(r.stdout.length, 64 * 1024 * 1024);
  assert.match(r.stderr, /output limit of 67108864 bytes was reached: the run was stopped/);
});

test("through the runtime: limits.output cuts the run's output and the exit report says so", async () => {
  const config = path.join(dir, 'phantom-fragment.yaml');
  writeFileSync(config, 'version: 1\nprofiles:\n  chatty:\n    run: [sh, -c, "yes phantom-output-line"]\n    limits:\n      output: 100K\n');
  const runtime = new TestRuntime();
  try {
    const { stdout, stderr, exit } = await runtime.run({ argv: [], cwd: dir, config, profile: 'chatty' });
    assert.equal(stdout.length + stderr.length, 100 * 1024);
    assert.equal(exit.outputLimited, 100 * 1024);
    assert.equal(exit.signal, 'SIGKILL');
    assert.match((exit.notes ?? []).join('\n'), /output limit of 102400 bytes reached/);
  } finally {
    await runtime.stop();
  }
});

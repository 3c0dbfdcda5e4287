// Soak (issue 11's acceptance): the runtime protocol under a few hundred mixed runs, 8 at a time — runs that succeed,
// fail, write 2 MB, or are cancelled while running. Every run ends exactly once with its own output, and afterwards
// the runtime's file descriptors and memory and the machine's process count come back. Real runtime, real sandboxes
// (cold and warm: the runtime keeps zygote pools for the repeated specs). PHANTOM_SOAK_RUNS changes the count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunCancelRequest } from '../../runtime/src/protocol';
import { TestRuntime, type FinishedRun } from '../support/runtimeClient';

const RUNS = Number(process.env.PHANTOM_SOAK_RUNS ?? 200);
const PARALLEL = 8;
const BIG = 2_000_000;

const countProcesses = () => readdirSync('/proc').filter((e) => /^\d+$/.test(e)).length;
const countFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

type Kind = 'ok' | 'fail' | 'big' | 'cancel';
const KINDS: Kind[] = ['ok', 'fail', 'big', 'cancel'];

function argvFor(kind: Kind, id: string): string[] {
  switch (kind) {
    case 'ok': return ['/bin/sh', '-c', `echo out-${id}; echo err-${id} >&2`];
    case 'fail': return ['/bin/sh', '-c', `echo out-${id}; exit 3`];
    case 'big': return ['/bin/sh', '-c', `head -c ${BIG} /dev/zero | tr '\\0' x; echo; echo out-${id}`];
    case 'cancel': return ['/bin/sh', '-c', `echo out-${id}; exec sleep 60`];
  }
}

async function oneRun(runtime: TestRuntime, cwd: string, i: number): Promise<void> {
  const kind = KINDS[i % KINDS.length];
  const runId = `soak-${i}`;
  let cancelTimer: NodeJS.Timeout | undefined;
  const finished: FinishedRun = await runtime.run({ runId, argv: argvFor(kind, runId), cwd, timeoutSeconds: 60 }, (id) => {
    // Its answer is not awaited; a cancel still in flight when the runtime is stopped (after a failure) is rejected.
    if (kind === 'cancel') cancelTimer = setTimeout(() => runtime.connection.sendRequest(RunCancelRequest, { runId: id }).catch(() => undefined), 150);
  });
  clearTimeout(cancelTimer);
  const { stdout, stderr, exit } = finished;
  const seen = `${runId}: ${JSON.stringify({ stdout: stdout.slice(0, 200), stderr: stderr.slice(0, 200), exit })}`;
  const others = stdout.match(/out-soak-\d+/g)?.filter((m) => m !== `out-${runId}`) ?? [];
  assert.deepEqual(others, [], `${runId} got another run's output`);
  switch (kind) {
    case 'ok':
      assert.equal(exit.code, 0, `${runId}: ${exit.error ?? stderr}`);
      assert.equal(stdout, `out-${runId}\n`, seen);
      assert.equal(stderr, `err-${runId}\n`, seen);
      break;
    case 'fail':
      assert.equal(exit.code, 3, `${runId}: ${exit.error ?? stderr}`);
      assert.equal(stdout, `out-${runId}\n`, seen);
      break;
    case 'big':
      assert.equal(exit.code, 0, `${runId}: ${exit.error ?? stderr}`);
      assert.equal(stdout.length, BIG + 1 + `out-${runId}\n`.length, `${runId}: ${stdout.length} bytes`);
      assert.ok(stdout.endsWith(`\nout-${runId}\n`));
      break;
    case 'cancel':
      assert.equal(exit.signal, 'SIGKILL', `${runId} was not cancelled: ${JSON.stringify(exit)}`);
      assert.match(stdout, new RegExp(`^(out-${runId}\\n)?$`));
      break;
  }
}

test(`${RUNS} mixed runs, ${PARALLEL} at a time: each ends once with its own output; fds, memory and processes come back`, { timeout: 600_000 }, async () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'phantom-soak-'));
  chmodSync(cwd, 0o755);
  const processesBefore = countProcesses();
  const runtime = new TestRuntime();
  try {
    const pid = runtime.child.pid!;
    // Warm-up: the runtime's first runs load libseccomp, compile the default policy and start the pools.
    for (let i = 0; i < 8; i++) await oneRun(runtime, cwd, 1000 + i * 2);
    await new Promise((r) => setTimeout(r, 1000));
    const fdsBefore = countFds(pid);
    const rssBefore = rssKiB(pid);

    // The first failure stops every worker (and is the one reported); the others finish the run they are in.
    let next = 0;
    let failure: unknown;
    const worker = async () => {
      while (next < RUNS && failure === undefined) {
        try {
          await oneRun(runtime, cwd, next++);
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    if (failure !== undefined) throw failure;

    for (let i = 0; i < RUNS; i++) assert.equal(runtime.exitCounts.get(`soak-${i}`), 1, `soak-${i} ended ${runtime.exitCounts.get(`soak-${i}`) ?? 0} times`);
    // Give the pools a moment to settle (zygotes refill up to their bound, never beyond).
    await new Promise((r) => setTimeout(r, 1500));
    global.gc?.();
    const fdsAfter = countFds(pid);
    const rssAfter = rssKiB(pid);
    assert.ok(fdsAfter <= fdsBefore + 16, `the runtime holds ${fdsAfter} fds after the runs, ${fdsBefore} before`);
    assert.ok(rssAfter < rssBefore + 150 * 1024, `the runtime's memory grew from ${rssBefore} KiB to ${rssAfter} KiB`);
  } finally {
    await runtime.stop();
  }
  let processesAfter = countProcesses();
  for (let i = 0; i < 50 && processesAfter > processesBefore + 10; i++) {
    await new Promise((r) => setTimeout(r, 100));
    processesAfter = countProcesses();
  }
  rmSync(cwd, { recursive: true, force: true });
  // Other test files may run beside this one: a small slack, never hundreds.
  assert.ok(processesAfter <= processesBefore + 10, `processes: ${processesBefore} before, ${processesAfter} after`);
});

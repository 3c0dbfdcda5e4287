/**
 * `phantom bench --spawn`: the cost of starting `/bin/true`, measured in one process (this one, as the
 * runtime would spawn) four ways, interleaved round by round (the order rotates) so drift hits all alike:
 *   unsandboxed  child_process.spawn('/bin/true')
 *   bwrap        bwrap --unshare-all --ro-bind / / --dev /dev --proc /proc /bin/true
 *   cold         a fresh sandbox (sandboxSpawn.ts: default seccomp + Landlock, no network, idmapped cwd)
 *   warm         a ready zygote of the same profile (zygoteManager.ts)
 * Each figure is spawn() to "exited and its stdio drained" — what a caller waits for — with the same stdio
 * (three pipes) everywhere. Before every measurement no zygote is in setup, so none competes for the CPU.
 * Also: to-execve figures for cold/warm (the helper's exec report), and what a waiting zygote costs in memory.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sandboxEnvironment } from '../sandbox/sandboxEnvironment';
import { spawnSandbox, type SandboxSpec } from '../sandbox/sandboxSpawn';
import { percentile } from '../runs/startupMetrics';
import { ZygoteManager } from '../zygote/zygoteManager';

export const SPAWN_KINDS = ['unsandboxed', 'bwrap', 'cold', 'warm'] as const;
export type SpawnKind = (typeof SPAWN_KINDS)[number];

export interface SpawnStats {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  runs: number;
}

export interface SpawnBenchResult {
  spawn: Record<SpawnKind, SpawnStats | null>;
  /** p50 over p50, the issue's targets beside them. */
  ratios: {
    warmOverUnsandboxed: number | null;
    bwrapOverWarm: number | null;
    coldOverUnsandboxed: number | null;
  };
  targets: { name: string; target: string; value: number | null; met: boolean | null }[];
  /** spawn() to the helper's exec report (the command's execve), p50/p99. */
  toExec: { cold: SpawnStats | null; warm: SpawnStats | null };
  /** VmRSS of a waiting zygote: the helper plus the sandbox's init. */
  zygoteRssKiB: number | null;
  /** The same two processes' proportional (Pss) and private (Private_Clean + Private_Dirty) memory. */
  zygotePssKiB: number | null;
  zygotePrivateKiB: number | null;
  /** false with `--no-denials`: cold and warm sandboxes ran without the denial supervisor. */
  denialSupervisor: boolean;
  /** Warm measurements a cold start had to serve (the zygote was not ready or failed). */
  warmMisses: number;
  runs: number;
  notes: string[];
}

const BWRAP = '/usr/bin/bwrap';
const BWRAP_ARGS = ['--unshare-all', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '/bin/true'];
const WARMUP_ROUNDS = 3;

function stats(samples: number[]): SpawnStats | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { p50Ms: round(percentile(sorted, 50)!), p99Ms: round(percentile(sorted, 99)!), meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length), runs: sorted.length };
}

/** spawn() to 'close' (exited, stdio drained), stdio piped as the runtime pipes a run's. */
function timeProcess(file: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, args, { stdio: 'pipe' });
    child.stdin.end();
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${file} exited with ${code}`))));
  });
}

async function timeSandbox(start: () => ReturnType<ZygoteManager['spawn']>): Promise<{ totalMs: number; execMs: number; warm: boolean }> {
  const t0 = performance.now();
  const p = start();
  p.stdin.end();
  p.stdout.resume();
  p.stderr.resume();
  const exit = await p.exited;
  const totalMs = performance.now() - t0;
  if (exit.code !== 0) throw new Error(`the sandboxed /bin/true failed: ${exit.error ?? `exit ${exit.code ?? exit.signal}`}`);
  return { totalMs, execMs: exit.spawnMs, warm: exit.warm };
}

function statusField(pid: number, field: string, file: 'status' | 'smaps_rollup'): number {
  const text = readFileSync(`/proc/${pid}/${file}`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** Memory of the waiting zygote's two processes, or nulls when there is none to look at. */
function zygoteMemory(manager: ZygoteManager): Pick<SpawnBenchResult, 'zygoteRssKiB' | 'zygotePssKiB' | 'zygotePrivateKiB'> {
  const z = manager.processes().find((p) => p.state === 'ready' && p.init > 0);
  if (!z) return { zygoteRssKiB: null, zygotePssKiB: null, zygotePrivateKiB: null };
  const pids = [z.helper, z.init];
  const sum = (f: (pid: number) => number) => pids.reduce((total, pid) => total + f(pid), 0);
  return {
    zygoteRssKiB: sum((pid) => statusField(pid, 'VmRSS', 'status')),
    zygotePssKiB: sum((pid) => statusField(pid, 'Pss', 'smaps_rollup')),
    zygotePrivateKiB: sum((pid) => statusField(pid, 'Private_Clean', 'smaps_rollup') + statusField(pid, 'Private_Dirty', 'smaps_rollup')),
  };
}

function ratio(a: SpawnStats | null, b: SpawnStats | null): number | null {
  return a && b && b.p50Ms > 0 ? Math.round((a.p50Ms / b.p50Ms) * 100) / 100 : null;
}

export async function benchSpawn(options: { runs: number; noDenials?: boolean; onProgress?: (round: number) => void }): Promise<SpawnBenchResult> {
  const notes: string[] = [];
  const hasBwrap = existsSync(BWRAP);
  if (!hasBwrap) notes.push(`${BWRAP} not found: install bubblewrap (apt-get install bubblewrap) to compare against it`);
  // A root-owned temporary folder, like a workspace: the cold path idmaps it, the zygote has it ready.
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'phantom-bench-'));
  const spec: SandboxSpec = { argv: ['/bin/true'], cwd, env: sandboxEnvironment({}, []), network: 'none', readOnly: [], readWrite: [], timeoutSeconds: 30, ...(options.noDenials ? { reportDenials: false } : {}) };
  // A pool of one: the bench measures a hand-off, not how many zygotes demand would keep.
  const manager = new ZygoteManager({ mayRefill: () => true });
  const samples: Record<SpawnKind, number[]> = { unsandboxed: [], bwrap: [], cold: [], warm: [] };
  const toExec = { cold: [] as number[], warm: [] as number[] };
  let warmMisses = 0;

  const measure: Record<SpawnKind, () => Promise<number | null>> = {
    unsandboxed: () => timeProcess('/bin/true', []),
    bwrap: () => (hasBwrap ? timeProcess(BWRAP, BWRAP_ARGS) : Promise.resolve(null)),
    cold: async () => {
      const r = await timeSandbox(() => {
        const p = spawnSandbox(spec);
        return { ...p, exited: p.exited.then((e) => ({ ...e, warm: false })) };
      });
      toExec.cold.push(r.execMs);
      return r.totalMs;
    },
    warm: async () => {
      await manager.whenWarm(spec);
      const r = await timeSandbox(() => manager.spawn(spec, { pool: { min: 1, max: 1 } }));
      if (!r.warm) {
        warmMisses++;
        return null;
      }
      toExec.warm.push(r.execMs);
      return r.totalMs;
    },
  };

  try {
    // The first warm request finds no pool: it runs cold and makes the pool (as the first run of a profile does).
    await measure.warm();
    warmMisses = 0;
    for (let round = 0; round < WARMUP_ROUNDS + options.runs; round++) {
      const order = SPAWN_KINDS.map((_, i) => SPAWN_KINDS[(i + round) % SPAWN_KINDS.length]);
      for (const kind of order) {
        await manager.whenSettled();
        await manager.whenWarm(spec);
        const ms = await measure[kind]();
        if (round >= WARMUP_ROUNDS && ms !== null) samples[kind].push(ms);
        if (round < WARMUP_ROUNDS) {
          // warm-up rounds: nothing of them counts
          toExec.cold.length = 0;
          toExec.warm.length = 0;
          warmMisses = 0;
        }
      }
      options.onProgress?.(round);
    }
    await manager.whenSettled();
    await manager.whenWarm(spec);
    const memory = zygoteMemory(manager);
    const spawnStats = { unsandboxed: stats(samples.unsandboxed), bwrap: stats(samples.bwrap), cold: stats(samples.cold), warm: stats(samples.warm) };
    const ratios = {
      warmOverUnsandboxed: ratio(spawnStats.warm, spawnStats.unsandboxed),
      bwrapOverWarm: ratio(spawnStats.bwrap, spawnStats.warm),
      coldOverUnsandboxed: ratio(spawnStats.cold, spawnStats.unsandboxed),
    };
    const target = (name: string, text: string, value: number | null, ok: (v: number) => boolean) => ({ name, target: text, value, met: value === null ? null : ok(value) });
    if (warmMisses) notes.push(`${warmMisses} warm measurement(s) were served cold and left out`);
    return {
      spawn: spawnStats,
      ratios,
      targets: [
        target('warm p50 / unsandboxed p50', '<= 1.3', ratios.warmOverUnsandboxed, (v) => v <= 1.3),
        target('bwrap p50 / warm p50', '>= 4', ratios.bwrapOverWarm, (v) => v >= 4),
        target('cold p50 / unsandboxed p50', '<= 2.5', ratios.coldOverUnsandboxed, (v) => v <= 2.5),
        target('zygote VmRSS KiB (helper + init)', '<= 1024', memory.zygoteRssKiB, (v) => v <= 1024),
      ],
      toExec: { cold: stats(toExec.cold), warm: stats(toExec.warm) },
      ...memory,
      warmMisses,
      denialSupervisor: !options.noDenials,
      runs: options.runs,
      notes,
    };
  } finally {
    manager.dispose();
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** Human-readable lines of a result. */
export function describeSpawnBench(r: SpawnBenchResult): string[] {
  const fmt = (s: SpawnStats | null) => (s ? `p50 ${s.p50Ms.toFixed(2)} ms  p99 ${s.p99Ms.toFixed(2)} ms` : 'not measured');
  const lines = [`spawn of /bin/true, ${r.runs} interleaved runs each (spawn() to exit, stdio piped; denial supervisor ${r.denialSupervisor ? 'on' : 'off'}):`];
  for (const kind of SPAWN_KINDS) lines.push(`  ${kind.padEnd(12)} ${fmt(r.spawn[kind])}`);
  lines.push(`  to execve:   cold ${fmt(r.toExec.cold)}; warm ${fmt(r.toExec.warm)}`);
  lines.push(`  waiting zygote memory: VmRSS ${r.zygoteRssKiB ?? '?'} KiB, Pss ${r.zygotePssKiB ?? '?'} KiB, private ${r.zygotePrivateKiB ?? '?'} KiB`);
  for (const t of r.targets) lines.push(`  ${t.met === null ? '?' : t.met ? 'met' : 'MISSED'}  ${t.name} = ${t.value ?? '?'} (target ${t.target})`);
  for (const note of r.notes) lines.push(`  note: ${note}`);
  return lines;
}

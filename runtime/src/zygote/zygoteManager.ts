/**
 * Warm zygote pools: per profile key (the helper's whole setup command line — cwd, network, binds, limits and
 * the compiled policy files, which are named by content hash), zygotes made in the background after the first
 * run and handed one run each. The policy (how many, when to shrink, when to hold back) is zygotePool.ts; this
 * file owns the processes:
 *   - spawn(spec): a warm zygote when one is ready (timings warm: true), else a cold sandbox (sandboxSpawn.ts);
 *   - a zygote that does not accept the command within `acceptTimeoutMs` (stuck) or died is killed and the run
 *     starts cold at once — a run never waits on a broken zygote;
 *   - a zygote still in setup after `setupTimeoutMs` is killed and replaced; setup failures in a row back off;
 *   - dispose() kills every zygote (the helpers also die with the runtime: end of file on their control socket
 *     and a parent-death signal).
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { compilePolicies } from '../sandbox/sandboxPolicy';
import { helperArguments, helperPath, spawnSandbox, type SandboxExit, type SandboxProcess, type SandboxSpec } from '../sandbox/sandboxSpawn';
import { Zygote } from './zygoteProcess';
import { clampBounds, DEFAULT_POOL_TUNING, NO_DEMAND, nextReviewMs, planPool, recordArrival, type Demand, type PoolBounds, type PoolTuning } from './zygotePool';

/**
 * How long a claimed zygote may take to answer "accepted" before it is killed and the run goes cold. A healthy
 * zygote answers in ~0.1 ms; a dead one is noticed at once (end of file), without this timeout. The bound only
 * matters for a zygote that is alive but does not run (stopped, or starved on a loaded machine) — and a starved
 * one may already have passed the command to init when it is killed, so the command would have started twice.
 * 100 ms keeps that case out of reach of ordinary scheduling delays on a busy 2-core machine, while a stuck
 * zygote still costs a run at most 0.1 s.
 */
export const ACCEPT_TIMEOUT_MS = 100;
/** A zygote not ready after this long is stuck: killed and replaced. */
export const SETUP_TIMEOUT_MS = 5_000;
/** A run still going after this long gets its pool refilled now; shorter runs refill when they end. Node's
 * spawn() blocks the event loop for a few ms: done at a run's start it would delay the run's own events. */
export const REFILL_DELAY_MS = 50;
/** While refilling is held back by memory pressure, look again this often. */
const PRESSURE_RECHECK_MS = 2_000;

export interface WarmSandboxExit extends SandboxExit {
  /** true when a warm zygote served the run. */
  warm: boolean;
}

export interface StartedSandbox extends Omit<SandboxProcess, 'exited'> {
  exited: Promise<WarmSandboxExit>;
}

export interface ZygoteManagerOptions {
  /** false while pools must not grow (memory pressure, admission.ts poolsMayRefill). */
  mayRefill?: () => boolean;
  /** Pool events for the startup metrics: a run served warm (hit) or cold (miss), a zygote made (refill). */
  onPoolEvent?: (profile: string, event: 'hit' | 'miss' | 'refill') => void;
  acceptTimeoutMs?: number;
  setupTimeoutMs?: number;
  tuning?: PoolTuning;
  /** The helper binary (default: helperPath()). */
  helper?: string;
}

export interface PoolSnapshot {
  profile: string;
  key: string;
  ready: number;
  starting: number;
  min: number;
  max: number;
  target: number;
  heldBack?: string;
}

interface Pool {
  key: string;
  profile: string;
  args: string[];
  bounds: PoolBounds;
  demand: Demand;
  zygotes: Set<Zygote>;
  setupFailures: number;
  lastFailureAt: number | null;
  target: number;
  heldBack?: string;
  timer?: NodeJS.Timeout;
}

export interface SpawnOptions {
  /** The profile's name, for the metrics. */
  profile?: string;
  /** The profile's `pool` (min/max warm zygotes). */
  pool?: Partial<PoolBounds>;
}

export class ZygoteManager {
  private readonly pools = new Map<string, Pool>();
  /** Every zygote alive, pooled or serving a run: dispose() kills them all. */
  private readonly alive = new Set<Zygote>();
  private readonly events = new EventEmitter();
  private disposed = false;
  private readonly acceptTimeoutMs: number;
  private readonly setupTimeoutMs: number;
  private readonly tuning: PoolTuning;
  private readonly helper: string;

  constructor(private readonly options: ZygoteManagerOptions = {}) {
    this.acceptTimeoutMs = options.acceptTimeoutMs ?? ACCEPT_TIMEOUT_MS;
    this.setupTimeoutMs = options.setupTimeoutMs ?? SETUP_TIMEOUT_MS;
    this.tuning = options.tuning ?? DEFAULT_POOL_TUNING;
    this.helper = options.helper ?? helperPath();
    this.events.setMaxListeners(0);
  }

  /** Starts the spec's command: warm when the profile's pool has a ready zygote, cold otherwise. Never throws. */
  spawn(spec: SandboxSpec, options: SpawnOptions = {}): StartedSandbox {
    const setup = this.disposed ? undefined : this.zygoteSetup(spec);
    if (!setup) return coldStart(spec);
    const pool = this.pool(setup.key, setup.args, options);
    pool.demand = recordArrival(pool.demand, performance.now(), this.tuning);
    const zygote = [...pool.zygotes].find((z) => z.usable);
    if (!zygote) {
      this.options.onPoolEvent?.(pool.profile, 'miss');
      const started = coldStart(spec);
      this.refillAfter(pool, started.exited);
      return started;
    }
    this.options.onPoolEvent?.(pool.profile, 'hit');
    pool.zygotes.delete(zygote);
    const started = this.warmStart(zygote, spec, setup.notes);
    this.refillAfter(pool, started.exited);
    return started;
  }

  /** The pools, for the metrics. */
  snapshot(): PoolSnapshot[] {
    return [...this.pools.values()].map((p) => ({
      profile: p.profile,
      key: p.key,
      ready: [...p.zygotes].filter((z) => z.state === 'ready').length,
      starting: [...p.zygotes].filter((z) => z.state === 'starting').length,
      min: p.bounds.min,
      max: p.bounds.max,
      target: p.target,
      ...(p.heldBack ? { heldBack: p.heldBack } : {}),
    }));
  }

  /** Resolves true once the spec's pool has a ready zygote (false after `timeoutMs`). For benchmarks and tests. */
  whenWarm(spec: SandboxSpec, timeoutMs = 5_000): Promise<boolean> {
    const setup = this.zygoteSetup(spec);
    if (!setup) return Promise.resolve(false);
    const has = () => [...(this.pools.get(setup.key)?.zygotes ?? [])].some((z) => z.usable);
    return this.until(has, timeoutMs);
  }

  /** Resolves once no zygote is in setup (so a measurement does not share the CPU with one). */
  whenSettled(timeoutMs = 5_000): Promise<boolean> {
    return this.until(() => [...this.alive].every((z) => z.state !== 'starting'), timeoutMs);
  }

  /** Host pids of every zygote's helper and (when ready) init, for tests and the bench. */
  processes(): { helper: number; init: number; state: string; filterInstalled: boolean }[] {
    return [...this.alive].map((z) => ({ helper: z.pid, init: z.initPid, state: z.state, filterInstalled: z.filterInstalled }));
  }

  /** Kills every zygote, pooled or serving a run. */
  dispose(): void {
    this.disposed = true;
    for (const pool of this.pools.values()) clearTimeout(pool.timer);
    for (const z of this.alive) z.kill('SIGKILL');
  }

  /** The helper arguments of a zygote for this spec, or undefined when the run must be cold. */
  private zygoteSetup(spec: SandboxSpec): { key: string; args: string[]; notes: string[] } | undefined {
    // Learn runs record syscalls through a per-run listener; bare names are resolved by the cold path.
    if ('learnRecording' in spec && spec.learnRecording) return undefined;
    if (spec.argv.length === 0 || !spec.argv[0].includes('/')) return undefined;
    if (!existsSync(this.helper)) return undefined; // the cold path says how to build it
    let policies;
    try {
      policies = compilePolicies(spec); // cached by content: ~0.2 ms
    } catch {
      return undefined; // the cold path reports the profile error (125)
    }
    // Per-run parts (command, environment, wall and CPU time) travel in the request, not the key.
    const args = helperArguments({ ...spec, argv: [], env: {}, timeoutSeconds: undefined, cpuSeconds: undefined }, policies.helperArgs);
    if (args[args.length - 1] === '--') args.pop();
    return { key: args.join('\0'), args, notes: policies.notes };
  }

  private pool(key: string, args: string[], options: SpawnOptions): Pool {
    let pool = this.pools.get(key);
    if (!pool) {
      pool = { key, args, profile: options.profile ?? 'default', bounds: clampBounds(options.pool), demand: NO_DEMAND, zygotes: new Set(), setupFailures: 0, lastFailureAt: null, target: 0 };
      this.pools.set(key, pool);
    } else if (options.pool) {
      pool.bounds = clampBounds(options.pool);
    }
    return pool;
  }

  private warmStart(zygote: Zygote, spec: SandboxSpec, policyNotes: string[]): StartedSandbox {
    const t0 = performance.now();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = new PassThrough();
    let settle!: (exit: WarmSandboxExit) => void;
    const exited = new Promise<WarmSandboxExit>((resolve) => (settle = resolve));
    let target: { kill(signal?: NodeJS.Signals): void } | undefined;
    let pendingKill: NodeJS.Signals | undefined;
    let decided = false;
    let execAt: number | undefined;
    let markExec!: (started: { spawnMs: number; warm: boolean }) => void;
    const execed = new Promise<{ spawnMs: number; warm: boolean }>((resolve) => (markExec = resolve));

    const accept = () => {
      if (decided) return;
      decided = true;
      clearTimeout(timer);
      zygote.passOutput(stdout, stderr);
      stdin.pipe(zygote.stdin);
      target = zygote;
      if (pendingKill) zygote.kill(pendingKill);
      void zygote.exit(t0, () => execAt).then((exit) => settle({ ...exit, notes: [...policyNotes, ...exit.notes], warm: true }));
    };
    const fallBack = (why: string) => {
      if (decided) return;
      decided = true;
      clearTimeout(timer);
      zygote.dropOutput();
      zygote.kill('SIGKILL');
      const coldT0 = performance.now();
      const cold = spawnSandbox(spec);
      cold.stdout.pipe(stdout);
      cold.stderr.pipe(stderr);
      stdin.pipe(cold.stdin);
      target = cold;
      if (pendingKill) cold.kill(pendingKill);
      void cold.execed.then(({ spawnMs }) => markExec({ spawnMs: spawnMs + (coldT0 - t0), warm: false }));
      void cold.exited.then((exit) => settle({ ...exit, spawnMs: exit.spawnMs + (coldT0 - t0), notes: [`${why}: started cold instead`, ...exit.notes], warm: false }));
    };
    const onStatus = (ev: { event: string }) => {
      if (ev.event === 'accepted') accept();
      else if (ev.event === 'exec') {
        execAt = performance.now() - t0;
        markExec({ spawnMs: execAt, warm: true });
      }
    };
    zygote.on('status', onStatus);
    zygote.once('gone', () => {
      zygote.off('status', onStatus);
      if (!decided) fallBack('the warm zygote died before accepting the command');
    });
    // Timers run before I/O callbacks in a loop turn: after a stall the answer may be waiting unread, so the
    // verdict is taken after the poll phase (setImmediate).
    const timer = setTimeout(() => setImmediate(() => fallBack(`the warm zygote did not accept the command within ${this.acceptTimeoutMs} ms`)), this.acceptTimeoutMs);
    zygote.claim({ argv: spec.argv, env: spec.env, timeoutSeconds: spec.timeoutSeconds, cpuSeconds: spec.cpuSeconds });

    return {
      pid: zygote.pid,
      stdout,
      stderr,
      stdin,
      exited,
      execed,
      kill(signal: NodeJS.Signals = 'SIGTERM') {
        if (target) target.kill(signal);
        else pendingKill = signal;
      },
    };
  }

  private startZygote(pool: Pool): void {
    const zygote = new Zygote(this.helper, pool.args);
    pool.zygotes.add(zygote);
    this.alive.add(zygote);
    this.options.onPoolEvent?.(pool.profile, 'refill');
    let becameReady = false;
    const stuck = setTimeout(() => {
      if (zygote.state === 'starting') zygote.kill('SIGKILL'); // counted as a setup failure when it is gone
    }, this.setupTimeoutMs);
    stuck.unref();
    zygote.on('status', (ev: { event: string }) => {
      if (ev.event !== 'ready') return;
      becameReady = true;
      clearTimeout(stuck);
      pool.setupFailures = 0;
      this.events.emit('change');
    });
    zygote.once('gone', () => {
      clearTimeout(stuck);
      this.alive.delete(zygote);
      const wasPooled = pool.zygotes.delete(zygote);
      if (!becameReady) {
        pool.setupFailures++;
        pool.lastFailureAt = performance.now();
      }
      this.events.emit('change');
      if (wasPooled) this.review(pool); // crashed or killed while waiting: replaced (if still wanted)
    });
  }

  /** Reviews the pool when the run ends or after REFILL_DELAY_MS, whichever comes first. */
  private refillAfter(pool: Pool, exited: Promise<unknown>): void {
    let done = false;
    const review = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.review(pool);
    };
    const timer = setTimeout(review, REFILL_DELAY_MS);
    timer.unref();
    void exited.then(() => setImmediate(review)); // after the run's exit has been handled
  }

  /** Applies the pool policy: spawn, retire, and when to look again. */
  private review(pool: Pool): void {
    if (this.disposed || this.pools.get(pool.key) !== pool) return;
    const now = performance.now();
    const ready = [...pool.zygotes].filter((z) => z.state === 'ready');
    const starting = [...pool.zygotes].filter((z) => z.state === 'starting').length;
    const mayRefill = this.options.mayRefill?.() ?? true;
    const plan = planPool({ demand: pool.demand, now, bounds: pool.bounds, ready: ready.length, starting, mayRefill, setupFailures: pool.setupFailures, lastFailureAt: pool.lastFailureAt, tuning: this.tuning });
    pool.target = plan.target;
    pool.heldBack = plan.heldBack;
    for (const z of ready.slice(0, plan.retire)) {
      pool.zygotes.delete(z);
      z.retire();
    }
    for (let i = 0; i < plan.spawn; i++) this.startZygote(pool);
    clearTimeout(pool.timer);
    const wantsMore = plan.target > ready.length - plan.retire + starting + plan.spawn;
    const next = plan.heldBack && wantsMore ? PRESSURE_RECHECK_MS : nextReviewMs(pool.demand, now, this.tuning);
    if (next !== null) {
      pool.timer = setTimeout(() => this.review(pool), next + 1);
      pool.timer.unref();
    } else if (plan.target === 0 && pool.zygotes.size === 0) {
      this.pools.delete(pool.key); // idle and empty: the next run of this profile starts a new pool
    }
  }

  private until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        done(true);
      };
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.events.off('change', check);
        resolve(value);
      };
      const timer = setTimeout(() => done(condition()), timeoutMs);
      this.events.on('change', check);
    });
  }
}

function coldStart(spec: SandboxSpec): StartedSandbox {
  const cold = spawnSandbox(spec);
  return { ...cold, exited: cold.exited.then((exit) => ({ ...exit, warm: false })) };
}

/**
 * Startup metrics: per profile, the spawn latency of cold and warm starts over a sliding window (p50/p95/p99),
 * pool counters, learn runs and spawns deferred or rejected by pressure; plus the most recent runs.
 * Pure bookkeeping: the run manager and the admission gate feed it, the protocol reads snapshots.
 *
 * Without warm zygote pools (PHANTOM_ZYGOTES=0, or a caller that never sets a pool source) every start is cold,
 * pool sizes are 0 and the snapshot says so (`pools: 'cold only'`) instead of showing empty warm figures as if
 * they were measured; with pools (zygoteManager.ts) it says 'pooled' and shows their live sizes.
 */

/** Samples kept per profile and kind for the percentiles. */
export const LATENCY_WINDOW = 256;
/** Runs kept in the recent-runs list. */
export const RECENT_RUNS = 50;

export interface LatencyStats {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** The window's samples in arrival order (ms), for a distribution chart. */
  samples: number[];
}

export interface PoolState {
  size: number;
  min: number;
  max: number;
  hits: number;
  misses: number;
  refills: number;
}

export interface ProfileMetrics {
  profile: string;
  cold: LatencyStats;
  warm: LatencyStats;
  pool: PoolState;
  learnRuns: number;
  deferred: number;
  rejected: number;
}

export interface RecentRun {
  runId: string;
  profile: string;
  /** The command as the user would type it (argv joined). */
  command: string;
  warm: boolean;
  /** Spawn to execve, ms; null when the sandbox never started. */
  startupMs: number | null;
  exitCode: number | null;
  signal: string | null;
  error?: string;
  /** Milliseconds since the epoch when the run ended. */
  endedAt: number;
}

export interface MetricsSnapshot {
  /** 'cold only' when no warm zygote pools serve runs. */
  pools: 'cold only' | 'pooled';
  profiles: ProfileMetrics[];
  recentRuns: RecentRun[];
}

/** Nearest-rank percentile of ascending values (p in 0–100); null for no values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: samples.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), samples: [...samples] };
}

interface ProfileState {
  cold: number[];
  warm: number[];
  pool: PoolState;
  learnRuns: number;
  deferred: number;
  rejected: number;
}

export class StartupMetrics {
  private readonly profiles = new Map<string, ProfileState>();
  private readonly recent: RecentRun[] = [];
  /** The zygote pools' live sizes (zygoteManager.ts snapshot), once pools exist. */
  private poolSource: (() => { profile: string; ready: number; min: number; max: number }[]) | undefined;

  constructor(
    private readonly window = LATENCY_WINDOW,
    private readonly recentMax = RECENT_RUNS,
  ) {}

  /** Records a finished run; its startup counts towards the latencies only when the sandbox started. */
  recordRun(run: RecentRun): void {
    const state = this.state(run.profile);
    if (run.startupMs !== null && Number.isFinite(run.startupMs)) {
      const series = run.warm ? state.warm : state.cold;
      series.push(run.startupMs);
      if (series.length > this.window) series.splice(0, series.length - this.window);
    }
    this.recent.unshift(run);
    if (this.recent.length > this.recentMax) this.recent.length = this.recentMax;
  }

  countDeferred(profile: string): void {
    this.state(profile).deferred++;
  }

  countRejected(profile: string): void {
    this.state(profile).rejected++;
  }

  countLearnRun(profile: string): void {
    this.state(profile).learnRuns++;
  }

  /** For the zygote pool when it exists: a spawn served warm (hit) or cold (miss), a zygote made (refill). */
  countPool(profile: string, event: 'hit' | 'miss' | 'refill'): void {
    const pool = this.state(profile).pool;
    if (event === 'hit') pool.hits++;
    else if (event === 'miss') pool.misses++;
    else pool.refills++;
  }

  /** Warm pools exist: the snapshot says 'pooled' and takes pool sizes from `source` (summed per profile). */
  setPoolSource(source: () => { profile: string; ready: number; min: number; max: number }[]): void {
    this.poolSource = source;
  }

  recentRuns(limit = this.recentMax): RecentRun[] {
    return this.recent.slice(0, limit);
  }

  snapshot(): MetricsSnapshot {
    const profiles = [...this.profiles.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([profile, s]) => ({
        profile,
        cold: latencyStats(s.cold),
        warm: latencyStats(s.warm),
        pool: { ...s.pool },
        learnRuns: s.learnRuns,
        deferred: s.deferred,
        rejected: s.rejected,
      }));
    for (const live of this.poolSource?.() ?? []) {
      const entry = profiles.find((p) => p.profile === live.profile);
      if (!entry) continue;
      entry.pool.size += live.ready;
      entry.pool.min += live.min;
      entry.pool.max += live.max;
    }
    return { pools: this.poolSource ? 'pooled' : 'cold only', profiles, recentRuns: this.recentRuns() };
  }

  private state(profile: string): ProfileState {
    let state = this.profiles.get(profile);
    if (!state) {
      state = { cold: [], warm: [], pool: { size: 0, min: 0, max: 0, hits: 0, misses: 0, refills: 0 }, learnRuns: 0, deferred: 0, rejected: 0 };
      this.profiles.set(profile, state);
    }
    return state;
  }
}

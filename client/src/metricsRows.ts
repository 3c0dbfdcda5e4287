/**
 * The metrics panel's pool table, pure: the runtime's snapshot merged with the pools the workspace's
 * configurations declare, so that a profile's pool shows its bounds (`pool: { min: 1, max: 2 }`) before its first
 * run instead of `max 0`. Shared by the webview and its unit test.
 */
import type { MetricsSnapshot } from '../../runtime/src/protocol';

export interface ConfiguredPool {
  profile: string;
  min: number;
  max: number;
}

export type PoolRow = [profile: string, size: number, min: number, max: number, hits: number, misses: number, refills: number, learnRuns: number, deferred: number, rejected: number];

export function poolRows(metrics: MetricsSnapshot, configured: readonly ConfiguredPool[]): PoolRow[] {
  const rows: PoolRow[] = metrics.profiles.map((p) => {
    const declared = configured.find((c) => c.profile === p.profile);
    // No live pool yet (it is made at the first warm-able spawn): the declared bounds, not zeros.
    const bounds = p.pool.max === 0 && declared ? declared : p.pool;
    return [p.profile, p.pool.size, bounds.min, bounds.max, p.pool.hits, p.pool.misses, p.pool.refills, p.learnRuns, p.deferred, p.rejected];
  });
  for (const c of configured) {
    if (!rows.some((r) => r[0] === c.profile)) rows.push([c.profile, 0, c.min, c.max, 0, 0, 0, 0, 0, 0]);
  }
  return rows;
}

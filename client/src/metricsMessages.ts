/**
 * The messages between the metrics panel (client/src/metricsPanel.ts) and its webview (client/media/metrics.ts),
 * defined once here as tagged objects; both sides import these types.
 */
import type { MetricsSnapshot, PsiResource } from '../../runtime/src/protocol';

/** One PSI reading as the charts plot it: avg10 of `some` and `full` per resource (full may be absent for cpu). */
export interface PressurePoint {
  /** Seconds since the epoch (uPlot's time axis unit). */
  t: number;
  some: Record<PsiResource, number>;
  full: Record<PsiResource, number | null>;
}

/** Status-bar thresholds, drawn on the charts as reference lines. */
export interface PressureThresholds {
  warning: number;
  critical: number;
}

/** extension → webview */
export type ToWebview =
  | { type: 'init'; windowSeconds: number; history: PressurePoint[]; thresholds: PressureThresholds; metrics: MetricsSnapshot | null; unavailable: string | null }
  | { type: 'pressure'; point: PressurePoint }
  | { type: 'metrics'; metrics: MetricsSnapshot }
  | { type: 'unavailable'; reason: string };

/** webview → extension */
export type FromWebview = { type: 'ready' } | { type: 'refresh' };

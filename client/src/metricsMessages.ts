/**
 * The messages between the metrics panel (client/src/metricsPanel.ts) and its webview (client/media/metrics.ts),
 * defined once here as tagged objects; both sides import these types.
 */
import type { MetricsSnapshot, PsiResource } from '../../runtime/src/protocol';
import type { ConfiguredPool } from './metricsRows';
import type { PressureLines } from './pressureLines';

/** One PSI reading as the charts plot it: avg10 of `some` and `full` per resource (full may be absent for cpu). */
export interface PressurePoint {
  /** Seconds since the epoch (uPlot's time axis unit). */
  t: number;
  some: Record<PsiResource, number>;
  full: Record<PsiResource, number | null>;
}

/** The status bar's colour thresholds (settings phantom.pressure.*); the charts draw the admission levels instead. */
export interface PressureThresholds {
  warning: number;
  critical: number;
}

/** What the workspace's configuration declares: the admission levels drawn on the charts, and the pools. */
export interface Configured {
  lines: PressureLines;
  /** Where the levels come from (a phantom-fragment.yaml, or the built-in defaults). */
  linesSource: string;
  pools: ConfiguredPool[];
}

/** What the recent runs refused: runId → "2 refused: mkdir "/ws/out" (job.seccomp.json:2) · …" (client/src/denialReport.ts). */
export type RunDenialSummaries = Record<string, string>;

/** extension → webview */
export type ToWebview =
  | { type: 'init'; windowSeconds: number; history: PressurePoint[]; configured: Configured; metrics: MetricsSnapshot | null; denials: RunDenialSummaries; unavailable: string | null }
  | { type: 'pressure'; point: PressurePoint }
  | { type: 'metrics'; metrics: MetricsSnapshot; configured: Configured; denials: RunDenialSummaries }
  | { type: 'unavailable'; reason: string };

/** webview → extension */
export type FromWebview = { type: 'ready' } | { type: 'refresh' };

/**
 * The metrics panel's webview script (bundled with uPlot into dist/webview/metrics.js by
 * scripts/build-webview.mjs). Talks only to the extension, with the messages of client/src/metricsMessages.ts.
 * Builds the DOM with textContent only: commands and errors in the runs table are data, never markup.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './metrics.css';
import type { Configured, FromWebview, PressurePoint, RunDenialSummaries, ToWebview } from '../src/metricsMessages';
import { poolRows } from '../src/metricsRows';
import type { MetricsSnapshot, PsiResource } from '../../runtime/src/protocol';

declare function acquireVsCodeApi(): { postMessage(message: FromWebview): void };
const vscode = acquireVsCodeApi();

const RESOURCES: PsiResource[] = ['cpu', 'memory', 'io'];
const TITLES: Record<PsiResource, string> = { cpu: 'CPU', memory: 'Memory', io: 'IO' };

/** Theme colours from VS Code's CSS variables, with fallbacks for a missing variable. */
function themeColour(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

const app = document.getElementById('app')!;
const banner = el('p', { class: 'banner', 'data-testid': 'psi-unavailable', hidden: '' });
const psiSection = el('section');
const latencySection = el('section');
const poolSection = el('section');
const runsSection = el('section');
app.append(el('h1', {}, 'Phantom Metrics'), banner, psiSection, latencySection, poolSection, runsSection);

let windowSeconds = 600;
let configured: Configured = { lines: { cpu: [], memory: [], io: [] }, linesSource: 'the built-in defaults', pools: [] };
let linesKey = '';
const points: PressurePoint[] = [];
const psiCharts = new Map<PsiResource, uPlot>();
let latencyChart: uPlot | undefined;
let latencyKey = '';

function width(): number {
  return Math.max(300, app.clientWidth - 8);
}

function axes(): uPlot.Axis[] {
  const stroke = themeColour('--vscode-foreground', '#ccc');
  const grid = { stroke: themeColour('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)'), width: 1 };
  const font = `11px ${themeColour('--vscode-font-family', 'sans-serif')}`;
  return [
    { stroke, grid, ticks: grid, font },
    { stroke, grid, ticks: grid, font, size: 50 },
  ];
}

// ---- PSI charts ------------------------------------------------------------------------------------------

function psiData(resource: PsiResource): uPlot.AlignedData {
  const t = points.map((p) => p.t);
  // One flat series per admission level that defers or rejects spawns (orchestrator.pressure).
  return [t, points.map((p) => p.some[resource]), points.map((p) => p.full[resource]), ...configured.lines[resource].map((line) => t.map(() => line.percent))];
}

/**
 * The three charts, once there is a sample to draw: before the runtime's first one an empty state says so
 * (uPlot with no data draws a time axis at 1970).
 */
function buildPsiCharts(): void {
  for (const chart of psiCharts.values()) chart.destroy();
  psiCharts.clear();
  linesKey = JSON.stringify(configured.lines);
  psiSection.replaceChildren(el('h2', {}, `Pressure — avg10, last ${Math.round(windowSeconds / 60)} minutes`));
  psiSection.append(el('p', { class: 'note', 'data-testid': 'psi-lines-source' }, `Dashed lines: where new sandboxes are deferred or rejected (${configured.linesSource}).`));
  const grid = el('div', { class: 'charts' });
  psiSection.append(grid);
  for (const resource of RESOURCES) {
    const box = el('div', { class: 'chart', 'data-testid': `psi-chart-${resource}` });
    grid.append(box);
    if (points.length === 0) {
      box.append(el('p', { class: 'empty', 'data-testid': 'psi-waiting' }, `${TITLES[resource]}: waiting for the first pressure sample from the runtime…`));
      continue;
    }
    const options: uPlot.Options = {
      title: TITLES[resource],
      width: width(),
      height: 160,
      // Always the whole window, ending at the newest point: the charts do not stretch a short history.
      scales: { x: { time: true, range: (_u, _min, max) => [max - windowSeconds, max] }, y: { range: (_u, _min, max) => [0, Math.max(10, Math.ceil(max * 1.1))] } },
      axes: axes(),
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      series: [
        {},
        { label: 'some %', stroke: themeColour('--vscode-charts-blue', '#3794ff'), width: 1.5, fill: 'rgba(55,148,255,0.12)' },
        { label: 'full %', stroke: themeColour('--vscode-charts-purple', '#b180d7'), width: 1.5 },
        ...configured.lines[resource].map((line) => ({
          label: line.label,
          stroke: line.action === 'reject' ? themeColour('--vscode-charts-red', '#f14c4c') : themeColour('--vscode-charts-yellow', '#cca700'),
          dash: [4, 4],
          width: 1,
          points: { show: false },
        })),
      ],
    };
    psiCharts.set(resource, new uPlot(options, psiData(resource), box));
  }
}

function addPoint(point: PressurePoint): void {
  points.push(point);
  const oldest = point.t - windowSeconds;
  while (points.length > 0 && points[0].t < oldest) points.shift();
  if (psiCharts.size === 0) buildPsiCharts(); // the first sample replaces the empty state
  else for (const [resource, chart] of psiCharts) chart.setData(psiData(resource));
}

function setConfigured(next: Configured): void {
  configured = next;
  if (JSON.stringify(next.lines) !== linesKey) buildPsiCharts();
}

// ---- Startup latency, pools, runs -----------------------------------------------------------------------

/** Quantile curve: x = percentile 0–100, y = latency (ms) — the distribution of one profile's starts. */
function quantiles(samples: number[]): number[] {
  const sorted = [...samples].sort((a, b) => a - b);
  return Array.from({ length: 101 }, (_, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
}

function table(testid: string, headers: string[], rows: (string | number)[][], empty: string): HTMLElement {
  if (rows.length === 0) return el('p', { class: 'empty', 'data-testid': testid }, empty);
  const t = el('table', { 'data-testid': testid });
  const head = el('tr');
  for (const h of headers) head.append(el('th', {}, h));
  t.append(el('thead'), el('tbody'));
  t.tHead!.append(head);
  for (const row of rows) {
    const tr = el('tr');
    for (const cell of row) tr.append(el('td', {}, String(cell)));
    t.tBodies[0].append(tr);
  }
  return t;
}

const ms = (v: number | null) => (v === null ? '—' : v.toFixed(1));

function renderMetrics(metrics: MetricsSnapshot, denials: RunDenialSummaries): void {
  const series = metrics.profiles.flatMap((p) =>
    (['cold', 'warm'] as const).filter((kind) => p[kind].count > 0).map((kind) => ({ label: `${p.profile} ${kind}`, samples: p[kind].samples, kind })),
  );
  latencySection.replaceChildren(el('h2', {}, 'Spawn latency per profile (spawn → execve)'));
  const palette = ['--vscode-charts-blue', '--vscode-charts-green', '--vscode-charts-orange', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
  const box = el('div', { class: 'chart', 'data-testid': 'latency-chart' });
  latencySection.append(box);
  const key = series.map((s) => s.label).join('|');
  if (series.length === 0) {
    latencyChart?.destroy();
    latencyChart = undefined;
    box.append(el('p', { class: 'empty' }, 'No runs yet: run a file in a sandbox to see its startup latency.'));
  } else {
    const data: uPlot.AlignedData = [Array.from({ length: 101 }, (_, i) => i), ...series.map((s) => quantiles(s.samples))];
    if (!latencyChart || key !== latencyKey) {
      latencyChart?.destroy();
      latencyChart = new uPlot(
        {
          width: width(),
          height: 180,
          scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
          axes: [
            { ...axes()[0], label: 'percentile of starts', values: (_u, ticks) => ticks.map((v) => `p${v}`) },
            { ...axes()[1], label: 'ms' },
          ],
          series: [{ label: 'percentile' }, ...series.map((s, i) => ({ label: s.label, stroke: themeColour(palette[i % palette.length], '#3794ff'), width: 1.5, dash: s.kind === 'warm' ? [6, 3] : undefined }))],
        },
        data,
        box,
      );
      latencyKey = key;
    } else {
      box.append(latencyChart.root);
      latencyChart.setData(data);
    }
  }
  latencySection.append(
    table(
      'latency-table',
      ['profile', 'kind', 'starts', 'p50 ms', 'p95 ms', 'p99 ms'],
      metrics.profiles.flatMap((p) => (['cold', 'warm'] as const).map((kind) => [p.profile, kind, p[kind].count, ms(p[kind].p50), ms(p[kind].p95), ms(p[kind].p99)])),
      'No starts recorded yet.',
    ),
  );

  poolSection.replaceChildren(el('h2', {}, 'Pools'));
  if (metrics.pools === 'cold only') poolSection.append(el('p', { class: 'note' }, 'Cold starts only: warm zygote pools are turned off (PHANTOM_ZYGOTES=0), so every start is cold.'));
  poolSection.append(
    table(
      'pool-table',
      ['profile', 'size', 'min', 'max', 'hits', 'misses', 'refills', 'learn runs', 'deferred', 'rejected'],
      poolRows(metrics, configured.pools),
      'No profile has run yet.',
    ),
  );

  runsSection.replaceChildren(el('h2', {}, 'Recent runs'));
  runsSection.append(
    table(
      'recent-runs',
      ['ended', 'profile', 'command', 'start', 'startup ms', 'exit', 'refused'],
      metrics.recentRuns.map((r) => [
        new Date(r.endedAt).toLocaleTimeString(),
        r.profile,
        r.command,
        r.warm ? 'warm' : 'cold',
        ms(r.startupMs),
        r.error ? `${r.exitCode ?? r.signal ?? '?'} — ${r.error}` : String(r.exitCode ?? r.signal ?? '?'),
        denials[r.runId] ?? '—',
      ]),
      'No runs yet.',
    ),
  );
}

// ---- Messages --------------------------------------------------------------------------------------------

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      windowSeconds = message.windowSeconds;
      configured = message.configured;
      points.splice(0, points.length, ...message.history);
      buildPsiCharts();
      setUnavailable(message.unavailable);
      if (message.metrics) renderMetrics(message.metrics, message.denials);
      break;
    case 'pressure':
      setUnavailable(null);
      addPoint(message.point);
      break;
    case 'metrics':
      setConfigured(message.configured);
      renderMetrics(message.metrics, message.denials);
      break;
    case 'unavailable':
      setUnavailable(message.reason);
      break;
  }
});

function setUnavailable(reason: string | null): void {
  banner.hidden = reason === null;
  banner.textContent = reason ?? '';
}

new ResizeObserver(() => {
  for (const chart of psiCharts.values()) chart.setSize({ width: width(), height: 160 });
  latencyChart?.setSize({ width: width(), height: 180 });
}).observe(app);

vscode.postMessage({ type: 'ready' });

/**
 * "Phantom Metrics": one webview panel (createOrShow/dispose) with live PSI charts of the last 10 minutes,
 * spawn-latency distributions per profile, pool state and the recent runs. The webview script and styles are
 * bundled into dist/webview (scripts/build-webview.mjs), the only folder the webview may load from; a strict
 * content-security policy allows only that folder's styles and the one script carrying this page's nonce.
 * Messages both ways are the tagged objects of metricsMessages.ts.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import path from 'node:path';
import type { PressureSample } from '../../runtime/src/protocol';
import type { Configured, FromWebview, PressurePoint, RunDenialSummaries, ToWebview } from './metricsMessages';
import { admissionLines } from './pressureLines';
import { configFor } from './profilePick';
import type { RuntimeClient } from './runtimeClient';

/** Seconds of PSI history the charts show. */
export const HISTORY_SECONDS = 600;

export function toPoint(sample: Extract<PressureSample, { available: true }>): PressurePoint {
  const s = sample.system;
  return {
    t: sample.at / 1000,
    some: { cpu: s.cpu.some.avg10, memory: s.memory.some.avg10, io: s.io.some.avg10 },
    full: { cpu: s.cpu.full?.avg10 ?? null, memory: s.memory.full?.avg10 ?? null, io: s.io.full?.avg10 ?? null },
  };
}

/** The last 10 minutes of samples, kept from activation so the panel has history the moment it opens. */
export class PressureHistory implements vscode.Disposable {
  readonly points: PressurePoint[] = [];
  unavailable: string | null = null;
  private readonly subscription: vscode.Disposable;
  private readonly listeners = new Set<(message: ToWebview) => void>();

  constructor(runtime: RuntimeClient) {
    this.subscription = runtime.onPressure((sample) => {
      if (!sample.available) {
        this.unavailable = sample.reason;
        this.emit({ type: 'unavailable', reason: sample.reason });
        return;
      }
      this.unavailable = null;
      const point = toPoint(sample);
      this.points.push(point);
      const oldest = point.t - HISTORY_SECONDS;
      let drop = 0;
      while (drop < this.points.length && this.points[drop].t < oldest) drop++;
      if (drop > 0) this.points.splice(0, drop);
      this.emit({ type: 'pressure', point });
    });
  }

  onMessage(listener: (message: ToWebview) => void): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  private emit(message: ToWebview): void {
    for (const listener of this.listeners) listener(message);
  }

  dispose(): void {
    this.subscription.dispose();
    this.listeners.clear();
  }
}

export class MetricsPanel {
  static readonly viewType = 'phantom.metrics';
  private static current: MetricsPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];

  /** One panel per window (the webview sample's shape); the history is the context's, kept from activation. */
  static createOrShow(extensionUri: vscode.Uri, runtime: RuntimeClient, history: PressureHistory, denials: () => RunDenialSummaries = () => ({})): void {
    const column = vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One;
    if (MetricsPanel.current) {
      MetricsPanel.current.panel.reveal(column);
      return;
    }
    const panel = vscode.window.createWebviewPanel(MetricsPanel.viewType, 'Phantom Metrics', column, {
      enableScripts: true,
      // Charts keep their canvases and 10 minutes of points while hidden: cheaper than rebuilding on every show.
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    });
    MetricsPanel.current = new MetricsPanel(panel, extensionUri, runtime, history, denials);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly runtime: RuntimeClient,
    private readonly history: PressureHistory,
    /** What the recent runs refused (the context's RunDenialLog). */
    private readonly denials: () => RunDenialSummaries,
  ) {
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: FromWebview) => this.receive(message)),
      history.onMessage((message) => this.post(message)),
      runtime.onRunEnded(() => void this.sendMetrics()),
      runtime.onDidChangeState((state) => {
        if (state === 'running') void this.sendMetrics();
      }),
    );
  }

  private receive(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        // Also after a reload of the webview: it starts empty, so it gets everything again.
        void this.sendInit();
        break;
      case 'refresh':
        void this.sendMetrics();
        break;
    }
  }

  private async sendInit(): Promise<void> {
    this.post({
      type: 'init',
      windowSeconds: HISTORY_SECONDS,
      history: this.history.points,
      configured: await this.configured(),
      metrics: await this.metrics(),
      denials: this.denials(),
      unavailable: this.history.unavailable,
    });
  }

  private async sendMetrics(): Promise<void> {
    const metrics = await this.metrics();
    if (metrics) this.post({ type: 'metrics', metrics, configured: await this.configured(), denials: this.denials() });
  }

  /**
   * The admission levels of the first folder's phantom-fragment.yaml (what really defers or rejects a spawn there;
   * the defaults without one) and the pools every folder's configuration declares.
   */
  private async configured(): Promise<Configured> {
    const configs = (vscode.workspace.workspaceFolders ?? []).flatMap((f) => {
      const config = configFor(f.uri.fsPath);
      return config ? [{ config, folder: f.uri.fsPath }] : [];
    });
    const empty: Configured = { lines: { cpu: [], memory: [], io: [] }, linesSource: 'unknown (the runtime is not running)', pools: [] };
    if (!this.runtime.running) return empty;
    try {
      const rules = await this.runtime.pressureRules(configs[0]?.config);
      const pools = [];
      for (const { config, folder } of configs) {
        const { profiles } = await this.runtime.profiles({ config, workspaceFolder: folder });
        pools.push(...profiles.map((p) => ({ profile: p.name, min: p.pool.min, max: p.pool.max })));
      }
      const source = rules.source === 'defaults' ? 'the built-in defaults' : `orchestrator.pressure of ${path.basename(path.dirname(rules.source))}/${path.basename(rules.source)}`;
      return { lines: admissionLines(rules.rules), linesSource: rules.error ? `${source} (${rules.error})` : source, pools };
    } catch {
      return empty; // the runtime is restarting: the next refresh has them
    }
  }

  private async metrics() {
    try {
      return this.runtime.running ? await this.runtime.metrics() : null;
    } catch {
      return null; // the runtime is restarting: the next state change or run refreshes the figures
    }
  }

  private post(message: ToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private html(): string {
    const webview = this.panel.webview;
    const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', file));
    const nonce = randomBytes(16).toString('base64');
    // Nothing inline and nothing remote: styles from dist/webview, and only the script carrying the nonce.
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link href="${media('metrics.css')}" rel="stylesheet">
  <title>Phantom Metrics</title>
</head>
<body>
  <main id="app" data-testid="metrics-app"></main>
  <script nonce="${nonce}" src="${media('metrics.js')}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (MetricsPanel.current !== this) return; // already disposed (panel.dispose() fires onDidDispose again)
    MetricsPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

/**
 * The pressure item of the status bar: `CPU 3% · MEM 0% · IO 1%` (avg10 `some`, rounded), a warning or error
 * background from the thresholds, a tooltip with every figure, a click opens the metrics panel.
 * Redrawn by one function (render) from the last known sample, and only the parts that changed are assigned,
 * so the item does not flicker. Hidden until the first sample and whenever PSI is unavailable.
 * When the runtime could not be kept running (RuntimeClient state 'failed') the same item says so instead —
 * `$(warning) Phantom: runtime failed — show log` on a warning background, the runtime's own error in the
 * tooltip with a Restart link, a click shows the log — until the runtime runs again.
 */
import * as vscode from 'vscode';
import type { PressureSample, PsiLine, PsiResource } from '../../runtime/src/protocol';
import { config } from './config';
import type { PressureThresholds } from './metricsMessages';
import type { RuntimeClient } from './runtimeClient';

export const PRESSURE_ITEM_ID = 'phantom.pressure';
const LABELS: Record<PsiResource, string> = { cpu: 'CPU', memory: 'MEM', io: 'IO' };

/** `phantom.pressure.warning` / `phantom.pressure.critical` (percent of avg10 `some`), read when the item draws. */
export function pressureThresholds(): PressureThresholds {
  return config.pressureThresholds();
}

export type PressureLevelName = 'ok' | 'warning' | 'critical';

/** The worst level among the three avg10 `some` figures. */
export function worstLevel(figures: Record<PsiResource, number>, thresholds: PressureThresholds): PressureLevelName {
  const worst = Math.max(figures.cpu, figures.memory, figures.io);
  return worst >= thresholds.critical ? 'critical' : worst >= thresholds.warning ? 'warning' : 'ok';
}

export function statusText(figures: Record<PsiResource, number>): string {
  return `CPU ${Math.round(figures.cpu)}% · MEM ${Math.round(figures.memory)}% · IO ${Math.round(figures.io)}%`;
}

function tooltipMarkdown(sample: Extract<PressureSample, { available: true }>, thresholds: PressureThresholds, level: PressureLevelName): string {
  const cells = (line: PsiLine | undefined) => (line ? `${line.avg10.toFixed(2)} | ${line.avg60.toFixed(2)} | ${line.avg300.toFixed(2)}` : '— | — | —');
  const rows = (Object.keys(LABELS) as PsiResource[]).map((r) => `| ${LABELS[r]} | ${cells(sample.system[r].some)} | ${cells(sample.system[r].full)} |`);
  return [
    `**Phantom — pressure stall information** (${level === 'ok' ? 'normal' : level})`,
    '',
    '| | some avg10 | avg60 | avg300 | full avg10 | avg60 | avg300 |',
    '|:--|--:|--:|--:|--:|--:|--:|',
    ...rows,
    '',
    `Percent of wall time in which some (or all) tasks stalled. Warning from ${thresholds.warning}%, critical from ${thresholds.critical}% (settings \`phantom.pressure.warning\` / \`critical\`).`,
    '',
    '[Open metrics](command:phantom.showMetrics) · [Settings](command:workbench.action.openSettings?%5B%22phantom.pressure%22%5D)',
  ].join('\n');
}

export class PressureStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];
  private last: PressureSample | undefined;
  /** What is on screen now: render assigns only what differs. */
  private drawn = { visible: false, text: '', level: 'ok' as PressureLevelName | 'failed', tooltip: '', command: 'phantom.showMetrics' };

  constructor(private readonly runtime: RuntimeClient) {
    this.item = vscode.window.createStatusBarItem(PRESSURE_ITEM_ID, vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Phantom Pressure';
    this.item.command = 'phantom.showMetrics';
    this.subscriptions.push(
      runtime.onPressure((sample) => {
        this.last = sample;
        this.render();
      }),
      runtime.onDidChangeState(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('phantom.pressure')) this.render();
      }),
    );
    void this.subscribe();
  }

  private async subscribe(): Promise<void> {
    try {
      const subscription = await this.runtime.subscribePressure();
      if (!subscription.available) {
        this.last = { available: false, reason: subscription.reason ?? 'PSI unavailable' };
        this.render();
      }
    } catch {
      // The runtime is down: RuntimeClient subscribes again when it restarts; the item stays hidden meanwhile.
    }
  }

  /** The one function that draws the item, from the last known sample. */
  private render(): void {
    if (this.runtime.state === 'failed') {
      this.renderFailure(this.runtime.failure ?? 'the Phantom runtime stopped');
      return;
    }
    if (this.drawn.command !== 'phantom.showMetrics') {
      this.item.command = 'phantom.showMetrics';
      this.drawn.command = 'phantom.showMetrics';
    }
    const sample = this.last;
    if (!sample || !sample.available) {
      if (this.drawn.visible) this.item.hide();
      this.drawn.visible = false;
      return;
    }
    const figures = { cpu: sample.system.cpu.some.avg10, memory: sample.system.memory.some.avg10, io: sample.system.io.some.avg10 };
    const thresholds = pressureThresholds();
    const level = worstLevel(figures, thresholds);
    const text = statusText(figures);
    const tooltip = tooltipMarkdown(sample, thresholds, level);
    if (text !== this.drawn.text) this.item.text = text;
    if (level !== this.drawn.level) {
      this.item.backgroundColor = level === 'ok' ? undefined : new vscode.ThemeColor(level === 'critical' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
    }
    if (tooltip !== this.drawn.tooltip) {
      const markdown = new vscode.MarkdownString(tooltip);
      markdown.isTrusted = { enabledCommands: ['phantom.showMetrics', 'workbench.action.openSettings'] };
      this.item.tooltip = markdown;
    }
    if (!this.drawn.visible) this.item.show();
    this.drawn = { visible: true, text, level, tooltip, command: 'phantom.showMetrics' };
  }

  private renderFailure(failure: string): void {
    const text = '$(warning) Phantom: runtime failed — show log';
    const tooltip = [
      '**Phantom — the runtime could not be kept running**',
      '',
      '```',
      failure,
      '```',
      '',
      '[Show log](command:phantom.showLog) · [Restart runtime](command:phantom.restartRuntime)',
    ].join('\n');
    if (text !== this.drawn.text) this.item.text = text;
    if (this.drawn.level !== 'failed') this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    if (tooltip !== this.drawn.tooltip) {
      const markdown = new vscode.MarkdownString(tooltip);
      markdown.isTrusted = { enabledCommands: ['phantom.showLog', 'phantom.restartRuntime'] };
      this.item.tooltip = markdown;
    }
    if (this.drawn.command !== 'phantom.showLog') this.item.command = 'phantom.showLog';
    if (!this.drawn.visible) this.item.show();
    this.drawn = { visible: true, text, level: 'failed', tooltip, command: 'phantom.showLog' };
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}

/**
 * The threshold lines of the metrics panel's pressure charts: the `orchestrator.pressure` levels at which the
 * runtime really holds back (defer) or refuses (reject) a new sandbox, per resource, named by what they do. A
 * level whose action is `ignore` changes nothing, so it gets no line. Pure: shared by the panel and its webview.
 */
import type { PressureRule, PsiResource } from '../../runtime/src/protocol';

export interface PressureLine {
  percent: number;
  action: 'defer' | 'reject';
  level: 'warning' | 'critical';
  /** The legend, e.g. `defers spawns ≥ 20%`. */
  label: string;
}

export type PressureLines = Record<PsiResource, PressureLine[]>;

const RESOURCES: PsiResource[] = ['cpu', 'memory', 'io'];

export function admissionLines(rules: Record<PsiResource, PressureRule>): PressureLines {
  const out = {} as PressureLines;
  for (const resource of RESOURCES) {
    const rule = rules[resource];
    const lines: PressureLine[] = [];
    for (const [level, percent, action] of [
      ['warning', rule.warning, rule.onWarning],
      ['critical', rule.critical, rule.onCritical],
    ] as const) {
      if (action === 'ignore') continue;
      lines.push({ percent, action, level, label: `${action === 'defer' ? 'defers' : 'rejects'} spawns ≥ ${percent}% (${level})` });
    }
    out[resource] = lines;
  }
  return out;
}

/**
 * Typed getters for every setting of package.json `contributes.configuration` (one per key of settingKeys.ts; a test
 * checks the lists agree). The settings that could widen a sandbox or point at code are read from the user's settings
 * only (trustedSettings.ts); the others from every level as VS Code resolves them. Each is read when it is used,
 * so a change is honoured from the next use on: a run reads `phantom.run.*` when it starts, the status bar reads
 * `phantom.pressure.*` when it draws (and redraws on a change), the language client follows `phantom.trace.server`
 * itself; `phantom.runtime.path` restarts the runtime (settingsWatch.ts).
 */
import * as vscode from 'vscode';
import type { NetworkMode } from '../../runtime/src/protocol';
import type { PressureThresholds } from './metricsMessages';
export { runtimeBundle } from './settingKeys';
import { userLevelValue, type RestrictedSetting } from './trustedSettings';

function userLevel<T>(key: RestrictedSetting, fallback: T): T {
  const name = key.slice('phantom.'.length);
  return userLevelValue(vscode.workspace.getConfiguration('phantom').inspect<T>(name), fallback);
}

function anyLevel<T>(key: string, fallback: T): T {
  return vscode.workspace.getConfiguration('phantom').get<T>(key.slice('phantom.'.length), fallback);
}

export type TraceLevel = 'off' | 'messages' | 'verbose';

export const config = {
  /** `phantom.runtime.path`: the runtime bundle; empty for the one shipped with the extension. */
  runtimePath: (): string => userLevel('phantom.runtime.path', ''),
  /** `phantom.run.network`: a run's network when the profile does not say. */
  network: (): NetworkMode => userLevel<NetworkMode>('phantom.run.network', 'none'),
  /** `phantom.run.timeoutSeconds`: a run's wall-time limit. */
  timeoutSeconds: (): number => userLevel('phantom.run.timeoutSeconds', 300),
  /** `phantom.trace.server`: LSP tracing (vscode-languageclient reads it by the client's id, `phantom`). */
  traceServer: (): TraceLevel => anyLevel<TraceLevel>('phantom.trace.server', 'off'),
  /** `phantom.pressure.warning` / `phantom.pressure.critical` (percent of avg10 `some`). */
  pressureThresholds: (): PressureThresholds => ({ warning: anyLevel('phantom.pressure.warning', 20), critical: anyLevel('phantom.pressure.critical', 50) }),
};

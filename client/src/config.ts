/**
 * Typed getters for the extension's settings (package.json `contributes.configuration`). The settings that could
 * widen a sandbox or point at code are read from the user's settings only (trustedSettings.ts).
 */
import * as vscode from 'vscode';
import type { NetworkMode } from '../../runtime/src/protocol';
import { userLevelValue, type RestrictedSetting } from './trustedSettings';

function userLevel<T>(key: RestrictedSetting, fallback: T): T {
  const name = key.slice('phantom.'.length);
  return userLevelValue(vscode.workspace.getConfiguration('phantom').inspect<T>(name), fallback);
}

export const config = {
  runtimePath: (): string => userLevel('phantom.runtime.path', ''),
  network: (): NetworkMode => userLevel<NetworkMode>('phantom.run.network', 'none'),
  timeoutSeconds: (): number => userLevel('phantom.run.timeoutSeconds', 300),
};

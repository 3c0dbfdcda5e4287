/** Typed getters for the extension's settings (package.json `contributes.configuration`). */
import * as vscode from 'vscode';
import type { NetworkMode } from '../../runtime/src/protocol';

function section(scope?: vscode.Uri) {
  return vscode.workspace.getConfiguration('phantom', scope);
}

export const config = {
  runtimePath: (): string => section().get<string>('runtime.path', ''),
  network: (scope?: vscode.Uri): NetworkMode => section(scope).get<NetworkMode>('run.network', 'none'),
  timeoutSeconds: (scope?: vscode.Uri): number => section(scope).get<number>('run.timeoutSeconds', 300),
};

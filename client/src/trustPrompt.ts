/**
 * The editor's side of the approval rule (docs/sandbox.md, "Approval"): before a run whose configuration asks for
 * more than the built-in sandbox gives, a modal dialog lists each widening in plain words — Allow once (this exact
 * policy, this run), Always for this version (the record `phantom trust` makes, kept by the runtime in the user's
 * state folder), Cancel. And the settings a request carries say where their values come from, so that the runtime
 * can ignore a repository's `.vscode/settings.json` when it would widen the sandbox.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { ApprovalStatusRequest, ApproveRequest, type ApprovalStatus, type RunParams, type SettingScope } from '../../runtime/src/protocol';
import type { RuntimeClient } from './runtimeClient';

export const ALLOW_ONCE = 'Allow once';
export const ALWAYS = 'Always for this version';

/** The dialog's text: what is asked, each widening on its line, and what each choice does. */
export function approvalDialog(status: ApprovalStatus): { message: string; detail: string } {
  return {
    message: `Profile '${status.profile}' of ${path.basename(status.config)} asks for more than the built-in sandbox gives`,
    detail: [
      ...status.widenings.map((w) => `\u2022 ${w.text}`),
      '',
      `${status.config}`,
      'Nothing is granted unless you choose. "Always" records your approval of exactly this policy (as `phantom trust` does); any change to the configuration or its files asks again.',
    ].join('\n'),
  };
}

/**
 * Resolves the request to send — with `approvedOnce` after "Allow once" — or undefined when the run must not start
 * (cancelled, refused, or changed while the dialog was open; the user is told). A request without a configuration,
 * or one inside the defaults, is returned as it is, with no dialog.
 */
export async function approveRun(runtime: RuntimeClient, params: RunParams): Promise<RunParams | undefined> {
  if (!params.config) return params;
  let status: ApprovalStatus | null;
  try {
    status = await runtime.request(ApprovalStatusRequest, params);
  } catch {
    return params; // the run itself reports what is wrong, with its exit
  }
  if (!status || status.approved) return params;
  if (status.refused.length) {
    void vscode.window.showErrorMessage(`Phantom: profile '${status.profile}' asks for sensitive host paths, refused even with approval: ${status.refused.join('; ')}`);
    return undefined;
  }
  const { message, detail } = approvalDialog(status);
  const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, ALLOW_ONCE, ALWAYS);
  if (choice === ALLOW_ONCE) return { ...params, approvedOnce: status.hash };
  if (choice !== ALWAYS) return undefined;
  const recorded = await runtime.request(ApproveRequest, { run: params, hash: status.hash });
  if (!recorded.approved) {
    void vscode.window.showWarningMessage(`Phantom: ${path.basename(status.config)} changed while you read it, or approvals cannot be recorded${recorded.storeProblem ? ` (${recorded.storeProblem})` : ''}; nothing was approved.`);
    return undefined;
  }
  return params;
}

/**
 * Where the value sent for each setting comes from: the user's own settings (trusted), the default, or a
 * workspace's settings (the repository's). Decided by the value itself, so it holds however it was read.
 */
export function settingScopes(params: Pick<RunParams, 'network' | 'timeoutSeconds'>, scope?: vscode.Uri): RunParams['settingScopes'] {
  const section = vscode.workspace.getConfiguration('phantom', scope);
  const origin = (key: string, value: unknown): SettingScope | undefined => {
    if (value === undefined) return undefined;
    const i = section.inspect(key);
    if (!i) return 'workspace';
    if ([i.globalValue, i.globalLanguageValue].includes(value)) return 'user';
    if ([i.workspaceFolderValue, i.workspaceFolderLanguageValue].includes(value)) return 'workspaceFolder';
    if ([i.workspaceValue, i.workspaceLanguageValue].includes(value)) return 'workspace';
    // A value none of the levels explains is not taken as the user's.
    return i.defaultValue === value ? 'default' : 'workspace';
  };
  const out: NonNullable<RunParams['settingScopes']> = {};
  const network = origin('run.network', params.network);
  const timeout = origin('run.timeoutSeconds', params.timeoutSeconds);
  if (network) out.network = network;
  if (timeout) out.timeoutSeconds = timeout;
  return out;
}

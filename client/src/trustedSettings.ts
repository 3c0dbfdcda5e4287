/**
 * Settings a workspace may not set. The repository is untrusted (its `.vscode/settings.json` is as much the
 * attacker's as its phantom-fragment.yaml): a setting that could widen a sandbox (network, time limit) or point
 * at code the extension runs (the runtime's path) is read from the user's own settings and the default only,
 * never from the workspace or folder level — in Restricted Mode (VS Code enforces the package.json
 * `restrictedConfigurations` list then) and in a trusted folder alike. Pure: the caller passes what
 * `WorkspaceConfiguration.inspect()` returned.
 */

/** Every `phantom.*` setting read from user level only; package.json `capabilities.untrustedWorkspaces.restrictedConfigurations` lists the same. */
export const RESTRICTED_SETTINGS = ['phantom.runtime.path', 'phantom.run.network', 'phantom.run.timeoutSeconds'] as const;
export type RestrictedSetting = (typeof RESTRICTED_SETTINGS)[number];

/** The fields of `inspect()` that come from the user (or the remote machine) and the default. */
export interface InspectedSetting<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** The user's value, else the default, else `fallback`: workspace and folder values are ignored on purpose. */
export function userLevelValue<T>(inspected: InspectedSetting<T> | undefined, fallback: T): T {
  return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
}

/** Whether the workspace tried to set it (worth a log line: the value is ignored). */
export function workspaceTriedToSet<T>(inspected: InspectedSetting<T> | undefined): boolean {
  return inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined;
}

/**
 * Which profile of the workspace's phantom-fragment.yaml a "Run in Sandbox" uses: the one whose `match` fits
 * the file, else the user picks (the built-in default profile is always one of the choices).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RuntimeClient } from './runtimeClient';

export interface ProfilePick {
  /** The configuration and profile to use; undefined = the built-in default profile. */
  config?: string;
  profile?: string;
  /** The profile's own `run` is the command. */
  profileRuns: boolean;
}

const CONFIG_NAMES = ['phantom-fragment.yaml', 'phantom-fragment.yml'];
const DEFAULT_LABEL = 'Built-in default profile';

export function configFor(folder: string): string | undefined {
  return CONFIG_NAMES.map((n) => path.join(folder, n)).find((f) => fs.existsSync(f));
}

/** undefined when the user cancelled. */
export async function pickProfile(runtime: RuntimeClient, folder: string, file: string): Promise<ProfilePick | undefined> {
  const config = configFor(folder);
  if (!config) return { profileRuns: false };
  const { profiles, error } = await runtime.profiles({ config, file, workspaceFolder: folder });
  if (error) {
    // Running without the project's profile would be weaker than the project asks: say so, let the user choose.
    const choice = await vscode.window.showWarningMessage(
      `Phantom: ${path.basename(config)} cannot be used: ${error}`,
      { modal: false },
      'Open It',
      `Run with the ${DEFAULT_LABEL.toLowerCase()}`,
    );
    if (choice === 'Open It') void vscode.window.showTextDocument(vscode.Uri.file(config));
    return choice?.startsWith('Run') ? { profileRuns: false } : undefined;
  }
  const matching = profiles.filter((p) => p.matches);
  if (matching.length === 1) return { config, profile: matching[0].name, profileRuns: matching[0].hasRun };
  const items: (vscode.QuickPickItem & { name?: string; hasRun?: boolean })[] = [
    ...[...matching, ...profiles.filter((p) => !p.matches)].map((p) => ({
      label: p.name,
      description: p.matches ? 'matches this file' : undefined,
      detail: p.description,
      name: p.name,
      hasRun: p.hasRun,
    })),
    { label: DEFAULT_LABEL, detail: 'All namespaces, no network, system read-only, this folder writable, Docker-like seccomp allowlist' },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Run ${path.basename(file)} in a sandbox`,
    placeHolder: matching.length > 1 ? 'Several profiles match this file: pick one' : 'No profile matches this file: pick one',
  });
  if (!picked) return undefined;
  return picked.name ? { config, profile: picked.name, profileRuns: picked.hasRun ?? false } : { profileRuns: false };
}

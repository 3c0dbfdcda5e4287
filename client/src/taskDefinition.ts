/**
 * The `phantom` task type (package.json `contributes.taskDefinitions`): what a tasks.json entry may say and how it
 * becomes a run request. Pure: the definition and the folder in, the run's fields (or what is wrong) out.
 *
 *   { "type": "phantom", "profile": "python", "file": "${file}", "config": "phantom-fragment.yaml", "command": ["python3", "x.py"] }
 */
import path from 'node:path';

export const TASK_TYPE = 'phantom';

export interface PhantomTaskDefinition {
  type: typeof TASK_TYPE;
  /** A profile of the configuration. */
  profile: string;
  /** The file the profile's `run` gets as `${file}` (relative to the folder, or absolute). */
  file?: string;
  /** The command instead of the profile's `run`. */
  command?: string[];
  /** The configuration, relative to the folder (default: its phantom-fragment.yaml). */
  config?: string;
}

export interface TaskRun {
  config: string;
  profile: string;
  file?: string;
  argv: string[];
  cwd: string;
}

/** A run request for the definition, or a message naming what is wrong and how to fix it. */
export function taskRun(definition: Record<string, unknown>, folder: string, defaultConfig: string | undefined): TaskRun | { error: string } {
  const { profile, file, command, config } = definition;
  if (typeof profile !== 'string' || profile === '') return { error: 'the task has no "profile": name a profile of phantom-fragment.yaml' };
  if (file !== undefined && typeof file !== 'string') return { error: '"file" must be a path (a string)' };
  if (command !== undefined && (!Array.isArray(command) || command.some((c) => typeof c !== 'string'))) {
    return { error: '"command" must be a list of strings, e.g. ["python3", "main.py"]' };
  }
  if (config !== undefined && typeof config !== 'string') return { error: '"config" must be a path (a string)' };
  const configFile = config ? path.resolve(folder, config) : defaultConfig;
  if (!configFile) return { error: `no phantom-fragment.yaml in ${folder}: create one, or name it in the task's "config"` };
  return {
    config: configFile,
    profile,
    file: file ? path.resolve(folder, file) : undefined,
    argv: (command as string[] | undefined) ?? [],
    // The configuration's folder is the run's folder, as for "Run in Sandbox".
    cwd: folder,
  };
}

/** The label of a detected task. */
export function taskLabel(profile: string, configRelative: string): string {
  return configRelative === 'phantom-fragment.yaml' || configRelative === 'phantom-fragment.yml' ? `run profile ${profile}` : `run profile ${profile} (${configRelative})`;
}

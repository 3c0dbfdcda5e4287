/**
 * The language server's LSP extensions, defined once here and imported as types by the client.
 */
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { TextEdit } from 'vscode-languageserver-types';
import type { Denial, DenialEdit } from '../../model/types';

export interface KernelLandlockAbiParams {
  /** The Landlock ABI the runtime probed on this kernel; 0 when Landlock is unavailable, null when unknown. */
  abi: number | null;
}

/**
 * client → server: the running kernel's Landlock ABI changed or became known (the runtime probes it
 * after start). The server revalidates open Landlock profiles against it. The same value may also be
 * given at start as `initializationOptions.kernelLandlockAbi`.
 */
export const kernelLandlockAbiNotification = new NotificationType<KernelLandlockAbiParams>('phantom/kernelLandlockAbi');

export interface LearnedUsageParams {
  /** The seccomp profile the learn run was for. */
  uri: string;
  /** Every syscall name the last learn run used (all runs merged). An empty list with runs 0 clears it. */
  names: string[];
  runs: number;
  /** The command learned from, for the diagnostics' message. */
  command: string;
}

/**
 * client → server: a learn run ended for a profile (learn mode, server/src/learnedUsage.ts). The server then
 * marks the profile's allowed syscalls that run never used (information, with a quick fix to drop each).
 */
export const learnedUsageNotification = new NotificationType<LearnedUsageParams>('phantom/learnedUsage');

/** A refusal of a sandboxed run, and its fix as a structured change (`file` absolute): the model's types, which
 * the runtime protocol sends as they are (model/src/denialTypes.ts). */
export type RunDenial = Denial;
export type RunDenialEdit = DenialEdit;

export interface RunDenialsParams {
  /** Names what the run ran under (configuration + profile, or profile files): the next run with the same key replaces these. */
  run: string;
  /** What ran, for the messages: the command (`python3 hello.py`), or the profile and file (`profile job on job.sh`). */
  command: string;
  /** Every denial of the run (`source.file` absolute); expected ones and those without a file are not shown. */
  denials: RunDenial[];
}

/**
 * client → server: a sandboxed run ended (server/src/runDenials.ts). The server shows each of its denials as a
 * warning on the profile line that refused it, with the fix as a quick fix, until the next run under the same key.
 */
export const runDenialsNotification = new NotificationType<RunDenialsParams>('phantom/runDenials');

export interface LearnedRightsParams {
  /** The Landlock profile the learn run was for. */
  uri: string;
  /** What the last learn run used: absolute path (as the sandbox saw it) → Landlock rights; TCP port → rights. */
  paths: Record<string, string[]>;
  ports: Record<string, string[]>;
  /** The folder the learn run ran in: `${workspaceFolder}` (as the proposal declares it) and relative parents. */
  workspace: string;
  /** Recorded runs; 0 clears what is known for `uri`. */
  runs: number;
  /** The command learned from, for the diagnostics' message. */
  command: string;
}

/**
 * client → server: a Landlock learn run ended for a profile (server/src/learnedRights.ts). The server then marks
 * the rights of the profile's rules that the run never used (information, with a quick fix to drop each).
 */
export const learnedRightsNotification = new NotificationType<LearnedRightsParams>('phantom/learnedRights');

export interface ProfileReferenceParams {
  /** phantom-fragment.yaml's current text (the client's open document). */
  text: string;
  uri: string;
  profile: string;
  /** The profile's key to set, and the file it names (relative to the configuration's folder). */
  key: 'seccomp' | 'landlock';
  file: string;
}

/**
 * client → server: the edit that makes `profiles.<profile>.<key>` name `file` in a configuration's text (a learned
 * profile file created for a profile that had none), computed on the parsed YAML (server/src/profileReference.ts);
 * null when the layout is not one it can edit (then the client says so and the user adds the line).
 */
export const profileReferenceRequest = new RequestType<ProfileReferenceParams, TextEdit[] | null, void>('phantom/profileReference');

/** `initializationOptions` the server understands. */
export interface InitializationOptions {
  kernelLandlockAbi?: number | null;
}

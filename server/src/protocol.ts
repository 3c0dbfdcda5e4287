/**
 * The language server's LSP extensions, defined once here and imported as types by the client.
 */
import { NotificationType } from 'vscode-jsonrpc';

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

/** `initializationOptions` the server understands. */
export interface InitializationOptions {
  kernelLandlockAbi?: number | null;
}

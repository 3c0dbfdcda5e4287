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

/** `initializationOptions` the server understands. */
export interface InitializationOptions {
  kernelLandlockAbi?: number | null;
}

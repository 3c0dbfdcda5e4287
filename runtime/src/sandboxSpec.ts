/** A run request → the helper's sandbox spec: resolves the command and fills the defaults. One place for both
 * the JSON-RPC runtime and the CLI. */
import type { RunParams } from './protocol';
import { resolveCommand } from './commandResolution';
import { sandboxEnvironment } from './sandboxEnvironment';
import type { SandboxSpec } from './sandboxSpawn';

/** Default wall-time limit of a run, seconds (docs/sandbox.md). */
export const DEFAULT_TIMEOUT_SECONDS = 300;

export interface PreparedRun {
  spec: SandboxSpec;
  /** What was granted beyond the request (e.g. an interpreter's folder), for the user to see. */
  notes: string[];
}

/** Policy fields a run request may carry (the lead adds them to RunParams; read here when present). */
export interface RunPolicyParams {
  /** Seccomp profile file; absent = the built-in default profile. */
  seccompProfile?: string;
  /** Landlock profile file; absent = the default ruleset matching the filesystem view. */
  landlockProfile?: string;
  /** Skip and report what the kernel cannot apply instead of failing the run. */
  bestEffort?: boolean;
}

/** Throws with a clear message when the command cannot be found. `limits` (the CLI's flags) override the request. */
export function sandboxSpecFor(params: RunParams & RunPolicyParams, limits: Partial<SandboxSpec> = {}): PreparedRun {
  // Resolve from the run's folder, knowing what the sandbox will show anyway (no needless grants).
  const resolved = resolveCommand(params.argv[0], {
    cwd: params.cwd,
    visible: [params.cwd, ...(params.readOnly ?? []), ...(params.readWrite ?? [])],
  });
  const policy: RunPolicyParams = {
    seccompProfile: limits.seccompProfile ?? params.seccompProfile,
    landlockProfile: limits.landlockProfile ?? params.landlockProfile,
    bestEffort: limits.bestEffort ?? params.bestEffort,
  };
  return {
    spec: {
      ...limits,
      ...policy,
      argv: [resolved.path, ...params.argv.slice(1)],
      cwd: params.cwd,
      env: sandboxEnvironment(params.env, resolved.pathDirs),
      network: params.network ?? 'none',
      readOnly: [...resolved.readOnly, ...(params.readOnly ?? [])],
      readWrite: params.readWrite ?? [],
      timeoutSeconds: params.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    },
    notes: resolved.notes,
  };
}

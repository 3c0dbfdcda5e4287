/** A run request → the helper's sandbox spec: resolves the command and fills the defaults. One place for both
 * the JSON-RPC runtime and the CLI. */
import path from 'node:path';
import type { RunParams } from '../protocol';
import { resolveCommand, type ResolvedCommand } from './commandResolution';
import { sandboxEnvironment } from './sandboxEnvironment';
import type { SandboxSpec } from './sandboxSpawn';
import type { RunOrigin } from '../denials/denialSources';
import { covers, resolveProfileRun } from '../policy/profileRun';
import { kernelLandlockAbi } from './sandboxPolicy';
import { ProfileLoadError } from '../../../model';
import { ApprovalNeededError, approvalStatus, approve, assertStoreUnreachable, repositoryAsks, withoutWorkspaceSettings } from '../trust/approvalGate';
import type { ApprovalStatus } from '../protocol';
import os from 'node:os';
import { effectiveLimits } from '../../../model';
import { protectedPaths } from './protectedPaths';

/** Default wall-time limit of a run, seconds (docs/sandbox.md). */
export const DEFAULT_TIMEOUT_SECONDS = 300;

export interface PreparedRun {
  spec: SandboxSpec;
  /** The command as the request or the profile's `run` gave it (before PATH resolution): what the metrics show. */
  command: string[];
  /** The profile's warm-zygote bounds (phantom-fragment.yaml `pool`), when the run uses a profile. */
  pool?: { min: number; max: number };
  /** What was granted beyond the request (e.g. an interpreter's folder), for the user to see. */
  notes: string[];
  /** What the configuration asks beyond the defaults, when it does (approved, or the run would have thrown). */
  approval?: ApprovalStatus;
  /** Records the user's approval of `approval` (phantom trust, the editor's "Always"). */
  approve?: () => void;
  /** Most bytes of output (stdout and stderr together) before the run is stopped (outputLimit.ts). */
  outputBytes: number;
  /** What decided the run's settings, for denials to name it (denialSources.ts). */
  origin: RunOrigin;
}

/** Throws with a clear message when the command cannot be found or a profile cannot be used. `limits` (the CLI's flags)
 * override the request, and the request's own fields narrow or override its profile's. A configuration wider than the
 * built-in default throws ApprovalNeededError until the user approved it (approvalGate.ts); `check: 'status'` returns
 * the approval status instead of throwing, for the editor's dialog. */
export function sandboxSpecFor(given: RunParams, limits: Partial<SandboxSpec> = {}, check: 'enforce' | 'status' = 'enforce'): PreparedRun {
  // The editor's settings from a workspace's .vscode/settings.json are the repository's: they may not widen.
  const { params, notes: settingNotes } = withoutWorkspaceSettings(given, DEFAULT_TIMEOUT_SECONDS);
  const profile = params.config
    ? resolveProfileRun({ config: params.config, profile: params.profile, file: params.file, workspaceFolder: params.cwd })
    : undefined;
  const argv = params.argv.length > 0 ? params.argv : (profile?.run() ?? []);
  if (argv.length === 0) {
    throw new ProfileLoadError(profile ? `profile '${profile.profile}' has no run command: give one, or add run: [...] to it` : 'no command to run');
  }
  const readOnly = [...(profile?.readOnly ?? []), ...(params.readOnly ?? [])];
  const readWrite = [...(profile?.readWrite ?? []), ...(params.readWrite ?? [])];
  // A sandbox that can write the approval store could approve its own configuration for the next run.
  assertStoreUnreachable(params.cwd, readWrite);
  const resolved = resolveRunCommand(params, argv[0], [params.cwd, ...readOnly, ...readWrite]);
  const explicitSeccomp = limits.seccompProfile ?? params.seccompProfile;
  const explicitLandlock = limits.landlockProfile ?? params.landlockProfile;
  const policy: Partial<SandboxSpec> = {
    ...profile?.policy,
    // A profile file named in the request replaces the profile's own policy of that kind.
    ...(explicitSeccomp ? { seccompProfile: explicitSeccomp, seccompPolicy: undefined } : {}),
    ...(explicitLandlock ? { landlockProfile: explicitLandlock, landlockPolicy: undefined, landlockExtra: undefined } : {}),
    bestEffort: limits.bestEffort ?? params.bestEffort ?? profile?.policy.bestEffort,
  };
  const notes = [...settingNotes, ...(profile ? [`profile '${profile.profile}' of ${params.config}`, ...profile.notes] : [])];
  // The approval rule, on what the repository decides (not the user's own flags): docs/sandbox.md, "Approval".
  const approval = profile
    ? approvalStatus(
      profile,
      repositoryAsks(profile, params.cwd, {
        network: params.network !== undefined,
        seccomp: explicitSeccomp !== undefined,
        landlock: explicitLandlock !== undefined,
        bestEffort: (limits.bestEffort ?? params.bestEffort) !== undefined,
      }),
      params.approvedOnce,
    )
    : undefined;
  if (approval && !approval.approved && check === 'enforce') throw new ApprovalNeededError(approval);
  // The folders granted so that the command itself can start (an interpreter under a home) are bound read-only;
  // a Landlock policy of the profile's own must let them be read and executed too, or the command cannot start.
  if (resolved.readOnly.length > 0 && (policy.landlockPolicy || policy.landlockProfile)) {
    allowCommandFolders(policy, resolved.readOnly);
    notes.push(`Landlock: read and execute allowed on ${resolved.readOnly.join(', ')} so that ${argv[0]} can start`);
  }
  // Shown = enforced: a profile that keeps the workspace read-only (it has a filesystem of its own and grants no
  // write on the run's folder) gets it as a read-only mount, not only as Landlock rules a profile file could widen.
  const cwdReadOnly = profile !== undefined && profile.ownFilesystem && !readWrite.some((p) => covers(p, params.cwd));
  const granted = { ...policy, ...definedOnly(limits) };
  const resolvedLimits = effectiveLimits({ memoryBytes: granted.memoryBytes, pids: granted.pids, outputBytes: profile?.outputBytes }, os.totalmem());
  const workspace = params.config ? path.dirname(params.config) : params.cwd;
  const spec: SandboxSpec = {
    ...granted,
    memoryBytes: resolvedLimits.memoryBytes,
    pids: resolvedLimits.pids,
    protect: protectedPaths(workspace, params.config, profile?.files.map((f) => f.path) ?? [], { writable: [params.cwd, ...readWrite], unprotect: profile?.unprotect }),
    argv: [resolved.path, ...argv.slice(1)],
    cwd: params.cwd,
    ...(cwdReadOnly ? { cwdReadOnly } : {}),
    env: sandboxEnvironment({ ...profile?.env, ...params.env }, resolved.pathDirs),
    network: params.network ?? profile?.network ?? 'none',
    readOnly: [...resolved.readOnly, ...readOnly],
    readWrite,
    hidden: profile?.hidden ?? [],
    timeoutSeconds: params.timeoutSeconds ?? profile?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
  };
  return {
    spec, pool: profile?.pool, notes: [...notes, ...resolved.notes], approval, command: argv, outputBytes: resolvedLimits.outputBytes,
    origin: {
      ...(profile ? { config: profile.config, profile: profile.profile, configText: profile.files[0]?.content } : {}),
      networkFrom: params.network !== undefined ? (params.settingScopes?.network ? 'setting' : 'request') : profile ? 'profile' : 'default',
    },
    ...(approval && profile ? { approve: () => approve(profile, approval) } : {}),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Resolves the run's command on the host (commandResolution.ts), knowing what the sandbox shows anyway (no needless
 * grants) and what the repository chose: its files and the commands it wrote may not show host folders by themselves. */
function resolveRunCommand(params: RunParams, command: string, visible: string[]): ResolvedCommand {
  return resolveCommand(command, {
    cwd: params.cwd,
    visible,
    repository: [params.cwd, ...(params.config ? [path.dirname(params.config)] : [])],
    // A profile's run, a command sent with a configuration (a task of a profile, learn on a profile) or a task's
    // command: the repository's words. Only a command the user typed, without a configuration, is the user's.
    repositoryNamed: params.argv.length === 0 || params.config !== undefined || params.repositoryCommand === true,
  });
}

/** A Landlock policy of the profile's own lets the command's granted folders be read and executed (else it cannot
 * start); they are bound read-only anyway. */
function allowCommandFolders(policy: Partial<SandboxSpec>, folders: string[]): void {
  const commandRule = { allowedAccess: ['execute', 'read_file', 'read_dir'], parent: folders };
  if (policy.landlockPolicy && policy.landlockView === 'fragments') {
    // The profile's own layer sits on top of the fragments' one (which binds these folders already).
    const own = policy.landlockPolicy;
    policy.landlockPolicy = { config: { ...own.config, pathBeneath: [...own.config.pathBeneath, commandRule] }, source: `${own.source} + read/execute on the command's folder` };
  } else {
    const extra = policy.landlockExtra?.config ?? { abi: Math.max(1, kernelLandlockAbi()), variable: [], ruleset: [], pathBeneath: [], netPort: [] };
    policy.landlockExtra = {
      config: { ...extra, pathBeneath: [...extra.pathBeneath, commandRule] },
      source: `${policy.landlockExtra?.source ?? 'the command'} + read/execute on the command's folder`,
    };
  }
}

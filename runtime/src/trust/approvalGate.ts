/**
 * The approval rule at the one place every run passes (sandboxSpec.ts): what the repository's configuration asks
 * for (profileRun.ts, already merged by the effective policy) is compared with the built-in default
 * (policyWidenings.ts); anything wider runs only once the user approved that exact policy — recorded by
 * `phantom trust` or the editor (approvalStore.ts), or approved once by the editor for one run. Sensitive host
 * paths are refused even then. A configuration inside the defaults costs nothing more than this comparison.
 */
import os from 'node:os';
import path from 'node:path';
import { assertStoreOutside, findApproval, policyHash, readApprovals, realOrResolved, recordApproval, stateDir, subjectHash } from './approvalStore';
import { defaultLandlockPlan, MAX_KNOWN_ABI, SYSTEM_DIRS } from '../policy/landlockCompiler';
import { policyWidenings, sensitiveRefusals, type AskedPolicy, type SensitivePaths } from './policyWidenings';
import { resolveProfileRun, type ProfileRun } from '../policy/profileRun';
import type { ApprovalStatus, RunParams } from '../protocol';
import { hostFacts, type SeccompHost } from '../policy/seccompCompiler';
import { ProfileLoadError } from '../../../model';
import { kernelLandlockAbi } from '../sandbox/sandboxPolicy';
import { helperPath } from '../sandbox/sandboxSpawn';

/** A run refused because its configuration needs approval (or asks for a sensitive path): exit 125. */
export class ApprovalNeededError extends ProfileLoadError {
  constructor(readonly status: ApprovalStatus) {
    super(approvalMessage(status));
  }
}

/** What the request asks of the user's own choosing (CLI flags, trusted settings): those parts are not the repository's. */
export interface UserChoices {
  network?: boolean;
  seccomp?: boolean;
  landlock?: boolean;
  bestEffort?: boolean;
}

/** The part of a run's policy that the repository's configuration decides. */
export function repositoryAsks(profile: ProfileRun, cwd: string, user: UserChoices): AskedPolicy {
  const real = (p: string) => realOrResolved(p);
  return {
    workspace: real(cwd),
    network: user.network ? undefined : profile.network,
    readOnly: profile.readOnly.map(real),
    readWrite: profile.readWrite.map(real),
    seccomp: user.seccomp ? undefined : profile.policy.seccompPolicy?.profile,
    // A profile composed from fragments gets its own Landlock policy as a second layer ON TOP of the fragments' one
    // (sandboxPolicy.ts, landlockLayers): an access must pass both, so that policy can only narrow — it widens nothing,
    // whatever its ABI or parents (a learned proposal names the interpreter's folder and the lowest ABI it needs).
    landlock: user.landlock ? {} : {
      base: profile.policy.landlockView === 'fragments' ? undefined : profile.policy.landlockPolicy?.config,
      extra: profile.policy.landlockExtra?.config,
    },
    bestEffort: user.bestEffort ? undefined : profile.policy.bestEffort,
    unprotect: profile.unprotect.map(real),
  };
}

let seccompHost: SeccompHost | undefined;

/** The sensitive host paths of this machine and runtime (docs/sandbox.md, "Approval"). */
export function sensitivePaths(): SensitivePaths {
  const helper = helperPath();
  // The runtime's own code: the bundle's folder (dist/), or runtime/src/ when run from source.
  const code = path.basename(__dirname) === 'dist' ? __dirname : path.resolve(__dirname, '..');
  const runtimeDirs = [path.dirname(helper), ...(path.basename(path.dirname(helper)) === 'native' ? [path.dirname(path.dirname(helper))] : []), code];
  const cache = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'phantom-fragment');
  const unique = (list: string[]) => [...new Set(list.map(realOrResolved))];
  return {
    system: unique(['/', '/etc', '/usr', '/bin', '/sbin', '/lib', '/lib64', '/boot', '/proc', '/sys', '/dev', '/run', '/var/run']),
    homes: unique(['/root', '/home', os.homedir()]),
    runtime: unique([...runtimeDirs, stateDir(), cache]),
  };
}

/** Where a sandbox may write: the run's folder and its read-write grants. The store must be outside them all. */
export function assertStoreUnreachable(cwd: string, readWrite: string[]): void {
  assertStoreOutside([cwd, ...readWrite]);
}

/**
 * The approval status of a run's configuration, or undefined when it asks for nothing beyond the defaults.
 * `once`: the hash the editor's "Allow once" names.
 */
export function approvalStatus(profile: ProfileRun, asked: AskedPolicy, once?: string): ApprovalStatus | undefined {
  seccompHost ??= hostFacts();
  const landlockDefault = defaultLandlockPlan({ cwd: asked.workspace, readOnly: [], readWrite: [] }, kernelLandlockAbi() || MAX_KNOWN_ABI);
  const widenings = policyWidenings(asked, { seccompHost, landlockDefault, systemDirs: SYSTEM_DIRS });
  const refused = sensitiveRefusals(asked, sensitivePaths());
  if (widenings.length === 0 && refused.length === 0) return undefined;
  const texts = widenings.map((w) => w.text);
  const subject = subjectHash(profile.config, profile.profile, profile.files);
  const hash = policyHash(subject, texts);
  const status: ApprovalStatus = { config: profile.config, profile: profile.profile, widenings, refused, hash, approved: false };
  if (refused.length) return status;
  if (once !== undefined && once === hash) return { ...status, approved: true };
  try {
    status.approved = findApproval(readApprovals(), profile.config, profile.profile, subject, texts) !== undefined;
  } catch (error) {
    status.storeProblem = error instanceof Error ? error.message : String(error);
  }
  return status;
}

/** Records the user's approval of exactly `status` (phantom trust, the editor's "Always"). */
export function approve(profile: ProfileRun, status: ApprovalStatus): void {
  if (status.refused.length) throw new ProfileLoadError(`${status.config}: profile '${status.profile}' cannot be approved: ${status.refused.join('; ')}`);
  // Never in the repository: a store there would be the repository's to forge.
  assertStoreOutside([path.dirname(profile.config)]);
  const subject = subjectHash(profile.config, profile.profile, profile.files);
  recordApproval({ config: profile.config, profile: profile.profile, subject, widenings: status.widenings.map((w) => w.text) });
}

/**
 * For callers that build their sandbox from a profile without sandboxSpecFor (`phantom learn --profile`): throws
 * ApprovalNeededError unless what the profile asks beyond the defaults is approved. `user`: parts the caller
 * decides itself (learn mode records instead of applying the profile's seccomp).
 */
export function requireProfileApproval(config: string, profile: string, cwd: string, user: UserChoices): void {
  const run = resolveProfileRun({ config, profile, workspaceFolder: cwd });
  const status = approvalStatus(run, repositoryAsks(run, cwd, user));
  if (status && !status.approved) throw new ApprovalNeededError(status);
}

export function approvalMessage(status: ApprovalStatus): string {
  const where = `${status.config}: profile '${status.profile}'`;
  if (status.refused.length) return `${where} asks for sensitive host paths, refused even with approval:\n  - ${status.refused.join('\n  - ')}`;
  const list = status.widenings.map((w) => `  - ${w.text}`).join('\n');
  const command = `phantom trust --config ${status.config} --profile ${status.profile}`;
  return `${where} asks for more than the built-in sandbox gives:\n${list}\n` +
    (status.storeProblem ? `approvals cannot be read: ${status.storeProblem}\n` : '') +
    `not run: nothing is granted without your approval — review the list, then run \`${command}\` to approve this exact policy (changing the configuration or its files asks again)`;
}

/**
 * Drops editor setting values that come from a workspace's settings and would widen the sandbox: a repository's
 * `.vscode/settings.json` is untrusted. Returns the request to run and what was ignored.
 */
export function withoutWorkspaceSettings(params: RunParams, defaultTimeout: number): { params: RunParams; notes: string[] } {
  const scopes = params.settingScopes;
  if (!scopes) return { params, notes: [] };
  const fromWorkspace = (key: 'network' | 'timeoutSeconds') => scopes[key] === 'workspace' || scopes[key] === 'workspaceFolder';
  const out = { ...params };
  const notes: string[] = [];
  if (fromWorkspace('network') && out.network !== undefined && out.network !== 'none') {
    notes.push(`ignored phantom.run.network: ${out.network} from the workspace's settings (a repository's .vscode/settings.json may not widen the sandbox; set it in your user settings)`);
    out.network = undefined;
  }
  if (fromWorkspace('timeoutSeconds') && out.timeoutSeconds !== undefined && out.timeoutSeconds > defaultTimeout) {
    notes.push(`ignored phantom.run.timeoutSeconds: ${out.timeoutSeconds} from the workspace's settings (above the default ${defaultTimeout} s; set it in your user settings)`);
    out.timeoutSeconds = undefined;
  }
  return { params: out, notes };
}

/**
 * What the seccomp filter of a profile's run does with a call no rule names: the default action and errno of the
 * profile the run really compiles (resolveProfileRun, the one resolver `phantom run` uses; the built-in default
 * profile when the profile has neither a seccomp policy nor fragments), and every name some rule decides. `phantom
 * explain --json` shows it as `seccompEnforced`, and test/integration/explainClaims.test.ts probes it: a call
 * outside `decided` must get `defaultAction` (with `defaultErrnoRet`).
 */
import { DEFAULT_SECCOMP_PROFILE } from './defaultProfile';
import { resolveProfileRun } from './profileRun';

export interface SeccompClaim {
  /** Where the filter comes from (a file, the fragments, or the built-in default profile). */
  source: string;
  defaultAction: string;
  /** The errno of an SCMP_ACT_ERRNO default (EPERM, 1, when the profile does not say). */
  defaultErrnoRet?: number;
  /** Every syscall name a rule of the filter decides (whatever its action or conditions). */
  decided: string[];
}

/** The claim for a profile, or undefined when the run would be refused (check reports why). */
export function seccompClaim(config: string, profile: string): SeccompClaim | undefined {
  let seccomp;
  try {
    seccomp = resolveProfileRun({ config, profile }).policy.seccompPolicy;
  } catch {
    return undefined; // A profile a run refuses makes no claim; `phantom check` and `phantom run` say why.
  }
  const filter = seccomp?.profile ?? DEFAULT_SECCOMP_PROFILE;
  const errno = filter.defaultAction === 'SCMP_ACT_ERRNO' ? (filter.defaultErrnoRet ?? 1) : undefined;
  return {
    source: seccomp?.source ?? 'the built-in default profile',
    defaultAction: filter.defaultAction,
    ...(errno !== undefined ? { defaultErrnoRet: errno } : {}),
    decided: [...new Set((filter.syscalls ?? []).flatMap((r) => r.names))].sort(),
  };
}

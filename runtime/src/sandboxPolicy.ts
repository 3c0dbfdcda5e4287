/**
 * The policies of one sandbox, compiled ahead of time for the helper: the seccomp filter (a profile file or
 * the built-in default) as `--seccomp-bpf FILE`, and the Landlock rules (a profile file or the default
 * ruleset matching the filesystem view) as `--landlock-rules FILE`. Both are cached by content.
 * Throws ProfileLoadError (the run fails with 125) when a profile cannot be used.
 */
import path from 'node:path';
import { errno, errnoName, syscall } from '../../native/bindings/libc';
import { DEFAULT_PROFILE_NAME, DEFAULT_SECCOMP_PROFILE } from './defaultProfile';
import { compileLandlock, defaultLandlockPlan, landlockRulesFile, type LandlockPlan } from './landlockCompiler';
import { loadLandlockProfile } from './landlockProfileLoader';
import { compiledSeccompFile, policyCacheRoot } from './seccompCompiler';
import { loadSeccompProfile, ProfileLoadError } from './seccompProfileLoader';

export interface PolicyInput {
  cwd: string;
  readOnly: string[];
  readWrite: string[];
  /** A seccomp profile file; undefined = the built-in default profile. */
  seccompProfile?: string;
  /** A Landlock profile file; undefined = the default ruleset matching the filesystem view. */
  landlockProfile?: string;
  /** Skip (and report) what the kernel cannot apply instead of failing. */
  bestEffort?: boolean;
}

export interface CompiledPolicies {
  helperArgs: string[];
  notes: string[];
  /** Time spent compiling or fetching from the cache, ms. */
  compileMs: number;
}

const SYS_LANDLOCK_CREATE_RULESET = 444;
const LANDLOCK_CREATE_RULESET_VERSION = 1;
let kernelAbi: number | undefined;

/** The running kernel's Landlock ABI, or 0 when it has none (asked once). */
export function kernelLandlockAbi(): number {
  if (kernelAbi === undefined) {
    const abi = syscall(SYS_LANDLOCK_CREATE_RULESET, 'long', 0, 'long', 0, 'long', LANDLOCK_CREATE_RULESET_VERSION);
    kernelAbi = abi > 0 ? abi : 0;
    if (abi < 0) landlockMissing = errnoName(errno());
  }
  return kernelAbi;
}
let landlockMissing = '';

export function compilePolicies(input: PolicyInput): CompiledPolicies {
  const t0 = performance.now();
  const notes: string[] = [];
  const args: string[] = [];

  const seccompSource = input.seccompProfile ? path.resolve(input.cwd, input.seccompProfile) : DEFAULT_PROFILE_NAME;
  const profile = input.seccompProfile ? loadSeccompProfile(seccompSource).profile : DEFAULT_SECCOMP_PROFILE;
  const seccomp = compiledSeccompFile(profile, seccompSource, undefined, { quiet: !input.seccompProfile });
  notes.push(...seccomp.notes);
  args.push('--seccomp-bpf', seccomp.file);
  if (seccomp.flags) args.push('--seccomp-flags', String(seccomp.flags));

  let plan: LandlockPlan | undefined;
  if (input.landlockProfile) {
    const file = path.resolve(input.cwd, input.landlockProfile);
    plan = compileLandlock(loadLandlockProfile(file), file, input.cwd, input.bestEffort ?? false);
  } else if (kernelLandlockAbi() > 0) {
    plan = defaultLandlockPlan(input, kernelLandlockAbi());
  } else {
    notes.push(`Landlock layer of the default profile not applied: the kernel has no Landlock (${landlockMissing}); the mount view still limits what is visible`);
  }
  if (plan) args.push('--landlock-rules', landlockRulesFile(plan, path.join(policyCacheRoot(), 'landlock')));
  return { helperArgs: args, notes, compileMs: performance.now() - t0 };
}

export { ProfileLoadError };

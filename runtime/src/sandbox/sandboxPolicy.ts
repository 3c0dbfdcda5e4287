/**
 * The policies of one sandbox, compiled ahead of time for the helper: the seccomp filter (a profile file or
 * the built-in default) as `--seccomp-bpf FILE`, and the Landlock rules (a profile file or the default
 * ruleset matching the filesystem view) as `--landlock-rules FILE`, each FILE a sealed memory file
 * (memoryFiles.ts). Both are cached by content; a run whose sandbox could write the cache folder is refused.
 * Throws ProfileLoadError (the run fails with 125) when a profile cannot be used.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { landlockAbi } from '../kernel/landlockAbi';
import { DEFAULT_PROFILE_NAME, DEFAULT_SECCOMP_PROFILE } from '../policy/defaultProfile';
import { compileLandlock, defaultLandlockPlan, defaultLayoutStamp, landlockRulesFile, type LandlockPlan } from '../policy/landlockCompiler';
import { loadLandlockProfile } from '../policy/landlockProfileLoader';
import type { LandlockConfig } from '../../../model';
import { assertCacheOutsideSandbox } from '../storage/policyCacheGuard';
import { compiledSeccompFile, policyCacheRoot, policyStorageNote } from '../policy/seccompCompiler';
import { GUARD_NAME, LEARN_BASE_LAYER_NAME, guardProfileFor } from '../policy/seccompHardening';
import { loadSeccompProfile } from '../policy/seccompProfileLoader';
import { ProfileLoadError, type SeccompProfile } from '../../../model';

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
  /** A seccomp profile already loaded (e.g. composed from a phantom-fragment.yaml profile); wins over the file. */
  seccompPolicy?: { profile: SeccompProfile; source: string };
  /** A Landlock profile already loaded (e.g. inline in phantom-fragment.yaml); wins over the file. */
  landlockPolicy?: { config: LandlockConfig; source: string };
  /** 'fragments': the layer of a profile composed from fragments (no workspace or /tmp rights of its own). */
  landlockView?: 'default' | 'fragments';
  /** The command (argv[0] is made executable in a fragments layer). */
  argv?: string[];
  /** The network mode: AF_VSOCK stays refused by the guard unless it is `host`. */
  network?: string;
  /** Rules added to whichever Landlock layer applies (the rules of a profile's fragments). */
  landlockExtra?: { config: LandlockConfig; source: string };
  /** A Landlock profile file enforced as one more layer ON TOP of the one above (a learned profile's replay). */
  landlockStack?: string;
}

export interface CompiledPolicies {
  helperArgs: string[];
  notes: string[];
  /** Time spent compiling or fetching from the cache, ms. */
  compileMs: number;
}

/** The running kernel's Landlock ABI, or 0 when it has none (asked once, landlockAbi.ts). */
export function kernelLandlockAbi(): number {
  return landlockAbi().abi;
}

/**
 * The last results for inputs named by paths only (profile files, or none: the built-in default), with what
 * they were made from: each profile file's content (hashed), which host paths the default ruleset names exist,
 * and the output files. A run whose inputs are unchanged takes the result as it is (~0.1-0.3 ms less per
 * start, measured by `phantom bench --spawn`); any change recompiles. Inputs carrying loaded profiles (from
 * phantom-fragment.yaml) are compiled each time: their content hash is the cache (seccompCompiler.ts).
 */
interface Remembered {
  result: CompiledPolicies;
  files: string[];
  stamps: string;
}
const remembered = new Map<string, Remembered>();
const REMEMBERED_MAX = 32;

function rememberKey(input: PolicyInput): string | undefined {
  if (input.seccompPolicy || input.landlockPolicy || input.landlockExtra || input.landlockStack) return undefined;
  const view = input.landlockView ?? 'default';
  return JSON.stringify([input.cwd, input.readOnly, input.readWrite, input.seccompProfile ?? null, input.landlockProfile ?? null, input.network === 'host',
    input.bestEffort ?? false, view, view === 'fragments' ? (input.argv?.[0] ?? null) : null]);
}

function stampsOf(input: PolicyInput): string {
  let stamps = defaultLayoutStamp();
  for (const file of [input.seccompProfile, input.landlockProfile]) {
    if (!file) continue;
    // The content itself, not times and sizes: two writes within one timestamp tick must not look alike.
    try {
      stamps += `|${createHash('sha256').update(readFileSync(path.resolve(input.cwd, file))).digest('base64')}`;
    } catch {
      stamps += '|unreadable';
    }
  }
  return stamps;
}

export function compilePolicies(input: PolicyInput): CompiledPolicies {
  const t0 = performance.now();
  const key = rememberKey(input);
  const stamps = key === undefined ? '' : stampsOf(input);
  if (key !== undefined) {
    const known = remembered.get(key);
    if (known && known.stamps === stamps && known.files.every((f) => existsSync(f)))
      return { ...known.result, notes: [...known.result.notes], compileMs: performance.now() - t0 };
  }
  const result = compileFresh(input);
  if (key !== undefined) {
    if (remembered.size >= REMEMBERED_MAX) remembered.delete(remembered.keys().next().value as string);
    const files = result.helperArgs.filter((_, i, all) => all[i - 1] === '--seccomp-bpf' || all[i - 1] === '--seccomp-guard' || all[i - 1] === '--landlock-rules');
    remembered.set(key, { result, files, stamps });
  }
  return result;
}

function compileFresh(input: PolicyInput): CompiledPolicies {
  const t0 = performance.now();
  const notes: string[] = [];
  const args: string[] = [];
  // Before anything is read from the cache: a cache the sandbox can write could widen the next sandbox.
  assertCacheOutsideSandbox(policyCacheRoot(), [input.cwd, ...input.readWrite]);

  const seccompSource = input.seccompPolicy?.source ?? (input.seccompProfile ? path.resolve(input.cwd, input.seccompProfile) : DEFAULT_PROFILE_NAME);
  const profile = input.seccompPolicy?.profile ?? (input.seccompProfile ? loadSeccompProfile(seccompSource).profile : DEFAULT_SECCOMP_PROFILE);
  const builtin = !input.seccompPolicy && !input.seccompProfile;
  const seccomp = compiledSeccompFile(profile, seccompSource, undefined, { quiet: builtin });
  notes.push(...seccomp.notes);
  args.push('--seccomp-bpf', seccomp.file);
  if (seccomp.flags) args.push('--seccomp-flags', String(seccomp.flags));
  // A profile someone wrote gets the guard under it (the built-in profile and the learn layer carry its rules).
  if (!builtin && input.seccompPolicy?.source !== LEARN_BASE_LAYER_NAME)
    args.push('--seccomp-guard', compiledSeccompFile(guardProfileFor(input.network), GUARD_NAME, undefined, { quiet: true, badArchAllow: true }).file);

  const layers = landlockLayers(input, notes);
  for (const plan of layers) args.push('--landlock-rules', landlockRulesFile(plan));
  if (input.landlockStack) {
    // Its own ruleset, stacked by the kernel: an access must pass the sandbox's layers AND this one.
    const file = path.resolve(input.cwd, input.landlockStack);
    args.push('--landlock-rules', landlockRulesFile(compileLandlock(loadLandlockProfile(file), file, input.cwd, false)));
  }
  const storage = policyCacheRoot() === null ? policyStorageNote() : undefined;
  if (storage) notes.push(storage);
  return { helperArgs: args, notes, compileMs: performance.now() - t0 };
}

/**
 * The Landlock layers of a sandbox, each its own ruleset (the helper stacks them: an access must pass every
 * one). A profile composed from fragments gets the fragments' layer, and its own Landlock policy (file or
 * inline) ON TOP of it as a second layer: the profile's file can only narrow what the fragments grant, never
 * widen it. A policy without fragments is the only layer (with the fragments' rules, none, and the command's
 * folder added to it); a profile file named by the user (--landlock) replaces the profile's layers.
 */
function landlockLayers(input: PolicyInput, notes: string[]): LandlockPlan[] {
  return sourcedLandlockLayers(input, notes).map((l) => l.plan);
}

/** One Landlock layer of a sandbox and what it was made from (for `phantom run --explain`: explainRun.ts). */
export interface LandlockLayer {
  plan: LandlockPlan;
  /** 'file': a Landlock profile (file or inline, `source` names it); 'default': the ruleset matching the filesystem
   * view; 'fragments': the layer of a profile composed from fragments; 'stack': a replayed proposal on top. */
  kind: 'file' | 'default' | 'fragments' | 'stack';
  source: string;
  /** The fragments' rules added to it, when any (their source). */
  extra?: string;
}

/** The layers as the helper gets them, each with its source: the same computation as the run's. */
export function sourcedLandlockLayers(input: PolicyInput, notes: string[] = []): LandlockLayer[] {
  const bestEffort = input.bestEffort ?? false;
  const own = input.landlockPolicy
    ? compileLandlock(input.landlockPolicy.config, input.landlockPolicy.source, input.cwd, bestEffort)
    : input.landlockProfile
      ? compileLandlock(loadLandlockProfile(path.resolve(input.cwd, input.landlockProfile)), path.resolve(input.cwd, input.landlockProfile), input.cwd, bestEffort)
      : undefined;
  const fragmentsLayer = input.landlockView === 'fragments' && !input.landlockProfile;
  if (!own && kernelLandlockAbi() === 0) {
    notes.push(`Landlock layer of the default profile not applied: the kernel has no Landlock (${landlockAbi().errno ?? ''}); the mount view still limits what is visible`);
    return [];
  }
  const ownSource = input.landlockPolicy?.source ?? (input.landlockProfile ? path.resolve(input.cwd, input.landlockProfile) : '');
  let base: LandlockPlan | undefined = own && !fragmentsLayer
    ? own
    : kernelLandlockAbi() > 0
      ? fragmentsLayer
        ? defaultLandlockPlan(input, kernelLandlockAbi(), { workspaceAndTmp: false, commands: input.argv?.slice(0, 1) ?? [] })
        : defaultLandlockPlan(input, kernelLandlockAbi())
      : undefined;
  if (base && input.landlockExtra) {
    // Fragment rules extend their layer: their rights become handled too (as landlockconfig does for rules).
    const extra = compileLandlock(input.landlockExtra.config, input.landlockExtra.source, input.cwd, bestEffort);
    base = { ...base, handledFs: base.handledFs | extra.handledFs, handledNet: base.handledNet | extra.handledNet, rules: [...base.rules, ...extra.rules] };
  }
  const baseKind: LandlockLayer['kind'] = own && !fragmentsLayer ? 'file' : fragmentsLayer ? 'fragments' : 'default';
  const layers: LandlockLayer[] = base
    ? [{ plan: base, kind: baseKind, source: baseKind === 'file' ? ownSource : baseKind === 'fragments' ? 'the fragments\u2019 Landlock layer' : 'default Landlock ruleset', ...(input.landlockExtra ? { extra: input.landlockExtra.source } : {}) }]
    : [];
  if (own && fragmentsLayer) layers.push({ plan: own, kind: 'file', source: ownSource });
  return layers;
}

export { ProfileLoadError };

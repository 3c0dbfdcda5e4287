/**
 * What a target cannot express, resolved the way Docker resolves a profile before it hands it to runc or crun:
 * Docker's `includes`/`excludes` evaluated for a capability set, an architecture and a kernel, `archMap` reduced
 * to that architecture's entry, comments dropped. The result is the runtime-spec `LinuxSeccomp` object that
 * crun, runc, the Security Profiles Operator and systemd read with the same meaning. Pure: profile in, profile
 * and notes out.
 */
import os from 'node:os';
import { seccompData } from '../../../model';
import { hostFacts, profileArchitectures, ruleApplies, type SeccompHost } from '../policy/seccompCompiler';
import type { SeccompProfile, SeccompRule } from '../../../model';

/** What the profile is resolved for. Defaults: no capabilities (an unprivileged container), the native architecture, the running kernel. */
export interface ResolveTarget {
  caps: string[];
  /** OCI name (SCMP_ARCH_X86_64). */
  arch: string;
  kernel: string;
}

export interface ResolvedProfile {
  /** Plain runtime-spec LinuxSeccomp: no includes, excludes, archMap or comments. */
  profile: SeccompProfile;
  target: ResolveTarget;
  /** How many rules were left out because their includes/excludes do not hold for the target. */
  droppedRules: number;
}

interface ArchInfo { name: string; docker?: string | null }
const ARCHES = seccompData.architectures as ArchInfo[];
const CAPABILITIES = new Set((seccompData.capabilities as { name: string }[]).map((c) => c.name));

export class ResolveError extends Error {}

/** `--arch` as an OCI name (SCMP_ARCH_X86_64) or as Docker/Go names it (amd64). */
export function archOption(text: string | undefined): string {
  if (text === undefined) return hostFacts().arch;
  const upper = text.toUpperCase();
  const found = ARCHES.find((a) => a.name === upper || a.name === `SCMP_ARCH_${upper}` || a.docker === text);
  if (!found) throw new ResolveError(`--arch '${text}' is not an architecture: use e.g. SCMP_ARCH_X86_64 or amd64 (${ARCHES.map((a) => a.name).join(', ')})`);
  return found.name;
}

/** `--caps CAP_A,CAP_B` (the CAP_ prefix may be left out; "none" or empty: no capabilities). */
export function capsOption(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '' || text.trim().toLowerCase() === 'none') return [];
  return text.split(',').map((c) => {
    const name = c.trim().toUpperCase().replace(/^(?!CAP_)/, 'CAP_');
    if (!CAPABILITIES.has(name)) throw new ResolveError(`--caps: '${c.trim()}' is not a Linux capability (e.g. CAP_SYS_ADMIN, CAP_NET_ADMIN)`);
    return name;
  });
}

/** `--kernel 5.15` (default: the running kernel's release). */
export function kernelOption(text: string | undefined): string {
  if (text === undefined) return os.release();
  if (!/^\d+\.\d+/.test(text)) throw new ResolveError(`--kernel '${text}' is not a kernel version: write e.g. 5.15 or 6.8.0`);
  return text;
}

export function resolveProfile(p: SeccompProfile, target: ResolveTarget): ResolvedProfile {
  const host: SeccompHost = { arch: target.arch, kernel: target.kernel, caps: target.caps };
  const profile: SeccompProfile = { defaultAction: p.defaultAction };
  if (p.defaultErrnoRet !== undefined) profile.defaultErrnoRet = p.defaultErrnoRet;
  const arches = profileArchitectures(p, host);
  if (arches.length) profile.architectures = arches;
  if (p.flags?.length) profile.flags = p.flags;
  if (p.listenerPath !== undefined) profile.listenerPath = p.listenerPath;
  if (p.listenerMetadata !== undefined) profile.listenerMetadata = p.listenerMetadata;
  let droppedRules = 0;
  const syscalls: SeccompRule[] = [];
  for (const r of p.syscalls ?? []) {
    if (!ruleApplies(r, host)) { droppedRules++; continue; }
    const rule: SeccompRule = { names: r.names, action: r.action };
    if (r.errnoRet !== undefined) rule.errnoRet = r.errnoRet;
    if (r.args?.length) rule.args = r.args;
    syscalls.push(rule);
  }
  profile.syscalls = syscalls;
  return { profile, target, droppedRules };
}

/** One line: what the export was resolved for (the first comment or annotation of every resolved export). */
export function resolutionSummary(r: ResolvedProfile, source: string): string {
  const caps = r.target.caps.length ? `capabilities ${r.target.caps.join(',')}` : 'no capabilities (an unprivileged container)';
  return `resolved from ${source} for ${caps}, architecture ${r.target.arch}, kernel ${r.target.kernel}: ` +
    `Docker's includes/excludes evaluated (${r.droppedRules} rule${r.droppedRules === 1 ? '' : 's'} left out), archMap reduced to ${r.profile.architectures?.join(', ') ?? 'the native architecture only'}`;
}

/** The native-only question systemd asks: does the profile cover only the target's own ABI? */
export function nativeOnly(r: ResolvedProfile): boolean {
  const a = r.profile.architectures ?? [];
  return a.length === 0 || a.every((x) => x === r.target.arch);
}

/**
 * A seccomp profile written here → where it deploys (`phantom export --to docker|oci|spo|systemd FILE`). Pure
 * apart from libseccomp's name tables: profile model in, text out.
 * - docker: Docker's JSON (`docker run --security-opt seccomp=FILE`, Podman), conditions intact; `--resolve`
 *   evaluates them first (exportResolve.ts);
 * - oci: the resolved runtime-spec `LinuxSeccomp` object, what goes into a bundle's config.json for crun or runc;
 * - spo: a Security Profiles Operator `SeccompProfile` resource (Kubernetes), resolved (exportSpo.ts);
 * - systemd: `SystemCallFilter=` and friends for a unit's [Service] section, resolved (exportSystemd.ts).
 */
import { resolutionSummary, resolveProfile, type ResolvedProfile, type ResolveTarget } from './exportResolve';
import { toSpo } from './exportSpo';
import { toSystemd } from './exportSystemd';
import { exactJson, profileJson } from './exportJson';
import type { SeccompProfile } from '../../../model';

export type ExportTarget = 'docker' | 'oci' | 'spo' | 'systemd';
export const EXPORT_TARGETS: ExportTarget[] = ['docker', 'oci', 'spo', 'systemd'];

export interface ExportResult {
  text: string;
  /** What was resolved or cannot be said, for stderr (JSON has no comments; spo and systemd also carry it inside). */
  notes: string[];
}

export function toDocker(p: SeccompProfile): string {
  return exactJson(profileJson(p, true));
}

export function toOci(r: ResolvedProfile): string {
  return exactJson(profileJson(r.profile, false));
}

export interface ExportOptions {
  target: ResolveTarget;
  /** --to docker only: resolve conditions as for oci. */
  resolve?: boolean;
  /** The profile's file name: names the SPO resource and the source in the header. */
  name: string;
}

export function exportProfile(p: SeccompProfile, to: ExportTarget, options: ExportOptions): ExportResult {
  if (to === 'docker' && !options.resolve) return { text: toDocker(p), notes: [] };
  const resolved = resolveProfile(p, options.target);
  const summary = resolutionSummary(resolved, options.name);
  if (to === 'docker' || to === 'oci') return { text: toOci(resolved), notes: [summary] };
  if (to === 'spo') return toSpo(resolved, options.name, summary);
  return toSystemd(resolved, summary);
}

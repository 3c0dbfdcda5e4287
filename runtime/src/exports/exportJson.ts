/**
 * JSON of exported profiles. 64-bit argument values are written exactly: the loader keeps integers above 2^53 as
 * bigint (the yaml package's intAsBigInt) and lossless-json writes a bigint as its digits.
 */
import { stringify } from 'lossless-json';
import type { SeccompProfile, SeccompRule } from '../../../model';

/** JSON with integers above 2^53 kept exact (the profile model holds them as bigint). */
export function exactJson(value: unknown): string {
  return `${stringify(value, null, 2) ?? 'null'}\n`;
}

export function ruleJson(r: SeccompRule, docker: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { names: r.names, action: r.action };
  if (r.errnoRet !== undefined) o.errnoRet = r.errnoRet;
  if (r.args?.length) o.args = r.args.map((a) => ({ index: a.index, value: a.value, ...(a.valueTwo !== undefined ? { valueTwo: a.valueTwo } : {}), op: a.op }));
  if (docker && r.comment) o.comment = r.comment;
  if (docker && r.includes) o.includes = r.includes;
  if (docker && r.excludes) o.excludes = r.excludes;
  return o;
}

/** The profile object in OCI key order; `docker` keeps Docker's archMap, comments and conditions. */
export function profileJson(p: SeccompProfile, docker: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { defaultAction: p.defaultAction };
  if (p.defaultErrnoRet !== undefined) o.defaultErrnoRet = p.defaultErrnoRet;
  if (p.architectures?.length) o.architectures = p.architectures;
  if (docker && p.archMap) o.archMap = p.archMap;
  if (p.flags?.length) o.flags = p.flags;
  if (p.listenerPath !== undefined) o.listenerPath = p.listenerPath;
  if (p.listenerMetadata !== undefined) o.listenerMetadata = p.listenerMetadata;
  o.syscalls = (p.syscalls ?? []).map((r) => ruleJson(r, docker));
  return o;
}


/**
 * A seccomp profile written here → where it deploys (`phantom export --to docker|spo|systemd FILE`). Pure:
 * profile model in, text out.
 * - docker: the OCI/Docker JSON (`docker run --security-opt seccomp=FILE`, Podman, containerd, runc);
 * - spo: a Security Profiles Operator `SeccompProfile` resource (Kubernetes);
 * - systemd: `SystemCallFilter=` lines for a unit's [Service] section. systemd filters by name only:
 *   argument conditions cannot be expressed and are reported in a comment; the allow-list is then by name.
 */
import seccompData from '../../server/data/seccomp.json';
import type { SeccompProfile, SeccompRule } from './seccompProfileLoader';

export type ExportTarget = 'docker' | 'spo' | 'systemd';
export const EXPORT_TARGETS: ExportTarget[] = ['docker', 'spo', 'systemd'];

const bigintSafe = (_k: string, v: unknown) => (typeof v === 'bigint' ? Number(v) : v);

function ruleJson(r: SeccompRule, withComment: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { names: r.names, action: r.action };
  if (r.errnoRet !== undefined) o.errnoRet = r.errnoRet;
  if (r.args?.length) o.args = r.args.map((a) => ({ index: a.index, value: a.value, ...(a.valueTwo !== undefined ? { valueTwo: a.valueTwo } : {}), op: a.op }));
  if (withComment && r.comment) o.comment = r.comment;
  if (r.includes) o.includes = r.includes;
  if (r.excludes) o.excludes = r.excludes;
  return o;
}

export function toDocker(p: SeccompProfile): string {
  const o: Record<string, unknown> = { defaultAction: p.defaultAction };
  if (p.defaultErrnoRet !== undefined) o.defaultErrnoRet = p.defaultErrnoRet;
  if (p.architectures) o.architectures = p.architectures;
  if (p.archMap) o.archMap = p.archMap;
  if (p.flags) o.flags = p.flags;
  o.syscalls = (p.syscalls ?? []).map((r) => ruleJson(r, true));
  return `${JSON.stringify(o, bigintSafe, 2)}\n`;
}

/** Kubernetes names: lowercase letters, digits, '-'. */
function k8sName(name: string): string {
  return name.toLowerCase().replace(/\.(seccomp\.)?(json|ya?ml)$/, '').replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'learned';
}

export function toSpo(p: SeccompProfile, name: string): string {
  // SPO's spec is the OCI profile without comments or includes/excludes (it has no such fields).
  const spec: Record<string, unknown> = { defaultAction: p.defaultAction };
  if (p.architectures) spec.architectures = p.architectures;
  spec.syscalls = (p.syscalls ?? []).map((r) => {
    const o = ruleJson(r, false);
    delete o.includes;
    delete o.excludes;
    return o;
  });
  const resource = { apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1', kind: 'SeccompProfile', metadata: { name: k8sName(name) }, spec };
  // JSON is YAML: kubectl apply -f takes it as is.
  return `${JSON.stringify(resource, bigintSafe, 2)}\n`;
}

const SYSTEMD_ARCH: Record<string, string> = {
  SCMP_ARCH_X86_64: 'x86-64', SCMP_ARCH_X86: 'x86', SCMP_ARCH_X32: 'x32', SCMP_ARCH_AARCH64: 'arm64', SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_RISCV64: 'riscv64', SCMP_ARCH_S390X: 's390x', SCMP_ARCH_S390: 's390', SCMP_ARCH_PPC64LE: 'ppc64-le', SCMP_ARCH_PPC64: 'ppc64',
  SCMP_ARCH_PPC: 'ppc', SCMP_ARCH_MIPS: 'mips', SCMP_ARCH_MIPSEL: 'mips-le', SCMP_ARCH_MIPS64: 'mips64', SCMP_ARCH_MIPSEL64: 'mips64-le',
  SCMP_ARCH_MIPS64N32: 'mips64-n32', SCMP_ARCH_MIPSEL64N32: 'mips64-le-n32', SCMP_ARCH_PARISC: 'parisc', SCMP_ARCH_PARISC64: 'parisc64',
  SCMP_ARCH_LOONGARCH64: 'loongarch64',
};

const errnoNames: Record<number, string> = { 1: 'EPERM', 13: 'EACCES', 38: 'ENOSYS', 22: 'EINVAL', 95: 'EOPNOTSUPP' };
const errnoName = (n: number | undefined) => errnoNames[n ?? 1] ?? String(n ?? 1);

export function toSystemd(p: SeccompProfile): string {
  void seccompData;
  const lines = ['# systemd unit [Service] settings exported by `phantom export --to systemd`.'];
  const rules = p.syscalls ?? [];
  const allowDefault = p.defaultAction === 'SCMP_ACT_ALLOW' || p.defaultAction === 'SCMP_ACT_LOG';
  const allowed = [...new Set(rules.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names))].sort();
  const conditional = [...new Set(rules.filter((r) => r.args?.length && r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names))].sort();
  if (conditional.length) lines.push(`# systemd cannot check arguments: allowed by name without their conditions: ${conditional.join(' ')}`);
  if (p.architectures?.length) lines.push(`SystemCallArchitectures=${p.architectures.map((a) => SYSTEMD_ARCH[a] ?? a).join(' ')}`);
  if (!allowDefault) {
    lines.push(`SystemCallErrorNumber=${p.defaultAction === 'SCMP_ACT_ERRNO' ? errnoName(p.defaultErrnoRet) : 'EPERM'}`);
    lines.push(`SystemCallFilter=${allowed.join(' ')}`);
  }
  // Deny rules with their own errno (e.g. clone3 → ENOSYS): systemd's "~name:errno" form.
  for (const r of rules.filter((x) => x.action === 'SCMP_ACT_ERRNO' && !x.args?.length)) lines.push(`SystemCallFilter=~${r.names.map((n) => `${n}:${errnoName(r.errnoRet)}`).join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export function exportProfile(p: SeccompProfile, target: ExportTarget, name: string): string {
  if (target === 'docker') return toDocker(p);
  if (target === 'spo') return toSpo(p, name);
  return toSystemd(p);
}

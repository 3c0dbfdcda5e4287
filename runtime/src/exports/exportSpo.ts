/**
 * `phantom export --to spo`: a Security Profiles Operator `SeccompProfile` resource. Its spec is the resolved
 * runtime-spec profile (exportResolve.ts) restricted to what the CRD's openAPIV3Schema holds: Kubernetes prunes
 * unknown fields silently, so anything the CRD cannot hold with the same meaning is refused here, never dropped.
 */
import { ResolveError, type ResolvedProfile } from './exportResolve';
import { exactJson, ruleJson } from './exportJson';

/** The CRD's enums (deploy/base-crds/crds/seccompprofile.yaml of the Security Profiles Operator). */
const SPO_ARCHES = new Set(['SCMP_ARCH_NATIVE', 'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64']);
const SPO_FLAGS = new Set(['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV']);
const SPO_LISTENER = /^\/var\/run\/security-profiles-operator\/[a-zA-Z0-9_\-.]+$/;
/** The CRD declares argument values `format: int64`: the API server keeps larger integers only as floats. */
const INT64_MAX = 2n ** 63n - 1n;

/** Kubernetes names: lowercase letters, digits, '-'. */
export function k8sName(name: string): string {
  return name.toLowerCase().replace(/\.(seccomp\.)?(json|ya?ml)$/, '').replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '') || 'learned';
}

export function toSpo(r: ResolvedProfile, name: string, summary: string): { text: string; notes: string[] } {
  const p = r.profile;
  const refuse = (what: string, fix: string): never => {
    throw new ResolveError(`${name}: ${what} — a SeccompProfile cannot hold it with the same meaning; ${fix}`);
  };
  const notes = [summary];
  const spec: Record<string, unknown> = { defaultAction: p.defaultAction };
  if (p.defaultErrnoRet !== undefined && p.defaultErrnoRet !== 1)
    refuse(`defaultErrnoRet ${p.defaultErrnoRet} is not in the SeccompProfile CRD (Kubernetes would prune it and the default errno would become EPERM)`,
      'remove defaultErrnoRet (EPERM), or deploy the --to oci export with a localhost profile instead');
  if (p.defaultErrnoRet === 1) notes.push('defaultErrnoRet 1 left out: it is EPERM, what the operator uses without it');
  for (const a of p.architectures ?? []) if (!SPO_ARCHES.has(a)) refuse(`architecture ${a} is not in the CRD's list`, `resolve for another --arch`);
  if (p.architectures?.length) spec.architectures = p.architectures;
  for (const f of p.flags ?? []) if (!SPO_FLAGS.has(f)) refuse(`flag ${f} is not in the CRD's list`, 'remove the flag');
  if (p.flags?.length) spec.flags = p.flags;
  if (p.listenerPath !== undefined) {
    if (!SPO_LISTENER.test(p.listenerPath)) refuse(`listenerPath ${p.listenerPath} is outside /var/run/security-profiles-operator/`, 'move the agent socket there');
    spec.listenerPath = p.listenerPath;
  }
  if (p.listenerMetadata !== undefined) spec.listenerMetadata = p.listenerMetadata;
  spec.syscalls = (p.syscalls ?? []).filter((s) => s.names.length > 0).map((s) => {
    for (const a of s.args ?? [])
      for (const v of [a.value, a.valueTwo]) {
        if (v !== undefined && BigInt(v) > INT64_MAX)
          refuse(`argument value ${v} of ${s.names.join(',')} is above 2^63-1 (the CRD's int64)`, 'rewrite the comparison with a smaller value (e.g. a mask of the low 32 bits)');
      }
    return ruleJson(s, false);
  });
  const resource = {
    apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1',
    kind: 'SeccompProfile',
    metadata: { name: k8sName(name), annotations: { 'phantom-fragment/exported': `phantom export --to spo: ${notes.join('; ')}` } },
    spec,
  };
  // JSON is YAML: `kubectl apply -f` takes it as is.
  return { text: exactJson(resource), notes };
}

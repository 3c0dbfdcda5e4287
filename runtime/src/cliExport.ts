/**
 * `phantom export --to docker|oci|spo|systemd FILE`: a seccomp profile (JSON or YAML) for Docker/Podman, an OCI
 * runtime (crun, runc), Kubernetes (SPO) or systemd, on stdout; what was resolved on stderr.
 */
import path from 'node:path';
import { parseCli, UsageError } from './cliArgs';
import { archOption, capsOption, kernelOption, ResolveError } from './exportResolve';
import { EXPORT_TARGETS, exportProfile, type ExportTarget } from './exporters';
import { loadSeccompProfile, ProfileLoadError } from './seccompProfileLoader';

export const EXPORT_USAGE = 'phantom export --to docker|oci|spo|systemd [--resolve] [--caps CAP,...] [--arch ARCH] [--kernel VERSION] [--quiet] FILE';

export const EXPORT_HELP = [
  '  --to docker    Docker\'s JSON with its includes/excludes and archMap intact (docker run --security-opt seccomp=FILE)',
  '  --to oci       the resolved runtime-spec LinuxSeccomp object, for linux.seccomp of a bundle\'s config.json (crun, runc)',
  '  --to spo       a Security Profiles Operator SeccompProfile resource (kubectl apply -f), resolved',
  '  --to systemd   SystemCallFilter= and related lines for a unit\'s [Service] section, resolved',
  '  --resolve      with --to docker: evaluate includes/excludes and archMap as for --to oci',
  '  --caps LIST    capabilities the container has when resolving (default: none — an unprivileged container)',
  '  --arch ARCH    architecture to resolve for, e.g. SCMP_ARCH_X86_64 or amd64 (default: this machine\'s)',
  '  --kernel VER   kernel release that minKernel is compared with (default: the running kernel)',
  '  --quiet        do not print what was resolved on stderr',
].join('\n');

export async function runExport(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, {
    to: { type: 'string' }, resolve: { type: 'boolean' }, caps: { type: 'string' }, arch: { type: 'string' }, kernel: { type: 'string' }, quiet: { type: 'boolean' },
  }, EXPORT_USAGE);
  const to = values.to as ExportTarget | undefined;
  if (!to || !EXPORT_TARGETS.includes(to)) throw new UsageError(`--to must be one of ${EXPORT_TARGETS.join(', ')}\nUsage: ${EXPORT_USAGE}`);
  if (values.resolve && to !== 'docker') throw new UsageError(`--resolve is for --to docker: --to ${to} is always resolved\nUsage: ${EXPORT_USAGE}`);
  if (positionals.length !== 1) throw new UsageError(`give exactly one profile file\nUsage: ${EXPORT_USAGE}`);
  try {
    const target = { caps: capsOption(values.caps), arch: archOption(values.arch), kernel: kernelOption(values.kernel) };
    const { profile } = loadSeccompProfile(positionals[0]);
    const result = exportProfile(profile, to, { target, resolve: values.resolve, name: path.basename(positionals[0]) });
    process.stdout.write(result.text);
    if (!values.quiet) for (const note of result.notes) console.error(`phantom export: ${note}`);
    return 0;
  } catch (e) {
    if (e instanceof ResolveError && /^--/.test(e.message)) throw new UsageError(e.message);
    if (!(e instanceof ProfileLoadError) && !(e instanceof ResolveError)) throw e;
    console.error(`phantom: ${e.message}`);
    return 1;
  }
}

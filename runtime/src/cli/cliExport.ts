/**
 * `phantom export --to docker|oci|spo|systemd FILE`: a seccomp profile (JSON or YAML) for Docker/Podman, an OCI
 * runtime (crun, runc), Kubernetes (SPO) or systemd, on stdout; what was resolved on stderr.
 */
import path from 'node:path';
import { defineCommand, UsageError } from './cliArgs';
import { archOption, capsOption, kernelOption, ResolveError } from '../exports/exportResolve';
import { EXPORT_TARGETS, exportProfile } from '../exports/exporters';
import { loadSeccompProfile } from '../policy/seccompProfileLoader';
import { ProfileLoadError } from '../../../model';

export const EXPORT_COMMAND = defineCommand({
  name: 'export',
  summary: 'print a seccomp profile for Docker/Podman, an OCI runtime (crun, runc), Kubernetes (Security Profiles Operator) or systemd',
  operands: 'FILE',
  details: [
    '--to docker keeps Docker\'s includes/excludes and archMap (docker run --security-opt seccomp=FILE) unless --resolve;',
    '--to oci writes the resolved runtime-spec LinuxSeccomp object (linux.seccomp of a bundle\'s config.json);',
    '--to spo a SeccompProfile resource (kubectl apply -f) and --to systemd SystemCallFilter= lines, always resolved.',
  ].join('\n'),
  options: {
    to: { type: 'string', choices: EXPORT_TARGETS, required: true, help: 'docker, oci, spo or systemd (see above)' },
    resolve: { type: 'boolean', help: 'with --to docker: evaluate includes/excludes and archMap as for --to oci' },
    caps: { type: 'string', value: 'CAP,...', help: 'capabilities the container has when resolving (default: none — an unprivileged container)' },
    arch: { type: 'string', value: 'ARCH', help: 'architecture to resolve for, e.g. SCMP_ARCH_X86_64 or amd64 (default: this machine\'s)' },
    kernel: { type: 'string', value: 'VERSION', help: 'kernel release that minKernel is compared with (default: the running kernel)' },
    quiet: { type: 'boolean', help: 'do not print what was resolved on stderr' },
  },
  async main(values, positionals) {
    const to = values.to;
    if (values.resolve && to !== 'docker') throw new UsageError(`--resolve is for --to docker: --to ${to} is always resolved`);
    if (positionals.length !== 1) throw new UsageError('give exactly one profile file');
    try {
      const target = { caps: capsOption(values.caps), arch: archOption(values.arch), kernel: kernelOption(values.kernel) };
      const { profile } = loadSeccompProfile(positionals[0], 'check the FILE given to phantom export');
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
  },
});

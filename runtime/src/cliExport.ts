/** `phantom export --to docker|spo|systemd FILE`: a seccomp profile (JSON or YAML) for Docker/Podman, Kubernetes (SPO) or systemd, on stdout. */
import path from 'node:path';
import { defineCommand, UsageError } from './cliArgs';
import { EXPORT_TARGETS, exportProfile } from './exporters';
import { loadSeccompProfile, ProfileLoadError } from './seccompProfileLoader';

export const EXPORT_COMMAND = defineCommand({
  name: 'export',
  summary: 'print a seccomp profile for Docker/Podman, Kubernetes (Security Profiles Operator) or systemd',
  operands: 'FILE',
  options: {
    to: { type: 'string', choices: EXPORT_TARGETS, required: true, help: 'docker: OCI/Docker JSON; spo: a SeccompProfile resource; systemd: SystemCallFilter= lines' },
  },
  async main(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('give exactly one profile file');
    try {
      const { profile } = loadSeccompProfile(positionals[0], 'check the FILE given to phantom export');
      process.stdout.write(exportProfile(profile, values.to, path.basename(positionals[0])));
      return 0;
    } catch (e) {
      if (!(e instanceof ProfileLoadError)) throw e;
      console.error(`phantom: ${e.message}`);
      return 1;
    }
  },
});

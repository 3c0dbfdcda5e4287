/** `phantom export --to docker|spo|systemd FILE`: a seccomp profile (JSON or YAML) for Docker/Podman, Kubernetes (SPO) or systemd, on stdout. */
import path from 'node:path';
import { parseCli, UsageError } from './cliArgs';
import { EXPORT_TARGETS, exportProfile, type ExportTarget } from './exporters';
import { loadSeccompProfile, ProfileLoadError } from './seccompProfileLoader';

const USAGE = 'phantom export --to docker|spo|systemd FILE';

export async function runExport(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, { to: { type: 'string' } }, USAGE);
  const target = values.to as ExportTarget | undefined;
  if (!target || !EXPORT_TARGETS.includes(target)) throw new UsageError(`--to must be one of ${EXPORT_TARGETS.join(', ')}\nUsage: ${USAGE}`);
  if (positionals.length !== 1) throw new UsageError(`give exactly one profile file\nUsage: ${USAGE}`);
  try {
    const { profile } = loadSeccompProfile(positionals[0]);
    process.stdout.write(exportProfile(profile, target, path.basename(positionals[0])));
    return 0;
  } catch (e) {
    if (!(e instanceof ProfileLoadError)) throw e;
    console.error(`phantom: ${e.message}`);
    return 1;
  }
}

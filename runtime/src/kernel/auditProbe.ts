/**
 * Whether Landlock's own denial records could be read here (`phantom doctor`): Landlock ABI 7 logs denials through
 * audit, which must be enabled and readable (CAP_AUDIT_READ in the initial user namespace). The helper only asks
 * (`--probe-audit`: AUDIT_GET, a bind to the read-log group); nothing here turns audit on — that is the
 * administrator's decision. Where the records cannot be read, `phantom run --explain` infers Landlock refusals.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { helperPath } from '../sandbox/sandboxSpawn';
import { kernelLandlockAbi } from '../sandbox/sandboxPolicy';

export interface LandlockAuditStatus {
  /** The records could be read by this runtime now. */
  readable: boolean;
  detail: string;
  /** What would allow it (empty when readable). */
  howTo: string;
}

export function probeLandlockAudit(): LandlockAuditStatus {
  const abi = kernelLandlockAbi();
  if (abi < 7) {
    return { readable: false, detail: `Landlock ABI ${abi}: denial logging needs ABI 7 (Linux 6.15)`, howTo: 'a Linux 6.15 or newer kernel with CONFIG_AUDIT' };
  }
  const helper = helperPath();
  if (!existsSync(helper)) return { readable: false, detail: `not probed: helper not built (${helper})`, howTo: 'build the helper (node scripts/build-native.mjs)' };
  const r = spawnSync(helper, ['--probe-audit'], { encoding: 'utf8', timeout: 10_000 });
  let found: { ok: boolean; enabled: number; readlog: boolean; detail: string };
  try {
    found = JSON.parse(r.stdout.trim().split('\n')[0]) as typeof found;
  } catch {
    return { readable: false, detail: `${helper} --probe-audit failed: ${r.error?.message ?? (r.stderr.trim() || `exit ${r.status}`)}`, howTo: '' };
  }
  const howTo = found.ok
    ? ''
    : [
      found.enabled === 0 ? 'enable audit (`auditctl -e 1`, or boot with audit=1)' : '',
      !found.readlog || found.enabled < 0 ? 'run the runtime with CAP_AUDIT_READ (and CAP_AUDIT_CONTROL to check the status) in the initial namespace' : '',
    ].filter(Boolean).join(' and ');
  return { readable: found.ok, detail: found.detail, howTo };
}

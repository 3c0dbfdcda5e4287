/**
 * `phantom trust`: approve a configuration wider than the built-in default (like `direnv allow`). Prints what each
 * profile asks for beyond the defaults, in plain words, and records the approval in the user's state folder, bound
 * to a hash of the configuration and every file its profile references. `--list` shows the approvals, `--revoke`
 * removes them. Approvals are the user's: this command is never run on the repository's behalf.
 */
import path from 'node:path';
import { readApprovals, revokeApprovals, storeFile } from '../trust/approvalStore';
import { defineCommand, UsageError } from './cliArgs';
import { readConfigFile } from '../policy/profileRun';
import type { ApprovalStatus } from '../protocol';
import { sandboxSpecFor, type PreparedRun } from '../sandbox/sandboxSpec';
import { ProfileLoadError } from '../../../model';


function print(status: ApprovalStatus): void {
  console.log(`${status.config}: profile '${status.profile}' asks for more than the built-in sandbox gives:`);
  for (const w of status.widenings) console.log(`  - ${w.text}`);
  for (const r of status.refused) console.log(`  ! refused even with approval: ${r}`);
}

export const TRUST_COMMAND = defineCommand({
  name: 'trust',
  summary: 'approve a phantom-fragment.yaml that asks for more than the defaults (list, revoke)',
  options: {
    config: { type: 'string', value: 'FILE', path: true, help: 'the configuration (default: ./phantom-fragment.yaml)' },
    profile: { type: 'string', value: 'NAME', help: 'approve only this profile (default: every profile that needs it)' },
    file: { type: 'string', value: 'FILE', path: true, help: 'the file a profile runs, when its paths depend on it' },
    list: { type: 'boolean', help: 'list your approvals' },
    revoke: { type: 'boolean', help: 'remove the approvals of --config (and --profile)' },
  },
  main: runTrust,
});

async function runTrust(
  values: { config?: string; profile?: string; file?: string; list?: boolean; revoke?: boolean },
  positionals: string[],
): Promise<number> {
  if (positionals.length) throw new UsageError(`unexpected ${positionals.join(' ')}`);
  if (values.list) {
    const records = readApprovals();
    if (records.length === 0) console.log(`no approvals (${storeFile()})`);
    for (const r of records) {
      console.log(`${r.config}: profile '${r.profile}' (approved ${r.approvedAt})`);
      for (const w of r.widenings) console.log(`  - ${w}`);
    }
    return 0;
  }
  const config = path.resolve(values.config ?? 'phantom-fragment.yaml');
  if (values.revoke) {
    const n = revokeApprovals(config, values.profile);
    console.log(`${n} approval${n === 1 ? '' : 's'} of ${config}${values.profile ? ` (profile '${values.profile}')` : ''} revoked`);
    return 0;
  }
  const profiles = values.profile ? [values.profile] : Object.keys(readConfigFile(config).profiles);
  let refused = false;
  for (const profile of profiles) {
    // The same computation as a run from this folder (the widenings do not depend on the command).
    let prepared: PreparedRun;
    try {
      prepared = sandboxSpecFor({ runId: 'trust', argv: ['true'], cwd: process.cwd(), config, profile, file: values.file ? path.resolve(values.file) : undefined }, {}, 'status');
    } catch (error) {
      if (!(error instanceof ProfileLoadError)) throw error;
      console.log(`${config}: profile '${profile}' cannot be checked, so it is not approved: ${error.message}`);
      refused = true;
      continue;
    }
    const status = prepared.approval;
    if (!status) {
      console.log(`${config}: profile '${profile}' stays inside the defaults: nothing to approve`);
      continue;
    }
    print(status);
    if (status.refused.length) {
      refused = true;
      console.log('  not approved: remove or narrow the refused grants');
      continue;
    }
    prepared.approve?.();
    console.log(`  approved: recorded in ${storeFile()} (any change to the configuration or its files asks again)`);
  }
  return refused ? 1 : 0;
}

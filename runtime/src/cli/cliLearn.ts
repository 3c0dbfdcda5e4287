/**
 * `phantom learn`: record a command's syscalls in its sandbox, propose the minimal seccomp profile, prove it by
 * replay. Never overwrites without review: --out FILE is written only when it does not exist; otherwise the
 * proposal (merged with what was learned before) goes to FILE.proposed and the diff is printed
 * (`--force` replaces FILE). For an existing FILE the proposal is FILE plus one rule with what it lacks. A proposal whose replay fails goes to FILE.unverified, with the reason, exit 1.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { defineCommand, parsePositiveNumber, UsageError, type OptionTable, type OptionValues } from './cliArgs';
import { parseUsage, type LearnedUsage } from '../learn/learnRecording';
import { renderProfile } from '../learn/learnProposal';
import { addMissingText } from '../learn/learnMerge';
import { DEFAULT_LEARN_RUNS, learnProfile, type LearnRequest } from '../learn/learnRun';
import { PinnedDirectory } from '../storage/pinnedDirectory';
import { EXIT_APPROVAL_NEEDED } from '../protocol';
import { ApprovalNeededError } from '../trust/approvalGate';
import { learnLandlockInto, openLandlockOut, type LandlockOut } from './cliLearnLandlock';
import { SANDBOX_OPTIONS, sandboxRequestFrom } from './cliSandboxOptions';
import { CommandResolutionError } from '../sandbox/commandResolution';
import { ProfileLoadError } from '../../../model';

/** What to do with the proposal next to an existing profile: review its diff, or nothing when it changes nothing. */
export function proposalReview(given: string, proposal: string, same: boolean): string {
  return same
    ? `${given} already allows every syscall these runs used: nothing to change (${proposal} is the same profile)`
    : `${given} exists: review the proposal (the diff below) and move ${proposal} over the file, or learn again with --force`;
}

/** The sidecar next to a learned profile: the usage (counts per syscall) that learning again adds to. */
export function sidecarPath(profileFile: string): string {
  return `${profileFile}.learned.json`;
}

// Every sandbox option of `phantom run` (one table, cliSandboxOptions.ts) but --seccomp: that is what is learned.
const { seccomp: _learned, ...LEARN_SANDBOX_OPTIONS } = SANDBOX_OPTIONS;

const LEARN_OPTIONS = {
  ...LEARN_SANDBOX_OPTIONS,
  runs: { type: 'string', value: 'K', default: String(DEFAULT_LEARN_RUNS), help: 'record K runs, allow what any of them used, and report what only some used' },
  format: { type: 'string', choices: ['yaml', 'json'], help: 'format of the profile written (default: from the --out name)' },
  out: { type: 'string', value: 'FILE', help: 'the seccomp profile to write; an existing one gets a reviewed proposal next to it' },
  'landlock-out': { type: 'string', value: 'FILE', help: 'also (or only) propose the Landlock profile FILE.landlock.{json,yaml,toml} from the same runs' },
  replays: { type: 'string', value: 'N', default: '5', help: 'replays of the Landlock proposal that must all match (alone, and again with the seccomp profile)' },
  force: { type: 'boolean', default: false, help: 'replace an existing --out FILE instead of proposing' },
  json: { type: 'boolean', default: false, help: 'print the result as one JSON object (no progress)' },
} as const satisfies OptionTable;

export const LEARN_COMMAND = defineCommand({
  name: 'learn',
  summary: 'learn the minimal seccomp profile of a command: record, propose, prove by replay',
  options: LEARN_OPTIONS,
  operands: '[-- CMD ARGS...]',
  main: runLearn,
});

async function runLearn(values: OptionValues<typeof LEARN_OPTIONS>, positionals: string[]): Promise<number> {
  if (!values.out && !values['landlock-out']) throw new UsageError('give --out FILE (seccomp), --landlock-out FILE (Landlock), or both');
  const format = values.format ?? (/\.ya?ml$/i.test(values.out ?? '') ? 'yaml' : 'json');
  const replays = parsePositiveNumber(values.replays, '--replays', true);
  const runs = parsePositiveNumber(values.runs, '--runs', true);

  // The same resolver as `phantom run` (sandboxSpecFor, in learnRun.ts): the profile's own sandbox, the approval gate.
  const { params, limits } = sandboxRequestFrom(values, positionals);
  if (!params.argv.length && !params.config) throw new UsageError('no command: give one after --, or a --profile whose run is set');
  const req: Partial<LearnRequest> = {
    argv: params.argv, cwd: params.cwd, env: params.env, network: params.network, readOnly: params.readOnly, readWrite: params.readWrite,
    timeoutSeconds: params.timeoutSeconds, config: params.config, profile: params.profile, file: params.file,
    landlockProfile: limits.landlockProfile, bestEffort: limits.bestEffort, limits: { memoryBytes: limits.memoryBytes, pids: limits.pids },
  };

  // The folders of --out and --landlock-out are opened before the run: whatever the workload does to their paths
  // (a symlink at FILE, the folder replaced by a link), every file below is written into THESE folders, never through a link.
  const landlock = values['landlock-out'] ? openLandlockOut(values['landlock-out']) : undefined;
  try {
    if (!values.out) return await learnLandlockOnly(landlock!, values, req, runs, replays);
    const out = path.resolve(values.out);
    const { dir, name } = PinnedDirectory.forFile(out);
    try {
      return await learnInto(dir, name, out, values, req, runs, format, landlock ? { out: landlock, replays } : undefined);
    } finally {
      dir.close();
    }
  } finally {
    landlock?.dir.close();
  }
}

interface LearnValues { out?: string; force?: boolean; json?: boolean }

/** --landlock-out without --out: the runs are recorded as usual, the seccomp proposal is neither replayed nor written. */
async function learnLandlockOnly(landlock: LandlockOut, values: LearnValues, req: Partial<LearnRequest>, runs: number, replays: number): Promise<number> {
  const result = await learnProfile({
    ...(req as LearnRequest), runs, reportAs: 'phantom', noReplay: true,
    onProgress: values.json ? undefined : (m) => console.error(`phantom learn: ${m}`),
  });
  for (const n of values.json ? [] : result.notes) console.error(`phantom: ${n}`);
  const ll = await learnLandlockInto(landlock, result, { force: values.force, json: values.json, replays });
  if (values.json) console.log(JSON.stringify({ landlock: ll.summary, varying: result.varying, notes: result.notes, runs: result.usage.runs }, null, 2));
  return ll.code;
}

async function learnInto(dir: PinnedDirectory, name: string, out: string, values: LearnValues, req: Partial<LearnRequest>, runs: number, format: 'yaml' | 'json',
  landlock?: { out: LandlockOut; replays: number }): Promise<number> {
  const before = dir.kind(name);
  if (before === 'link') console.error(`phantom learn: ${out} is a symbolic link: it is replaced by the proposal, never followed`);
  else if (before === 'other') throw new UsageError(`${out} is not a regular file: give another --out`);
  const current = before === 'file' ? dir.read(name) : undefined;
  const exists = current !== undefined;
  let previous: LearnedUsage | undefined;
  const sidecarText = exists ? dir.read(path.basename(sidecarPath(out))) : undefined;
  if (sidecarText !== undefined) previous = parseUsage(sidecarText, sidecarPath(out));

  let result;
  try {
    result = await learnProfile({
      ...(req as LearnRequest), runs, previous, reportAs: 'phantom',
      onProgress: values.json ? undefined : (m) => console.error(`phantom learn: ${m}`),
    });
  } catch (error) {
    // What the repository's profile asks beyond the defaults needs the user's approval here too (docs/sandbox.md).
    if (error instanceof ApprovalNeededError) {
      console.error(`phantom: ${error.message}`);
      return EXIT_APPROVAL_NEEDED;
    }
    if (error instanceof ProfileLoadError || error instanceof CommandResolutionError) {
      console.error(`phantom: ${error.message}`);
      return error instanceof CommandResolutionError ? error.exitCode : 125;
    }
    throw error;
  }
  // An existing FILE is added to (its own rules and comments kept); a new FILE (or --force) gets the minimal profile.
  const text = current !== undefined && !values.force && result.replay.status !== 'failed'
    ? addMissingText(current, /\.ya?ml$/i.test(out) ? 'yaml' : 'json', result.usage).text
    : renderProfile(result.profile, format, result.usage);
  const usageText = `${JSON.stringify(result.usage, null, 2)}\n`;
  const allowed = result.profile.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names);

  let written: string;
  if (result.replay.status === 'failed') {
    written = `${out}.unverified`;
  } else if (!exists || values.force) {
    written = out;
  } else {
    written = `${out}.proposed`;
  }
  dir.write(path.basename(written), text);
  // The sidecar travels with the profile it describes (only the accepted one updates FILE's sidecar).
  dir.write(path.basename(written === out ? sidecarPath(out) : `${written}.learned.json`), usageText);

  // The Landlock proposal of the same runs, replayed with the seccomp one when that was proven.
  const ll = landlock ? await learnLandlockInto(landlock.out, result, { force: values.force, json: values.json, replays: landlock.replays }) : undefined;
  if (values.json) {
    console.log(JSON.stringify({ written, status: result.replay.status, reason: result.replay.reason, added: result.replay.added, varying: result.varying, notes: result.notes, allowed: allowed.length, runs: result.usage.runs, notifications: result.usage.notifications, ...(ll ? { landlock: ll.summary } : {}) }, null, 2));
  } else {
    for (const n of result.notes) console.error(`phantom: ${n}`);
    console.error(`phantom learn: ${allowed.length} syscalls allowed, learned from ${result.usage.runs} run(s), ${result.usage.notifications} syscalls seen`);
    if (result.replay.status === 'failed') {
      console.error(`phantom learn: the replay under the proposal FAILED: ${result.replay.reason}\nphantom learn: the unverified proposal is in ${written}; it is not offered as working`);
    } else {
      console.error(`phantom learn: replay ${result.replay.status}${result.replay.added.length ? ` (added ${result.replay.added.join(', ')})` : ''}; wrote ${written}`);
      if (written !== out) {
        console.error(`phantom learn: ${proposalReview(values.out ?? out, written, current === text)}`);
      }
      if (written !== out && current !== text) {
        // Both sides read without a path: the current text from memory, the proposal through the pinned folder.
        const diff = spawnSync('diff', ['-u', '--label', out, '--label', written, '-', `/proc/self/fd/3/${path.basename(written)}`],
          { encoding: 'utf8', input: current ?? '', stdio: ['pipe', 'pipe', 'pipe', dir.fd] });
        if (diff.stdout) process.stdout.write(diff.stdout);
        else console.error(`phantom learn: compare ${out} with ${written} (diff -u could not run: ${diff.error?.message ?? `exit ${diff.status}`})`);
      }
    }
  }
  return result.replay.status === 'failed' || ll?.code ? 1 : 0;
}

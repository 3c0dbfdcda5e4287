/**
 * `phantom learn --landlock-out FILE.landlock.{json,yaml,toml}`: the Landlock proposal of the same recorded runs
 * as the seccomp one (beside `--out`, or alone), proven by replay (learnLandlock.ts) and written like `--out`:
 * through the folder pinned before the first recorded run (pinnedDirectory.ts), FILE only when it does not
 * exist (else FILE.proposed and the diff; `--force` replaces it), FILE.unverified when the replay failed (exit
 * 1). The recorded paths are kept in FILE.learned.json; learning again adds to them.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { UsageError } from './cliArgs';
import { learnLandlock, type LandlockLearnResult } from '../learn/learnLandlock';
import { landlockFormatOf, varyingRules } from '../learn/landlockProposal';
import { mergePathUsage, parsePathUsage, type PathUsage } from '../learn/learnPaths';
import type { LearnResult } from '../learn/learnRun';
import { PinnedDirectory } from '../storage/pinnedDirectory';

export interface LandlockOut {
  file: string;
  dir: PinnedDirectory;
  name: string;
  current?: string;
  previous?: PathUsage;
}

/** Opens --landlock-out's folder (before any recorded run) and reads what is there. */
export function openLandlockOut(given: string): LandlockOut {
  const file = path.resolve(given);
  if (!landlockFormatOf(file)) throw new UsageError(`--landlock-out ${given}: name it FILE.landlock.json, .landlock.yaml or .landlock.toml (the format follows the name)`);
  const { dir, name } = PinnedDirectory.forFile(file);
  const kind = dir.kind(name);
  if (kind === 'link') console.error(`phantom learn: ${file} is a symbolic link: it is replaced by the proposal, never followed`);
  else if (kind === 'other') {
    dir.close();
    throw new UsageError(`${file} is not a regular file: give another --landlock-out`);
  }
  const current = kind === 'file' ? dir.read(name) : undefined;
  const sidecar = current !== undefined ? dir.read(`${name}.learned.json`) : undefined;
  return { file, dir, name, current, ...(sidecar !== undefined ? { previous: parsePathUsage(sidecar, `${file}.learned.json`) } : {}) };
}

export interface LandlockValues { force?: boolean; json?: boolean; replays: number }

/** Proves and writes the Landlock proposal of `learned`; the exit code (0 proven, 1 replay failed). */
export async function learnLandlockInto(out: LandlockOut, learned: LearnResult, values: LandlockValues): Promise<{ code: number; summary: Record<string, unknown> }> {
  const format = landlockFormatOf(out.file)!;
  const result: LandlockLearnResult = await learnLandlock({
    spec: learned.spec, reference: learned.recorded[0], format, replays: values.replays,
    usage: out.previous ? mergePathUsage(out.previous, learned.paths) : learned.paths,
    ...(learned.replay.status === 'verified' || learned.replay.status === 'fixed' ? { seccomp: learned.profile } : {}),
    onProgress: values.json ? undefined : (m) => console.error(`phantom learn: ${m}`),
  });
  // As for seccomp: runs that would each propose other rules are reported, not hidden.
  const varying = varyingRules(learned.pathRuns, learned.spec.cwd);
  const note = varying.length
    ? `the ${learned.pathRuns.length} recorded runs did not use the same paths and ports: the workload is not deterministic and the Landlock profile may be incomplete ` +
      `(rules from only some runs: ${varying.join('; ')}) — learn with more --runs, or exercise every path of the program`
    : undefined;
  const exists = out.current !== undefined;
  const written = result.status === 'failed' ? `${out.file}.unverified` : !exists || values.force ? out.file : `${out.file}.proposed`;
  out.dir.write(path.basename(written), result.text);
  out.dir.write(`${path.basename(written)}.learned.json`, `${JSON.stringify(result.usage, null, 2)}\n`);
  const summary = {
    written, status: result.status, reason: result.reason, added: result.added, replays: result.replays, abi: result.proposal.abi,
    rules: result.proposal.rules.length, ports: result.proposal.ports.map((p) => p.port), notGranted: result.proposal.refused,
    varying, ...(note ? { note } : {}), paths: Object.keys(result.usage.paths).length, pathUs: result.usage.pathUs, unreadable: result.usage.unreadable,
  };
  if (!values.json) {
    if (note) console.error(`phantom: ${note}`);
    console.error(`phantom learn: Landlock: abi ${result.proposal.abi}, ${result.proposal.rules.length} path rules, ${result.proposal.ports.length} port rules from ${summary.paths} paths (${result.usage.pathUs} µs recording them)`);
    if (result.status === 'failed') {
      console.error(`phantom learn: the Landlock replay FAILED: ${result.reason}\nphantom learn: the unverified proposal is in ${written}; it is not offered as working`);
    } else {
      console.error(`phantom learn: Landlock replay ${result.status} (${result.replays.alone} alone${learned.profile && result.replays.withSeccomp ? `, ${result.replays.withSeccomp} with the seccomp profile` : ''})${result.added.length ? ` after adding ${result.added.join('; ')}` : ''}; wrote ${written}`);
      if (written !== out.file && out.current !== result.text) {
        console.error(`phantom learn: ${out.file} exists: review the proposal (the diff below) and move ${written} over the file, or learn again with --force`);
        const diff = spawnSync('diff', ['-u', '--label', out.file, '--label', written, '-', `/proc/self/fd/3/${path.basename(written)}`],
          { encoding: 'utf8', input: out.current ?? '', stdio: ['pipe', 'pipe', 'pipe', out.dir.fd] });
        if (diff.stdout) process.stdout.write(diff.stdout);
      } else if (written !== out.file) {
        console.error(`phantom learn: ${out.file} already allows what these runs used: nothing to change`);
      }
    }
  }
  return { code: result.status === 'failed' ? 1 : 0, summary };
}

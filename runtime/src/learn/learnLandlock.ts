/**
 * Landlock learn mode, the proof: the proposal (landlockProposal.ts) made from the recorded paths is replayed
 * as its OWN Landlock layer stacked on the sandbox's (SandboxSpec.landlockStack: an access must pass both),
 * alone and together with the learned seccomp profile, and each replay must give the learned run's exit status
 * and stdout. A replay that differs gets a notify pass (one more recorded run): the recorded accesses the
 * proposal refuses are named, added and the replays repeated (at most 3 fixes). Otherwise the proposal is
 * `failed` with the reason — never offered as verified.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadLandlockProfile as loadLandlockModel } from '../../../model';
import { compileLandlock } from '../policy/landlockCompiler';
import { proposeLandlock, renderLandlock, type LandlockFormat, type LandlockProposal } from './landlockProposal';
import { mergePathUsage, uncovered, type PathUsage } from './learnPaths';
import { renderJson, type ProposedProfile } from './learnProposal';
import { captureRun, recordOnce, type RunCapture } from './learnRun';
import { makeScratchDir } from '../storage/privateDirs';
import type { SandboxSpec } from '../sandbox/sandboxSpawn';

export interface LandlockLearnResult {
  usage: PathUsage;
  proposal: LandlockProposal;
  text: string;
  status: 'verified' | 'fixed' | 'failed';
  /** Accesses a notify pass found refused and added. */
  added: string[];
  reason?: string;
  /** Replays that matched: alone, and stacked with the learned seccomp profile. */
  replays: { alone: number; withSeccomp: number };
}

export interface LandlockLearnOptions {
  spec: SandboxSpec;
  reference: RunCapture;
  usage: PathUsage;
  format: LandlockFormat;
  /** Replays of each kind (alone, with seccomp) that must all match. */
  replays: number;
  /** The learned seccomp profile, when it was proven too: replayed together with the Landlock proposal. */
  seccomp?: ProposedProfile;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

const MAX_FIX_ROUNDS = 3;

function difference(a: RunCapture, b: RunCapture): string | undefined {
  if (a.code !== b.code || a.signal !== b.signal)
    return `exit ${b.code ?? b.signal} under the Landlock proposal, ${a.code ?? a.signal} when learned${b.stderr ? ` (stderr: ${b.stderr.trim().split('\n').slice(-2).join(' | ')})` : ''}`;
  if (a.stdout !== b.stdout) return 'stdout differs from the learned run';
  return undefined;
}

/** Every replay of the proposal (alone, then with seccomp): the first difference, or the counts. */
async function replayAll(o: LandlockLearnOptions, text: string): Promise<{ difference?: string; alone: number; withSeccomp: number }> {
  const dir = makeScratchDir('phantom-replay-', 'the Landlock replay');
  try {
    const file = path.join(dir, `proposed.landlock.${o.format}`);
    writeFileSync(file, text);
    const seccompFile = path.join(dir, 'proposed.seccomp.json');
    if (o.seccomp) writeFileSync(seccompFile, renderJson(o.seccomp));
    const counts = { alone: 0, withSeccomp: 0 };
    for (const withSeccomp of o.seccomp ? [false, true] : [false]) {
      for (let i = 0; i < o.replays; i++) {
        const capture = await captureRun({ ...o.spec, landlockStack: file, ...(withSeccomp ? { seccompProfile: seccompFile } : {}) }, o.signal);
        const diff = capture.error && capture.code !== null && capture.code >= 125 ? `the sandbox did not start: ${capture.error}` : difference(o.reference, capture);
        if (diff) return { difference: `${withSeccomp ? 'with the learned seccomp profile, ' : ''}replay ${i + 1}: ${diff}`, ...counts };
        counts[withSeccomp ? 'withSeccomp' : 'alone']++;
      }
    }
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function learnLandlock(o: LandlockLearnOptions): Promise<LandlockLearnResult> {
  const progress = o.onProgress ?? (() => undefined);
  const workspace = o.spec.cwd;
  let usage = o.usage;
  let proposal = proposeLandlock(usage, workspace);
  let text = renderLandlock(proposal, o.format);
  const added: string[] = [];
  let reason = '';
  for (let round = 1; round <= MAX_FIX_ROUNDS + 1; round++) {
    progress(`replaying under the Landlock proposal, stacked on the sandbox's layer (${o.replays}×${o.seccomp ? ' alone and with the seccomp profile' : ''})`);
    const r = await replayAll(o, text);
    if (!r.difference) {
      return { usage, proposal, text, status: round === 1 ? 'verified' : 'fixed', added, replays: { alone: r.alone, withSeccomp: r.withSeccomp } };
    }
    reason = r.difference;
    if (round > MAX_FIX_ROUNDS) break;
    progress(`Landlock replay failed (${reason}); notify pass to find the refused accesses`);
    const pass = await recordOnce(o.spec, o.signal);
    const config = loadLandlockModel(`proposed.landlock.${o.format}`, text).profile();
    // What the rule declines to grant (on / or a home folder) stays refused: adding it again changes nothing.
    const refused = uncovered(pass.paths, compileLandlock(config, `proposed.landlock.${o.format}`, workspace)).filter((a) => !proposal.refused.includes(a));
    if (refused.length === 0) {
      reason += proposal.refused.length
        ? ` — the proposal does not grant ${proposal.refused.join('; ')} (on / or a home folder itself)`
        : ' — a notify pass found no recorded access the proposal refuses (the workload is not deterministic, or it needs an access the recording cannot see)';
      break;
    }
    added.push(...refused);
    usage = mergePathUsage(usage, pass.paths);
    proposal = proposeLandlock(usage, workspace);
    text = renderLandlock(proposal, o.format);
  }
  return { usage, proposal, text, status: 'failed', added, reason, replays: { alone: 0, withSeccomp: 0 } };
}

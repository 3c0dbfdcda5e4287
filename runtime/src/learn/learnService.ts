/**
 * The runtime's `phantom/learn` request (protocol.ts): learnRun.ts for the editor, cancellable, texts ready for a
 * diff. ONE recording gives the seccomp proposal, the Landlock proposal (learnLandlock.ts), or both.
 */
import type { CancellationToken } from 'vscode-jsonrpc';
import { learnLandlock } from './learnLandlock';
import { addMissingText } from './learnMerge';
import { rightNames, type PathUsage } from './learnPaths';
import { renderProfile } from './learnProposal';
import { usedNames } from './learnRecording';
import { learnProfile, type LearnResult } from './learnRun';
import { varyingRules } from './landlockProposal';
import type { LearnLandlockResult, LearnProfileParams, LearnProfileResult } from '../protocol';

/** Replays of each kind of the Landlock proposal in the editor (the CLI's default is 5; `--replays`). */
const EDITOR_LANDLOCK_REPLAYS = 3;

function named(usage: PathUsage): Pick<LearnLandlockResult, 'usedPaths' | 'usedPorts'> {
  const usedPaths: Record<string, string[]> = {};
  for (const [p, mask] of Object.entries(usage.paths)) usedPaths[p] = rightNames(mask, 'fs');
  const usedPorts: Record<string, string[]> = {};
  for (const [port, mask] of Object.entries(usage.ports)) usedPorts[port] = rightNames(mask, 'net');
  return { usedPaths, usedPorts };
}

async function landlockOf(params: LearnProfileParams, learned: LearnResult, signal: AbortSignal, progress: (m: string) => void): Promise<LearnLandlockResult> {
  const proven = learned.replay.status === 'verified' || learned.replay.status === 'fixed';
  const r = await learnLandlock({
    spec: learned.spec, reference: learned.recorded[0], usage: learned.paths, format: params.landlock?.format ?? 'json',
    replays: Math.max(1, params.landlock?.replays ?? EDITOR_LANDLOCK_REPLAYS), ...(proven ? { seccomp: learned.profile } : {}), signal, onProgress: progress,
  });
  return {
    status: r.status, ...(r.reason ? { reason: r.reason } : {}), added: r.added, text: r.text, abi: r.proposal.abi, ...named(r.usage),
    workspace: learned.spec.cwd, varying: varyingRules(learned.pathRuns, learned.spec.cwd), notGranted: r.proposal.refused, replays: r.replays,
  };
}

export async function learnForEditor(params: LearnProfileParams, token: CancellationToken | undefined, progress: (message: string) => void): Promise<LearnProfileResult> {
  const abort = new AbortController();
  const cancel = token?.onCancellationRequested(() => abort.abort());
  const kinds = params.learn?.length ? params.learn : ['seccomp'];
  try {
    const result = await learnProfile({
      argv: params.argv, cwd: params.cwd, env: params.env, network: params.network, readOnly: params.readOnly,
      readWrite: params.readWrite, timeoutSeconds: params.timeoutSeconds, runs: params.runs, onProgress: progress, signal: abort.signal,
      // The profile's own sandbox (the one resolver): the editor sends its configuration, profile and file.
      config: params.config, profile: params.profile, file: params.file, approvedOnce: params.approvedOnce,
      // Landlock only: the seccomp proposal is not asked for, so it is not proven either.
      noReplay: !kinds.includes('seccomp'), learnLandlock: kinds.includes('landlock'),
    });
    const minimalText = renderProfile(result.profile, params.format, result.usage);
    const merged = params.existingText?.trim() ? addMissingText(params.existingText, params.format, result.usage) : { text: minimalText, missing: Object.keys(usedNames(result.usage)) };
    const landlock = kinds.includes('landlock') ? await landlockOf(params, result, abort.signal, progress) : undefined;
    return {
      status: result.replay.status, ...(result.replay.reason ? { reason: result.replay.reason } : {}), added: result.replay.added,
      minimalText, addMissingText: merged.text, missing: merged.missing, usedNames: Object.keys(usedNames(result.usage)),
      runs: result.usage.runs, notifications: result.usage.notifications, varying: result.varying, notes: result.notes,
      ...(landlock ? { landlock } : {}),
    };
  } finally {
    cancel?.dispose();
  }
}

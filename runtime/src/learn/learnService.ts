/** The runtime's `phantom/learn` request (protocol.ts): learnRun.ts for the editor, cancellable, texts ready for a diff. */
import type { CancellationToken } from 'vscode-jsonrpc';
import { addMissingText } from './learnMerge';
import { renderProfile } from './learnProposal';
import { usedNames } from './learnRecording';
import { learnProfile } from './learnRun';
import type { LearnProfileParams, LearnProfileResult } from '../protocol';

export async function learnForEditor(params: LearnProfileParams, token: CancellationToken | undefined, progress: (message: string) => void): Promise<LearnProfileResult> {
  const abort = new AbortController();
  const cancel = token?.onCancellationRequested(() => abort.abort());
  try {
    const result = await learnProfile({
      argv: params.argv, cwd: params.cwd, env: params.env, network: params.network, readOnly: params.readOnly,
      readWrite: params.readWrite, timeoutSeconds: params.timeoutSeconds, runs: params.runs, onProgress: progress, signal: abort.signal,
      // The profile's own sandbox (the one resolver): the editor sends its configuration, profile and file.
      config: params.config, profile: params.profile, file: params.file, approvedOnce: params.approvedOnce,
    });
    const minimalText = renderProfile(result.profile, params.format, result.usage);
    const merged = params.existingText?.trim() ? addMissingText(params.existingText, params.format, result.usage) : { text: minimalText, missing: Object.keys(usedNames(result.usage)) };
    return {
      status: result.replay.status, ...(result.replay.reason ? { reason: result.replay.reason } : {}), added: result.replay.added,
      minimalText, addMissingText: merged.text, missing: merged.missing, usedNames: Object.keys(usedNames(result.usage)),
      runs: result.usage.runs, notifications: result.usage.notifications, varying: result.varying, notes: result.notes,
    };
  } finally {
    cancel?.dispose();
  }
}

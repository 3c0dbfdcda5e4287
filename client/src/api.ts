/**
 * What the extension exports from activate(): a small API for other extensions and for the extension-host
 * tests (which check real runs through it instead of scraping terminals).
 */
import * as vscode from 'vscode';
import type { RunExit } from '../../runtime/src/protocol';

export interface FinishedRun {
  /** The file that was run. */
  file: string;
  /** Everything it printed (stdout and stderr interleaved as received), capped at OUTPUT_CAP characters. */
  output: string;
  exit: RunExit;
}

export interface PhantomApi {
  /** The pid of the runtime process, undefined while it is not running. */
  runtimePid(): number | undefined;
  /** Fires when a "Run in Sandbox" run ends. */
  readonly onDidFinishRun: vscode.Event<FinishedRun>;
}

export const OUTPUT_CAP = 1_000_000;

/**
 * The extension's one context object (rust-analyzer's `ctx`): it owns the log, the runtime client, the language
 * client, the status bar, the state commands share (the last run, the learn proposal on screen) and every
 * disposable. Created by activate(), disposed with the extension; nothing of this lives in module globals.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { LearnedUsageParams, RunDenialsParams } from '../../server/src/protocol';
import type { FinishedRun, PhantomApi } from './api';
import { config, runtimeBundle } from './config';
import { RunDenialLog } from './denialReport';
import { PressureHistory } from './metricsPanel';
import { RuntimeClient } from './runtimeClient';
import type { LastRun } from './runSession';
import { ProposalContent, type PendingProposal } from './learnProposal';

export class Ctx implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly runtime: RuntimeClient;
  languageClient: LanguageClient | undefined;
  /** The last "Run in Sandbox", for Re-run Last and Stop Run. */
  lastRun: LastRun | undefined;
  /** The learn proposal whose diff is on screen, for the buttons in the diff editor's title. */
  proposal: PendingProposal | undefined;
  /** PSI history kept from activation, so the metrics panel has the last minutes the moment it opens. */
  readonly pressureHistory: PressureHistory;
  /** Fires when a run in a terminal ends (PhantomApi.onDidFinishRun). */
  readonly finishedRuns: vscode.EventEmitter<FinishedRun>;
  /** The texts of the learn proposals' diff views. */
  readonly proposals: ProposalContent;
  /** Where the learned set goes once the language server runs (learnedUsageNotification). */
  learnedUsageSink: ((params: LearnedUsageParams) => void) | undefined;
  /** Where a run's denials go once the language server runs (runDenialsNotification: Problems and quick fixes). */
  runDenialsSink: ((params: RunDenialsParams) => void) | undefined;
  /** The denials of the recent runs, for the metrics panel. */
  readonly denialLog = new RunDenialLog();
  /** The open "Run in Sandbox" terminals and what they ran, for the footer's Explain link (explainRun.ts). */
  readonly runTerminals = new Map<vscode.Terminal, LastRun>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    // One channel for everything: the runtime, runs, learn runs and the language client.
    this.log = this.own(vscode.window.createOutputChannel('Phantom', { log: true }));
    this.runtime = this.own(new RuntimeClient(runtimeBundle(config.runtimePath(), this.bundledRuntime()), this.log));
    this.proposals = this.own(new ProposalContent());
    this.finishedRuns = this.own(new vscode.EventEmitter<FinishedRun>());
    this.pressureHistory = this.own(new PressureHistory(this.runtime));
  }

  /** The runtime shipped with the extension (what an empty `phantom.runtime.path` means). */
  bundledRuntime(): string {
    return this.extension.asAbsolutePath('dist/runtime.js');
  }

  /** Takes ownership of a disposable (disposed with the context, last in first out). */
  own<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  api(): PhantomApi {
    return { runtimePid: () => this.runtime.pid, onDidFinishRun: this.finishedRuns.event };
  }

  /** Sets a context key for `when` clauses and walkthrough completion. */
  setContext(key: string, value: unknown): void {
    void vscode.commands.executeCommand('setContext', key, value);
  }

  dispose(): void {
    for (const d of this.disposables.reverse()) d.dispose();
    this.disposables.length = 0;
  }
}

/**
 * One sandboxed run in a RunTerminal, shared by "Run in Sandbox" and phantom tasks: the header, the run request,
 * output and exit into the terminal, and one log entry per run (profile, command, timings, notes) in the
 * "Phantom" output. A runtime that cannot start shows its own error in the terminal, with Restart offered.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunExit, RunParams } from '../../runtime/src/protocol';
import { documentFormat } from '../../model/src/documentKind';
import { OUTPUT_CAP } from './api';
import { reportsDenials, runDenialsNotifications } from './denialReport';
import type { Ctx } from './ctx';
import { RuntimeFailedError } from './runtimeClient';
import { displayArgv, exitLogLine } from './runText';
import type { RunTerminal } from './runTerminal';
import { approveRun, settingScopes } from './trustPrompt';

/** What a run in a terminal runs: the request without its id (a fresh one per run and re-run). */
export interface RunRequest {
  params: Omit<RunParams, 'runId'>;
  /** The profile's name for the header ('built-in default' without one). */
  profileLabel: string;
  /** The file the run is for (the API's FinishedRun.file). */
  file?: string;
}

export interface LastRun {
  pty: RunTerminal;
  terminal: vscode.Terminal;
  request: RunRequest;
  uri: vscode.Uri;
}

/** The header's command: argv as given, else the profile's run on the file. */
export function headerCommand(request: RunRequest): string {
  const { argv, cwd, file } = request.params;
  if (argv.length) return displayArgv(argv, cwd);
  return file ? `the profile's run on ${displayArgv([file], cwd)}` : "the profile's run";
}

/**
 * The sandbox is made from the profile files on disk: unsaved changes to the configuration or a profile in the
 * run's folder (a quick fix just applied, a rule typed) are saved first, so the run uses what the editor shows.
 */
async function saveProfiles(folder: string): Promise<void> {
  const inside = (file: string) => !path.relative(folder, file).startsWith('..');
  const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file' && documentFormat(d.uri.fsPath) && inside(d.uri.fsPath));
  try {
    await Promise.all(dirty.map((d) => d.save()));
  } catch {
    // Not saved (read-only file, a save participant failed): the run uses the file on disk, as VS Code's tasks do.
  }
}

/** What ran, in the words of a Problems message: the command as given, or the profile and its file. */
function ranWhat(request: RunRequest): string {
  const { argv, cwd, file, explain } = request.params;
  const what = argv.length ? displayArgv(argv, cwd) : `profile ${request.profileLabel}${file ? ` on ${displayArgv([file], cwd)}` : ''}`;
  return explain ? `Explain of ${what}` : what;
}

/** Runs the request once in `pty`; resolves with its exit (never rejects). */
export async function runInTerminal(ctx: Ctx, pty: RunTerminal, request: RunRequest): Promise<RunExit> {
  await saveProfiles(request.params.cwd);
  const runId = randomUUID();
  const params: RunParams = { ...request.params, runId };
  const command = headerCommand(request);
  pty.header(command, params.explain ? `${request.profileLabel} · explain: path syscalls recorded` : request.profileLabel);
  ctx.log.info(`run ${runId.slice(0, 8)}: ${command} [profile: ${request.profileLabel}${params.config ? ` of ${params.config}` : ''}] in ${params.cwd}`);
  pty.attach({
    stdin: (data) => ctx.runtime.sendStdin(runId, data),
    eof: () => ctx.runtime.sendStdin(runId, undefined, true),
    cancel: () => {
      ctx.log.info(`run ${runId.slice(0, 8)}: stop requested`);
      void ctx.runtime.cancel(runId);
    },
  });
  // Under pressure the runtime may hold the spawn back (orchestrator.pressure): say so, and for how long at most.
  const deferral = ctx.runtime.onRunDeferred((d) => {
    if (d.runId !== runId) return;
    pty.notice(`waiting up to ${Math.round(d.maxWaitMs / 1000)} s before starting: ${d.reason}`);
    ctx.log.info(`run ${runId.slice(0, 8)}: deferred (${d.reason})`);
  });
  let output = '';
  const ended = new Promise<RunExit>((resolve) => {
    const finish = (exit: RunExit) => {
      deferral.dispose();
      pty.exit(exit, { folder: params.cwd, explained: params.explain });
      // What it refused goes to Problems (on the profile lines, with quick fixes) and to the metrics panel.
      if (reportsDenials(exit)) for (const n of runDenialsNotifications(params, ranWhat(request), exit.denials ?? [], vscode.workspace.getWorkspaceFolder(vscode.Uri.file(params.cwd))?.uri.fsPath)) ctx.runDenialsSink?.(n);
      ctx.denialLog.record(runId, exit.denials, params.cwd);
      ctx.log.info(`run ${runId.slice(0, 8)}: ${exitLogLine(exit, false)}`);
      for (const note of exit.notes ?? []) ctx.log.info(`run ${runId.slice(0, 8)}: note: ${note}`);
      ctx.finishedRuns.fire({ file: request.file ?? params.cwd, output: output.slice(0, OUTPUT_CAP), exit });
      ctx.setContext('phantom.hasRun', true);
      resolve(exit);
    };
    // A configuration wider than the defaults runs only once the user approved it (trustPrompt.ts).
    approveRun(ctx.runtime, { ...params, settingScopes: settingScopes(params) })
      .then((approved) => {
        if (!approved) throw new Error('not run: the configuration asks for more than the defaults and was not approved');
        return ctx.runtime.run(approved, {
        started: (s) => {
          pty.started(s.spawnMs, s.warm);
          ctx.log.info(`run ${runId.slice(0, 8)}: started in ${s.spawnMs.toFixed(1)} ms (${s.warm ? 'warm' : 'cold'})`);
        },
        output: (o) => {
          pty.output(o);
          if (output.length < OUTPUT_CAP) output += o.data;
        },
        exit: finish,
        });
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        finish({ runId, code: null, signal: null, error: message, timings: { queueMs: 0, spawnMs: 0, totalMs: 0, warm: false } });
        if (error instanceof RuntimeFailedError) offerRestart(ctx, message);
      });
  });
  return ended;
}

/** The runtime could not serve a run: the terminal has its error; the notification offers the way out. */
function offerRestart(ctx: Ctx, message: string): void {
  void vscode.window.showErrorMessage(`Phantom: ${message.split('\n')[0]}`, 'Restart Runtime', 'Show Log').then((choice) => {
    if (choice === 'Restart Runtime') ctx.runtime.restart();
    else if (choice === 'Show Log') ctx.log.show();
  });
}

/** The folder a file runs in: its workspace folder, else its own folder. */
export function folderOf(uri: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(uri.fsPath);
}

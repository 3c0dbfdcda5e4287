/**
 * "Explain" on a failed run: the footer of a "Run in Sandbox" terminal ends with "— Explain" when the run failed
 * (denialText.ts `explainable`); that word is a terminal link (Ctrl/Cmd+click), and "Phantom: Explain Last Failed
 * Run" does the same from the palette. It runs the same request again with `explain: true` — its path syscalls
 * recorded and checked against the effective Landlock policy (docs/sandbox.md, "Denials") — in the same terminal,
 * so the inferred refusals appear in its footer and, on their profile lines, in Problems.
 *
 * The link is offered only on a footer line of a terminal whose last run offered it; a workload that prints a fake
 * footer earns nothing by it: the link re-runs that terminal's own last run, still sandboxed, still approved as before.
 */
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { EXPLAIN_LABEL } from './denialText';
import { runInTerminal, type LastRun } from './runSession';

interface ExplainLink extends vscode.TerminalLink {
  run: LastRun;
}

export function registerExplain(ctx: Ctx): void {
  const provider: vscode.TerminalLinkProvider<ExplainLink> = {
    provideTerminalLinks(context) {
      const run = ctx.runTerminals.get(context.terminal);
      const line = context.line.trimEnd();
      if (!run || run.pty.running || !run.pty.explainOffered || !line.startsWith('■ ') || !line.endsWith(`— ${EXPLAIN_LABEL}`)) return [];
      return [{ startIndex: line.length - EXPLAIN_LABEL.length, length: EXPLAIN_LABEL.length, tooltip: 'Run it again recording what Landlock refuses (explain)', run }];
    },
    handleTerminalLink(link) {
      void explainRun(ctx, link.run);
    },
  };
  ctx.own(vscode.window.registerTerminalLinkProvider(provider));
  ctx.own(vscode.window.onDidCloseTerminal((terminal) => ctx.runTerminals.delete(terminal)));
}

/** Runs `run`'s request again with `explain: true`, in its own terminal. */
export async function explainRun(ctx: Ctx, run: LastRun | undefined = ctx.lastRun): Promise<void> {
  if (!run) {
    void vscode.window.showInformationMessage('Phantom: nothing has run in a sandbox yet in this window.');
    return;
  }
  if (run.pty.running) {
    void vscode.window.showInformationMessage('Phantom: the run is still going on; Explain works on a run that has ended.');
    return;
  }
  if (!vscode.window.terminals.includes(run.terminal)) {
    void vscode.window.showInformationMessage('Phantom: the terminal of that run was closed; run it again, then Explain.');
    return;
  }
  run.terminal.show(true);
  await runInTerminal(ctx, run.pty, { ...run.request, params: { ...run.request.params, explain: true } });
}

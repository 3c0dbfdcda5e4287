/**
 * The `phantom` task type: tasks.json entries `{ "type": "phantom", "profile": …, "file"?: …, "command"?: […],
 * "config"?: … }` and the profiles of each folder's phantom-fragment.yaml as detected tasks ("Tasks: Run Task" →
 * phantom). A task runs its profile in a sandbox in the task terminal, through the same RunTerminal and run code
 * as "Run in Sandbox" (CustomExecution + Pseudoterminal); its exit code ends the task. `$phantom` (package.json
 * `problemMatchers`) turns Phantom's own `file:line:col` errors into problems.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { configFor } from './profilePick';
import { runInTerminal } from './runSession';
import { RunTerminal } from './runTerminal';
import { TASK_TYPE, taskLabel, taskRun, type PhantomTaskDefinition } from './taskDefinition';
import { untrustedMessage } from './workspaceTrust';

/** Configurations looked for per folder: the root one and a few levels below (examples/, sub-projects). */
const CONFIG_GLOB = '**/phantom-fragment.{yaml,yml}';
const MAX_CONFIGS = 20;

export class PhantomTaskProvider implements vscode.TaskProvider {
  constructor(private readonly ctx: Ctx) {}

  async provideTasks(): Promise<vscode.Task[]> {
    const tasks: vscode.Task[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const configs = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, CONFIG_GLOB), '**/node_modules/**', MAX_CONFIGS);
      for (const uri of configs) {
        try {
          const { profiles, error } = await this.ctx.runtime.profiles({ config: uri.fsPath, workspaceFolder: folder.uri.fsPath });
          if (error) {
            this.ctx.log.warn(`tasks: ${uri.fsPath} cannot be used: ${error}`);
            continue;
          }
          const relative = path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/');
          for (const p of profiles.filter((x) => x.hasRun)) {
            const definition: PhantomTaskDefinition = { type: TASK_TYPE, profile: p.name, ...(relative.includes('/') ? { config: relative } : {}) };
            tasks.push(this.task(folder, definition, taskLabel(p.name, relative), p.description));
          }
        } catch (error) {
          // The runtime is down: no detected tasks now (tasks.json tasks still resolve and say why when run).
          this.ctx.log.warn(`tasks: no profiles from ${uri.fsPath}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    return tasks;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const definition = task.definition as PhantomTaskDefinition;
    if (definition.type !== TASK_TYPE) return undefined;
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    // The same definition object: VS Code matches the resolved task to the tasks.json entry by it.
    return this.task(folder, definition, task.name, task.detail, task.problemMatchers);
  }

  private task(folder: vscode.WorkspaceFolder, definition: PhantomTaskDefinition, label: string, detail?: string, matchers: string[] = ['$phantom']): vscode.Task {
    const execution = new vscode.CustomExecution(async (resolved) => this.terminal(folder, resolved, label));
    const task = new vscode.Task(definition, folder, label, TASK_TYPE, execution, matchers);
    task.detail = detail ?? `runs profile ${definition.profile} in a sandbox`;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
    return task;
  }

  /** The task terminal: VS Code has substituted the definition's variables (`${file}`, …) in `resolved`. */
  private async terminal(folder: vscode.WorkspaceFolder, resolved: vscode.TaskDefinition, label: string): Promise<vscode.Pseudoterminal> {
    const pty = new RunTerminal(label, { closeOnExit: true });
    const run = taskRun(resolved, folder.uri.fsPath, configFor(folder.uri.fsPath));
    void pty.whenOpened().then(async () => {
      // VS Code refuses tasks in Restricted Mode already; this keeps the promise if a task reaches us anyway.
      if (!vscode.workspace.isTrusted) {
        pty.failure(untrustedMessage(`the task "${label}"`));
        pty.exit({ runId: '', code: 125, signal: null, timings: { queueMs: 0, spawnMs: 0, totalMs: 0, warm: false } });
        return;
      }
      if ('error' in run) {
        pty.failure(`phantom: ${run.error}`);
        pty.exit({ runId: '', code: 125, signal: null, timings: { queueMs: 0, spawnMs: 0, totalMs: 0, warm: false } });
        return;
      }
      await runInTerminal(this.ctx, pty, {
        // A task's command is the repository's (tasks.json), not the user's: it may not show host folders by itself.
        params: { argv: run.argv, config: run.config, profile: run.profile, file: run.file, cwd: run.cwd, repositoryCommand: true },
        profileLabel: run.profile,
        file: run.file,
      });
    });
    return pty;
  }
}

export function registerTasks(ctx: Ctx): void {
  ctx.own(vscode.tasks.registerTaskProvider(TASK_TYPE, new PhantomTaskProvider(ctx)));
}

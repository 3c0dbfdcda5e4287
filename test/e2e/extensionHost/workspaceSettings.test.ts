import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import type { FinishedRun, PhantomApi } from '../../../client/src/api';
import { test } from './harness';

/**
 * The repository's .vscode/settings.json is untrusted: `phantom.run.network: host` there must not give a run the
 * host's network (the extension reads that setting from user level only).
 */
test("a workspace's phantom.run.network: host is ignored: the run still has no network", async () => {
  const extension = vscode.extensions.getExtension<PhantomApi>('phantom-fragment.phantom-fragment')!;
  const phantom = await extension.activate();
  const folder = vscode.workspace.workspaceFolders![0];
  const script = vscode.Uri.joinPath(folder.uri, 'interfaces.py');
  fs.writeFileSync(script.fsPath, 'import socket\nprint("interfaces:", sorted(n for _, n in socket.if_nameindex()))\n');
  const section = vscode.workspace.getConfiguration('phantom', folder.uri);
  await section.update('run.network', 'host', vscode.ConfigurationTarget.Workspace);
  try {
    assert.equal(vscode.workspace.getConfiguration('phantom').inspect('run.network')?.workspaceValue, 'host', 'the workspace setting is in place');
    const finished = new Promise<FinishedRun>((resolve) => {
      const listener = phantom.onDidFinishRun((run) => {
        if (run.file === script.fsPath) {
          listener.dispose();
          resolve(run);
        }
      });
    });
    await vscode.commands.executeCommand('phantom.runInSandbox', script);
    const run = await Promise.race([finished, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the run did not finish within 40 s')), 40_000))]);
    assert.equal(run.exit.code, 0, run.exit.error ?? run.output);
    // network none: a fresh network namespace has the loopback device only.
    assert.match(run.output, /interfaces: \['lo'\]/, `the workspace setting widened the sandbox: ${run.output}`);
  } finally {
    await section.update('run.network', undefined, vscode.ConfigurationTarget.Workspace);
    fs.rmSync(script.fsPath, { force: true });
  }
}, { timeoutMs: 60_000 });

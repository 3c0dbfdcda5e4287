import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { FinishedRun, PhantomApi } from '../../../client/src/api';
import { eventually, test } from './harness';

/**
 * A change of `phantom.runtime.path` in the user's settings is honoured at once: the runtime is restarted from the
 * new bundle (here the extension's own runtime.js through a symbolic link elsewhere: a different path, the same
 * code), runs work with it, and clearing the setting goes back to the bundled runtime.
 */
test('changing phantom.runtime.path restarts the runtime with the new bundle; runs work; clearing it restores the bundled one', async () => {
  const extension = vscode.extensions.getExtension<PhantomApi>('phantom-fragment.phantom-fragment')!;
  const phantom = await extension.activate();
  const first = await eventually('the runtime', () => phantom.runtimePid(), (pid) => pid !== undefined, 15_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-runtime-path-'));
  const link = path.join(dir, 'runtime.js');
  fs.symlinkSync(path.join(extension.extensionPath, 'dist/runtime.js'), link);
  const section = vscode.workspace.getConfiguration('phantom');
  try {
    await section.update('runtime.path', link, vscode.ConfigurationTarget.Global);
    const second = await eventually('a runtime started from the new path', () => phantom.runtimePid(), (pid) => pid !== undefined && pid !== first, 15_000);
    const cmdline = fs.readFileSync(`/proc/${second}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes(link), `the runtime runs ${cmdline.join(' ')}`);

    const folder = vscode.workspace.workspaceFolders![0];
    const uri = vscode.Uri.joinPath(folder.uri, 'hello.py');
    const finished = new Promise<FinishedRun>((resolve) => {
      const listener = phantom.onDidFinishRun((run) => {
        if (run.file === uri.fsPath) {
          listener.dispose();
          resolve(run);
        }
      });
    });
    await vscode.commands.executeCommand('phantom.runInSandbox', uri);
    const run = await Promise.race([finished, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the run did not finish within 30 s')), 30_000))]);
    assert.equal(run.exit.code, 0, run.exit.error ?? run.output);
    assert.match(run.output, /Hello from the sandbox/);

    await section.update('runtime.path', undefined, vscode.ConfigurationTarget.Global);
    const third = await eventually('the bundled runtime again', () => phantom.runtimePid(), (pid) => pid !== undefined && pid !== second, 15_000);
    const back = fs.readFileSync(`/proc/${third}/cmdline`, 'utf8').split('\0');
    assert.ok(back.includes(path.join(extension.extensionPath, 'dist/runtime.js')), `the runtime runs ${back.join(' ')}`);
  } finally {
    await section.update('runtime.path', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, { timeoutMs: 90_000 });

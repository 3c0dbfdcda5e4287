import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FinishedRun, PhantomApi } from '../../../client/src/api';
import { eventually, test } from './harness';

async function api(): Promise<PhantomApi> {
  const extension = vscode.extensions.getExtension<PhantomApi>('phantom-fragment.phantom-fragment');
  assert.ok(extension, 'the extension is installed');
  return extension.activate();
}

async function runFile(phantom: PhantomApi, name: string): Promise<FinishedRun> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  const uri = vscode.Uri.joinPath(folder.uri, name);
  const finished = new Promise<FinishedRun>((resolve) => {
    const listener = phantom.onDidFinishRun((run) => {
      if (run.file === uri.fsPath) {
        listener.dispose();
        resolve(run);
      }
    });
  });
  await vscode.commands.executeCommand('phantom.runInSandbox', uri);
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${name} did not finish within 30 s`)), 30_000));
  return Promise.race([finished, timeout]);
}

test('a sandboxed run of hello.py prints its greeting as the sandbox user and exits 0', async () => {
  const run = await runFile(await api(), 'hello.py');
  assert.equal(run.exit.code, 0, run.exit.error ?? run.output);
  assert.match(run.output, /Hello from the sandbox/);
  assert.match(run.output, /uid=1000 pid=2 hostname=phantom/);
  assert.match(run.output, /can see \/root: False/);
  assert.ok(run.exit.timings.spawnMs > 0, JSON.stringify(run.exit.timings));
});

test('the runtime is restarted when it dies, and runs work again', async () => {
  const phantom = await api();
  const before = phantom.runtimePid();
  assert.ok(before, 'the runtime is running');
  process.kill(before, 'SIGKILL');
  const after = await eventually(
    'a new runtime process',
    () => phantom.runtimePid(),
    (pid) => pid !== undefined && pid !== before,
    15_000,
  );
  assert.notEqual(after, before);
  const run = await runFile(phantom, 'hello.py');
  assert.equal(run.exit.code, 0, run.exit.error ?? run.output);
  assert.match(run.output, /Hello from the sandbox/);
});

test('"Re-run Last Sandboxed Run" runs hello.py again', async () => {
  const phantom = await api();
  await runFile(phantom, 'hello.py');
  const again = new Promise<FinishedRun>((resolve) => {
    const listener = phantom.onDidFinishRun((run) => {
      listener.dispose();
      resolve(run);
    });
  });
  await vscode.commands.executeCommand('phantom.rerunLast');
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the re-run did not finish within 30 s')), 30_000));
  const run = await Promise.race([again, timeout]);
  assert.match(run.file, /hello\.py$/);
  assert.equal(run.exit.code, 0, run.exit.error ?? run.output);
  assert.match(run.output, /Hello from the sandbox/);
});

test('"Stop Sandboxed Run" stops a run that would go on for 30 s', async () => {
  const phantom = await api();
  const folder = vscode.workspace.workspaceFolders![0];
  const uri = vscode.Uri.joinPath(folder.uri, 'wait.sh');
  const finished = new Promise<FinishedRun>((resolve) => {
    const listener = phantom.onDidFinishRun((run) => {
      if (run.file === uri.fsPath) {
        listener.dispose();
        resolve(run);
      }
    });
  });
  const mark = vscode.Uri.joinPath(folder.uri, '.wait-started');
  await vscode.workspace.fs.delete(mark).then(undefined, () => undefined); // absent: nothing to remove
  await vscode.commands.executeCommand('phantom.runInSandbox', uri);
  // Stopped once it has really started (wait.sh leaves a mark after printing "waiting"), however loaded the machine.
  for (let i = 0; i < 300; i++) {
    if (await vscode.workspace.fs.stat(mark).then(() => true, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const started = Date.now();
  await vscode.commands.executeCommand('phantom.stopRun');
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the stopped run did not end within 10 s')), 10_000));
  const run = await Promise.race([finished, timeout]);
  assert.ok(Date.now() - started < 10_500, 'the run ended because it was stopped, not because sleep ended');
  assert.match(run.output, /waiting/);
  assert.doesNotMatch(run.output, /never/);
  assert.notEqual(run.exit.code, 0);
});

// The placeholder of an absent protected folder (.git, .vscode, .idea) is removed after the run by the helper's
// janitor, and only the placeholder that janitor holds. A janitor waits up to 100 ms for the last shared lock; if,
// meanwhile, its placeholder is removed (by another janitor) and the next sandbox makes a fresh one under the same
// name, a removal by name would take the new one from under that sandbox: its protect step failed (125, "move_mount
// ... ENOENT", seen in CI during 1,000 back-to-back runs), or, once it had mounted it, the folder vanished from the
// host while that sandbox ran and its own `mkdir .git` went through. Real helper, real locks: the test holds the
// shared lock itself and swaps the folder while the janitor waits.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSandbox } from '../../runtime/src/sandbox/sandboxSpawn';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runIn(cwd: string, argv: string[]): Promise<number | null> {
  const p = spawnSandbox({ argv, cwd, network: 'none', readOnly: [], readWrite: [], timeoutSeconds: 30, env: { PATH: '/usr/bin:/bin' } });
  p.stdin.end();
  p.stdout.resume();
  let stderr = '';
  p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exit = await p.exited;
  assert.equal(exit.code, 0, stderr);
  return exit.code;
}

test("a janitor that waited past its placeholder's removal leaves the fresh one made under the same name", async () => {
  for (let round = 0; round < 3; round++) {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'phantom-janitor-'));
    dirs.push(cwd);
    chmodSync(cwd, 0o755);
    const git = path.join(cwd, '.git');
    // The run makes the placeholder (no .git in its folder) and holds it while it sleeps.
    const first = runIn(cwd, ['/bin/sh', '-c', 'sleep 0.4']);
    for (let i = 0; i < 200 && !existsSync(git); i++) await sleep(10);
    assert.ok(existsSync(git), 'the run made no placeholder for .git');
    const old = statSync(git).ino;
    // Another holder of the same placeholder (as a second sandbox of the folder would be): a shared lock, kept until
    // told; then the folder is removed and made anew (as the next sandbox would, within the janitor's wait) before
    // the lock goes.
    const holder = spawn('bash', ['-c', [
      'exec 9<"$1"', 'flock -s 9', 'echo locked', 'read -r _',
      'rmdir "$1"', 'mkdir "$1"',
      'exec 9<&-', 'echo swapped',
    ].join('\n'), 'holder', git], { stdio: ['pipe', 'pipe', 'inherit'] });
    let said = '';
    holder.stdout.setEncoding('utf8').on('data', (d: string) => (said += d));
    for (let i = 0; i < 300 && !said.includes('locked'); i++) await sleep(10);
    assert.ok(said.includes('locked'), 'the test could not take the shared lock');
    await first; // the run is over: its janitor now waits for the lock above
    await sleep(20);
    holder.stdin.end('go\n');
    await new Promise((r) => holder.once('exit', r));
    assert.ok(said.includes('swapped'), `the swap failed: ${said}`);
    const fresh = statSync(git).ino;
    assert.notEqual(fresh, old);
    // The janitor's wait (100 ms) is long over after this.
    await sleep(400);
    assert.ok(existsSync(git), `round ${round}: the janitor of the finished run removed the placeholder made after its own was gone`);
    assert.equal(statSync(git).ino, fresh);
  }
});

// Issue 11, attack 1 (terminal injection), for real: a shell in a real pseudo-terminal runs a sandboxed program
// that tries to take the terminal's foreground (tcsetpgrp) and to push a command into the shell's input (TIOCSTI),
// through /dev/tty and through its own stdin/stdout/stderr. The sandbox's answer is a new session with no
// controlling terminal and no host /dev/tty: nothing reaches the shell, while a run in a terminal still reads its
// input and writes its output. As root and as nobody; through `phantom run` (pipes) and the helper itself (the
// terminal as its stdio). The helper runs WITHOUT a seccomp filter here: the session alone must hold.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
const HELPER = path.join(REPO, 'dist/native/phantom-sandbox');
let dir: string;

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-tty-'));
  chmodSync(dir, 0o777); // nobody runs here too
  for (const f of ['tty-attack.py', 'tty-driver.py']) copyFileSync(path.join(FIXTURES, 'security', f), path.join(dir, f));
});

after(() => rmSync(dir, { recursive: true, force: true }));

const NOBODY = ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups', 'env', 'HOME=/nonexistent'];

/** What the terminal showed while its shell ran `command` (see tty-driver.py). */
function inTerminal(command: string[], asNobody: boolean): string {
  const driver = ['/usr/bin/python3', path.join(dir, 'tty-driver.py'), '--', ...command];
  const argv = asNobody ? [...NOBODY, ...driver] : driver;
  const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: 'utf8', timeout: 40_000 });
  assert.equal(r.status, 0, `the terminal driver failed: ${r.stderr}`);
  return r.stdout;
}

function assertRefused(screen: string, what: string): void {
  const results = /RESULTS (.*)/.exec(screen);
  assert.ok(results, `${what}: the attack did not run:\n${screen}`);
  assert.doesNotMatch(results[1], /:ok\b/, `${what}: the sandbox acted on the terminal:\n${screen}`);
  assert.match(screen, /AFTER:\[\s*\]/, `${what}: something reached the shell's input:\n${screen}`);
  assert.doesNotMatch(screen, /AFTER:\[[^\]]*PHANTOM_INJECTED/, what);
  assert.match(screen, /EXIT:0/, `${what}: the run failed:\n${screen}`);
}

for (const asNobody of [false, true]) {
  const who = asNobody ? 'as nobody' : 'as root';

  test(`terminal injection through phantom run is refused ${who}: no /dev/tty, no foreground, no TIOCSTI`, () => {
    // Its input from /dev/null: the CLI would otherwise read the terminal itself (and forward what it reads).
    const screen = inTerminal(['sh', '-c', `exec "${process.execPath}" "${CLI}" run -- /usr/bin/python3 tty-attack.py < /dev/null`], asNobody);
    assertRefused(screen, `phantom run ${who}`);
    assert.match(screen, /devtty-open:(ENOENT|ENXIO)/, 'the host /dev/tty is not in the sandbox');
  });

  test(`terminal injection with the terminal as the helper's stdio is refused ${who}, and the run still reads and writes the terminal`, () => {
    const screen = inTerminal([HELPER, '--cwd', dir, '--', '/usr/bin/python3', 'tty-attack.py', '--echo-input'], asNobody);
    assertRefused(screen, `the helper ${who}`);
    assert.match(screen, /got hello/, `the run did not get its terminal input:\n${screen}`);
    // Its stdin is the terminal, but not its controlling one: TIOCSTI needs that (or CAP_SYS_ADMIN on the host).
    assert.match(screen, /fd0-tiocsti:EPERM/);
    assert.match(screen, /fd0-tcsetpgrp:ENOTTY/);
  });
}

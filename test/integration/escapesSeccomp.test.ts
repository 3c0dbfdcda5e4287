// Escapes through the built-in seccomp profile, made for real on the real kernel (issue "Sandbox hardening",
// attacks 1/5/10 on the seccomp side): AF_VSOCK through a 64-bit family, TIOCSTI on a controlling terminal,
// set-id modes through chmod/open/mkdir, openat2 hiding its mode. Each runs as root and as nobody, and the
// control test proves the kernel itself would have allowed each one (so a weakened filter fails these tests).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, REPO } from '../support/fixtures';

const CLI = path.join(REPO, 'dist/cli.js');
let dir: string;
let probe: string;

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'phantom-escapes-seccomp-'));
  chmodSync(dir, 0o777);
  probe = path.join(dir, 'hardening-probe');
  const cc = spawnSync('cc', ['-O1', '-Wall', '-o', probe, path.join(FIXTURES, 'escapes/hardening-probe.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, `cc failed (install gcc): ${cc.stderr}`);
});

after(() => rmSync(dir, { recursive: true, force: true }));

const AS_NOBODY = ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups', 'env', 'HOME=/nonexistent'];

/** `argv` run from a fresh folder, as root or as nobody (the folder is open to both). */
function runAs(user: 'root' | 'nobody', argv: string[]) {
  const cwd = mkdtempSync(path.join(dir, `${user}-`));
  chmodSync(cwd, 0o777);
  const full = user === 'root' ? argv : [...AS_NOBODY, ...argv];
  const r = spawnSync(full[0], full.slice(1), { cwd, input: '', encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, cwd };
}

function results(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.trim().split('\n').map((l) => { const at = l.lastIndexOf(' '); return [l.slice(0, at), l.slice(at + 1)]; }));
}

const ATTACKS: Record<string, 'EPERM' | 'ENOSYS'> = {
  vsock: 'EPERM', vsock64: 'EPERM', alg64: 'EPERM',
  tiocsti: 'EPERM', tiocsti64: 'EPERM', tioclinux: 'EPERM',
  chmod4755: 'EPERM', chmod2755: 'EPERM', fchmodat2: 'EPERM', open_setuid: 'EPERM', open_setuid64: 'EPERM', mkdir_setgid: 'EPERM',
  openat2: 'ENOSYS',
};
const CONTROLS = ['unix', 'inet6', 'tcgets', 'chmod755', 'open_plain'];

test('control: without a filter the kernel lets every one of these attacks through (as nobody)', () => {
  const r = runAs('nobody', [probe, ...Object.keys(ATTACKS).filter((a) => a !== 'tioclinux' && a !== 'alg64'), ...CONTROLS]);
  assert.equal(r.code, 0, r.stderr);
  const got = results(r.stdout);
  for (const name of [...Object.keys(ATTACKS), ...CONTROLS]) {
    if (name === 'tioclinux' || name === 'alg64') continue; // the kernel answers ENOTTY/EAFNOSUPPORT: not an "ok" case
    assert.equal(got[name], 'ok', `${name}: the host kernel refuses it by itself (${got[name]}), so the probe proves nothing`);
  }
});

for (const user of ['root', 'nobody'] as const) {
  test(`built-in profile as ${user}: vsock (also as 0x100000028), TIOCSTI, set-id modes and openat2 are refused; the rest works`, () => {
    const r = runAs(user, [process.execPath, CLI, 'run', '--', probe, ...Object.keys(ATTACKS), ...CONTROLS]);
    assert.equal(r.code, 0, r.stderr);
    const got = results(r.stdout);
    for (const [name, expected] of Object.entries(ATTACKS)) assert.equal(got[name], expected, `${name} must be refused by seccomp, got ${got[name]}`);
    for (const name of CONTROLS) assert.equal(got[name], 'ok', `${name} must still work, got ${got[name]}`);
    assert.equal(got['mode setid-file'], '755');
    assert.equal(statSync(path.join(r.cwd, 'setid-file')).mode & 0o7000, 0, 'no set-id bit reached the host file');
  });

  test(`built-in profile as ${user}: python3, node and sh still run (openat2 → ENOSYS does not break them)`, () => {
    const script = 'import os, json, sqlite3, subprocess, tempfile; open("p.txt", "w").write("x"); os.chmod("p.txt", 0o600); ' +
      'print(subprocess.run(["sh", "-c", "mkdir -p d && touch d/f && echo sh ok"], capture_output=True, text=True).stdout.strip())';
    const py = runAs(user, [process.execPath, CLI, 'run', '--', '/usr/bin/python3', '-c', script]);
    assert.equal(py.code, 0, py.stderr);
    assert.match(py.stdout, /sh ok/);
    const js = runAs(user, [process.execPath, CLI, 'run', '--', '/usr/bin/node', '-e',
      'const fs = require("fs"); fs.writeFileSync("n.txt", "x", { mode: 0o644 }); fs.mkdirSync("nd"); console.log("node", require("child_process").execSync("echo child").toString().trim())']);
    assert.equal(js.code, 0, js.stderr);
    assert.match(js.stdout, /node child/);
  });
}

for (const user of ['root', 'nobody'] as const) {
  test(`a phantom-fragment.yaml profile composed from built-in fragments, as ${user}: the same refusals hold (a fragment grants ioctl, socket, openat, fchmodat by name)`, () => {
    const attacks = ['vsock', 'vsock64', 'tiocsti', 'tiocsti64', 'chmod2755', 'open_setuid', 'open_setuid64'];
    const controls = ['unix', 'tcgets', 'open_plain'];
    // The probe is a file of the workspace: a profile's run: path outside it would be the repository choosing a host
    // folder to show, which is refused (escapesCommand.test.ts).
    const config = ['version: 1', 'profiles:', '  probe:', `    run: ["./hardening-probe", ${[...attacks, ...controls].map((a) => `"${a}"`).join(', ')}]`,
      '    fragments: [shell, network-client, workspace-write]', '    network: none', ''].join('\n');
    const cwd = mkdtempSync(path.join(dir, `fragments-${user}-`));
    chmodSync(cwd, 0o777);
    copyFileSync(probe, path.join(cwd, 'hardening-probe'));
    chmodSync(path.join(cwd, 'hardening-probe'), 0o755);
    writeFileSync(path.join(cwd, 'phantom-fragment.yaml'), config);
    const full = [process.execPath, CLI, 'run', '--config', path.join(cwd, 'phantom-fragment.yaml'), '--profile', 'probe'];
    const r = spawnSync(user === 'root' ? full[0] : AS_NOBODY[0], user === 'root' ? full.slice(1) : [...AS_NOBODY.slice(1), ...full], { cwd, input: '', encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const got = results(r.stdout);
    for (const name of attacks) assert.equal(got[name], 'EPERM', `${name} must be refused under a fragments profile, got ${got[name]}`);
    for (const name of controls) assert.equal(got[name], 'ok', `${name} must still work, got ${got[name]}`);
  });
}

for (const user of ['root', 'nobody'] as const) {
  test(`a profile file someone wrote (Docker's default, with its 64-bit family > 40), as ${user}: the guard still refuses vsock under network none, TIOCSTI and set-id modes`, () => {
    const docker = path.join(FIXTURES, 'profiles/docker-default.seccomp.json');
    const r = runAs(user, [process.execPath, CLI, 'run', '--network', 'none', '--seccomp', docker, '--', probe, 'vsock64', 'tiocsti', 'tiocsti64', 'chmod4755', 'open_setuid', 'unix', 'tcgets', 'chmod755']);
    assert.equal(r.code, 0, r.stderr);
    const got = results(r.stdout);
    for (const name of ['vsock64', 'tiocsti', 'tiocsti64', 'chmod4755', 'open_setuid']) assert.equal(got[name], 'EPERM', `${name}: ${got[name]}`);
    for (const name of ['unix', 'tcgets', 'chmod755']) assert.equal(got[name], 'ok', `${name}: ${got[name]}`);
    // network host: vsock is the user's to use (the guard keeps the rest).
    const host = results(runAs(user, [process.execPath, CLI, 'run', '--network', 'host', '--seccomp', docker, '--', probe, 'vsock64', 'tiocsti']).stdout);
    assert.deepEqual([host.vsock64, host.tiocsti], ['ok', 'EPERM']);
  });
}

/**
 * What a run refused, in the Problems panel: the built language server over real LSP stdio gets a run's denials
 * (phantom/runDenials), publishes them on the profile line that refused them — for closed files too —, offers each
 * fix as a quick fix computed from the file's text, and retires them when fixed, edited or replaced by the next run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-types';
import { runDenialsNotification, type RunDenial, type RunDenialsParams } from '../../server/src/protocol';
import { LspClient } from '../support/lspClient';

let client: LspClient;
let dir: string;
let profile: string;
let profileUri: string;
let config: string;
const profileText = '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [\n    { "names": ["close", "read", "write"], "action": "SCMP_ACT_ALLOW" }\n  ]\n}\n';
const configText = 'version: 1\nprofiles:\n  job:\n    run: [bash, job.sh]\n    seccomp: job.seccomp.json\n';

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pf-denials-lsp-'));
  profile = path.join(dir, 'job.seccomp.json');
  profileUri = pathToFileURL(profile).href;
  config = path.join(dir, 'phantom-fragment.yaml');
  fs.writeFileSync(profile, profileText);
  fs.writeFileSync(config, configText);
  client = new LspClient();
  await client.initialize();
});

after(async () => {
  assert.equal(await client.shutdown(), 0);
  fs.rmSync(dir, { recursive: true, force: true });
});

function mkdirDenial(extra: Partial<RunDenial> = {}): RunDenial {
  return {
    kind: 'seccomp', syscall: 'mkdir', path: '/ws/out', count: 1, result: 'EPERM',
    source: { file: profile, line: 2, reason: 'defaultAction SCMP_ACT_ERRNO' },
    fix: 'add `mkdir` to the rule at line 4',
    edit: { kind: 'seccompAllow', file: profile, line: 4, syscall: 'mkdir' },
    ...extra,
  };
}

function send(params: RunDenialsParams): Promise<void> {
  return client.connection.sendNotification(runDenialsNotification.method, params);
}

const denied = (ds: Diagnostic[]) => ds.filter((d) => d.code === 'run-denied');

async function quickFixes(uri: string, diagnostics: Diagnostic[]): Promise<CodeAction[]> {
  const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics } });
  return actions.filter((a) => a.kind === 'quickfix'); // not "Learn seccomp profile", offered everywhere in a profile
}

test('a closed profile gets the warning on the line that refused it; expected denials and the built-in profile get none', async () => {
  await send({
    run: 'key-a', command: 'bash job.sh',
    denials: [
      mkdirDenial(),
      { kind: 'seccomp', syscall: 'clone3', count: 1, expected: true, source: { file: profile, line: 2 } },
      { kind: 'seccomp', syscall: 'ptrace', count: 1, source: { file: 'built-in default profile' } },
    ],
  });
  const ds = denied(await client.waitForPublication(profileUri, (d) => denied(d).length > 0));
  assert.equal(ds.length, 1);
  assert.equal(ds[0].severity, 2, 'a warning');
  assert.equal(ds[0].source, 'phantom');
  assert.equal(ds[0].message, 'refused mkdir "/ws/out" (EPERM) in the last run (bash job.sh) — add `mkdir` to the rule at line 4');
  assert.deepEqual(ds[0].range, { start: { line: 1, character: 2 }, end: { line: 1, character: 36 } }, 'the whole "defaultAction" line');
});

test('its quick fix adds the syscall to the allow rule as one edit; once in the text, the warning goes', async () => {
  await client.open(profileUri, profileText, 'seccomp-profile', 1);
  const ds = denied(await client.waitForDiagnostics(profileUri, 1));
  assert.equal(ds.length, 1, 'still there once the file is open');
  const actions = await quickFixes(profileUri, ds);
  assert.equal(actions.length, 1);
  assert.equal(actions[0].kind, 'quickfix');
  assert.equal(actions[0].title, 'Allow `mkdir`: add it to the rule at line 4');
  const edits = actions[0].edit!.changes![profileUri];
  const fixed = TextDocument.applyEdits(TextDocument.create(profileUri, 'json', 1, profileText), edits);
  assert.match(fixed, /"names": \["close", "mkdir", "read", "write"\]/);
  await client.change(profileUri, 2, fixed);
  assert.deepEqual(denied(await client.waitForDiagnostics(profileUri, 2)), [], 'the fix is in the file: nothing left to show');
});

test('an edit elsewhere moves the warning with its line; an edit of its line drops it', async () => {
  await client.change(profileUri, 3, profileText);
  await send({ run: 'key-a', command: 'bash job.sh', denials: [mkdirDenial()] });
  await client.waitForPublication(profileUri, (d) => denied(d).length === 1);
  await client.change(profileUri, 4, `\n\n${profileText}`);
  const moved = denied(await client.waitForDiagnostics(profileUri, 4));
  assert.equal(moved.length, 1);
  assert.equal(moved[0].range.start.line, 3, 'two lines down, with its line');
  await client.change(profileUri, 5, `\n\n${profileText.replace('"SCMP_ACT_ERRNO"', '"SCMP_ACT_KILL"')}`);
  assert.deepEqual(denied(await client.waitForDiagnostics(profileUri, 5)), [], 'its line changed: stale');
});

test('the next run under the same key replaces the warnings; another key keeps its own', async () => {
  await client.change(profileUri, 6, profileText);
  await send({ run: 'key-a', command: 'bash job.sh', denials: [mkdirDenial()] });
  await send({ run: 'key-b', command: 'bash other.sh', denials: [mkdirDenial({ syscall: 'rmdir', path: '/ws/old', fix: 'add `rmdir`', edit: { kind: 'seccompAllow', file: profile, line: 4, syscall: 'rmdir' } })] });
  await client.waitForPublication(profileUri, (d) => denied(d).length === 2);
  await send({ run: 'key-a', command: 'bash job.sh', denials: [] });
  const left = denied(await client.waitForPublication(profileUri, (d) => denied(d).length === 1));
  assert.match(String(left[0].message), /rmdir "\/ws\/old".*bash other\.sh/);
  await send({ run: 'key-b', command: 'bash other.sh', denials: [] });
  await client.waitForPublication(profileUri, (d) => denied(d).length === 0);
});

test('a fix in another file (a fragment for the profile of phantom-fragment.yaml) edits that file, read from disk', async () => {
  await send({
    run: 'key-c', command: 'bash job.sh',
    denials: [mkdirDenial({ fix: 'add fragment `tmp-write`', edit: { kind: 'addFragment', file: config, profile: 'job', fragment: 'tmp-write' } })],
  });
  const ds = denied(await client.waitForPublication(profileUri, (d) => denied(d).length === 1));
  const [action] = await quickFixes(profileUri, ds);
  assert.equal(action.title, `Add fragment \`tmp-write\` to profile 'job' (in ${config})`, 'a fix in another file names it');
  const configUri = pathToFileURL(config).href;
  const fixed = TextDocument.applyEdits(TextDocument.create(configUri, 'yaml', 1, configText), action.edit!.changes![configUri]);
  assert.equal(fixed, `${configText}    fragments: [tmp-write]\n`);
});

test('a profile file that is a FIFO is never read (the server does not block); the warning still shows, on line 1', async () => {
  const fifo = path.join(dir, 'fifo.seccomp.json');
  const { execFileSync } = await import('node:child_process');
  execFileSync('mkfifo', [fifo]);
  const uri = pathToFileURL(fifo).href;
  await send({ run: 'key-d', command: 'sh', denials: [mkdirDenial({ source: { file: fifo, line: 7 }, edit: { kind: 'seccompAllow', file: fifo, syscall: 'mkdir' } })] });
  const ds = denied(await client.waitForPublication(uri, (d) => denied(d).length === 1));
  assert.equal(ds[0].range.start.line, 6);
  assert.deepEqual(await quickFixes(uri, ds), [], 'no text, no fix');
});

test('the same call refused with other arguments on the same line is one warning, its counts added up', async () => {
  const ioctl = (argument: string, count: number): RunDenial => ({ ...mkdirDenial({ syscall: 'ioctl', argument, count, fix: 'add `ioctl` to the rule at line 4' }), path: undefined });
  await send({ run: 'key-e', command: 'sh job.sh', denials: [ioctl('request 0x5401', 2), ioctl('request 0x540f', 1)] });
  const other = path.join(dir, 'merge.seccomp.json');
  fs.writeFileSync(other, profileText);
  await send({ run: 'key-e', command: 'sh job.sh', denials: [ioctl('request 0x5401', 2), ioctl('request 0x540f', 1)].map((d) => ({ ...d, source: { file: other, line: 2 } })) });
  const ds = denied(await client.waitForPublication(pathToFileURL(other).href, (d) => denied(d).length > 0));
  assert.equal(ds.length, 1);
  assert.equal(ds[0].message, 'refused ioctl (request 0x5401, request 0x540f) (EPERM) ×3 in the last run (sh job.sh) — add `ioctl` to the rule at line 4');
});

test('an inferred Landlock refusal (Explain) on a TOML profile: its quick fix adds a path_beneath rule', async () => {
  const file = path.join(dir, 'work.landlock.toml');
  const toml = '[[ruleset]]\nhandled_access_fs = ["abi.all"]\n\n[[path_beneath]]\nallowed_access = ["abi.read_execute"]\nparent = ["/usr"]\n';
  fs.writeFileSync(file, toml);
  const uri = pathToFileURL(file).href;
  await send({
    run: 'key-f#explain', command: 'Explain of cat /etc/hostname',
    denials: [{ kind: 'landlock', path: '/etc/hostname', access: ['read_file'], count: 1, inferred: true, result: 'EACCES', source: { file, line: 1 }, fix: 'add a pathBeneath for `/etc/hostname` with `read_file`', edit: { kind: 'landlockPath', file, path: '/etc/hostname', access: ['read_file'] } }],
  });
  const ds = denied(await client.waitForPublication(uri, (d) => denied(d).length === 1));
  assert.equal(ds[0].message, 'would refuse read_file "/etc/hostname" (EACCES) in the last run (Explain of cat /etc/hostname) — add a pathBeneath for `/etc/hostname` with `read_file`');
  const [action] = await quickFixes(uri, ds);
  assert.equal(action.title, 'Allow read_file on "/etc/hostname": a pathBeneath rule in this Landlock file');
  const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'toml', 1, toml), action.edit!.changes![uri]);
  assert.equal(fixed, `${toml}\n[[path_beneath]]\nallowed_access = ["read_file"]\nparent = ["/etc/hostname"]\n`);
});

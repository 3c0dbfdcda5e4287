// The pure decisions of command resolution, against a fake host filesystem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CommandResolutionError,
  findOnPath,
  installPrefix,
  isVisibleInSandbox,
  parseShebang,
  pyenvVersions,
  resolveCommand,
  type ResolutionHost,
} from '../../runtime/src/sandbox/commandResolution';

interface FakeFile {
  exec?: boolean;
  content?: string;
  /** realpath target */
  real?: string;
}

function fakeHost(files: Record<string, FakeFile>, env: Record<string, string>, pyenvWhich: string | null = null): ResolutionHost {
  const dirs = new Set<string>();
  for (const f of Object.keys(files)) for (let d = f; d !== '/'; ) dirs.add((d = d.slice(0, d.lastIndexOf('/')) || '/'));
  return {
    env,
    isExecutableFile: (p) => files[p]?.exec === true,
    realpath: (p) => (files[p] ? files[p].real ?? p : dirs.has(p) ? p : null),
    readText: (p) => files[p]?.content ?? null,
    readHead: (p, n) => (files[p]?.content !== undefined ? Buffer.from(files[p].content!).subarray(0, n) : files[p] ? Buffer.alloc(0) : null),
    pyenvWhich: () => pyenvWhich,
  };
}

const PYENV_FILES: Record<string, FakeFile> = {
  '/root/.pyenv/shims/python3': { exec: true, content: '#!/usr/bin/env bash\nexec pyenv exec "$0"' },
  '/root/.pyenv/version': { content: '3.11.7\n' },
  '/root/.pyenv/versions/3.11.7/bin/python3': { exec: true, real: '/root/.pyenv/versions/3.11.7/bin/python3.11' },
  '/root/.pyenv/versions/3.12.1/bin/python3': { exec: true },
  '/usr/bin/python3': { exec: true, real: '/usr/bin/python3.11' },
  '/usr/bin/env': { exec: true },
};
const PYENV_ENV = { PATH: '/root/.pyenv/shims:/usr/local/bin:/usr/bin:/bin' };

test('findOnPath takes the first executable entry, like execvp', () => {
  const exec = (p: string) => p === '/usr/bin/tool' || p === '/bin/tool' || p === '/work/tool';
  assert.equal(findOnPath('tool', '/nope:/usr/bin:/bin', '/work', exec), '/usr/bin/tool');
  assert.equal(findOnPath('tool', '/nope::/bin', '/work', exec), '/work/tool', 'an empty entry is the current directory');
  assert.equal(findOnPath('tool', '/nope', '/work', exec), null);
});

test('installPrefix is the parent of a bin folder, else the folder itself', () => {
  assert.equal(installPrefix('/root/.pyenv/versions/3.11.7/bin/python3.11'), '/root/.pyenv/versions/3.11.7');
  assert.equal(installPrefix('/opt/tool/run'), '/opt/tool');
});

test('isVisibleInSandbox: system dirs and explicit grants, by whole path components', () => {
  assert.equal(isVisibleInSandbox('/usr/bin/python3', []), true);
  assert.equal(isVisibleInSandbox('/root/.local/bin/x', []), false);
  assert.equal(isVisibleInSandbox('/home/me/proj/run.sh', ['/home/me/proj']), true);
  assert.equal(isVisibleInSandbox('/home/me/project2/run.sh', ['/home/me/proj']), false);
  assert.equal(isVisibleInSandbox('/usrlocal/x', []), false);
});

test('parseShebang reads the interpreter and its argument', () => {
  assert.deepEqual(parseShebang(Buffer.from('#!/usr/bin/env python3\nprint(1)')), { interpreter: '/usr/bin/env', arg: 'python3' });
  assert.deepEqual(parseShebang(Buffer.from('#! /bin/sh\n')), { interpreter: '/bin/sh' });
  assert.equal(parseShebang(Buffer.from('\x7fELF')), null);
});

test('pyenvVersions follows pyenv: PYENV_VERSION, then .python-version upwards, then the global file', () => {
  const read = (files: Record<string, string>) => (p: string) => files[p] ?? null;
  assert.deepEqual(pyenvVersions({ PYENV_VERSION: '3.12.1:3.11.7' }, '/w', '/r', read({})), { versions: ['3.12.1', '3.11.7'], source: 'PYENV_VERSION' });
  assert.deepEqual(pyenvVersions({}, '/w/a/b', '/r', read({ '/w/.python-version': '3.10.13\n', '/r/version': '3.11.7' })), { versions: ['3.10.13'], source: '/w/.python-version' });
  assert.deepEqual(pyenvVersions({}, '/w', '/r', read({ '/r/version': '# comment\n3.11.7\n' })), { versions: ['3.11.7'], source: '/r/version' });
  assert.deepEqual(pyenvVersions({}, '/w', '/r', read({})), { versions: ['system'], source: 'default' });
});

test('a pyenv shim resolves to the real interpreter and grants its install prefix read-only', () => {
  const r = resolveCommand('python3', { cwd: '/work', visible: ['/work'], host: fakeHost(PYENV_FILES, PYENV_ENV) });
  assert.equal(r.path, '/root/.pyenv/versions/3.11.7/bin/python3');
  assert.deepEqual(r.readOnly, ['/root/.pyenv/versions/3.11.7']);
  assert.deepEqual(r.pathDirs, ['/root/.pyenv/versions/3.11.7/bin']);
  assert.ok(r.notes.includes('made /root/.pyenv/versions/3.11.7 read-only visible for python3'), r.notes.join('\n'));
  assert.ok(r.notes.some((n) => n.includes('pyenv shim') && n.includes('/root/.pyenv/version')));
});

test('a local .python-version picks another pyenv version', () => {
  const files = { ...PYENV_FILES, '/work/.python-version': { content: '3.12.1\n' } };
  const r = resolveCommand('python3', { cwd: '/work', visible: ['/work'], host: fakeHost(files, PYENV_ENV) });
  assert.equal(r.path, '/root/.pyenv/versions/3.12.1/bin/python3');
  assert.deepEqual(r.readOnly, ['/root/.pyenv/versions/3.12.1']);
});

test('pyenv "system" falls through to the next python3 on PATH, which needs no grant', () => {
  const r = resolveCommand('python3', { cwd: '/work', host: fakeHost(PYENV_FILES, { ...PYENV_ENV, PYENV_VERSION: 'system' }) });
  assert.equal(r.path, '/usr/bin/python3');
  assert.deepEqual(r.readOnly, []);
});

test('a pyenv version without the command is a clear error', () => {
  const host = fakeHost(PYENV_FILES, { ...PYENV_ENV, PYENV_VERSION: '3.9.18' });
  assert.throws(() => resolveCommand('python3', { cwd: '/work', host }), (e: Error) =>
    e instanceof CommandResolutionError && /pyenv version 3\.9\.18 .* has no python3/.test(e.message));
});

test('a system command needs no grant and no note', () => {
  const r = resolveCommand('python3', { cwd: '/work', host: fakeHost(PYENV_FILES, { PATH: '/usr/bin:/bin' }) });
  assert.deepEqual(r, { path: '/usr/bin/python3', readOnly: [], pathDirs: [], notes: [] });
});

test('a script under the home folder grants its folder and its interpreter\'s prefix', () => {
  const files = {
    ...PYENV_FILES,
    '/root/.local/bin/black': { exec: true, content: '#!/root/.pyenv/versions/3.11.7/bin/python3.11\nimport black' },
    '/root/.pyenv/versions/3.11.7/bin/python3.11': { exec: true },
  };
  const r = resolveCommand('black', { cwd: '/work', host: fakeHost(files, { PATH: '/root/.local/bin:/usr/bin' }) });
  assert.equal(r.path, '/root/.local/bin/black');
  assert.deepEqual(r.readOnly, ['/root/.local', '/root/.pyenv/versions/3.11.7']);
  assert.ok(r.notes.includes('made /root/.pyenv/versions/3.11.7 read-only visible for the interpreter of black'));
});

test('a command inside a visible folder (the cwd) needs no grant', () => {
  const files = { '/work/run.sh': { exec: true, content: '#!/bin/sh\necho hi' }, '/bin/sh': { exec: true } };
  const r = resolveCommand('./run.sh', { cwd: '/work', visible: ['/work'], host: fakeHost(files, { PATH: '/usr/bin' }) });
  assert.deepEqual(r, { path: '/work/run.sh', readOnly: [], pathDirs: [], notes: [] });
});

test('an unknown command is a clear error, not a bare ENOENT', () => {
  assert.throws(() => resolveCommand('nosuchtool', { cwd: '/work', host: fakeHost({}, { PATH: '/usr/bin:/bin' }) }), (e: Error) =>
    e instanceof CommandResolutionError && e.exitCode === 127 && e.message === 'command "nosuchtool" not found on the host PATH (/usr/bin:/bin): install it or give its full path');
  assert.throws(() => resolveCommand('/opt/x/tool', { cwd: '/work', host: fakeHost({}, { PATH: '' }) }), /\/opt\/x\/tool does not exist on the host/);
  // Found but not executable: 126, as a shell gives (127 is for "not found").
  assert.throws(() => resolveCommand('/work/data.txt', { cwd: '/work', host: fakeHost({ '/work/data.txt': {} }, { PATH: '' }) }), (e: Error) =>
    e instanceof CommandResolutionError && e.exitCode === 126 && /cannot execute \/work\/data\.txt: it is not an executable file — give it execute permission \(chmod \+x\)/.test(e.message));
});

test("a repository's file found by its real path (the workspace opened through a link) is still the repository's", () => {
  const host = fakeHost({
    '/data/ws/.venv/bin/python': { exec: true, real: '/root/.pyenv/versions/3.11.7/bin/python3.11' },
    '/root/.pyenv/versions/3.11.7/bin/python3.11': { exec: true },
  }, { PATH: '/data/ws/.venv/bin:/usr/bin' });
  const realpath = host.realpath;
  host.realpath = (p) => (p === '/ws' ? '/data/ws' : realpath(p)); // /ws is a link to /data/ws
  assert.throws(
    () => resolveCommand('python', { cwd: '/ws', visible: ['/ws'], repository: ['/ws'], host }),
    (e) => e instanceof CommandResolutionError && e.exitCode === 125 && /repository's choice of command, and running it would show/.test(e.message),
  );
  // The same interpreter found outside any repository folder is granted as before.
  const resolved = resolveCommand('python', { cwd: '/elsewhere', visible: ['/elsewhere'], repository: ['/elsewhere'], host });
  assert.ok(resolved.readOnly.includes('/root/.pyenv/versions/3.11.7'), JSON.stringify(resolved));
});

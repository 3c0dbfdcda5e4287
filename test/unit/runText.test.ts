/** The run terminal's words (client/src/runText.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayArgv, exitErrorText, exitStatusText, foldNotes, visibleNotes } from '../../client/src/runText';

test('the header shows argv as given, not resolved against the folder', () => {
  // Before: path.relative(folder, 'python3') printed ../../../../srv/app/python3 when the folder was elsewhere.
  assert.equal(displayArgv(['python3', '/home/u/project/hello.py'], '/home/u/project'), 'python3 hello.py');
  assert.equal(displayArgv(['python3', '-c', 'print(1)'], '/home/u/project'), "python3 -c 'print(1)'");
  assert.equal(displayArgv(['/usr/bin/env', 'x'], '/home/u/project'), '/usr/bin/env x');
  assert.equal(displayArgv(['cat', '/home/u/other/f'], '/home/u/project'), 'cat /home/u/other/f');
  assert.equal(displayArgv(['sh', "it's"], '/p'), `sh 'it'\\''s'`);
});

test('notes fold into one line; none give none', () => {
  assert.equal(foldNotes(undefined), undefined);
  assert.equal(foldNotes([]), undefined);
  assert.equal(foldNotes(['one thing']), 'note: one thing');
  const folded = foldNotes(Array.from({ length: 7 }, (_, i) => `note number ${i}`));
  assert.ok(folded && !folded.includes('\n'));
  assert.match(folded!, /^7 notes \(note number 0, …\): details in the "Phantom" output/);
  assert.match(foldNotes(["profile 'py' of /w/phantom-fragment.yaml", 'Landlock: read allowed on /opt/py'])!, /^2 notes \(Landlock: read allowed on \/opt\/py, …\)/);
});

test('a stopped run says "stopped", not the helper\'s SIGKILL', () => {
  assert.equal(exitStatusText({ code: null, signal: 'SIGKILL' }, true), 'stopped');
  assert.equal(exitStatusText({ code: null, signal: 'SIGKILL' }, false), 'killed by SIGKILL');
  assert.equal(exitStatusText({ code: 0, signal: null }, true), 'exit status 0', 'a run that finished before the stop took effect');
  assert.equal(exitStatusText({ code: 3, signal: null }, false), 'exit status 3');
  assert.equal(exitStatusText({ code: null, signal: null, error: 'the Phantom runtime exited with code 1' }, false), 'not started');
  assert.equal(exitErrorText({ error: 'the sandbox helper was killed by SIGKILL', signal: 'SIGKILL' }, true), undefined);
  assert.equal(exitErrorText({ error: 'no such command', signal: null }, true), 'no such command');
  assert.deepEqual(visibleNotes(['the sandbox helper was killed by SIGKILL; everything in the sandbox died with it', 'kept'], true), ['kept']);
  assert.equal(visibleNotes(['the sandbox helper was killed by SIGKILL; x'], false).length, 1);
});

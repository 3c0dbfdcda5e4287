/** The helper's status stream, read once for cold runs and zygotes (runtime/src/helperStatus.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HelperStatusStream, type HelperStatus } from '../../runtime/src/sandbox/helperStatus';

test('lines split across chunks are read whole; what they say is kept; every event is seen', () => {
  const seen: HelperStatus['event'][] = [];
  const status = new HelperStatusStream([], (ev) => seen.push(ev.event));
  status.write('{"event":"note","message":"granted /usr"}\n{"event":"ready","setupUs":5,');
  status.write('"initPid":7}\n{"event":"denial","arch":"x86_64","nr":272,"errno":1,"count":2}\nnot json\n');
  status.write('{"event":"pressure","group":"g","cpuUs":1,"memoryUs":2,"ioUs":3}\n{"event":"exit","code":3,"signal":null,"timeout":true}');
  assert.deepEqual(seen, ['note', 'ready', 'denial', 'pressure']);
  status.end();
  assert.deepEqual(seen, ['note', 'ready', 'denial', 'pressure', 'exit']);
  const exit = status.sandboxExit(0, null, 12);
  assert.deepEqual(exit, {
    code: 3, signal: null, timedOut: true, spawnMs: 12,
    notes: ['granted /usr', 'unreadable status line from the helper: not json'],
    pressure: { group: 'g', cpuUs: 1, memoryUs: 2, ioUs: 3 },
    rawDenials: [{ arch: 'x86_64', nr: 272, errno: 1, count: 2 }],
  });
});

test('without an exit line: the helper was killed, or exited without a status (its error kept)', () => {
  const killed = new HelperStatusStream([]);
  assert.deepEqual(killed.sandboxExit(null, 'SIGKILL', 4), { code: null, signal: 'SIGKILL', spawnMs: 4, notes: ['the sandbox helper was killed by SIGKILL; everything in the sandbox died with it'] });
  const failed = new HelperStatusStream([]);
  failed.write('{"event":"error","step":"mount","code":13,"message":"mount: EACCES"}\n');
  assert.deepEqual(failed.sandboxExit(125, null, 4), { code: 125, signal: null, spawnMs: 4, notes: [], error: 'mount: EACCES', errorOnStderr: true });
  assert.equal(new HelperStatusStream([]).sandboxExit(1, null, 4).error, 'the sandbox helper exited with 1 without a status');
});

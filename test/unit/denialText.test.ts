// The editor's words for a run's denials (client/src/denialText.ts) and where they go (client/src/denialReport.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Denial } from '../../runtime/src/protocol';
import { denialItem, explainable, refusedText } from '../../client/src/denialText';
import { RunDenialLog, runDenialsNotifications, runDenialsParams, runKey, reportsDenials } from '../../client/src/denialReport';

const mkdir: Denial = { kind: 'seccomp', syscall: 'mkdir', path: '/ws/out', count: 1, result: 'EPERM', source: { file: '/srv/app/profiles/job.seccomp.json', line: 12 } };
const hostname: Denial = { kind: 'landlock', path: '/etc/hostname', access: ['read_file'], count: 1, inferred: true, source: { file: '/srv/app/workspace.landlock.json' } };
const timings = { queueMs: 0, spawnMs: 2, totalMs: 10, warm: false };

test('the footer: each denial with its profile file (relative to the run folder) and line; expected ones left out', () => {
  const clone3: Denial = { kind: 'seccomp', syscall: 'clone3', count: 4, expected: true };
  assert.equal(
    refusedText([mkdir, clone3, hostname], '/srv/app'),
    'refused: mkdir "/ws/out" (profiles/job.seccomp.json:12) · read_file "/etc/hostname" (workspace.landlock.json, inferred)',
  );
  assert.equal(refusedText([clone3]), undefined);
  assert.equal(denialItem({ kind: 'network', address: '127.0.0.1:8080', count: 3, source: { file: '/elsewhere/phantom-fragment.yaml', line: 5 } }, '/srv/app'), 'connect 127.0.0.1:8080 ×3 (/elsewhere/phantom-fragment.yaml:5)');
  const many = Array.from({ length: 6 }, (_, i) => ({ ...mkdir, syscall: `s${i}` }));
  assert.match(refusedText(many, '/srv/app')!, / · \+2 more$/);
});

test('a path planted by the workload cannot steer the terminal: controls escaped, C1 and bidi formatting dropped', () => {
  const item = denialItem({ ...mkdir, path: '/ws/\x1b]0;owned\x07\u009b31m\u202eevil' }, '/srv/app');
  assert.equal(item, 'mkdir "/ws/\\u001b]0;owned\\u000731mevil" (profiles/job.seccomp.json:12)');
});

test('Explain is offered on a run that started and failed, not on a stopped, unstarted or explain run', () => {
  assert.equal(explainable({ code: 1, signal: null, timings }, false, {}), true);
  assert.equal(explainable({ code: null, signal: 'SIGSYS', timings }, false, {}), true);
  assert.equal(explainable({ code: 0, signal: null, timings }, false, {}), false);
  assert.equal(explainable({ code: 1, signal: null, timings }, true, {}), false);
  assert.equal(explainable({ code: 125, signal: null, timings: { ...timings, spawnMs: 0 } }, false, {}), false);
  assert.equal(explainable({ code: 1, signal: null, timings }, false, { explain: true }), false);
});

test('the server gets absolute files, keyed by what the run ran under; a run that never started sends nothing', () => {
  const params = { cwd: '/srv/app', config: '/srv/app/phantom-fragment.yaml', profile: 'job' };
  const sent = runDenialsParams(params, 'bash job.sh', [{ ...mkdir, source: { file: 'profiles/job.seccomp.json', line: 12 }, edit: { kind: 'seccompAllow', file: 'profiles/job.seccomp.json', syscall: 'mkdir' } }, { kind: 'seccomp', syscall: 'ptrace', count: 1, source: { file: 'built-in default profile' } }]);
  assert.equal(sent.run, runKey(params));
  assert.notEqual(runKey(params), runKey({ ...params, profile: 'other' }));
  assert.equal(sent.denials[0].source?.file, '/srv/app/profiles/job.seccomp.json');
  assert.equal(sent.denials[0].edit?.file, '/srv/app/profiles/job.seccomp.json');
  assert.equal(sent.denials[1].source?.file, 'built-in default profile');
  assert.equal(reportsDenials({ timings: { ...timings, spawnMs: 0 } }), false);
  assert.equal(reportsDenials({ timings }), true);
  assert.equal(reportsDenials({ timings, notes: ['seccomp denials are not reported for this zygote run: the profile refuses sendmsg, …'] }), false, 'a run the supervisor could not watch keeps the last warnings');
});

test('the metrics panel: the recent runs with their denials, counted, the oldest dropped', () => {
  const log = new RunDenialLog(2);
  log.record('a', [mkdir], '/srv/app');
  log.record('b', [], '/srv/app');
  log.record('c', [{ ...mkdir, count: 2 }, hostname], '/srv/app');
  log.record('d', [mkdir], '/srv/app');
  assert.deepEqual(log.summaries(), {
    c: '3 refused: mkdir "/ws/out" ×2 (profiles/job.seccomp.json:12) · read_file "/etc/hostname" (workspace.landlock.json, inferred)',
    d: '1 refused: mkdir "/ws/out" (profiles/job.seccomp.json:12)',
  });
});

test('an explain run keeps its inferred refusals beside the observed ones; the next normal run replaces both', () => {
  const params = { cwd: '/srv/app', config: '/srv/app/phantom-fragment.yaml', profile: 'job' };
  const normal = runDenialsNotifications(params, 'x', [mkdir]);
  assert.deepEqual(normal.map((n) => [n.run, n.denials.length]), [[runKey(params), 1], [`${runKey(params)}#explain`, 0]]);
  const explained = runDenialsNotifications({ ...params, explain: true }, 'x', [hostname]);
  assert.deepEqual(explained.map((n) => [n.run, n.denials.length]), [[`${runKey(params)}#explain`, 1]]);
});

test('attack: a profile file named with terminal escapes, and a fix quoting one, reach the terminal without them', async () => {
  const { denialLines } = await import('../../runtime/src/denials/denials');
  const planted: Denial = { kind: 'seccomp', syscall: 'vfork', count: 1, result: 'EPERM', source: { file: '/srv/app/x\u001b]0;PWNED\u0007\u001b[2K.seccomp.json', line: 2 }, fix: 'add `vfork` to the rule at line 3 of e\u001b]0;OWNED\u0007' };
  const footer = refusedText([planted], '/srv/app') ?? '';
  const line = denialLines([planted])[0];
  for (const text of [footer, line]) {
    // eslint-disable-next-line no-control-regex -- the assertion is that none is left
    assert.doesNotMatch(text, /[\u0000-\u001f\u007f-\u009f]/, JSON.stringify(text));
    assert.match(text, /vfork/);
  }
});

test('attack: a repository profile naming a file outside the workspace gets its warning but no one-click edit of that file', async () => {
  const { runDenialsParams } = await import('../../client/src/denialReport');
  const outside: Denial = { kind: 'seccomp', syscall: 'mkdir', count: 1, source: { file: '/shared/x.seccomp.json', line: 3 }, fix: 'add `mkdir` to the rule at line 3', edit: { kind: 'seccompAllow', file: '/shared/x.seccomp.json', line: 3, syscall: 'mkdir' } };
  const inside: Denial = { ...outside, source: { file: '/ws/x.seccomp.json', line: 3 }, edit: { kind: 'seccompAllow', file: '/ws/x.seccomp.json', line: 3, syscall: 'mkdir' } };
  const [o, i] = runDenialsParams({ cwd: '/ws' }, 'job', [outside, inside], '/ws').denials;
  assert.equal(o.edit, undefined);
  assert.match(o.fix ?? '', /outside the workspace/);
  assert.deepEqual(i.edit, inside.edit);
});

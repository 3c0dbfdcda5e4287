/** The approval store: records bound to a subject hash and the widenings read, kept private, never through a link. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertStoreOutside, findApproval, policyHash, readApprovals, recordApproval, revokeApprovals, stateDir, storeFile, subjectHash } from '../../runtime/src/trust/approvalStore';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'phantom-store-'));
}

test('the state folder follows XDG_STATE_HOME (absolute only), else ~/.local/state', () => {
  assert.equal(stateDir({ XDG_STATE_HOME: '/x/state' }), '/x/state/phantom-fragment');
  assert.equal(stateDir({ XDG_STATE_HOME: 'relative' }), path.join(os.homedir(), '.local/state/phantom-fragment'));
  assert.equal(stateDir({}), path.join(os.homedir(), '.local/state/phantom-fragment'));
});

test('the subject hash changes with the configuration, the profile and any referenced file; the policy hash with the widenings', () => {
  const files = [{ path: '/w/phantom-fragment.yaml', content: 'a' }, { path: '/w/p.seccomp.json', content: '{}' }];
  const base = subjectHash('/w/phantom-fragment.yaml', 'p', files);
  assert.notEqual(subjectHash('/w/phantom-fragment.yaml', 'q', files), base);
  assert.notEqual(subjectHash('/w/phantom-fragment.yaml', 'p', [files[0], { ...files[1], content: '{ }' }]), base);
  assert.notEqual(subjectHash('/v/phantom-fragment.yaml', 'p', files), base);
  assert.notEqual(policyHash(base, ['network: host']), policyHash(base, ['network: loopback']));
});

test('record, find, add up for the same files, replace for others, revoke', () => {
  const dir = path.join(tempDir(), 'phantom-fragment');
  try {
    assert.deepEqual(readApprovals(dir), [], 'no store: no approvals');
    recordApproval({ config: '/w/c.yaml', profile: 'p', subject: 's1', widenings: ['A'] }, dir);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(storeFile(dir)).mode & 0o777, 0o600);
    recordApproval({ config: '/w/c.yaml', profile: 'p', subject: 's1', widenings: ['B'] }, dir);
    const records = readApprovals(dir);
    assert.ok(findApproval(records, '/w/c.yaml', 'p', 's1', ['A', 'B']), 'the same files: the widenings add up');
    assert.equal(findApproval(records, '/w/c.yaml', 'p', 's1', ['A', 'C']), undefined, 'a widening not approved');
    assert.equal(findApproval(records, '/w/c.yaml', 'p', 's2', ['A']), undefined, 'other files');
    recordApproval({ config: '/w/c.yaml', profile: 'p', subject: 's2', widenings: ['C'] }, dir);
    assert.equal(findApproval(readApprovals(dir), '/w/c.yaml', 'p', 's1', ['A']), undefined, 'changed files replace the record');
    recordApproval({ config: '/w/c.yaml', profile: 'q', subject: 's3', widenings: ['D'] }, dir);
    assert.equal(revokeApprovals('/w/c.yaml', 'p', dir), 1);
    assert.equal(revokeApprovals('/w/c.yaml', undefined, dir), 1);
    assert.deepEqual(readApprovals(dir), []);
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('a store writable by others, or a link, is not trusted and never written through', () => {
  const base = tempDir();
  try {
    const dir = path.join(base, 'phantom-fragment');
    fs.mkdirSync(dir, { mode: 0o700 });
    const victim = path.join(base, 'victim');
    fs.writeFileSync(victim, 'keep\n', { mode: 0o600 });
    fs.symlinkSync(victim, storeFile(dir));
    assert.throws(() => readApprovals(dir), /approval store not trusted: .* is a symbolic link/);
    assert.throws(() => recordApproval({ config: '/c', profile: 'p', subject: 's', widenings: [] }, dir), /not trusted/);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'keep\n');
    fs.rmSync(storeFile(dir));
    fs.chmodSync(dir, 0o777);
    assert.throws(() => readApprovals(dir), /writable by others/);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test('a store inside (or around) a folder the sandbox may write is refused, naming both', () => {
  assert.throws(() => assertStoreOutside(['/w'], '/w/.state/phantom-fragment'), /the approval store \/w\/\.state\/phantom-fragment is inside \/w, which this run may write/);
  assert.throws(() => assertStoreOutside(['/s/phantom-fragment/sub'], '/s/phantom-fragment'));
  assert.doesNotThrow(() => assertStoreOutside(['/w', '/srv/out'], '/home/u/.local/state/phantom-fragment'));
});

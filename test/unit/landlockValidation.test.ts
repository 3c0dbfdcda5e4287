/** The semantic checks of Landlock profiles, one fixture per check with the problem at a known place. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileSystemPathKind } from '../../model/src/pathKind';
import { validateDocument, type ValidationContext } from '../../model/src/validation';
import { fixtureDocument } from '../support/fixtures';

function found(relative: string, context: ValidationContext = {}) {
  return validateDocument(fixtureDocument(relative), context).map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.code, d.message]);
}

test('rights above the declared abi, in JSON and TOML', () => {
  assert.deepEqual(found('landlock/above-abi.landlock.json'), [
    [6, 28, 'landlock-right-above-abi', "'bind_tcp' needs Landlock ABI 4 (Linux 6.7), but 'abi' is 2."],
    [11, 45, 'landlock-right-above-abi', "'truncate' needs Landlock ABI 3 (Linux 6.2), but 'abi' is 2."],
    [15, 35, 'landlock-right-above-abi', "'bind_tcp' needs Landlock ABI 4 (Linux 6.7), but 'abi' is 2."],
  ]);
  assert.deepEqual(found('landlock/above-abi.landlock.toml'), [
    [4, 32, 'landlock-right-above-abi', "'refer' needs Landlock ABI 2 (Linux 5.19), but 'abi' is 1."],
  ]);
});

test('abi.* groups need abi', () => {
  assert.deepEqual(found('landlock/group-without-abi.landlock.yaml'), [
    [4, 9, 'landlock-group-without-abi', "'abi.read_execute' expands to the rights of the declared ABI, but 'abi' is not declared."],
  ]);
});

test('a right a rule allows but no ruleset handles', () => {
  assert.deepEqual(found('landlock/allowed-not-handled.landlock.toml'), [
    [7, 32, 'landlock-allowed-not-handled', 'write_file is allowed here but handled by no ruleset: landlockconfig then denies it everywhere else.'],
  ]);
});

test('handled rights no rule allows: filesystem (warning) and network with rules (information)', () => {
  const all = validateDocument(fixtureDocument('landlock/handled-never-allowed.landlock.yaml'));
  assert.deepEqual(all.map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.code, d.severity, d.message]), [
    [3, 23, 'landlock-handled-never-allowed', 2, 'Filesystem rights are handled but no pathBeneath rule allows any: every file access is denied, even running the program.'],
    [4, 34, 'landlock-handled-never-allowed', 3, 'connect_tcp is handled but no netPort rule allows it: denied on every port.'],
  ]);
});

test('undefined variables are errors on the reference, unused ones warnings, in every syntax', () => {
  assert.deepEqual(found('landlock/variables.landlock.json'), [
    [10, 29, 'landlock-undefined-variable', "Variable 'home' is not defined: add a variable entry with this name."],
    [5, 15, 'landlock-unused-variable', "Variable 'unused' is never used: only pathBeneath parent paths expand ${unused}."],
  ]);
  assert.deepEqual(found('landlock/variables.landlock.yaml'), [[5, 9, 'landlock-undefined-variable', "Variable 'home' is not defined: add a variable entry with this name."]]);
  assert.deepEqual(found('landlock/variables.landlock.toml'), [[5, 20, 'landlock-undefined-variable', "Variable 'home' is not defined: add a variable entry with this name."]]);
});

test('paths: missing ones and directory rights on a file, checked on the real filesystem; none without it', () => {
  assert.deepEqual(found('landlock/paths.landlock.yaml', { pathKind: fileSystemPathKind }), [
    [5, 9, 'landlock-directory-right-on-file', "'/etc/passwd' is a file, but read_dir applies only to directories: the kernel rejects this rule (EINVAL)."],
    [6, 9, 'landlock-path-missing', "'/nonexistent-phantom-fragment-test/dir' does not exist on this machine: landlockconfig skips this parent entry."],
  ]);
  assert.deepEqual(found('landlock/paths.landlock.yaml'), []);
});

test("rights above the running kernel's ABI are warnings when the kernel ABI is known", () => {
  assert.deepEqual(found('landlock/kernel-abi.landlock.yaml'), []);
  assert.deepEqual(found('landlock/kernel-abi.landlock.yaml', { kernelLandlockAbi: 4 }), [
    [3, 32, 'landlock-right-above-kernel', "This kernel has Landlock ABI 4: 'ioctl_dev' (ABI 5, Linux 6.10) is dropped and the sandbox is weaker than written."],
    [1, 6, 'landlock-abi-above-kernel', 'This kernel has Landlock ABI 4 (Linux 6.7): rights of ABI 5 are dropped.'],
  ]);
});

// The Landlock proposal of a learn recording (runtime/src/learn/landlockProposal.ts): the generalisation rule, the
// ABI, byte-identical output, and the three formats meaning the same compiled rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { proposeLandlock, renderLandlock, landlockFormatOf } from '../../runtime/src/learn/landlockProposal';
import { emptyPathUsage, mergePathUsage, pathUsageFromRecording, uncovered, type PathUsage } from '../../runtime/src/learn/learnPaths';
import { compileLandlock } from '../../runtime/src/policy/landlockCompiler';
import { loadLandlockProfile } from '../../runtime/src/policy/landlockProfileLoader';

const WS = '/srv/project';
const R = { execute: 1, write_file: 2, read_file: 4, read_dir: 8, remove_file: 32, make_dir: 128, make_reg: 256, refer: 8192, truncate: 16384 };

function usage(paths: Record<string, number>, ports: Record<string, number> = {}): PathUsage {
  return mergePathUsage({ ...emptyPathUsage(), runs: 1, paths, ports });
}

const SAMPLE = usage({
  '/usr/bin/python3': R.execute | R.read_file,
  '/usr/lib/python3.11/os.py': R.read_file,
  '/lib/x86_64-linux-gnu/libc.so.6': R.read_file,
  '/etc/hostname': R.read_file,
  '/etc/ld.so.cache': R.read_file,
  '/dev/null': R.write_file,
  '/proc/12/status': R.read_file,
  [`${WS}/input.txt`]: R.read_file,
  [WS]: R.make_reg | R.read_dir,
  [`${WS}/out.txt`]: R.write_file | R.truncate,
  '/tmp/x': R.write_file,
  '/tmp': R.make_reg,
  '/var/tmp/ro-1/data/a.txt': R.read_file,
  '/var/tmp/ro-1/data/sub/b.txt': R.read_file,
  '/opt/tool/bin/run': R.execute | R.read_file,
  '/root/.pyenv/versions/3.11.7/lib/python3.11/json/__init__.py': R.read_file,
  '/root/.pyenv/versions/3.11.7/bin/python3': R.execute | R.read_file,
  '/home/alice/notes.txt': R.read_file,
  '/root': R.read_dir,
}, { '47123': 1 });

test('the generalisation rule: system trees, workspace, /tmp, exact /etc and /dev, narrowest folders, never / or a home folder', () => {
  const p = proposeLandlock(SAMPLE, WS);
  const parents = Object.fromEntries(p.rules.map((r) => [r.parent, r.access]));
  assert.equal(parents['/usr'], R.execute | R.read_file | R.read_dir);
  assert.equal(parents['/lib'], R.execute | R.read_file | R.read_dir);
  assert.equal(parents['${workspaceFolder}'], R.read_file | R.read_dir | R.make_reg | R.write_file | R.truncate);
  assert.equal(parents['/tmp'], R.write_file | R.make_reg);
  assert.equal(parents['/etc/hostname'], R.read_file);
  assert.equal(parents['/etc'], undefined, '/etc is never granted whole (shadow lives there)');
  assert.equal(parents['/dev/null'], R.write_file);
  assert.equal(parents['/proc'], R.read_file);
  assert.equal(parents['/var/tmp/ro-1/data'], R.read_file);
  assert.equal(parents['/opt/tool/bin'], R.execute | R.read_file);
  assert.equal(parents['/root/.pyenv/versions/3.11.7'], R.execute | R.read_file);
  // A file directly in a home folder: that file only; an access on the home folder itself: not granted.
  assert.equal(parents['/home/alice/notes.txt'], R.read_file);
  for (const bad of ['/', '/root', '/home', '/home/alice', '/var', '/var/tmp', '/opt']) assert.equal(parents[bad], undefined, bad);
  assert.deepEqual(p.refused, ['read_dir /root']);
  // Listing /proc itself (os.listdir('/proc')) is beneath /proc: granted on the /proc rule, not refused as too wide.
  const listed = proposeLandlock({ ...SAMPLE, paths: { ...SAMPLE.paths, '/proc': R.read_dir } }, WS);
  assert.equal(listed.rules.find((r) => r.parent === '/proc')?.access, R.read_file | R.read_dir);
  assert.deepEqual(listed.refused, ['read_dir /root']);
  assert.deepEqual(p.ports, [{ port: 47123, access: 1, comment: 'bind_tcp used by the workload' }]);
  assert.equal(p.abi, 4, 'bind_tcp needs ABI 4');
});

test('abi is the lowest that knows every right used; everything it handles is handled', () => {
  assert.equal(proposeLandlock(usage({ '/usr/bin/ls': R.read_file | R.execute }), WS).abi, 1);
  assert.equal(proposeLandlock(usage({ [`${WS}/a`]: R.refer }), WS).abi, 2);
  const p3 = proposeLandlock(usage({ [`${WS}/a`]: R.truncate | R.write_file }), WS);
  assert.equal(p3.abi, 3);
  assert.equal(p3.handledFs, (1 << 15) - 1, 'ABI 3 handles execute .. truncate');
  assert.equal(p3.handledNet, 0, 'no network rights before ABI 4');
  const p4 = proposeLandlock(usage({}, { '80': 2 }), WS);
  assert.equal(p4.abi, 4);
  assert.equal(p4.handledNet, 3);
});

test('the same usage gives the same bytes; JSON, YAML and TOML compile to the same rules', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'landlock-proposal-'));
  try {
    const plans = (['json', 'yaml', 'toml'] as const).map((format) => {
      const a = renderLandlock(proposeLandlock(SAMPLE, WS), format);
      const b = renderLandlock(proposeLandlock(mergePathUsage(SAMPLE), WS), format);
      assert.equal(a, b, `${format}: byte-identical`);
      if (format !== 'json') assert.match(a, /# the narrowest folder covering what was used/, `${format}: a comment per rule`);
      const file = path.join(dir, `p.landlock.${format}`);
      assert.equal(landlockFormatOf(file), format);
      writeFileSync(file, a);
      const plan = compileLandlock(loadLandlockProfile(file), file, WS);
      return { ...plan, rules: [...plan.rules].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))) };
    });
    assert.deepEqual(plans[1], plans[0]);
    assert.deepEqual(plans[2], plans[0]);
    assert.ok(plans[0].rules.some((r) => r.path === WS), '${workspaceFolder} (literal ".") is the folder the sandbox runs in');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('uncovered names what a layer refuses of a recording (the replay failure message)', () => {
  const p = proposeLandlock(SAMPLE, WS);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'landlock-proposal-'));
  try {
    const file = path.join(dir, 'p.landlock.yaml');
    writeFileSync(file, renderLandlock(p, 'yaml'));
    const plan = compileLandlock(loadLandlockProfile(file), file, WS);
    assert.deepEqual(uncovered(SAMPLE, plan), ['read_dir /root']);
    const later = usage({ '/var/tmp/ro-1/other/b.txt': R.read_file, '/var/tmp/ro-1/data/a.txt': R.write_file, '/etc/shadow': R.read_file }, { '47124': 1 });
    assert.deepEqual(uncovered(later, plan), ['bind_tcp port 47124', 'read_file /etc/shadow', 'read_file /var/tmp/ro-1/other/b.txt', 'write_file /var/tmp/ro-1/data/a.txt']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the recording's paths and ports become a usage; runs merge by OR-ing rights", () => {
  const one = pathUsageFromRecording({ pathUs: 7, pathsMany: false, pathsUnreadable: 1, paths: [{ path: '/a/b', access: 4, count: 2 }, { path: 'pipe:[1]', access: 4, count: 1 }], ports: [{ port: 80, access: 2, count: 1 }] });
  assert.deepEqual(one.paths, { '/a/b': 4 });
  const two = mergePathUsage(one, pathUsageFromRecording({ paths: [{ path: '/a/b', access: 2, count: 1 }], ports: [] }));
  assert.deepEqual(two.paths, { '/a/b': 6 });
  assert.equal(two.runs, 2);
  assert.equal(two.unreadable, 1);
  assert.equal(pathUsageFromRecording({}).runs, 1);
});

test('a path the workload chose cannot inject rules into any format (quotes, brackets, comment and TOML syntax, newlines)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'landlock-proposal-'));
  try {
    const evil = '/var/tmp/inj"] # \'\'\' [[path_beneath]] parent = ["/"] \u2028 ${x}/x.txt';
    const newline = '/var/tmp/nl\n  - allowedAccess: ["abi.all"]\n    parent: ["/"]\nparent = ["/"]\n/x.txt';
    for (const format of ['json', 'yaml', 'toml'] as const) {
      const file = path.join(dir, `p.landlock.${format}`);
      writeFileSync(file, renderLandlock(proposeLandlock(usage({ [evil]: R.read_file }), WS), format));
      const plan = compileLandlock(loadLandlockProfile(file), file, WS);
      assert.deepEqual(plan.rules.map((r) => [r.path, r.access]), [[path.posix.dirname(evil), R.read_file]], format);
      // A newline: the comment stays one line, the parent stays one string, and the compiler refuses it clearly.
      writeFileSync(file, renderLandlock(proposeLandlock(usage({ [newline]: R.read_file }), WS), format));
      const config = loadLandlockProfile(file);
      assert.deepEqual(config.pathBeneath.map((r) => r.parent), [[path.posix.dirname(newline)]], format);
      assert.throws(() => compileLandlock(config, file, WS), /a path with a newline is not supported/, format);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SECCOMP_PROFILE } from '../../runtime/src/policy/defaultProfile';
import { REFUSED_IOCTLS, ioctlAllowArgs, learnBaseProfile, maskedComplement, maskedRange, socketAllowArgs } from '../../runtime/src/policy/seccompHardening';
import type { SeccompArg } from '../../model';

const matches = (blocks: { mask: number; value: number }[], x: number) => blocks.some((b) => ((x & b.mask) >>> 0) === b.value);
const samples = (around: number[]) => [...around.flatMap((v) => [v - 1, v, v + 1]), 0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x5401, 0x541b, 0xc0045878]
  .map((v) => v >>> 0);

test('maskedComplement matches every 32-bit value except the excluded ones', () => {
  const excluded = Object.values(REFUSED_IOCTLS);
  const blocks = maskedComplement(excluded);
  for (const x of samples(excluded)) assert.equal(matches(blocks, x), !excluded.includes(x), `0x${x.toString(16)}`);
  for (let i = 0; i < 20000; i++) {
    const x = Math.floor(Math.random() * 2 ** 32) >>> 0;
    assert.equal(matches(blocks, x), !excluded.includes(x));
  }
  assert.ok(blocks.length <= 40, `${blocks.length} blocks`);
});

test('maskedRange covers exactly the range', () => {
  for (const [lo, hi] of [[0, 37], [39, 39], [41, 47], [5, 1000]]) {
    const blocks = maskedRange(lo, hi);
    for (let x = 0; x < 1100; x++) assert.equal(matches(blocks, x), x >= lo && x <= hi, `${x} in ${lo}..${hi}`);
  }
});

const blocksOf = (args: SeccompArg[]) => args.map((a) => ({ mask: Number(a.value), value: Number(a.valueTwo) }));

test('socket families: AF_ALG and AF_VSOCK refused on the low 32 bits (0x100000028 is AF_VSOCK to the kernel)', () => {
  const blocks = blocksOf(socketAllowArgs());
  for (const f of [0, 1, 2, 10, 16, 17, 37, 39, 41, 44, 45]) assert.ok(matches(blocks, f), `family ${f}`);
  for (const f of [38, 40]) assert.ok(!matches(blocks, f), `family ${f}`);
  assert.ok(matches(blocksOf(socketAllowArgs(true)), 40));
});

test('every comparison on an int argument in the built-in profile looks at the low 32 bits only', () => {
  const intArgs: Record<string, number> = { socket: 0, ioctl: 1, prctl: 0, personality: 0, chmod: 1, fchmod: 1, fchmodat: 2, fchmodat2: 2, open: 2, openat: 3, creat: 1, mkdir: 1, mkdirat: 2, mknod: 1, mknodat: 2 };
  for (const profile of [DEFAULT_SECCOMP_PROFILE, learnBaseProfile()]) {
    for (const rule of profile.syscalls ?? []) {
      for (const arg of rule.args ?? []) {
        if (!rule.names.some((n) => intArgs[n] === arg.index)) continue;
        assert.equal(arg.op, 'SCMP_CMP_MASKED_EQ', `${rule.names.join(',')} arg ${arg.index}: ${arg.op} compares 64 bits`);
        assert.ok(BigInt(arg.value) <= 0xffffffffn, `${rule.names.join(',')}: mask 0x${BigInt(arg.value).toString(16)} reads the upper half`);
      }
    }
  }
});

test('ioctl in the built-in profile: never an unconditional allow (which would absorb the exclusions)', () => {
  const rules = DEFAULT_SECCOMP_PROFILE.syscalls!.filter((r) => r.names.includes('ioctl'));
  assert.equal(rules.length, 1);
  assert.deepEqual(rules[0].args, ioctlAllowArgs());
});

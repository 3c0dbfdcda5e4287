/**
 * Learn mode pins an argument with a 32-bit mask (`(x & 0xffffffff) == v`, the bits the kernel reads): such a pin is
 * no wider than the built-in profile when a masked comparison of the built-in over a subset of those bits lets the
 * value through — a profile learned from a shell script runs without approval — and still wider when none does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seccompWidenings } from '../../runtime/src/policy/seccompWidenings';
import type { SeccompProfile } from '../../model';

const HOST = { arch: 'SCMP_ARCH_X86_64', kernel: '6.18.0', caps: [] };
const pinned = (name: string, index: number, value: number): SeccompProfile => ({
  defaultAction: 'SCMP_ACT_ERRNO',
  syscalls: [{ names: [name], action: 'SCMP_ACT_ALLOW', args: [{ index, value: 0xffffffff, valueTwo: value, op: 'SCMP_CMP_MASKED_EQ' }] }],
});

test('a learned 32-bit pin inside the built-in conditions is no widening (ioctl TCGETS, socket AF_UNIX)', () => {
  assert.deepEqual(seccompWidenings(pinned('ioctl', 1, 0x5401), HOST), []);
  assert.deepEqual(seccompWidenings(pinned('socket', 0, 1), HOST), []);
});

test('a learned pin outside them still is: ioctl TIOCSTI, socket AF_VSOCK, a pin on the upper bits too', () => {
  assert.equal(seccompWidenings(pinned('ioctl', 1, 0x5412), HOST).length, 1, 'TIOCSTI');
  assert.equal(seccompWidenings(pinned('socket', 0, 40), HOST).length, 1, 'AF_VSOCK');
  const narrowMask: SeccompProfile = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0xff, valueTwo: 1, op: 'SCMP_CMP_MASKED_EQ' }] }] };
  assert.equal(seccompWidenings(narrowMask, HOST).length, 1, 'a mask over fewer bits lets 0x100000001-like values through');
});

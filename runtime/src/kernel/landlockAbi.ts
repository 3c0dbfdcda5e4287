/**
 * The running kernel's Landlock ABI, asked once per process: `landlock_create_ruleset(NULL, 0,
 * LANDLOCK_CREATE_RULESET_VERSION)` returns the ABI version (≥ 1), or fails with EOPNOTSUPP (built in but disabled
 * at boot) or ENOSYS (not built in). The sandbox's policy (sandboxPolicy.ts) and the kernel probe (kernelProbe.ts,
 * `phantom doctor`) both read this one answer.
 */
import { errno, errnoName, syscall } from '../../../native/bindings/libc';

const SYS_LANDLOCK_CREATE_RULESET = 444; // the same number on every architecture (added after the syscall table unification)
const LANDLOCK_CREATE_RULESET_VERSION = 1;

export interface LandlockAbi {
  /** The ABI version, 0 when the kernel offers no Landlock. */
  abi: number;
  /** Why not, when abi is 0: the errno name (EOPNOTSUPP, ENOSYS, …). */
  errno?: string;
}

let answer: LandlockAbi | undefined;

export function landlockAbi(): LandlockAbi {
  if (answer === undefined) {
    const abi = syscall(SYS_LANDLOCK_CREATE_RULESET, 'long', 0, 'long', 0, 'long', LANDLOCK_CREATE_RULESET_VERSION);
    answer = abi > 0 ? { abi } : { abi: 0, errno: errnoName(errno()) };
  }
  return answer;
}

/**
 * The syscall and limit claims of `phantom explain --json`, as runs of test/fixtures/probes/claimProbe.c in the
 * profile's sandbox (explainClaims.test.ts): each probe gives the probe's arguments and how to read its result.
 */

/** What explainClaims.test.ts reads of `phantom explain --json`. */
export interface Explained {
  paths: { path: string; access: 'read-write' | 'read-only' | 'hidden' | 'none'; decidedBy: string[] }[];
  network: { mode: string };
  limits: { pids?: number; memory?: string };
  run?: string[];
  seccompEnforced?: { source: string; defaultAction: string; defaultErrnoRet?: number; decided: string[] };
  effectiveLimits?: { memoryBytes?: number; pids?: number };
}

export interface RunResult { code: number | null; stdout: string; stderr: string }

export interface Probe {
  claim: string;
  args: string[];
  holds(run: RunResult): boolean;
}

/**
 * Harmless calls that succeed with 0 when allowed and take no arguments (numbers of x86_64's syscall_64.tbl): the
 * probe calls the first one no rule of the filter names. unshare(0) changes nothing.
 */
const CANDIDATES: [string, number][] = [['getcpu', 309], ['unshare', 272], ['sched_yield', 24]];

/** A syscall no rule names gets the filter's default action: its errno, a kill (SIGSYS), or success. */
export function syscallProbe(enforced: NonNullable<Explained['seccompEnforced']>): Probe {
  const chosen = CANDIDATES.find(([name]) => !enforced.decided.includes(name));
  if (!chosen) throw new Error(`every candidate syscall is decided by a rule of ${enforced.source}: add another candidate`);
  const [name, nr] = chosen;
  const action = enforced.defaultAction;
  const claim = `${name} (no rule names it) gets ${action}${enforced.defaultErrnoRet !== undefined ? ` errno ${enforced.defaultErrnoRet}` : ''} (${enforced.source})`;
  const ret = (r: RunResult) => /^ret=(-?\d+)$/m.exec(r.stdout)?.[1];
  if (action === 'SCMP_ACT_ERRNO') return { claim, args: ['syscall', String(nr)], holds: (r) => ret(r) === String(-(enforced.defaultErrnoRet ?? 1)) };
  if (action === 'SCMP_ACT_ALLOW' || action === 'SCMP_ACT_LOG') return { claim, args: ['syscall', String(nr)], holds: (r) => ret(r) === '0' };
  if (/^SCMP_ACT_(KILL|KILL_PROCESS|KILL_THREAD|TRAP)$/.test(action)) return { claim, args: ['syscall', String(nr)], holds: (r) => ret(r) === undefined && /SIGSYS/.test(r.stderr) };
  throw new Error(`${claim}: no probe for this default action yet`);
}

/** The limits the profile sets itself: more memory than its limit cannot be written, more processes cannot start. */
export function limitProbes(policy: Explained): Probe[] {
  const probes: Probe[] = [];
  const memory = policy.effectiveLimits?.memoryBytes;
  if (policy.limits.memory && memory) {
    const bytes = memory + 64 * 1024 * 1024;
    probes.push({ claim: `memory ${policy.limits.memory}: ${bytes} bytes cannot all be written`, args: ['mem', String(bytes)], holds: (r) => !/^touched=/m.test(r.stdout) });
  }
  if (policy.limits.pids) {
    const count = policy.limits.pids + 8;
    probes.push({
      claim: `pids ${policy.limits.pids}: ${count} processes cannot all start`,
      args: ['fork', String(count)],
      holds: (r) => { const started = Number(/^started=(\d+)$/m.exec(r.stdout)?.[1]); return Number.isFinite(started) && started < count; },
    });
  }
  return probes;
}

/**
 * `phantom bench --learn`: what learn mode costs, measured in one process, interleaved round by round so drift
 * hits every way alike. Per workload (a Python start-up; `tar` of a directory tree, syscall-heavy):
 *   plain    the command on the host
 *   strace   `strace -f -qq -o /dev/null` of it on the host (what people use to learn profiles today)
 *   sandbox  the command in a sandbox without learn mode (the helper spawned directly, like the others)
 *   learn    the same sandbox with `--learn` (user-notify supervisor answering CONTINUE), recording the paths
 *            and ports for Landlock too (the default)
 *   learnSyscalls  `--learn --learn-no-paths`: syscall counts only (what the Landlock recording adds is learn/learnSyscalls)
 * Ratios: strace/plain and learn/sandbox (each instrumented run against its own uninstrumented twin), plus the
 * syscalls learned and the learned Python profile's size against the 426 names Docker's default allows.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseRecording, usageFromRecording, usedNames } from '../learn/learnRecording';
import { proposeProfile } from '../learn/learnProposal';
import { pathUsageFromRecording } from '../learn/learnPaths';
import { compilePolicies } from '../sandbox/sandboxPolicy';
import { helperArguments, helperPath } from '../sandbox/sandboxSpawn';
import { sandboxSpecFor } from '../sandbox/sandboxSpec';
import { hostFacts } from '../policy/seccompCompiler';

export const DOCKER_DEFAULT_NAMES = 426;
const WAYS = ['plain', 'strace', 'sandbox', 'learn', 'learnSyscalls'] as const;
type Way = (typeof WAYS)[number];

interface Workload { name: string; argv: string[]; runs: number }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timed(cmd: string, args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: '/usr/bin:/bin' } });
  const ms = performance.now() - t0;
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.toString().trim().slice(-400)}`);
  return ms;
}

export async function benchLearn(options: { runs?: number } = {}): Promise<object> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'phantom-bench-learn-'));
  try {
    const tarTree = existsSync('/usr/share/doc') ? '/usr/share/doc' : '/usr/share';
    const workloads: Workload[] = [
      { name: 'python3 start-up (import json, sqlite3)', argv: ['/usr/bin/python3', '-c', 'import json, sqlite3'], runs: options.runs ?? 21 },
      { name: `tar -cf /dev/null ${tarTree}`, argv: ['/usr/bin/tar', '-cf', '/dev/null', tarTree], runs: options.runs ?? 11 },
      { name: 'node -e 1', argv: ['/usr/bin/node', '-e', '1'], runs: options.runs ?? 11 },
    ].filter((w) => existsSync(w.argv[0]));
    const strace = existsSync('/usr/bin/strace') ? '/usr/bin/strace' : undefined;
    const helper = helperPath();
    const results = [];
    let pythonProfile: { allowed: number; dockerDefault: number; percentOfDocker: number } | undefined;
    for (const w of workloads) {
      const spec = sandboxSpecFor({ runId: 'bench', argv: w.argv, cwd, timeoutSeconds: 120 }).spec;
      const policy = compilePolicies(spec).helperArgs;
      const rec = path.join(cwd, 'recording.json');
      const recSyscalls = path.join(cwd, 'recording-syscalls.json');
      const run: Record<Way, () => number> = {
        plain: () => timed(w.argv[0], w.argv.slice(1), cwd),
        strace: () => (strace ? timed(strace, ['-f', '-qq', '-o', '/dev/null', ...w.argv], cwd) : NaN),
        sandbox: () => timed(helper, helperArguments(spec, policy), cwd),
        learn: () => timed(helper, helperArguments({ ...spec, learnRecording: rec }, policy), cwd),
        learnSyscalls: () => timed(helper, helperArguments({ ...spec, learnRecording: recSyscalls }, ['--learn-no-paths', ...policy]), cwd),
      };
      const times: Record<Way, number[]> = { plain: [], strace: [], sandbox: [], learn: [], learnSyscalls: [] };
      for (const way of WAYS) run[way](); // warm the page cache and the compiled-policy cache
      for (let i = 0; i < w.runs; i++) {
        for (let k = 0; k < WAYS.length; k++) {
          const way = WAYS[(i + k) % WAYS.length];
          times[way].push(run[way]());
        }
      }
      const raw = parseRecording(readFileSync(rec, 'utf8'), rec);
      const usage = usageFromRecording(raw);
      const paths = pathUsageFromRecording(raw);
      const learned = Object.keys(usedNames(usage)).length;
      const med = Object.fromEntries(WAYS.map((way) => [way, Number(median(times[way]).toFixed(2))])) as Record<Way, number>;
      const straceRatio = med.strace / med.plain;
      const learnRatio = med.learn / med.sandbox;
      results.push({
        workload: w.name, argv: w.argv, runs: w.runs, medianMs: med,
        ratios: {
          straceOverPlain: Number(straceRatio.toFixed(3)), learnOverSandbox: Number(learnRatio.toFixed(3)), learnOverPlain: Number((med.learn / med.plain).toFixed(3)),
          /** What recording the paths and ports for Landlock adds to seccomp-only learning. */
          landlockRecordingOverSyscallsOnly: Number((med.learn / med.learnSyscalls).toFixed(3)),
        },
        /** The helper's own time reading and resolving path arguments in the last learn run (µs), and the paths. */
        landlockRecording: { pathUs: paths.pathUs, paths: Object.keys(paths.paths).length, ports: Object.keys(paths.ports).length },
        /** Learn-mode overhead as a share of strace's (target ≤ 0.5 on the syscall-heavy workload). */
        learnOverheadShareOfStrace: strace ? Number(((learnRatio - 1) / (straceRatio - 1)).toFixed(3)) : null,
        syscallsSeen: usage.notifications,
        syscallsLearned: learned,
        perSyscallUs: Number((((med.learn - med.sandbox) * 1000) / Math.max(1, usage.notifications)).toFixed(2)),
      });
      if (w.argv[0].endsWith('python3')) {
        const p = proposeProfile(usage, hostFacts().arch);
        const allowed = p.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names).length;
        pythonProfile = { allowed, dockerDefault: DOCKER_DEFAULT_NAMES, percentOfDocker: Number(((100 * allowed) / DOCKER_DEFAULT_NAMES).toFixed(1)) };
      }
    }
    return {
      learn: results,
      pythonProfile,
      strace: strace ?? 'not installed (apt-get install strace): strace figures are null',
      note: 'medians of interleaved runs; plain/strace on the host, sandbox/learn through phantom-sandbox; compare ratios, not absolute times',
    };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** The bench result for people: one line per workload and the profile size. */
export function describeLearnBench(result: object): string[] {
  const r = result as { learn: { workload: string; medianMs: Record<string, number>; ratios: Record<string, number>; learnOverheadShareOfStrace: number | null; syscallsLearned: number; syscallsSeen: number }[]; pythonProfile?: { allowed: number; percentOfDocker: number } };
  const lines = ['learn mode (medians, ms): plain | strace -f | sandbox | sandbox+learn | learn without paths — strace/plain, learn/sandbox, learn/learn without paths'];
  for (const w of r.learn) {
    const m = w.medianMs;
    lines.push(`  ${w.workload}: ${m.plain} | ${m.strace} | ${m.sandbox} | ${m.learn} | ${m.learnSyscalls} — ${w.ratios.straceOverPlain}×, ${w.ratios.learnOverSandbox}×, ${w.ratios.landlockRecordingOverSyscallsOnly}×; ${w.syscallsLearned} syscalls learned of ${w.syscallsSeen} seen`);
  }
  if (r.pythonProfile) lines.push(`  learned Python profile: ${r.pythonProfile.allowed} names allowed (${r.pythonProfile.percentOfDocker}% of Docker's 426)`);
  return lines;
}

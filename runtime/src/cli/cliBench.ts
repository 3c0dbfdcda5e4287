/**
 * `phantom bench [--spawn] [--json] [--runs N]`: performance measured in one process, printed for people or
 * as one JSON object. Each kind of benchmark is a module exporting one async function; BENCH_KINDS below is the
 * only list of them — a new kind (`--learn`, `--lsp`) is one entry there and nothing else. With no kind flag,
 * every kind runs. The JSON object merges the kinds' top-level fields (`spawn`, `ratios`, `zygoteRssKiB`, …).
 */
import { defineCommand, parsePositiveNumber, type OptionSpec } from './cliArgs';
import { benchSpawn, describeSpawnBench } from '../bench/benchSpawn';
import { benchLearn, describeLearnBench } from '../bench/benchLearn';
import { benchLsp, describeLspBench } from '../bench/benchLsp';

export interface BenchReport {
  /** Merged into the `--json` output at the top level: pick keys that name the kind. */
  json: Record<string, unknown>;
  /** The same for people. */
  lines: string[];
}

export interface BenchKind {
  summary: string;
  /** Runs when --runs is not given. */
  defaultRuns: number;
  /** quick: `--quick`, small inputs and few rounds (for tests); kinds without a quick mode ignore it. */
  run(options: { runs: number; quick: boolean; noDenials: boolean; progress: (text: string) => void }): Promise<BenchReport>;
}

export const BENCH_KINDS: Record<string, BenchKind> = {
  spawn: {
    summary: 'start /bin/true unsandboxed, through bwrap, a cold sandbox and a warm zygote (interleaved)',
    defaultRuns: 100,
    async run({ runs, noDenials, progress }) {
      const result = await benchSpawn({ runs, noDenials, onProgress: (round) => progress(`spawn: round ${round + 1}`) });
      return { json: { ...result }, lines: describeSpawnBench(result) };
    },
  },
  learn: {
    summary: 'learn mode vs strace -f vs uninstrumented (python3 start-up, tar of a tree, node), syscalls learned',
    defaultRuns: 11,
    async run({ runs, progress }) {
      progress('learn: measuring');
      const result = await benchLearn({ runs });
      return { json: { ...result }, lines: describeLearnBench(result) };
    },
  },
  lsp: {
    summary: 'the language server vs yaml-language-server on a Docker-size and a 20,000-line seccomp profile (YAML)',
    defaultRuns: 5,
    async run({ runs, quick, progress }) {
      const result = await benchLsp({ rounds: runs, quick, onProgress: progress });
      return { json: { lsp: result }, lines: describeLspBench(result) };
    },
  },
};

const KIND_OPTIONS: Record<string, OptionSpec> = Object.fromEntries(Object.entries(BENCH_KINDS).map(([k, kind]) => [k, { type: 'boolean', help: kind.summary }]));

export const BENCH_COMMAND = defineCommand({
  name: 'bench',
  summary: 'measure spawn latency (unsandboxed, bwrap, cold, warm zygote), zygote memory, learn mode and the language server',
  options: {
    ...KIND_OPTIONS,
    json: { type: 'boolean', help: 'print one JSON object with the figures of every kind run' },
    runs: { type: 'string', value: 'N', help: "rounds per kind (default: each kind's own)" },
    quick: { type: 'boolean', help: 'small inputs and few rounds (for tests)' },
    'no-denials': { type: 'boolean', help: 'spawn: sandboxes without the denial supervisor (refusals stay plain ERRNO), to compare its cost' },
  },
  details: 'With no kind option, every kind runs.',
  main: runBench,
});

async function runBench(flags: Record<string, unknown>): Promise<number> {
  const runs = typeof flags.runs === 'string' ? parsePositiveNumber(flags.runs, '--runs', true) : undefined;
  const chosen = Object.keys(BENCH_KINDS).filter((k) => flags[k] === true);
  const kinds = chosen.length ? chosen : Object.keys(BENCH_KINDS);
  const json: Record<string, unknown> = {};
  for (const name of kinds) {
    const kind = BENCH_KINDS[name];
    // Progress goes to stderr, so `--json` output stays one clean object on stdout.
    const report = await kind.run({ runs: runs ?? kind.defaultRuns, quick: flags.quick === true, noDenials: flags['no-denials'] === true, progress: (text) => process.stderr.isTTY && process.stderr.write(`\r${text}  `) });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    Object.assign(json, report.json);
    if (!flags.json) console.log(report.lines.join('\n'));
  }
  if (flags.json) console.log(JSON.stringify(json, null, 2));
  return 0;
}

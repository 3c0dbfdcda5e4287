/**
 * The limits every run gets when neither its profile nor its request sets one (docs/sandbox.md, "Limits"). A run
 * without limits let one workload keep thousands of processes alive and fill a 12 GiB /tmp; these bound what one
 * sandbox can take from the machine while staying far above what a build, a test suite or an interpreter needs.
 * Pure (the machine's RAM is passed in): the editor shows them, the runtime applies them (runtime/src/sandbox/sandboxSpec.ts).
 */
const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

/** Processes and threads of one sandbox (the pids cgroup, plus RLIMIT_NPROC). Builds with `make -j` and thread pools
 * stay far below; a fork bomb stops here. */
export const DEFAULT_PIDS = 512;
/**
 * Output of one run kept and shown (stdout and stderr together). 64 MiB is hundreds of thousands of terminal lines
 * — far more than anyone reads in a terminal (its scrollback keeps ~1,000–10,000 lines) — while bounding what the
 * runtime and the editor buffer for a runaway `yes`. Beyond it the run is stopped and told why.
 */
export const DEFAULT_OUTPUT_BYTES = 64 * MiB;
/** Open files per process (RLIMIT_NOFILE), set by the helper; core dumps are always off (RLIMIT_CORE 0). */
export const DEFAULT_OPEN_FILES = 4096;

/** Memory of one sandbox: 2 GiB or a quarter of the machine's RAM, whichever is less. `/tmp` and `/dev/shm` are
 * tmpfs mounts of half of it each (the helper derives them from the memory limit): files there are memory. */
export function defaultMemoryBytes(totalMemory: number): number {
  return Math.min(2 * GiB, Math.floor(totalMemory / 4));
}

export interface EffectiveLimits {
  memoryBytes: number;
  pids: number;
  outputBytes: number;
  openFiles: number;
  tmpBytes: number;
  /** Which of them the run's profile or request set (the rest are the defaults). */
  own: { memory: boolean; pids: boolean; output: boolean };
}

/** The limits a run gets from what its profile or request set (undefined = the default). */
export function effectiveLimits(given: { memoryBytes?: number; pids?: number; outputBytes?: number }, totalMemory: number): EffectiveLimits {
  const memoryBytes = given.memoryBytes ?? defaultMemoryBytes(totalMemory);
  return {
    memoryBytes,
    pids: given.pids ?? DEFAULT_PIDS,
    outputBytes: given.outputBytes ?? DEFAULT_OUTPUT_BYTES,
    openFiles: DEFAULT_OPEN_FILES,
    tmpBytes: Math.floor(memoryBytes / 2),
    own: { memory: given.memoryBytes !== undefined, pids: given.pids !== undefined, output: given.outputBytes !== undefined },
  };
}

/** What every run gets whatever its profile says, in words (the effective policy's summary). */
export const ALWAYS_LIMITS_TEXT = `/tmp and /dev/shm half the memory limit each, ${DEFAULT_OPEN_FILES} open files per process, no core dumps`;

/** One line for `phantom explain`. */
export function describeLimits(l: EffectiveLimits): string {
  const size = (n: number) => (n % GiB === 0 ? `${n / GiB} GiB` : n % MiB === 0 ? `${n / MiB} MiB` : `${n} bytes`);
  const mark = (own: boolean) => (own ? '' : ' (default)');
  return `memory ${size(l.memoryBytes)}${mark(l.own.memory)}, pids ${l.pids}${mark(l.own.pids)}, output ${size(l.outputBytes)}${mark(l.own.output)}, ` +
    `/tmp and /dev/shm ${size(l.tmpBytes)} each, open files ${l.openFiles}, core dumps off`;
}

/**
 * Seccomp profile → BPF, ahead of time, through libseccomp (koffi). The helper only installs the result, which
 * it receives as a sealed memory file (`--seccomp-bpf /proc/<pid>/fd/<n>`, memoryFiles.ts). Compiled programs
 * are cached per content hash in memory and on disk ($XDG_CACHE_HOME/phantom-fragment/bpf/<hash>.bpf), so a run
 * pays the compile once per profile.
 */
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seccompData } from '../../../model';
import { MFD_CLOEXEC, errnoName, memfd_create, errno } from '../../../native/bindings/libc';
import * as scmp from '../../../native/bindings/libseccomp';
import { memoryFile } from '../sandbox/memoryFiles';
import { NoWritableDirectoryError, stablePrivateDir } from '../storage/privateDirs';
import { ProfileLoadError, type SeccompArg, type SeccompFilter, type SeccompProfile, type SeccompRule } from '../../../model';

/** What the rules' includes/excludes are evaluated against (Docker semantics; the sandbox has no capabilities). */
export interface SeccompHost {
  /** OCI name of the native architecture, e.g. SCMP_ARCH_X86_64. */
  arch: string;
  /** Kernel release, e.g. "6.18.0". */
  kernel: string;
  /** Capabilities the workload has: none in this sandbox. */
  caps: string[];
}

export interface CompiledSeccomp {
  /** Raw struct sock_filter[] (8 bytes per instruction). */
  bpf: Buffer;
  instructions: number;
  /** SECCOMP_FILTER_FLAG_* for seccomp(2). */
  flags: number;
  /** What was skipped or changed (unknown syscall names, rules not applying to this host). */
  notes: string[];
  /** Content hash of profile + host + libseccomp: the cache key. */
  hash: string;
  compileMs: number;
}

const ACTIONS: Record<string, number> = {
  SCMP_ACT_KILL: scmp.SCMP_ACT.KILL_THREAD, SCMP_ACT_KILL_THREAD: scmp.SCMP_ACT.KILL_THREAD,
  SCMP_ACT_KILL_PROCESS: scmp.SCMP_ACT.KILL_PROCESS, SCMP_ACT_TRAP: scmp.SCMP_ACT.TRAP, SCMP_ACT_ERRNO: scmp.SCMP_ACT.ERRNO,
  SCMP_ACT_TRACE: scmp.SCMP_ACT.TRACE, SCMP_ACT_ALLOW: scmp.SCMP_ACT.ALLOW, SCMP_ACT_LOG: scmp.SCMP_ACT.LOG,
};
const OPERATORS: Record<string, number> = {
  SCMP_CMP_NE: scmp.SCMP_CMP.NE, SCMP_CMP_LT: scmp.SCMP_CMP.LT, SCMP_CMP_LE: scmp.SCMP_CMP.LE, SCMP_CMP_EQ: scmp.SCMP_CMP.EQ,
  SCMP_CMP_GE: scmp.SCMP_CMP.GE, SCMP_CMP_GT: scmp.SCMP_CMP.GT, SCMP_CMP_MASKED_EQ: scmp.SCMP_CMP.MASKED_EQ,
};
/** Filter flags the helper passes to seccomp(2). TSYNC is moot (the workload is single-threaded at install). */
const FLAGS: Record<string, number> = { SECCOMP_FILTER_FLAG_TSYNC: 0, SECCOMP_FILTER_FLAG_LOG: 2, SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4 };
const EPERM = 1;

interface ArchInfo { name: string; libseccomp: string; auditArch: string; docker?: string }
const ARCHES = seccompData.architectures as ArchInfo[];

export function hostFacts(): SeccompHost {
  const token = scmp.seccomp_arch_native();
  const arch = ARCHES.find((a) => Number(a.auditArch) === token)?.name ?? scmp.SCMP_ARCH_NAMES[token] ?? `0x${token.toString(16)}`;
  return { arch, kernel: os.release(), caps: [] };
}

function kernelAtLeast(kernel: string, min: string): boolean {
  const k = kernel.split(/[.-]/).map(Number);
  const m = min.split('.').map(Number);
  for (let i = 0; i < m.length; i++) {
    const a = k[i] || 0;
    if (a !== m[i]) return a > m[i];
  }
  return true;
}

/** Docker's rule filter: includes must all hold, excludes must none hold. */
export function ruleApplies(rule: SeccompRule, host: SeccompHost): boolean {
  const docker = ARCHES.find((a) => a.name === host.arch)?.docker ?? host.arch;
  const holds = (f: SeccompFilter | undefined, all: boolean) => {
    if (!f) return all; // no includes: nothing required; no excludes: nothing excluded
    const checks: boolean[] = [];
    if (f.caps?.length) checks.push(all ? f.caps.every((c) => host.caps.includes(c)) : f.caps.some((c) => host.caps.includes(c)));
    if (f.arches?.length) checks.push(f.arches.includes(docker));
    if (f.minKernel) checks.push(kernelAtLeast(host.kernel, f.minKernel));
    return all ? checks.every(Boolean) : checks.some(Boolean);
  };
  return holds(rule.includes, true) && !holds(rule.excludes, false);
}

/** The architectures the filter covers: the profile's, plus archMap's entry for the native one. */
export function profileArchitectures(profile: SeccompProfile, host: SeccompHost): string[] {
  const set = new Set(profile.architectures ?? []);
  for (const m of profile.archMap ?? []) {
    if (m.architecture === host.arch) [m.architecture, ...m.subArchitectures].forEach((a) => set.add(a));
  }
  return [...set];
}

function actionValue(name: string, errnoRet: number | undefined, where: string): number {
  const base = ACTIONS[name];
  if (name === 'SCMP_ACT_NOTIFY')
    throw new ProfileLoadError(`${where}: SCMP_ACT_NOTIFY needs a supervisor, which enforced runs do not have — use SCMP_ACT_ERRNO, or learn mode to record syscalls`);
  if (base === undefined)
    throw new ProfileLoadError(`${where}: unknown action '${name}' — use one of ${Object.keys(ACTIONS).join(', ')}`);
  if (name === 'SCMP_ACT_ERRNO') return base | (errnoRet ?? EPERM);
  if (name === 'SCMP_ACT_TRACE') return base | (errnoRet ?? EPERM);
  return base;
}

function argComparisons(args: SeccompArg[], where: string): scmp.ScmpArgCmp[] {
  return args.map((a) => {
    const op = OPERATORS[a.op];
    if (op === undefined) throw new ProfileLoadError(`${where}: unknown operator '${a.op}' — use one of ${Object.keys(OPERATORS).join(', ')}`);
    return { arg: a.index, op, datum_a: BigInt(a.value), datum_b: BigInt(a.valueTwo ?? 0) };
  });
}

function errnoText(ret: number): string {
  return `${errnoName(-ret)}`;
}

function exportBpf(ctx: scmp.ScmpFilterCtx): Buffer {
  const fd = memfd_create('phantom-seccomp-bpf', MFD_CLOEXEC);
  if (fd < 0) throw new Error(`memfd_create("phantom-seccomp-bpf"): ${errnoName(errno())} — cannot export the seccomp filter`);
  try {
    const rc = scmp.seccomp_export_bpf(ctx, fd);
    if (rc < 0) throw new Error(`seccomp_export_bpf(ctx, memfd): ${errnoText(rc)}`);
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) off += readSync(fd, buf, off, size - off, off);
    return buf;
  } finally {
    closeSync(fd);
  }
}

export interface CompileOptions {
  /** No notes for names libseccomp lacks or rules not applying here (the built-in profiles). */
  quiet?: boolean;
  /** Let other architectures through (a stacked layer that only narrows the native ABI). */
  badArchAllow?: boolean;
}

/** Compiles a profile for this host; `source` names it in errors and notes (a file path or "built-in default profile"). */
export function compileSeccomp(profile: SeccompProfile, source: string, host: SeccompHost = hostFacts(), options: CompileOptions = {}): CompiledSeccomp {
  const t0 = performance.now();
  const notes: string[] = [];
  const defaultAction = actionValue(profile.defaultAction, profile.defaultErrnoRet, `${source}: defaultAction`);
  if (profile.listenerPath) notes.push(`${source}: listenerPath ignored — enforced runs have no seccomp agent`);
  let flags = 0;
  for (const f of profile.flags ?? []) {
    if (!(f in FLAGS)) throw new ProfileLoadError(`${source}: flags: '${f}' is not supported by the helper — remove it (supported: ${Object.keys(FLAGS).join(', ')})`);
    flags |= FLAGS[f];
  }

  const ctx = scmp.seccomp_init(defaultAction);
  try {
    // The helper sets no_new_privs itself; the binary tree keeps install time and per-syscall cost low.
    scmp.seccomp_attr_set(ctx, scmp.SCMP_FLTATR.CTL_NNP, 0);
    const opt = scmp.seccomp_attr_set(ctx, scmp.SCMP_FLTATR.CTL_OPTIMIZE, 2);
    if (opt < 0) notes.push(`libseccomp refused the binary-tree optimisation (${errnoText(opt)}): the filter is linear`);
    if (options.badArchAllow) {
      const rc = scmp.seccomp_attr_set(ctx, scmp.SCMP_FLTATR.ACT_BADARCH, scmp.SCMP_ACT.ALLOW);
      if (rc < 0) throw new ProfileLoadError(`${source}: seccomp_attr_set(ACT_BADARCH, ALLOW): ${errnoText(rc)}`);
    }

    const unknownArches: string[] = [];
    for (const name of profileArchitectures(profile, host)) {
      const info = ARCHES.find((a) => a.name === name);
      const token = info ? scmp.seccomp_arch_resolve_name(info.libseccomp) : 0;
      if (!token) { unknownArches.push(name); continue; }
      const rc = scmp.seccomp_arch_add(ctx, token);
      if (rc < 0 && rc !== -17 /* EEXIST: the native arch is always there */) {
        throw new ProfileLoadError(`${source}: architectures: seccomp_arch_add(${name}): ${errnoText(rc)} — remove the architecture`);
      }
    }
    if (unknownArches.length) notes.push(`${source}: architectures libseccomp does not know were skipped: ${unknownArches.join(', ')}`);

    const unknownNames = new Set<string>();
    let skippedRules = 0;
    (profile.syscalls ?? []).forEach((rule, i) => {
      const where = `${source}: syscalls[${i}]`;
      if (!ruleApplies(rule, host)) { skippedRules++; return; }
      const action = actionValue(rule.action, rule.errnoRet, `${where}.action`);
      // libseccomp rejects a rule whose action is the default (EACCES): it would change nothing.
      if (action === defaultAction) return;
      const args = rule.args ?? [];
      // libseccomp 2.5 takes one comparison per argument in a rule; repeated indexes mean "any of" (as runc).
      const indexes = new Set(args.map((a) => a.index));
      const groups = indexes.size === args.length ? [args] : args.map((a) => [a]);
      for (const name of rule.names) {
        const nr = scmp.seccomp_syscall_resolve_name(name);
        if (nr === scmp.NR_SCMP_ERROR) { unknownNames.add(name); continue; }
        for (const group of groups) {
          const rc = scmp.seccomp_rule_add_array(ctx, action, nr, argComparisons(group, where));
          if (rc < 0) {
            throw new ProfileLoadError(
              `${where}: seccomp_rule_add(${name}, ${rule.action}${group.length ? `, ${group.length} argument comparisons` : ''}): ${errnoText(rc)} — ` +
                (rc === -17 ? 'the syscall already has a conflicting rule; keep one action per syscall and argument set' : 'check the rule'),
            );
          }
        }
      }
    });
    // For the built-in profile these are syscalls newer than the installed libseccomp: skipping them only makes it
    // stricter, and saying so on every run is noise (docs/sandbox.md lists them). A user's profile hears it.
    if (unknownNames.size && !options.quiet)
      notes.push(`${source}: ${unknownNames.size} syscall name(s) unknown to libseccomp ${libseccompVersion()} skipped (as runc does): ${[...unknownNames].sort().join(', ')}`);
    // Conditional rules of a user's profile are worth a word; the built-in profile's are arch-specific by design.
    if (skippedRules && !options.quiet) notes.push(`${source}: ${skippedRules} rule(s) do not apply to this host (includes/excludes: no capabilities, ${host.arch}, kernel ${host.kernel})`);

    const bpf = exportBpf(ctx);
    return { bpf, instructions: bpf.length / 8, flags, notes, hash: '', compileMs: performance.now() - t0 };
  } finally {
    scmp.seccomp_release(ctx);
  }
}

function libseccompVersion(): string {
  const v = scmp.seccomp_version();
  return `${v.major}.${v.minor}.${v.micro}`;
}

let cacheRootDir: string | null | undefined;

/**
 * Where compiled policies live: `$XDG_CACHE_HOME/phantom-fragment` (or ~/.cache/…). When that cannot be made
 * (a user without a home, e.g. nobody), a private directory in the first writable temporary directory; when
 * there is none either, null: the policies then go to memory files (memoryFiles.ts), with a note.
 */
export function policyCacheRoot(): string | null {
  if (cacheRootDir !== undefined) return cacheRootDir;
  const base = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'phantom-fragment');
  try {
    mkdirSync(base, { recursive: true, mode: 0o700 });
    accessSync(base, constants.W_OK);
    cacheRootDir = base;
  } catch {
    try {
      cacheRootDir = stablePrivateDir(`phantom-fragment-cache-${process.getuid?.() ?? 'user'}`, 'compiled sandbox policies');
    } catch (error) {
      if (!(error instanceof NoWritableDirectoryError)) throw error;
      noFolderNote = `${error.message}; the compiled policies are kept in memory instead (not shared between runs of phantom)`;
      cacheRootDir = null;
    }
  }
  return cacheRootDir;
}

let noFolderNote: string | undefined;

/** What the runs' notes say while policies live in memory files. */
export function policyStorageNote(): string | undefined {
  return noFolderNote;
}

/** The folder for compiled seccomp programs, or null when they go to memory files. */
export function cacheDir(): string | null {
  const root = policyCacheRoot();
  return root === null ? null : path.join(root, 'bpf');
}

const memory = new Map<string, CompiledSeccomp & { file: string }>();

/**
 * Content hashes of profiles already seen, by object: a loaded profile is never mutated, and the built-in one is
 * the same object for every run, so a warm start does not serialise and hash ~400 rules again (~0.2 ms).
 */
const hashes = new WeakMap<SeccompProfile, { quiet: string; loud: string }>();
let hostToken: string | undefined;

function profileHash(profile: SeccompProfile, quiet: boolean): string {
  let known = hashes.get(profile);
  if (!known) {
    if (hostToken === undefined) {
      const host = hostFacts();
      hostToken = `\0${host.arch}\0${host.kernel}\0${libseccompVersion()}`;
    }
    const text = JSON.stringify(profile, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    const digest = (q: number) => createHash('sha256').update(text).update(`${hostToken}\0${q}`).digest('hex').slice(0, 32);
    known = { quiet: digest(1), loud: digest(0) };
    hashes.set(profile, known);
  }
  return quiet ? known.quiet : known.loud;
}

/**
 * A cache file is used only when it is a regular file of ours that nobody else may write (no link, no group or
 * world write). The cache folder itself is never inside a folder a sandbox can write (sandboxPolicy.ts refuses
 * such a run), and what reaches the helper is a sealed memory file made from these bytes, never the file.
 */
function trustedCacheFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0) return undefined;
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Compiles (or takes from the cache) and hands the program over as a sealed memory file (memoryFiles.ts). */
export function compiledSeccompFile(profile: SeccompProfile, source: string, dir = cacheDir(), options: CompileOptions = {}): CompiledSeccomp & { file: string } {
  const hash = profileHash(profile, options.quiet ?? false) + (options.badArchAllow ? '-g' : '');
  const cached = memory.get(hash);
  if (cached) return cached;
  const seal = (compiled: CompiledSeccomp): CompiledSeccomp & { file: string } => {
    const result = { ...compiled, hash, file: memoryFile(`phantom-seccomp-${hash}`, compiled.bpf) };
    memory.set(hash, result);
    return result;
  };
  if (dir === null) return seal(compileSeccomp(profile, source, hostFacts(), options));
  const file = path.join(dir, `${hash}.bpf`);
  const meta = path.join(dir, `${hash}.json`);
  const bpf = trustedCacheFile(file);
  const metaText = bpf && trustedCacheFile(meta);
  if (bpf && metaText && bpf.length > 0 && bpf.length % 8 === 0) {
    const m = JSON.parse(metaText.toString('utf8')) as { flags: number; notes: string[] };
    return seal({ bpf, instructions: bpf.length / 8, flags: m.flags, notes: m.notes, hash, compileMs: 0 });
  }
  const compiled = compileSeccomp(profile, source, hostFacts(), options);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Written under a temporary name and renamed: a concurrent run never reads half a program.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, compiled.bpf, { mode: 0o600 });
  renameSync(tmp, file);
  writeFileSync(`${meta}.${process.pid}.tmp`, JSON.stringify({ flags: compiled.flags, notes: compiled.notes }), { mode: 0o600 });
  renameSync(`${meta}.${process.pid}.tmp`, meta);
  return seal(compiled);
}

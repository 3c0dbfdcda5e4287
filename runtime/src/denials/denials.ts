/**
 * Every denial explained (docs/sandbox.md, "Denials"): the helper's raw refusals (syscall number, errno, the
 * decisive argument or the path) become what the user reads — the syscall's name, the profile file and line of
 * the rule or `defaultAction` that refused it, and the fix in words. The run's report (`phantom run --report`)
 * and the protocol's exit carry these.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_FRAGMENTS } from '../../../model';
import { parseSource } from '../../../model';
import { childAt, type SourceNode } from '../../../model';
import { errnoName } from '../../../native/bindings/libc';
import * as scmp from '../../../native/bindings/libseccomp';
import { DEFAULT_PROFILE_NAME, DEFAULT_SECCOMP_PROFILE, REMOVED_FROM_DOCKER } from '../policy/defaultProfile';
import { hostFacts, ruleApplies } from '../policy/seccompCompiler';
import type { Denial, NetworkMode } from '../protocol';
import { lineOfKey, networkDenial, type RunOrigin } from './denialSources';
import { loadSeccompProfile } from '../policy/seccompProfileLoader';
import type { SeccompProfile, SeccompRule } from '../../../model';

export type { Denial };

/** One `"event":"denial"` line of the helper (native/src/denials.c). */
export interface RawDenial {
  /** 'landlock': a refusal from Landlock's audit records (native/src/audit_landlock.c): `path` and `access` only. */
  kind?: 'landlock';
  /** Landlock's blockers as the kernel logs them ("fs.read_file,fs.write_file"). */
  access?: string;
  arch: number;
  /** -1: more distinct refusals than the helper itemises (their count). */
  nr: number;
  errno: number;
  count: number;
  /** The decisive argument (socket family, ioctl request, clone flags, prctl option), as a decimal string. */
  arg?: string;
  /** The path a path syscall named, read from the workload's memory. */
  path?: string;
  /** A network refusal: the "host:port" an allowed call went to, which the network mode cannot reach. */
  address?: string;
}

/** The seccomp profile a run enforced, as sandboxPolicy.ts chose it. */
export interface SeccompOrigin {
  profile: SeccompProfile;
  /** A file path, "FILE + fragments A, B", "WHERE: fragments A, B", or the built-in profile's name. */
  source: string;
  /** The file's text, read BEFORE the run: the sandbox may write the workspace, and a file it swapped for a FIFO or
   * rewrote must neither block the runtime nor move the lines the report names. */
  text?: string;
  /** The run's network mode and what decided its settings (network refusals, fixes as edits). */
  network?: NetworkMode;
  run?: RunOrigin;
}

/** Probes libraries make and handle when refused: reported with `expected: true`. */
const EXPECTED: Readonly<Record<string, string>> = {
  clone3: 'glibc falls back to clone',
  openat2: 'C libraries, Python and Node fall back to openat',
  io_uring_setup: "libuv (node) probes io_uring and falls back to its thread pool",
  io_uring_enter: 'io_uring probes',
  io_uring_register: 'io_uring probes',
  rseq: 'glibc runs without restartable sequences',
  statx: 'C libraries fall back to fstatat',
  faccessat2: 'glibc falls back to faccessat',
  close_range: 'falls back to closing descriptors one by one',
  pidfd_open: 'libraries fall back to waitpid',
  membarrier: 'JITs fall back to other barriers',
  landlock_create_ruleset: 'a Landlock ABI probe',
  sched_getaffinity: 'runtimes assume the CPU count',
};

const AF: Readonly<Record<number, string>> = { 1: 'AF_UNIX', 2: 'AF_INET', 10: 'AF_INET6', 16: 'AF_NETLINK', 17: 'AF_PACKET', 38: 'AF_ALG', 40: 'AF_VSOCK' };
const IOCTL: Readonly<Record<number, string>> = { 0x5412: 'TIOCSTI', 0x541c: 'TIOCLINUX' };

function syscallName(arch: number, nr: number): string {
  try {
    return scmp.seccomp_syscall_resolve_num_arch(arch, nr) ?? `syscall ${nr}`;
  } catch {
    return `syscall ${nr}`;
  }
}

function argumentText(name: string, arg: string | undefined): string | undefined {
  if (arg === undefined) return undefined;
  const v = BigInt(arg);
  if (name === 'socket') return AF[Number(v)] ?? `family ${v}`;
  if (name === 'ioctl') return IOCTL[Number(v)] ?? `request 0x${v.toString(16)}`;
  return `0x${v.toString(16)}`;
}

/** The file named by an origin's source, and the fragments it mentions. */
function originParts(source: string): { file?: string; fragments?: string } {
  if (source === DEFAULT_PROFILE_NAME) return {};
  const plus = source.indexOf(' + fragments ');
  if (plus >= 0) return { file: source.slice(0, plus), fragments: source.slice(plus + ' + fragments '.length) };
  const colon = source.indexOf(': fragments ');
  if (colon >= 0) return { fragments: source.slice(colon + ': fragments '.length) };
  return { file: source };
}

/** 1-based line of each rule and of `defaultAction` in a profile file, through the server's positional parsers. */
function profileLines(file: string, text: string | undefined): { rules: (number | undefined)[]; defaultAction?: number } {
  if (text === undefined) return { rules: [] };
  const parsed = parseSource(text, /\.ya?ml$/i.test(file) ? 'yaml' : 'json');
  const lineOf = (node: SourceNode | undefined) => (node ? text.slice(0, node.keyStart ?? node.start).split('\n').length : undefined);
  const root = parsed.root;
  const list = root ? childAt(root, 'syscalls') : undefined;
  return { rules: (list?.children ?? []).map((n) => lineOf(n)), defaultAction: root ? lineOf(childAt(root, 'defaultAction')) : undefined };
}

function fragmentsGranting(name: string): string[] {
  return BUILTIN_FRAGMENTS.filter((f) => f.syscalls.some((s) => s.name === name)).map((f) => f.name);
}

/** The rule of `profile` that decided `name` (a non-allow rule naming it), or undefined: its defaultAction. */
function decidingRule(profile: SeccompProfile, name: string): number | undefined {
  const host = hostFacts();
  const rules = profile.syscalls ?? [];
  const idx = rules.findIndex((r) => r.names.includes(name) && r.action !== 'SCMP_ACT_ALLOW' && ruleApplies(r, host));
  return idx >= 0 ? idx : undefined;
}

function conditionalAllow(profile: SeccompProfile, name: string): SeccompRule | undefined {
  return (profile.syscalls ?? []).find((r) => r.names.includes(name) && r.action === 'SCMP_ACT_ALLOW' && (r.args?.length ?? 0) > 0);
}

function seccompDenial(raw: RawDenial, origin: SeccompOrigin): Denial {
  const name = syscallName(raw.arch, raw.nr);
  const denial: Denial = { kind: 'seccomp', syscall: name, count: raw.count, result: errnoName(raw.errno) };
  const argument = argumentText(name, raw.arg);
  if (argument) denial.argument = argument;
  if (raw.path !== undefined) denial.path = raw.path;
  if (EXPECTED[name]) denial.expected = true;
  const parts = originParts(origin.source);
  const ruleIdx = decidingRule(origin.profile, name);
  const conditional = conditionalAllow(origin.profile, name);
  const grantingFragments = fragmentsGranting(name);
  const fragmentFix = grantingFragments.length
    ? ` — or add fragment \`${grantingFragments[0]}\` (grants ${BUILTIN_FRAGMENTS.find((f) => f.name === grantingFragments[0])!.syscalls.slice(0, 6).map((s) => s.name).join(', ')}${BUILTIN_FRAGMENTS.find((f) => f.name === grantingFragments[0])!.syscalls.length > 6 ? ', …' : ''})`
    : '';
  if (!parts.file) {
    // The built-in profile (alone or as the base of fragments).
    const reason = EXPECTED[name] ?? REMOVED_FROM_DOCKER[name] ?? conditional?.comment ?? 'not in the built-in default profile\u2019s allowlist';
    denial.source = { file: DEFAULT_PROFILE_NAME, reason, ...(parts.fragments ? { fragment: parts.fragments } : {}) };
    const run = origin.run;
    if (parts.fragments && run?.config && run.profile) {
      // A profile composed from fragments: what refused it is the profile's `fragments:` line (the editor's Problem).
      const at = lineOfKey(run.configText, run.config, ['profiles', run.profile, 'fragments']);
      denial.source = { file: run.config, ...(at ? { line: at.line } : {}), fragment: parts.fragments, reason: conditional ? reason : `none of the fragments ${parts.fragments} grants it` };
    }
    // A profile composed from fragments: adding the fragment that grants the call is the edit.
    if (parts.fragments && !conditional && grantingFragments.length && origin.run?.config && origin.run.profile && !EXPECTED[name])
      denial.edit = { kind: 'addFragment', file: origin.run.config, profile: origin.run.profile, fragment: grantingFragments[0] };
    denial.fix = conditional
      ? `allowed only with safe arguments (${reason}): the call asked for ${argument ?? 'an argument the built-in profile refuses'}`
      : parts.fragments
        ? grantingFragments.length ? `add fragment \`${grantingFragments[0]}\`` : `add a seccomp profile whose rules allow \`${name}\``
        : `run with a seccomp profile that allows \`${name}\` (\`--seccomp FILE\`, or the profile's \`seccomp:\`)${fragmentFix}`;
    return denial;
  }
  const lines = profileLines(parts.file, origin.text);
  const allowIdx = (origin.profile.syscalls ?? []).findIndex((r) => r.action === 'SCMP_ACT_ALLOW' && !(r.args?.length) && !r.includes && !r.excludes);
  if (ruleIdx === undefined && !conditional && !EXPECTED[name]) {
    // The fix as an edit: the file's allow rule (or a new one), else a fragment of the phantom-fragment.yaml profile.
    denial.edit = { kind: 'seccompAllow', file: path.resolve(parts.file), ...(allowIdx >= 0 && lines.rules[allowIdx] ? { line: lines.rules[allowIdx] } : {}), syscall: name };
  }
  if (ruleIdx !== undefined) {
    const rule = origin.profile.syscalls![ruleIdx];
    denial.source = { file: parts.file, ...(lines.rules[ruleIdx] ? { line: lines.rules[ruleIdx] } : {}), ...(rule.comment ? { reason: rule.comment } : {}) };
    denial.fix = `remove \`${name}\` from the ${rule.action} rule at line ${lines.rules[ruleIdx] ?? `syscalls[${ruleIdx}]`}${rule.names.length === 1 ? ' (or the rule)' : ''}`;
    return denial;
  }
  denial.source = { file: parts.file, ...(lines.defaultAction ? { line: lines.defaultAction } : {}), reason: `defaultAction ${origin.profile.defaultAction}`, ...(parts.fragments ? { fragment: parts.fragments } : {}) };
  if (conditional) {
    const i = origin.profile.syscalls!.indexOf(conditional);
    denial.fix = `the rule at line ${lines.rules[i] ?? `syscalls[${i}]`} allows \`${name}\` only with its argument conditions; this call (${argument ?? 'its arguments'}) met none`;
    return denial;
  }
  denial.fix = allowIdx >= 0 && lines.rules[allowIdx]
    ? `add \`${name}\` to the rule at line ${lines.rules[allowIdx]}${fragmentFix}`
    : `add a rule { "names": ["${name}"], "action": "SCMP_ACT_ALLOW" }${fragmentFix}`;
  return denial;
}

/**
 * The run's denials: each raw refusal explained against the profile that made it; a kill by SIGSYS (a
 * profile's kill action, or a bad architecture) as a seccomp denial without a syscall (the kernel kills without
 * telling the supervisor).
 */
export function explainDenials(raw: readonly RawDenial[], origin: SeccompOrigin, signal: string | null): Denial[] {
  const out: Denial[] = [];
  for (const r of raw) {
    if (r.kind === 'landlock') continue; // explained against the Landlock layers: auditedLandlock.ts
    if (r.nr < 0) {
      out.push({ kind: 'seccomp', count: r.count, fix: 'more distinct refusals than the report itemises: run the command in learn mode to see all it needs' });
      continue;
    }
    if (r.address !== undefined) out.push(networkDenial({ count: r.count, address: r.address }, syscallName(r.arch, r.nr), origin.network ?? 'none', origin.run));
    else out.push(seccompDenial(r, origin));
  }
  if (signal === 'SIGSYS') {
    const parts = originParts(origin.source);
    out.push({
      kind: 'seccomp', count: 1, result: 'SIGSYS',
      source: { file: parts.file ?? DEFAULT_PROFILE_NAME, reason: 'a kill action of the profile, or a call of an architecture the filter does not cover (e.g. 32-bit int 0x80)' },
      fix: 'the kernel killed the process: find the call with learn mode (`phantom learn`) and allow it, or build the program for the native architecture',
    });
  }
  return out;
}

/** A profile file's text if it is a regular file of sane size (never blocks: O_NONBLOCK, no FIFO, no link). */
function profileText(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    return st.isFile() && st.size <= 16 * 1024 * 1024 ? readFileSync(fd, 'utf8') : undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * What a run's denials will be explained against, taken BEFORE the run (see SeccompOrigin.text); undefined for
 * learn runs, which report none.
 */
export function denialOrigin(
  spec: { seccompPolicy?: Omit<SeccompOrigin, 'text'>; seccompProfile?: string; cwd: string; learnRecording?: string; network?: NetworkMode },
  run?: RunOrigin,
): SeccompOrigin | undefined {
  if (spec.learnRecording) return undefined;
  const context = { ...(spec.network ? { network: spec.network } : {}), ...(run ? { run } : {}) };
  try {
    if (spec.seccompPolicy) {
      const file = originParts(spec.seccompPolicy.source).file;
      return { ...spec.seccompPolicy, ...(file ? { text: profileText(file) } : {}), ...context };
    }
    if (spec.seccompProfile) {
      const file = path.resolve(spec.cwd, spec.seccompProfile);
      const loaded = loadSeccompProfile(file);
      return { profile: loaded.profile, source: file, text: loaded.text, ...context };
    }
  } catch {
    return undefined; // the run itself fails on the profile and says why
  }
  return { profile: DEFAULT_SECCOMP_PROFILE, source: DEFAULT_PROFILE_NAME, ...context };
}

/** The denials of a finished run (undefined when there were none): for the report and the protocol. */
export function exitDenials(origin: SeccompOrigin | undefined, exit: { rawDenials?: RawDenial[]; signal: string | null }): Denial[] | undefined {
  if (!origin || (!exit.rawDenials?.length && exit.signal !== 'SIGSYS')) return undefined;
  return explainDenials(exit.rawDenials ?? [], origin, exit.signal);
}

/** One line per distinct denial that is not expected, for stderr after the command's own output. */
export function denialLines(denials: readonly Denial[]): string[] {
  return denials.filter((d) => !d.expected).map((d) => {
    const what = d.kind === 'network'
      ? `${d.syscall ?? 'connect'} to ${d.address}`
      : d.kind === 'landlock'
        ? `${(d.access ?? []).join('+')} ${JSON.stringify(d.path)}${d.inferred ? ' (inferred)' : ''}`
        : `${d.syscall ?? 'a system call (killed)'}${d.path !== undefined ? ` ${JSON.stringify(d.path)}` : ''}${d.argument ? ` (${d.argument})` : ''}`;
    const where = d.source ? ` by ${d.source.file}${d.source.line ? `:${d.source.line}` : ''}` : '';
    // The file names (the repository's) and the fix (which may quote a sandbox path) lose their control characters:
    // these lines go to the user's terminal.
    return `refused ${what}${d.count > 1 ? ` ×${d.count}` : ''}${d.result ? ` → ${d.result}` : ''}${where}${d.fix ? ` — ${d.fix}` : ''}`.replace(CONTROL, '');
  });
}

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

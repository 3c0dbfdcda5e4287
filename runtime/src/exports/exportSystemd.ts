/**
 * `phantom export --to systemd`: a unit's [Service] settings from the resolved profile (exportResolve.ts).
 * systemd filters by name with one action per list, so the form follows the default action: an allow list
 * (`SystemCallFilter=names` + `SystemCallErrorNumber=`) when the default denies, a deny list
 * (`SystemCallFilter=~name:errno|kill`) when it allows. What systemd cannot say — argument conditions, a rule's
 * action that differs from the list's, TRAP and TRACE — is listed in a comment naming the rule, and always
 * resolved towards the stricter side: an export is never weaker than its profile.
 */
import os from 'node:os';
import { seccompData } from '../../../model';
import * as scmp from '../../../native/bindings/libseccomp';
import { nativeOnly, type ResolvedProfile } from './exportResolve';
import type { SeccompRule } from '../../../model';

const SYSTEMD_ARCH: Record<string, string> = {
  SCMP_ARCH_X86_64: 'x86-64', SCMP_ARCH_X86: 'x86', SCMP_ARCH_X32: 'x32', SCMP_ARCH_AARCH64: 'arm64', SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_RISCV64: 'riscv64', SCMP_ARCH_S390X: 's390x', SCMP_ARCH_S390: 's390', SCMP_ARCH_PPC64LE: 'ppc64-le', SCMP_ARCH_PPC64: 'ppc64',
  SCMP_ARCH_PPC: 'ppc', SCMP_ARCH_MIPS: 'mips', SCMP_ARCH_MIPSEL: 'mips-le', SCMP_ARCH_MIPS64: 'mips64', SCMP_ARCH_MIPSEL64: 'mips64-le',
  SCMP_ARCH_MIPS64N32: 'mips64-n32', SCMP_ARCH_MIPSEL64N32: 'mips64-le-n32', SCMP_ARCH_PARISC: 'parisc', SCMP_ARCH_PARISC64: 'parisc64',
  SCMP_ARCH_LOONGARCH64: 'loongarch64',
};
const ERRNO_NAMES = new Map(Object.entries(os.constants.errno).map(([name, n]) => [n, name]));
/** systemd takes an errno name or a number from 1 to 4095. */
const errnoText = (n: number | undefined) => ERRNO_NAMES.get(n ?? 1) ?? String(n ?? 1);
const KILLS = new Set(['SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS']);

interface ArchInfo { name: string; libseccomp: string }
const ARCHES = seccompData.architectures as ArchInfo[];

/** How systemd says one action: an errno, "kill", or nothing (the call runs); `caveat` when it differs. */
function systemdAction(action: string, errnoRet: number | undefined): { value: string | null; caveat?: string } {
  if (action === 'SCMP_ACT_ALLOW' || action === 'SCMP_ACT_LOG') return { value: null };
  if (action === 'SCMP_ACT_ERRNO') return { value: errnoText(errnoRet) };
  if (action === 'SCMP_ACT_KILL_PROCESS') return { value: 'kill' };
  if (KILLS.has(action)) return { value: 'kill', caveat: `${action} kills only the thread; systemd kills the process` };
  if (action === 'SCMP_ACT_TRAP') return { value: 'kill', caveat: 'SCMP_ACT_TRAP sends a SIGSYS the program may handle; systemd kills the process' };
  if (action === 'SCMP_ACT_TRACE') return { value: 'ENOSYS', caveat: 'SCMP_ACT_TRACE needs a tracer; systemd returns ENOSYS, what the call gets when none is attached' };
  return { value: 'kill', caveat: `${action} needs a seccomp agent systemd does not run; systemd kills the process` };
}

function ruleText(r: SeccompRule, i: number): string {
  const args = (r.args ?? []).map((a) => `arg${a.index} ${a.op.replace('SCMP_CMP_', '')} ${a.value}${a.valueTwo !== undefined ? `/${a.valueTwo}` : ''}`).join(', ');
  return `syscalls[${i}] ${r.names.join(' ')} → ${r.action}${r.errnoRet !== undefined ? `(${r.errnoRet})` : ''}${args ? ` if ${args}` : ''}`;
}

export function toSystemd(r: ResolvedProfile, summary: string): { text: string; notes: string[] } {
  const p = r.profile;
  const arches = p.architectures?.length ? p.architectures : [r.target.arch];
  const tokens = arches.map((a) => scmp.seccomp_arch_resolve_name(ARCHES.find((x) => x.name === a)?.libseccomp ?? '')).filter((t) => t > 0);
  const unknown = new Set<string>();
  // systemd resolves names through libseccomp too: a name it cannot resolve would be dropped with a warning.
  const known = (names: string[]) => names.filter((n) => {
    const ok = tokens.some((t) => scmp.seccomp_syscall_resolve_name_arch(t, n) !== scmp.NR_SCMP_ERROR);
    if (!ok) unknown.add(n);
    return ok;
  });
  const comments: string[] = [];
  const lines: string[] = [];
  const rules = (p.syscalls ?? []).map((rule, i) => ({ rule, i, names: known(rule.names), conditional: (rule.args?.length ?? 0) > 0 }));
  const denyForm = p.defaultAction === 'SCMP_ACT_ALLOW' || p.defaultAction === 'SCMP_ACT_LOG';

  lines.push(nativeOnly(r) ? 'SystemCallArchitectures=native' : `SystemCallArchitectures=${arches.map((a) => SYSTEMD_ARCH[a] ?? a).join(' ')}`);
  if (denyForm) {
    const deny: string[] = [];
    const denied = new Set<string>();
    const log: string[] = [];
    const notLogged: string[] = [];
    for (const { rule, i, names, conditional } of rules) {
      const { value, caveat } = systemdAction(rule.action, rule.errnoRet);
      if (value === null) {
        if (rule.action === 'SCMP_ACT_LOG' && p.defaultAction === 'SCMP_ACT_ALLOW') log.push(...names);
        if (rule.action === 'SCMP_ACT_ALLOW' && p.defaultAction === 'SCMP_ACT_LOG') notLogged.push(...names);
        if (conditional) comments.push(`${ruleText(rule, i)}: systemd cannot compare arguments; applied to every call of these names`);
        continue;
      }
      // One action per name in systemd: the first rule that denies a name decides (seccomp: the first match by priority).
      for (const n of names) if (!denied.has(n)) { denied.add(n); deny.push(`${n}:${value}`); }
      if (caveat) comments.push(`${ruleText(rule, i)}: ${caveat}`);
      if (conditional) comments.push(`${ruleText(rule, i)}: systemd cannot compare arguments; denied for every call of these names (stricter than the profile)`);
    }
    if (deny.length) lines.push(`SystemCallFilter=~${deny.join(' ')}`);
    if (log.length) lines.push(`SystemCallLog=${[...new Set(log)].join(' ')}`);
    if (p.defaultAction === 'SCMP_ACT_LOG' && notLogged.length) lines.push(`SystemCallLog=~${[...new Set(notLogged)].join(' ')}`);
    else if (p.defaultAction === 'SCMP_ACT_LOG') comments.push('defaultAction SCMP_ACT_LOG: systemd logs only calls it is given a list of; every call runs, unlogged');
  } else {
    const def = systemdAction(p.defaultAction, p.defaultErrnoRet);
    if (def.caveat) comments.push(`defaultAction ${p.defaultAction}: ${def.caveat}`);
    const allow: string[] = [];
    const log: string[] = [];
    let hint = false;
    for (const { rule, i, names, conditional } of rules) {
      const { value, caveat } = systemdAction(rule.action, rule.errnoRet);
      if (value === null) {
        if (conditional) {
          comments.push(`${ruleText(rule, i)}: systemd cannot compare arguments; left out of the allow list, so these calls get the default action (stricter than the profile)`);
          hint = true;
          continue;
        }
        allow.push(...names);
        if (rule.action === 'SCMP_ACT_LOG') log.push(...names);
      } else if (value !== def.value) {
        comments.push(`${ruleText(rule, i)}: systemd gives every call outside the allow list one action; these get ${def.value === 'kill' ? 'killed' : def.value} instead`);
      } else if (caveat) {
        comments.push(`${ruleText(rule, i)}: ${caveat}`);
      }
    }
    if (hint) comments.push('systemd settings that express common argument conditions: RestrictNamespaces= (clone, unshare flags), RestrictAddressFamilies= (socket families), LockPersonality= (personality)');
    lines.push(`SystemCallErrorNumber=${def.value}`);
    lines.push(`SystemCallFilter=${[...new Set(allow)].sort().join(' ')}`);
    if (log.length) lines.push(`SystemCallLog=${[...new Set(log)].sort().join(' ')}`);
    comments.push("systemd adds its @default set (~60 calls: execve, exit, mmap, clock and time queries…; `systemd-analyze syscall-filter @default` lists them) to every allow list, whether the profile allows them or not");
  }
  if (unknown.size) comments.push(`not known to libseccomp ${libseccompVersion()} on ${arches.join(', ')}, left out (systemd would ignore them): ${[...unknown].sort().join(' ')}`);
  const head = ['# systemd unit [Service] settings exported by `phantom export --to systemd`', `# ${summary}`];
  const text = [...head, ...comments.map((c) => `# ${c}`), ...lines].join('\n');
  return { text: `${text}\n`, notes: [summary, ...comments] };
}

function libseccompVersion(): string {
  const v = scmp.seccomp_version();
  return `${v.major}.${v.minor}.${v.micro}`;
}

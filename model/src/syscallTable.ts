/** The syscall table (model/data/syscalls.json): lookups by name and architecture. Loaded once. */
import data from '../data/syscalls.json';

export interface SyscallInfo {
  name: string;
  desc?: string;
  sig?: string;
  sigOf?: string;
  wrapper?: boolean;
  argc?: number;
  argcByArch?: Record<string, number>;
  man?: string;
  mux?: Record<string, string>;
  inLibseccomp?: boolean;
  nr?: Record<string, number>;
}

/** Every architecture the table knows, in the data's order. */
export const TABLE_ARCHITECTURES: readonly string[] = data.architectures;
/** What a profile without `architectures` or `archMap` gets: the native x86_64 ABI and its compat ABIs. */
export const DEFAULT_ARCHITECTURES: readonly string[] = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];

const byName = new Map<string, SyscallInfo>((data.syscalls as SyscallInfo[]).map((s) => [s.name, s]));

export function syscallInfo(name: string): SyscallInfo | undefined {
  return byName.get(name);
}

export function allSyscallNames(): Iterable<string> {
  return byName.keys();
}

/** A syscall exists on an architecture when it has a number there or is reachable through a multiplexer. */
export function existsOn(info: SyscallInfo, arch: string): boolean {
  return info.nr?.[arch] !== undefined || info.mux?.[arch] !== undefined;
}

export function architecturesOf(info: SyscallInfo): string[] {
  return TABLE_ARCHITECTURES.filter((arch) => existsOn(info, arch));
}

/** The most arguments the syscall takes on any architecture (valid args[].index: 0 … maxArgc-1). */
export function maxArgc(info: SyscallInfo): number | undefined {
  if (info.argc === undefined) return undefined;
  return Math.max(info.argc, ...Object.values(info.argcByArch ?? {}));
}

const namesCache = new Map<string, string[]>();

/** The sorted names of the syscalls that exist on at least one of `arches` (cached per set). */
export function syscallNamesOn(arches: readonly string[]): string[] {
  const key = [...arches].sort().join(',');
  let names = namesCache.get(key);
  if (!names) {
    names = [...byName.values()].filter((s) => arches.some((a) => existsOn(s, a))).map((s) => s.name).sort();
    namesCache.set(key, names);
  }
  return names;
}

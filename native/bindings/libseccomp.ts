/**
 * Raw libseccomp bindings through koffi, kept 1:1 with the C names. libseccomp.so.2 is loaded on first
 * use; when it is missing, every function throws one clear error saying how to install it.
 */
import koffi, { type LibraryHandle, type TypeObject } from 'koffi';

export interface ScmpVersion {
  major: number;
  minor: number;
  micro: number;
}

interface LibSeccomp {
  seccomp_version: () => unknown;
  seccomp_api_get: () => number;
  seccomp_arch_native: () => number;
  seccomp_syscall_resolve_name_arch: (arch: number, name: string) => number;
  seccomp_syscall_resolve_num_arch: (arch: number, num: number) => string | null;
  versionType: TypeObject;
}

/** __NR_SCMP_ERROR: what the resolve functions return for an unknown name. */
export const NR_SCMP_ERROR = -1;

/** Architecture tokens (AUDIT_ARCH_* values) as libseccomp names them. */
export const SCMP_ARCH_NAMES: Readonly<Record<number, string>> = {
  0x40000003: 'SCMP_ARCH_X86',
  0xc000003e: 'SCMP_ARCH_X86_64',
  0x4000003e: 'SCMP_ARCH_X32',
  0x40000028: 'SCMP_ARCH_ARM',
  0xc00000b7: 'SCMP_ARCH_AARCH64',
  0xc00000f3: 'SCMP_ARCH_RISCV64',
  0xc0000015: 'SCMP_ARCH_PPC64LE',
  0x80000015: 'SCMP_ARCH_PPC64',
  0x80000016: 'SCMP_ARCH_S390X',
  0xc0001102: 'SCMP_ARCH_LOONGARCH64',
};

let loaded: LibSeccomp | undefined;
let loadError: Error | undefined;

function libseccomp(): LibSeccomp {
  if (loaded) return loaded;
  if (loadError) throw loadError;
  let lib: LibraryHandle;
  try {
    lib = koffi.load('libseccomp.so.2');
  } catch (e) {
    loadError = new Error(
      `koffi.load("libseccomp.so.2") failed: ${(e as Error).message} — install libseccomp ` +
        '(Debian/Ubuntu: apt-get install libseccomp2; Fedora: dnf install libseccomp; Arch: pacman -S libseccomp)',
      { cause: e },
    );
    throw loadError;
  }
  const versionType = koffi.struct('scmp_version', { major: 'uint', minor: 'uint', micro: 'uint' });
  loaded = {
    versionType,
    seccomp_version: lib.func('const scmp_version *seccomp_version(void)'),
    seccomp_api_get: lib.func('unsigned int seccomp_api_get(void)'),
    seccomp_arch_native: lib.func('uint32_t seccomp_arch_native(void)'),
    seccomp_syscall_resolve_name_arch: lib.func('int seccomp_syscall_resolve_name_arch(uint32_t arch_token, const char *name)'),
    // The returned name is malloc'd by libseccomp: "str!" frees it after conversion.
    seccomp_syscall_resolve_num_arch: lib.func('str! seccomp_syscall_resolve_num_arch(uint32_t arch_token, int num)'),
  };
  return loaded;
}

/** const struct scmp_version *seccomp_version(void) */
export function seccomp_version(): ScmpVersion {
  const lib = libseccomp();
  return koffi.decode(lib.seccomp_version(), lib.versionType) as ScmpVersion;
}

/** unsigned int seccomp_api_get(void) — the API level libseccomp detected on this kernel. */
export function seccomp_api_get(): number {
  return libseccomp().seccomp_api_get();
}

/** uint32_t seccomp_arch_native(void) */
export function seccomp_arch_native(): number {
  return libseccomp().seccomp_arch_native() >>> 0;
}

/** int seccomp_syscall_resolve_name_arch(uint32_t arch_token, const char *name) — NR_SCMP_ERROR when unknown. */
export function seccomp_syscall_resolve_name_arch(arch: number, name: string): number {
  return libseccomp().seccomp_syscall_resolve_name_arch(arch, name);
}

/** char *seccomp_syscall_resolve_num_arch(uint32_t arch_token, int num) — null when unknown. */
export function seccomp_syscall_resolve_num_arch(arch: number, num: number): string | null {
  return libseccomp().seccomp_syscall_resolve_num_arch(arch, num);
}

/**
 * Raw libseccomp bindings through koffi, kept 1:1 with the C names. libseccomp.so.2 is loaded on first
 * use; when it is missing, every function throws one clear error saying how to install it.
 */
import type { LibraryHandle, TypeObject } from 'koffi';
import { koffi } from './koffi';

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
  seccomp_syscall_resolve_name: (name: string) => number;
  seccomp_arch_resolve_name: (name: string) => number;
  seccomp_init: (defAction: number) => unknown;
  seccomp_release: (ctx: unknown) => void;
  seccomp_arch_add: (ctx: unknown, arch: number) => number;
  seccomp_attr_set: (ctx: unknown, attr: number, value: number) => number;
  seccomp_rule_add_array: (ctx: unknown, action: number, syscall: number, count: number, args: ScmpArgCmp[] | null) => number;
  seccomp_export_bpf: (ctx: unknown, fd: number) => number;
  versionType: TypeObject;
}

/** struct scmp_arg_cmp */
export interface ScmpArgCmp {
  arg: number;
  op: number;
  datum_a: bigint;
  datum_b: bigint;
}

/** enum scmp_compare */
export const SCMP_CMP = { NE: 1, LT: 2, LE: 3, EQ: 4, GE: 5, GT: 6, MASKED_EQ: 7 } as const;

/** enum scmp_filter_attr */
export const SCMP_FLTATR = {
  ACT_DEFAULT: 1, ACT_BADARCH: 2, CTL_NNP: 3, CTL_TSYNC: 4, API_TSKIP: 5, CTL_LOG: 6, CTL_SSB: 7, CTL_OPTIMIZE: 8, API_SYSRAWRC: 9,
} as const;

/** SCMP_ACT_* values (uapi SECCOMP_RET_*); ERRNO and TRACE carry their data in the low 16 bits. */
export const SCMP_ACT = {
  KILL_PROCESS: 0x80000000, KILL_THREAD: 0x00000000, TRAP: 0x00030000, ERRNO: 0x00050000, TRACE: 0x7ff00000,
  LOG: 0x7ffc0000, ALLOW: 0x7fff0000, NOTIFY: 0x7fc00000,
} as const;

/** A filter context from seccomp_init(); released with seccomp_release(). */
export type ScmpFilterCtx = { readonly __brand: 'scmp_filter_ctx'; handle: unknown };

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
  const ffi = koffi(); // outside the try: a missing koffi says so itself
  try {
    lib = ffi.load('libseccomp.so.2');
  } catch (e) {
    loadError = new Error(
      `koffi.load("libseccomp.so.2") failed: ${(e as Error).message} — install libseccomp ` +
        '(Debian/Ubuntu: apt-get install libseccomp2; Fedora: dnf install libseccomp; Arch: pacman -S libseccomp)',
      { cause: e },
    );
    throw loadError;
  }
  const versionType = koffi().struct('scmp_version', { major: 'uint', minor: 'uint', micro: 'uint' });
  koffi().struct('scmp_arg_cmp', { arg: 'uint', op: 'int', datum_a: 'uint64_t', datum_b: 'uint64_t' });
  loaded = {
    versionType,
    seccomp_version: lib.func('const scmp_version *seccomp_version(void)'),
    seccomp_api_get: lib.func('unsigned int seccomp_api_get(void)'),
    seccomp_arch_native: lib.func('uint32_t seccomp_arch_native(void)'),
    seccomp_syscall_resolve_name_arch: lib.func('int seccomp_syscall_resolve_name_arch(uint32_t arch_token, const char *name)'),
    // The returned name is malloc'd by libseccomp: "str!" frees it after conversion.
    seccomp_syscall_resolve_num_arch: lib.func('str! seccomp_syscall_resolve_num_arch(uint32_t arch_token, int num)'),
    seccomp_syscall_resolve_name: lib.func('int seccomp_syscall_resolve_name(const char *name)'),
    seccomp_arch_resolve_name: lib.func('uint32_t seccomp_arch_resolve_name(const char *name)'),
    seccomp_init: lib.func('void *seccomp_init(uint32_t def_action)'),
    seccomp_release: lib.func('void seccomp_release(void *ctx)'),
    seccomp_arch_add: lib.func('int seccomp_arch_add(void *ctx, uint32_t arch_token)'),
    seccomp_attr_set: lib.func('int seccomp_attr_set(void *ctx, int attr, uint32_t value)'),
    seccomp_rule_add_array: lib.func('int seccomp_rule_add_array(void *ctx, uint32_t action, int syscall, unsigned int arg_cnt, const scmp_arg_cmp *arg_array)'),
    seccomp_export_bpf: lib.func('int seccomp_export_bpf(void *ctx, int fd)'),
  };
  return loaded;
}

/** const struct scmp_version *seccomp_version(void) */
export function seccomp_version(): ScmpVersion {
  const lib = libseccomp();
  return koffi().decode(lib.seccomp_version(), lib.versionType) as ScmpVersion;
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

/** int seccomp_syscall_resolve_name(const char *name) — the native number, NR_SCMP_ERROR when unknown. */
export function seccomp_syscall_resolve_name(name: string): number {
  return libseccomp().seccomp_syscall_resolve_name(name);
}

/** uint32_t seccomp_arch_resolve_name(const char *arch_name) — 0 when unknown ("x86_64", "x86", "aarch64"…). */
export function seccomp_arch_resolve_name(name: string): number {
  return libseccomp().seccomp_arch_resolve_name(name) >>> 0;
}

/** scmp_filter_ctx seccomp_init(uint32_t def_action) — throws when libseccomp returns NULL. */
export function seccomp_init(defAction: number): ScmpFilterCtx {
  const handle = libseccomp().seccomp_init(defAction >>> 0);
  if (!handle) throw new Error(`seccomp_init(0x${(defAction >>> 0).toString(16)}) returned NULL — invalid default action`);
  return { handle } as ScmpFilterCtx;
}

/** void seccomp_release(scmp_filter_ctx ctx) */
export function seccomp_release(ctx: ScmpFilterCtx): void {
  libseccomp().seccomp_release(ctx.handle);
}

/** int seccomp_arch_add(scmp_filter_ctx ctx, uint32_t arch_token) — 0 or -errno (-EEXIST when present). */
export function seccomp_arch_add(ctx: ScmpFilterCtx, arch: number): number {
  return libseccomp().seccomp_arch_add(ctx.handle, arch >>> 0);
}

/** int seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value) — 0 or -errno. */
export function seccomp_attr_set(ctx: ScmpFilterCtx, attr: number, value: number): number {
  return libseccomp().seccomp_attr_set(ctx.handle, attr, value >>> 0);
}

/** int seccomp_rule_add_array(ctx, uint32_t action, int syscall, unsigned int arg_cnt, const struct scmp_arg_cmp *arg_array) — 0 or -errno. */
export function seccomp_rule_add_array(ctx: ScmpFilterCtx, action: number, syscall: number, args: ScmpArgCmp[]): number {
  return libseccomp().seccomp_rule_add_array(ctx.handle, action >>> 0, syscall, args.length, args.length ? args : null);
}

/** int seccomp_export_bpf(const scmp_filter_ctx ctx, int fd) — writes the raw struct sock_filter[]; 0 or -errno. */
export function seccomp_export_bpf(ctx: ScmpFilterCtx, fd: number): number {
  return libseccomp().seccomp_export_bpf(ctx.handle, fd);
}

/**
 * Raw libc bindings through koffi, kept 1:1 with the C names and signatures. Loaded on first use, so
 * importing this module costs nothing. Only the runtime imports native/.
 *
 * `syscall` and `prctl` are variadic in C: pass a koffi type before each extra argument, e.g.
 *   syscall(444, 'long', 0, 'long', 0, 'long', 1)   // landlock_create_ruleset(NULL, 0, VERSION)
 * They return -1 on failure; read errno() right after the call.
 */
import type { LibraryHandle } from 'koffi';
import { koffi } from './koffi';

interface LibC {
  syscall: (number: number, ...typedArgs: unknown[]) => number;
  prctl: (option: number, ...typedArgs: unknown[]) => number;
  memfd_create: (name: string, flags: number) => number;
  fcntl: (fd: number, cmd: number, ...typedArgs: unknown[]) => number;
}

let loaded: LibC | undefined;
let handle: LibraryHandle | undefined;

/** The C library, loaded once for every binding that needs it (libc.ts, poll.ts). */
export function libcHandle(): LibraryHandle {
  if (handle) return handle;
  const ffi = koffi(); // outside the try: a missing koffi says so itself
  try {
    handle = ffi.load('libc.so.6');
  } catch (e) {
    throw new Error(`koffi.load("libc.so.6") failed: ${(e as Error).message} — the runtime needs glibc (musl systems are not supported yet)`, { cause: e });
  }
  return handle;
}

function libc(): LibC {
  if (loaded) return loaded;
  const lib = libcHandle();
  loaded = {
    syscall: lib.func('long syscall(long number, ...)') as LibC['syscall'],
    prctl: lib.func('int prctl(int option, ...)') as LibC['prctl'],
    memfd_create: lib.func('int memfd_create(const char *name, unsigned int flags)'),
    fcntl: lib.func('int fcntl(int fd, int cmd, ...)') as LibC['fcntl'],
  };
  return loaded;
}

/** long syscall(long number, ...) */
export function syscall(number: number, ...typedArgs: unknown[]): number {
  return libc().syscall(number, ...typedArgs);
}

/** int prctl(int option, ...) */
export function prctl(option: number, ...typedArgs: unknown[]): number {
  return libc().prctl(option, ...typedArgs);
}

/** MFD_CLOEXEC */
export const MFD_CLOEXEC = 1;
/** MFD_ALLOW_SEALING: the memfd accepts F_ADD_SEALS. */
export const MFD_ALLOW_SEALING = 2;
/** fcntl commands and seals (linux/fcntl.h). */
export const F_ADD_SEALS = 1033;
export const F_GET_SEALS = 1034;
export const F_SEAL_SEAL = 1;
export const F_SEAL_SHRINK = 2;
export const F_SEAL_GROW = 4;
export const F_SEAL_WRITE = 8;

/** int fcntl(int fd, int cmd, ...) — pass a koffi type before the extra argument, e.g. fcntl(fd, F_ADD_SEALS, 'int', seals). */
export function fcntl(fd: number, cmd: number, ...typedArgs: unknown[]): number {
  return libc().fcntl(fd, cmd, ...typedArgs);
}

/** int memfd_create(const char *name, unsigned int flags) — an anonymous file; -1 on failure (see errno()). */
export function memfd_create(name: string, flags: number): number {
  return libc().memfd_create(name, flags);
}

/** The calling thread's errno after the last native call. */
export function errno(): number {
  return koffi().errno();
}

/** Name of an errno value ("EPERM"), or "errno N" when unknown. */
export function errnoName(value: number): string {
  for (const [name, v] of Object.entries(koffi().os.errno)) if (v === value) return name;
  return `errno ${value}`;
}

// Paths, options and the architecture table shared by every generator step. One step of scripts/gen-domain-data.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT = {
  syscalls: path.join(ROOT, 'model/data/syscalls.json'),
  seccomp: path.join(ROOT, 'model/data/seccomp.json'),
  landlock: path.join(ROOT, 'model/data/landlock.json'),
  landlockSchema: path.join(ROOT, 'schemas/landlock.schema.json'),
  landlockTomlSchema: path.join(ROOT, 'schemas/landlock.toml.schema.json'),
  seccompSchema: path.join(ROOT, 'schemas/seccomp.schema.json'),
};
export const CHECK = process.argv.includes('--check');
export const MAN2 = process.env.MAN2_DIR || '/usr/share/man/man2';
export const MAN7 = process.env.MAN7_DIR || '/usr/share/man/man7';
export const LIBSECCOMP_SRC = process.env.LIBSECCOMP_SRC || '';
export const LIBSECCOMP_TAG = process.env.LIBSECCOMP_TAG || 'v2.6.1';
export const STRACE_SRC = process.env.STRACE_SRC || '';
export const STRACE_REV = process.env.STRACE_REV || 'HEAD';

export const warn = (...a) => console.error('gen-domain-data:', ...a);
export const readJsonIfExists = (p) => (fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, 'utf8')) : null);
export const previous = readJsonIfExists(OUT.syscalls);

// ---------------------------------------------------------------------------------------------
// Architectures. Order = column order in the data. `audit` is the AUDIT_ARCH_* token libseccomp
// uses; `lib` the libseccomp name; `csv` the column in libseccomp's syscalls.csv; `csvBase` what
// libseccomp adds to the csv number (x32 flag bit, MIPS ABI bases); `strace` the syscallent files.
// ---------------------------------------------------------------------------------------------
export const ARCHES = [
  { id: 'SCMP_ARCH_X86_64', lib: 'x86_64', audit: 0xc000003e, csvBase: 0, strace: ['x86_64/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_X86', lib: 'x86', audit: 0x40000003, csvBase: 0, strace: ['i386/syscallent.h', '32/syscallent-common-32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_X32', lib: 'x32', audit: 0x4000003e, csvBase: 0x40000000, strace: ['x32/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_AARCH64', lib: 'aarch64', audit: 0xc00000b7, csvBase: 0, strace: ['aarch64/syscallent.h', '64/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_ARM', lib: 'arm', audit: 0x40000028, csvBase: 0, strace: ['arm/syscallent.h', '32/syscallent-common-32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_RISCV64', lib: 'riscv64', audit: 0xc00000f3, csvBase: 0, strace: ['riscv64/syscallent.h', '64/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_LOONGARCH64', lib: 'loongarch64', audit: 0xc0000102, csvBase: 0, strace: ['loongarch64/syscallent.h', '64/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_S390X', lib: 's390x', audit: 0x80000016, csvBase: 0, strace: ['s390x/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_S390', lib: 's390', audit: 0x00000016, csvBase: 0, strace: ['s390/syscallent.h', '32/syscallent-common-32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_PPC64LE', lib: 'ppc64le', audit: 0xc0000015, csv: 'ppc64', csvBase: 0, strace: ['powerpc64/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_PPC64', lib: 'ppc64', audit: 0x80000015, csvBase: 0, strace: ['powerpc64/syscallent.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_PPC', lib: 'ppc', audit: 0x00000014, csvBase: 0, strace: ['powerpc/syscallent.h', '32/syscallent-common-32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_MIPS', lib: 'mips', audit: 0x00000008, csv: 'mips', csvBase: 4000, strace: ['mips/syscallent-o32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_MIPSEL', lib: 'mipsel', audit: 0x40000008, csv: 'mips', csvBase: 4000, strace: ['mips/syscallent-o32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_MIPS64', lib: 'mips64', audit: 0x80000008, csvBase: 5000, strace: ['mips/syscallent-n64.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_MIPSEL64', lib: 'mipsel64', audit: 0xc0000008, csv: 'mips64', csvBase: 5000, strace: ['mips/syscallent-n64.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_MIPS64N32', lib: 'mips64n32', audit: 0xa0000008, csvBase: 6000, strace: ['mips/syscallent-n32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_MIPSEL64N32', lib: 'mipsel64n32', audit: 0xe0000008, csv: 'mips64n32', csvBase: 6000, strace: ['mips/syscallent-n32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_PARISC', lib: 'parisc', audit: 0x0000000f, csvBase: 0, strace: ['hppa/syscallent.h', '32/syscallent-common-32.h', 'generic/syscallent-common.h'] },
  { id: 'SCMP_ARCH_PARISC64', lib: 'parisc64', audit: 0x8000000f, csv: 'parisc64', csvBase: 0, strace: ['hppa/syscallent.h', 'generic/syscallent-common.h'] },
];
// Kernel-level argument counts are quoted for this architecture first (64-bit, no register pairs).
export const ARGC_PREFERENCE = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_S390X', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_X86', 'SCMP_ARCH_ARM', 'SCMP_ARCH_S390', 'SCMP_ARCH_PPC', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_PARISC'];

/*
 * The set-id guard: a small seccomp filter the helper installs in EVERY workload, whatever its profile says,
 * before the profile's own filter (filters stack; the strictest answer wins, so a profile that allows
 * everything cannot undo it).
 *
 * Why the helper needs it. A writable folder owned by someone else than the sandbox's host id (a root-owned
 * workspace when the runtime runs as root) is shown through an idmapped mount that presents its owner as the
 * sandbox user (binds.c). A file the sandbox creates there is owned, on disk, by that owner: an idmap is a
 * bijection, and the sandbox must be the folder's owner to write a 0755 folder at all. So `cp /usr/bin/id x;
 * chmod 4755 x` would leave a set-user-id ROOT binary in the host's workspace (nosuid holds only on the
 * sandbox's own mount, not on the host's). No mapping can both let the sandbox write the folder and give its
 * files another owner, so the helper makes the set-id bits themselves unobtainable:
 *   chmod, fchmod, fchmodat, fchmodat2      mode & (S_ISUID|S_ISGID)                       -> EPERM
 *   open, openat (O_CREAT or O_TMPFILE), creat, mknod, mknodat   the new file's mode has them -> EPERM
 * openat2 carries its mode in a struct seccomp cannot read; the guard lets it through: the kernel creates an
 * openat2 file with the mode given there, so the built-in profile answers openat2 with ENOSYS (glibc falls back to
 * openat). Modes are compared as the kernel reads them: the low 32 bits of the register (umode_t).
 * Writing to an existing set-id file clears its bits (the workload has no CAP_FSETID), and file capabilities
 * (security.capability) need CAP_SETFCAP, which the workload does not have either.
 * On x86_64 the 32-bit (i386) and x32 entry points are guarded too: the profile may allow those architectures.
 */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __O_TMPFILE
#define __O_TMPFILE 020000000
#endif
#define SETID_BITS (S_ISUID | S_ISGID)
#define CREATE_FLAGS (O_CREAT | __O_TMPFILE)
#define X32_SYSCALL_BIT 0x40000000u

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LOW(i) (offsetof(struct seccomp_data, args) + 8u * (i))
#else
#define ARG_LOW(i) (offsetof(struct seccomp_data, args) + 8u * (i) + 4u)
#endif

enum guard_kind { MODE_ONLY, OPEN_LIKE };
struct guarded { long nr; enum guard_kind kind; unsigned flags_arg, mode_arg; };

static const struct guarded native_calls[] = {
#ifdef SYS_chmod
    {SYS_chmod, MODE_ONLY, 0, 1},
#endif
    {SYS_fchmod, MODE_ONLY, 0, 1},
    {SYS_fchmodat, MODE_ONLY, 0, 2},
    {452 /* fchmodat2, Linux 6.6; the same number on every architecture */, MODE_ONLY, 0, 2},
#ifdef SYS_creat
    {SYS_creat, MODE_ONLY, 0, 1},
#endif
#ifdef SYS_mknod
    {SYS_mknod, MODE_ONLY, 0, 1},
#endif
    {SYS_mknodat, MODE_ONLY, 0, 2},
#ifdef SYS_open
    {SYS_open, OPEN_LIKE, 1, 2},
#endif
    {SYS_openat, OPEN_LIKE, 2, 3},
};

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
/* i386 numbers (arch/x86/entry/syscalls/syscall_32.tbl). */
static const struct guarded i386_calls[] = {
    {15, MODE_ONLY, 0, 1},  {94, MODE_ONLY, 0, 1},  {306, MODE_ONLY, 0, 2}, {452, MODE_ONLY, 0, 2},
    {8, MODE_ONLY, 0, 1},   {14, MODE_ONLY, 0, 1},  {297, MODE_ONLY, 0, 2}, {5, OPEN_LIKE, 1, 2},
    {295, OPEN_LIKE, 2, 3},
};
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_ARCH AUDIT_ARCH_RISCV64
#else
#error "the set-id guard needs this architecture's AUDIT_ARCH value"
#endif

#define MAX_GUARD_INSNS 160
struct program { struct sock_filter insn[MAX_GUARD_INSNS]; unsigned short n; };

static void emit(struct program *p, unsigned short code, unsigned char jt, unsigned char jf, unsigned int k) {
  if (p->n < MAX_GUARD_INSNS) p->insn[p->n] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
  p->n++;
}

/* One architecture's checks; A holds the syscall number. Each block ends in a return. */
static void emit_calls(struct program *p, const struct guarded *calls, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const struct guarded *g = &calls[i];
    unsigned char block = g->kind == OPEN_LIKE ? 8 : 5;
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, block, (unsigned int)g->nr);
    if (g->kind == OPEN_LIKE) {
      emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LOW(g->flags_arg));
      emit(p, BPF_ALU | BPF_AND | BPF_K, 0, 0, CREATE_FLAGS);
      emit(p, BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 0); /* not creating: to the ALLOW below */
    }
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LOW(g->mode_arg));
    emit(p, BPF_ALU | BPF_AND | BPF_K, 0, 0, SETID_BITS);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
    emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
    emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
  }
  emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
}

static struct program guard_program(void) {
  struct program p = {.n = 0};
  emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
#if defined(__x86_64__)
  /* native: jump over the i386 check; i386: into its section; anything else: ALLOW (the profile decides). */
  unsigned short to_fix = p.n;
  emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, AUDIT_ARCH_I386);
  emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, NATIVE_ARCH);
  emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
  emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
  emit(&p, BPF_ALU | BPF_AND | BPF_K, 0, 0, ~X32_SYSCALL_BIT); /* x32 uses the native numbers with this bit */
  emit_calls(&p, native_calls, sizeof native_calls / sizeof native_calls[0]);
  unsigned short i386_at = p.n;
  p.insn[to_fix].jt = (unsigned char)(i386_at - to_fix - 1);
  emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
  emit_calls(&p, i386_calls, sizeof i386_calls / sizeof i386_calls[0]);
#else
  emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, NATIVE_ARCH);
  emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
  emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
  emit_calls(&p, native_calls, sizeof native_calls / sizeof native_calls[0]);
#endif
  return p;
}

int install_setid_guard(const char **failed_call) {
  struct program p = guard_program();
  if (p.n > MAX_GUARD_INSNS) {
    *failed_call = "the set-id guard program is longer than its buffer";
    errno = E2BIG;
    return -1;
  }
  struct sock_fprog prog = {.len = p.n, .filter = p.insn};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
    *failed_call = "seccomp(SECCOMP_SET_MODE_FILTER, set-id guard)";
    return -1;
  }
  return 0;
}

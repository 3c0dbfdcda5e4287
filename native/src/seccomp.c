/*
 * seccomp: the filter arrives already compiled (runtime/src/policy/seccompCompiler.ts, libseccomp with the
 * binary-tree optimisation) as a raw array of struct sock_filter. The helper only reads it before the clone
 * and installs it in the workload as the very last step before execve — after no_new_privs and Landlock —
 * so nothing of the setup (and not init, which stays outside the filter) depends on what the filter allows.
 */
#define _GNU_SOURCE
#include "denials.h"
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *read_program(const char *option, const char *path, size_t *count) {
  size_t len;
  char *data = read_policy_file(option, path, &len);
  if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > BPF_MAXINSNS)
    die_step("arguments", 0, "the runtime's seccomp compiler writes it; run through `phantom run`",
             "%s %s: %zu bytes is not a program of 1..%d struct sock_filter", option, path, len, BPF_MAXINSNS);
  *count = len / sizeof(struct sock_filter);
  return data;
}

void read_seccomp_filter(struct sandbox_config *cfg, const char *path) {
  cfg->seccomp_filter = read_program("--seccomp-bpf", path, &cfg->seccomp_len);
}

void read_seccomp_guard(struct sandbox_config *cfg, const char *path) {
  cfg->seccomp_guard = read_program("--seccomp-guard", path, &cfg->seccomp_guard_len);
}

/* The guard first (it refuses a few things whatever the profile allows), then the profile's filter with its
 * flags: the kernel runs every installed filter and takes the strongest answer, so layers only narrow. */
int install_seccomp_filter(struct sandbox_config *cfg, const char **failed_call) {
  if (cfg->seccomp_installed || (!cfg->seccomp_filter && !cfg->seccomp_guard)) return 0;
  if (cfg->seccomp_guard) {
    struct sock_fprog guard = {.len = (unsigned short)cfg->seccomp_guard_len, .filter = (struct sock_filter *)cfg->seccomp_guard};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &guard) < 0) {
      *failed_call = "seccomp(SECCOMP_SET_MODE_FILTER, 0, guard)";
      return -1;
    }
  }
  if (cfg->seccomp_filter && denials_wanted(cfg)) {
    if (denials_install(cfg, failed_call) < 0) return -1; /* the same program, refusals reported (denials.h) */
  } else if (cfg->seccomp_filter) {
    struct sock_fprog prog = {.len = (unsigned short)cfg->seccomp_len, .filter = (struct sock_filter *)cfg->seccomp_filter};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, cfg->seccomp_flags, &prog) < 0) {
      *failed_call = "seccomp(SECCOMP_SET_MODE_FILTER, flags, filter)";
      return -1;
    }
  }
  cfg->seccomp_installed = true;
  return 0;
}

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_RISCV64
#endif

static bool program_allows_always(const void *prog, size_t len, const long *nrs, size_t n) {
#ifdef NATIVE_AUDIT_ARCH
  if (!prog) return true;
  for (size_t i = 0; i < n; i++) {
    long verdict = seccomp_verdict(prog, len, (uint32_t)nrs[i], NATIVE_AUDIT_ARCH);
    if (verdict < 0 || ((uint32_t)verdict & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ALLOW) return false;
  }
  return true;
#else
  (void)len;
  (void)nrs;
  (void)n;
  return !prog; /* an architecture this reader does not know: never "always" */
#endif
}

bool seccomp_allows_always(const struct sandbox_config *cfg, const long *nrs, size_t n) {
  return program_allows_always(cfg->seccomp_filter, cfg->seccomp_len, nrs, n) &&
         program_allows_always(cfg->seccomp_guard, cfg->seccomp_guard_len, nrs, n);
}

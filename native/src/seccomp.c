/*
 * seccomp: the filter arrives already compiled (runtime/src/seccompCompiler.ts, libseccomp with the
 * binary-tree optimisation) as a raw array of struct sock_filter. The helper only reads it before the clone
 * and installs it in the workload as the very last step before execve — after no_new_privs and Landlock —
 * so nothing of the setup (and not init, which stays outside the filter) depends on what the filter allows.
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

void read_seccomp_filter(struct sandbox_config *cfg, const char *path) {
  size_t len;
  char *data = read_policy_file("--seccomp-bpf", path, &len);
  if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > BPF_MAXINSNS)
    die_step("arguments", 0, "the file is written by the runtime's seccomp compiler; delete it to have it recompiled",
             "--seccomp-bpf %s: %zu bytes is not a program of 1..%d struct sock_filter", path, len, BPF_MAXINSNS);
  cfg->seccomp_filter = data;
  cfg->seccomp_len = len / sizeof(struct sock_filter);
}

int install_seccomp_filter(struct sandbox_config *cfg, const char **failed_call) {
  if (!cfg->seccomp_filter || cfg->seccomp_installed) return 0;
  struct sock_fprog prog = {.len = (unsigned short)cfg->seccomp_len, .filter = (struct sock_filter *)cfg->seccomp_filter};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, cfg->seccomp_flags, &prog) < 0) {
    *failed_call = "seccomp(SECCOMP_SET_MODE_FILTER, flags, filter)";
    return -1;
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

bool seccomp_allows_always(const struct sandbox_config *cfg, const long *nrs, size_t n) {
#ifdef NATIVE_AUDIT_ARCH
  if (!cfg->seccomp_filter) return true;
  for (size_t i = 0; i < n; i++) {
    long verdict = seccomp_verdict(cfg->seccomp_filter, cfg->seccomp_len, (uint32_t)nrs[i], NATIVE_AUDIT_ARCH);
    if (verdict < 0 || ((uint32_t)verdict & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ALLOW) return false;
  }
  return true;
#else
  (void)nrs;
  (void)n;
  return !cfg->seccomp_filter; /* an architecture this reader does not know: never "always" */
#endif
}

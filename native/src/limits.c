/*
 * Step 7: resource limits. Memory and pids go to cgroups where the machine lets the helper make them
 * (cgroup.c); rlimits, set in the workload just before execve, stay as per-process backstops (and are all
 * there is without a writable cgroup, and for CPU time).
 * describe_limits() says which mechanism holds each limit.
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"

#include <inttypes.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>

void describe_limits(const struct sandbox_config *cfg) {
  static const char *const cgroup_names[] = {"", "cgroup v1", "cgroup v2"};
  /* Memory: the cgroup (when the machine gives one) holds the resident total of the whole sandbox. RLIMIT_AS is
   * only the fallback: it limits address space per process, which runtimes that reserve large virtual ranges
   * (node reserves ~1 GiB) exceed long before they use that much memory. */
  if (cfg->memory_bytes && cfg->memory_cgroup)
    note("memory limit %" PRIu64 " bytes enforced by the %s memory controller (resident memory of the whole sandbox; "
         "exceeding it OOM-kills)", cfg->memory_bytes, cgroup_names[cfg->memory_cgroup]);
  else if (cfg->memory_bytes)
    note("memory limit %" PRIu64 " bytes enforced with RLIMIT_AS only (address space per process, not resident memory; "
         "no writable cgroup memory controller)", cfg->memory_bytes);
  if (cfg->pids && cfg->pids_cgroup)
    note("process limit %" PRIu64 " enforced by the %s pids controller (every task of the sandbox, init included) "
         "and by RLIMIT_NPROC", cfg->pids, cgroup_names[cfg->pids_cgroup]);
  else if (cfg->pids)
    note("process limit %" PRIu64 " enforced with RLIMIT_NPROC only (counted per sandbox user in its own user namespace; "
         "no writable cgroup pids controller)", cfg->pids);
  note("/tmp and /dev/shm are tmpfs mounts of %" PRIu64 " bytes each; open files %d per process; core dumps off",
       tmpfs_size(cfg), SANDBOX_OPEN_FILES);
  if (cfg->cpu_seconds)
    note("CPU limit %" PRIu64 " s enforced with RLIMIT_CPU (per process: SIGXCPU, then SIGKILL)", cfg->cpu_seconds);
}

uint64_t tmpfs_size(const struct sandbox_config *cfg) {
  /* Files on a tmpfs are memory: half of the memory limit each (the same default as the runtime's without one). */
  uint64_t memory = cfg->memory_bytes;
  if (!memory) {
    struct sysinfo si;
    uint64_t quarter = sysinfo(&si) == 0 ? (uint64_t)si.totalram * si.mem_unit / 4 : 0;
    memory = quarter && quarter < (2ull << 30) ? quarter : (2ull << 30);
  }
  uint64_t size = memory / 2;
  return size < 4096 ? 4096 : size;
}

static int set_limit(int resource, uint64_t value) {
  struct rlimit rl = {.rlim_cur = (rlim_t)value, .rlim_max = (rlim_t)value};
  return setrlimit(resource, &rl);
}

int apply_rlimits(const struct sandbox_config *cfg, const char **failed_call) {
  /* Always: no core dumps (a crash must not write a memory image into the workspace, nor fill it), and a bounded
   * number of open files per process (a leak cannot pin kernel memory without end). */
  if (set_limit(RLIMIT_CORE, 0) < 0) {
    *failed_call = "setrlimit(RLIMIT_CORE, 0)";
    return -1;
  }
  if (set_limit(RLIMIT_NOFILE, SANDBOX_OPEN_FILES) < 0) {
    *failed_call = "setrlimit(RLIMIT_NOFILE)";
    return -1;
  }
  if (cfg->memory_bytes && !cfg->memory_cgroup && set_limit(RLIMIT_AS, cfg->memory_bytes) < 0) {
    *failed_call = "setrlimit(RLIMIT_AS)";
    return -1;
  }
  if (cfg->pids && set_limit(RLIMIT_NPROC, cfg->pids) < 0) {
    *failed_call = "setrlimit(RLIMIT_NPROC)";
    return -1;
  }
  return 0;
}

int apply_cpu_limit(const struct sandbox_config *cfg, const char **failed_call) {
  if (!cfg->cpu_seconds) return 0;
  /* Soft limit sends SIGXCPU, the hard limit one second later SIGKILL. */
  struct rlimit rl = {.rlim_cur = (rlim_t)cfg->cpu_seconds, .rlim_max = (rlim_t)cfg->cpu_seconds + 1};
  if (setrlimit(RLIMIT_CPU, &rl) < 0) {
    *failed_call = "setrlimit(RLIMIT_CPU)";
    return -1;
  }
  return 0;
}

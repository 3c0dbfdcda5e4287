/*
 * cgroup limits (memory, pids), set by the helper between the clone and MSG_GO:
 *   - cgroup v2 where the caller's own cgroup delegates the memory/pids controllers (pure v2 hosts with a
 *     systemd-delegated user slice, or root);
 *   - cgroup v1 where the machine has those controllers as v1 hierarchies (hybrid hosts like the reference VM);
 *   - otherwise rlimits in the workload (limits.c), the last resort.
 * Groups are made BELOW the helper's own cgroup (`<own>/phantom/run-<pid>`), so limits an outer manager set
 * still apply. describe_limits() says which mechanism holds each limit. The run's groups are removed after the
 * exit is reported, by a detached cleaner that waits for the namespace teardown (the helper does not wait).
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static char groups[3][PATH_MAX];  /* run groups made, removed after the run */
static size_t ngroups;
static pid_t creator;

static int write_file(const char *dir, const char *name, const char *value) {
  char path[PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, value, strlen(value));
  int err = errno;
  close(fd);
  errno = err;
  return n == (ssize_t)strlen(value) ? 0 : -1;
}

/* The helper's own cgroup path in the hierarchy whose /proc/self/cgroup line matches `controller`
 * ("" = the v2 line "0::"). */
static bool own_cgroup(const char *controller, char *out, size_t outsz) {
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f) return false;
  char line[PATH_MAX + 128];
  bool found = false;
  while (!found && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    char *a = strchr(line, ':');
    char *b = a ? strchr(a + 1, ':') : NULL;
    if (!b) continue;
    /* "ID:CONTROLLERS:PATH": cut both fields so `line` is the hierarchy id alone ("0" for the v2 line). */
    *b = '\0';
    *a = '\0';
    const char *ctrls = a + 1;
    bool match = false;
    if (!*controller) match = strcmp(line, "0") == 0 && !*ctrls;
    else {
      char list[256];
      snprintf(list, sizeof list, "%s", ctrls);
      char *save = NULL;
      for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) match |= strcmp(t, controller) == 0;
    }
    if (match) {
      snprintf(out, outsz, "%s", strcmp(b + 1, "/") == 0 ? "" : b + 1);
      found = true;
    }
  }
  fclose(f);
  return found;
}

/*
 * The first write to a cgroup.procs after a quiet spell waits for an RCU grace period: the kernel's
 * cgroup_threadgroup_rwsem (one for every hierarchy, v1 and v2) is a per-CPU rwsem whose writer waits until every
 * CPU has seen it switch to its slow path; writes within about a grace period of the last one do not wait. Measured
 * on the reference VM (HZ=250): 5-20 ms for the first, ~0.1 ms for the next. A v2 group needs no write (the
 * sandbox child is cloned into it, supervisor.c); for v1 groups the wait starts as soon as the first one exists: a short-lived child writes "0" (itself) to the cgroup.procs of the group it is already
 * in — no change, but it takes that lock — while the helper goes on with its own setup; when enter_cgroups joins
 * the sandbox child later, the grace period has passed or is under way.
 */
static void start_lock_warmup(const char *own_group) {
  pid_t pid = fork();
  if (pid > 0) reap_later(pid);
  if (pid != 0) return; /* a failed fork only costs the wait later */
  (void)close_range(0, ~0U, 0); /* hold none of the caller's pipes */
  (void)write_file(own_group, "cgroup.procs", "0");
  _exit(0);
}

static bool make_group(const char *base, char *run, size_t runsz, bool v2) {
  char phantom[PATH_MAX];
  int n = snprintf(phantom, sizeof phantom, "%s/phantom", base);
  if (n < 0 || (size_t)n >= sizeof phantom) return false; /* a path this long is no cgroup we can use */
  if (mkdir(phantom, 0755) < 0 && errno != EEXIST) return false;
  /* v2: a parent passes controllers down only through its subtree_control; "phantom" holds no process. */
  if (v2 && write_file(phantom, "cgroup.subtree_control", "+memory +pids") < 0) return false;
  n = snprintf(run, runsz, "%s/run-%d", phantom, (int)getpid());
  if (n < 0 || (size_t)n >= runsz) return false;
  /* EEXIST: a group left by an earlier helper with the same pid (one killed before its cleanup ran). Never reuse
   * it (its counters and, in v1 memory, its charges would carry over): remove it — it fails while populated — and
   * make a fresh one. */
  if (mkdir(run, 0755) < 0 && (errno != EEXIST || rmdir(run) < 0 || mkdir(run, 0755) < 0)) return false;
  snprintf(groups[ngroups++], sizeof groups[0], "%s", run);
  return true;
}

static void limit_v2(struct sandbox_config *cfg) {
  struct statfs sf;
  if (statfs("/sys/fs/cgroup", &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) return;
  char own[PATH_MAX], base[PATH_MAX + 32], run[PATH_MAX];
  if (!own_cgroup("", own, sizeof own)) return;
  snprintf(base, sizeof base, "/sys/fs/cgroup%s", own);
  /* The own cgroup must already pass memory and pids down (a delegated slice does; enabling them here would
   * fail with EBUSY while the caller's processes live in it). */
  char path[PATH_MAX + 64], ctl[256] = "";
  snprintf(path, sizeof path, "%s/cgroup.subtree_control", base);
  FILE *f = fopen(path, "re");
  if (!f) return;
  if (!fgets(ctl, sizeof ctl, f)) ctl[0] = '\0';
  fclose(f);
  bool mem = strstr(ctl, "memory") != NULL, pids = strstr(ctl, "pids") != NULL;
  if ((!cfg->memory_bytes || !mem) && (!cfg->pids || !pids)) return;
  if (!make_group(base, run, sizeof run, true)) return;
  char v[32];
  if (cfg->memory_bytes && mem) {
    snprintf(v, sizeof v, "%" PRIu64, cfg->memory_bytes);
    if (write_file(run, "memory.max", v) == 0) {
      (void)write_file(run, "memory.swap.max", "0"); /* ignored: absent without swap accounting */
      cfg->memory_cgroup = 2;
    }
  }
  if (cfg->pids && pids) {
    snprintf(v, sizeof v, "%" PRIu64, cfg->pids);
    if (write_file(run, "pids.max", v) == 0) cfg->pids_cgroup = 2;
  }
  if (cfg->memory_cgroup || cfg->pids_cgroup) snprintf(cfg->cgroup_procs[0], sizeof cfg->cgroup_procs[0], "%s", run);
}

static bool v1_group(const char *controller, char *run, size_t runsz) {
  char own[PATH_MAX], base[PATH_MAX + 64];
  snprintf(base, sizeof base, "/sys/fs/cgroup/%s", controller);
  struct statfs sf;
  if (statfs(base, &sf) < 0 || sf.f_type == CGROUP2_SUPER_MAGIC) return false;
  if (!own_cgroup(controller, own, sizeof own)) return false;
  snprintf(base + strlen(base), sizeof base - strlen(base), "%s", own);
  if (!make_group(base, run, runsz, false)) return false;
  static bool warming;
  if (!warming) start_lock_warmup(base); /* v2 groups need none: the child is born in them (CLONE_INTO_CGROUP) */
  warming = true;
  return true;
}

static void limit_v1(struct sandbox_config *cfg) {
  char run[PATH_MAX], v[32];
  if (cfg->memory_bytes && !cfg->memory_cgroup && v1_group("memory", run, sizeof run)) {
    snprintf(v, sizeof v, "%" PRIu64, cfg->memory_bytes);
    if (write_file(run, "memory.limit_in_bytes", v) == 0) {
      /* Memory+swap at the same value: swapping out is no way around the limit (absent without swap accounting). */
      (void)write_file(run, "memory.memsw.limit_in_bytes", v);
      cfg->memory_cgroup = 1;
      snprintf(cfg->cgroup_procs[1], sizeof cfg->cgroup_procs[1], "%s", run);
    }
  }
  if (cfg->pids && !cfg->pids_cgroup && v1_group("pids", run, sizeof run)) {
    snprintf(v, sizeof v, "%" PRIu64, cfg->pids);
    if (write_file(run, "pids.max", v) == 0) {
      cfg->pids_cgroup = 1;
      snprintf(cfg->cgroup_procs[2], sizeof cfg->cgroup_procs[2], "%s", run);
    }
  }
}

/* Pressure accounting on hybrid hosts (this machine kind): the v2 tree at /sys/fs/cgroup/unified holds no
 * controllers, but every group in it has its own cpu/memory/io.pressure files. A sandbox without a v2 group
 * of its own gets one there, so its stalls can be told from the machine's. */
static void account_v2(struct sandbox_config *cfg) {
  if (cfg->cgroup_procs[0][0]) return;
  struct statfs sf;
  if (statfs("/sys/fs/cgroup/unified", &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) return;
  char own[PATH_MAX], base[PATH_MAX + 32], run[PATH_MAX];
  if (!own_cgroup("", own, sizeof own)) return;
  snprintf(base, sizeof base, "/sys/fs/cgroup/unified%s", own);
  if (make_group(base, run, sizeof run, false)) snprintf(cfg->cgroup_procs[0], sizeof cfg->cgroup_procs[0], "%s", run);
}

static void remove_groups_later(void);

void prepare_cgroups(struct sandbox_config *cfg) {
  if (!cfg->memory_bytes && !cfg->pids) return;
  creator = getpid();
  limit_v2(cfg);
  limit_v1(cfg);
  account_v2(cfg);
  if (ngroups) atexit(remove_groups_later);
}

/* The `some total=` (µs) of one pressure file of the group, -1 when it cannot be read. */
static long long some_total(const char *group, const char *file) {
  char path[PATH_MAX + 32], buf[512];
  snprintf(path, sizeof path, "%s/%s", group, file);
  if (read_small_file(path, buf, sizeof buf) < 0) return -1;
  const char *total = strncmp(buf, "some ", 5) == 0 ? strstr(buf, "total=") : NULL;
  return total ? strtoll(total + 6, NULL, 10) : -1;
}

void report_group_pressure(const struct sandbox_config *cfg) {
  const char *group = cfg->cgroup_procs[0];
  if (!group[0]) return;
  long long cpu = some_total(group, "cpu.pressure"), memory = some_total(group, "memory.pressure"), io = some_total(group, "io.pressure");
  if (cpu < 0 || memory < 0 || io < 0) return; /* a kernel without per-group PSI: nothing to tell */
  char esc[PATH_MAX * 2];
  json_escape(esc, sizeof esc, group);
  status_event("\"event\":\"pressure\",\"group\":\"%s\",\"cpuUs\":%lld,\"memoryUs\":%lld,\"ioUs\":%lld", esc, cpu, memory, io);
}

/* The join can wait for a grace period (start_lock_warmup). The helper does
 * this while the child sets up its mounts (supervisor.c), not before, and start_lock_warmup has started the wait
 * when the first group was made. */
bool enter_cgroups(const struct sandbox_config *cfg, pid_t child, bool born_in_v2_group) {
  char pid[32];
  snprintf(pid, sizeof pid, "%d", (int)child);
  for (size_t i = born_in_v2_group ? 1 : 0; i < 3; i++) {
    if (!cfg->cgroup_procs[i][0]) continue;
    if (write_file(cfg->cgroup_procs[i], "cgroup.procs", pid) < 0) {
      /* ESRCH: the child failed its setup meanwhile and is gone; its report on the channel says why. */
      if (errno == ESRCH) return false;
      die_step("cgroup", errno, "the limit would not hold; the cgroup may have been removed meanwhile",
               "write(\"%s/cgroup.procs\", %s)", cfg->cgroup_procs[i], pid);
    }
  }
  return true;
}

/* After the exit is reported: a detached child waits until the namespace teardown has emptied the groups and
 * removes them (rmdir of a group with processes fails with EBUSY), so the caller never waits for it. */
static void remove_groups_later(void) {
  if (getpid() != creator || !ngroups) return;
  bool all = true;
  for (size_t i = 0; i < ngroups; i++) all &= rmdir(groups[i]) == 0 || errno == ENOENT;
  if (all) return;
  pid_t pid = fork();
  if (pid != 0) return; /* the helper goes on exiting; a failed fork leaves the empty group for the next run's parent dir */
  (void)close_range(0, ~0U, 0); /* hold none of the caller's pipes: its end of file must not wait for us */
  setsid();
  for (int attempt = 0; attempt < 200; attempt++) {
    all = true;
    for (size_t i = 0; i < ngroups; i++) all &= rmdir(groups[i]) == 0 || errno == ENOENT;
    if (all) break;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  _exit(0);
}

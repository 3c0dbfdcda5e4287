/*
 * phantom-sandbox: the configuration of one sandbox and the steps that build it.
 *
 * Cold start (today): the helper (parent) prepares idmapped mounts, clones the sandbox child into new
 * namespaces, writes its uid/gid maps and supervises it. The child runs the setup steps in order
 * (sandbox_child_setup), then becomes PID 1 of the namespace (init.c), which forks the workload.
 * Zygote mode (zygote.h, docs/zygotes.md) runs the same setup ahead of time and then waits for one command;
 * that is why the steps are separate functions of the configuration and the workload start (workload.c) is its
 * own function.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum net_mode { NET_NONE, NET_LOOPBACK, NET_HOST };

/* A host path shown at the same path inside the sandbox (paths.c resolves it race-free). */
struct bind_spec {
  char *given;    /* as given (lexically normalised, absolute) */
  char *path;     /* where it is shown: canonical, or its writable base's path + rel */
  bool writable;
  bool is_dir;
  bool is_cwd;
  int base;       /* index of the writable bind it is named beneath (resolve_binds), -1: opened by its canonical path */
  const char *rel; /* the rest of `given` beneath that base */
  int src_fd;     /* O_PATH descriptor of the source (open_binds), -1 before */
  uid_t uid;      /* its owner on the host */
  gid_t gid;
  int tree_fd;    /* detached mount tree made by the helper as host root (binds.c), or -1: the child makes it */
};

/* A protected path (protect.c): read-only in the sandbox however its folder is granted. */
struct protect_spec {
  char *given;
  bool placeholder;  /* --protect-dir: when absent, an empty read-only folder holds its place for the sandbox's life */
  bool made;         /* the helper made that placeholder (and removes it afterwards) */
};

#define MAX_BINDS 64
#define MAX_ENV 256
#define MAX_LANDLOCK_RULES 512

/* One Landlock rule of the compiled rule list (landlock.c). */
struct landlock_rule {
  const char *path;   /* path beneath, as the sandbox sees it (NULL for a port rule) */
  uint64_t port;
  bool is_port;
  uint64_t allowed;
};

/* The compiled Landlock policy: handled rights, rules, and the ruleset fd once built in the child. */
struct landlock_plan {
  int abi;
  bool best_effort;
  uint64_t handled_fs;
  uint64_t handled_net;
  uint64_t scoped;
  struct landlock_rule rules[MAX_LANDLOCK_RULES];
  size_t nrules;
  int ruleset_fd;     /* built by the sandbox child, enforced by the workload; -1 before */
  struct landlock_plan *next; /* --landlock-rules given again: one more layer, stacked (each must allow) */
};

struct sandbox_config {
  char **argv;               /* the workload; argv[0] is a path (never looked up on a PATH) */
  char *cwd;                 /* canonical; always also a bind (writable unless --cwd-ro) */
  enum net_mode net;
  struct bind_spec binds[MAX_BINDS];
  size_t nbinds;
  char *hidden[MAX_BINDS];   /* --hide: paths covered by an empty read-only mount (a missing one fails the run) */
  size_t nhidden;
  struct protect_spec protect[MAX_BINDS]; /* --protect, --protect-dir */
  size_t nprotect;
  char *envp[MAX_ENV + 1];   /* the workload's whole environment (--env), NULL-terminated */
  size_t nenv;
  uid_t sandbox_uid;         /* ids the workload has inside the sandbox (default 1000) */
  gid_t sandbox_gid;
  uid_t host_uid;            /* what they are on the host: 65534 when the helper runs as root, else our own */
  gid_t host_gid;
  bool privileged;           /* the helper runs with euid 0 */
  uint64_t memory_bytes;     /* 0 = no limit */
  uint64_t pids;
  uint64_t cpu_seconds;
  double timeout_seconds;    /* wall time, 0 = none */
  struct landlock_plan *landlock; /* --landlock-rules, in the order given (one layer each), or NULL */
  void *seccomp_filter;      /* --seccomp-bpf: struct sock_filter[seccomp_len], or NULL */
  size_t seccomp_len;
  unsigned int seccomp_flags; /* --seccomp-flags: SECCOMP_FILTER_FLAG_* */
  void *seccomp_guard;       /* --seccomp-guard: a second program installed first (refusals kept under any profile) */
  size_t seccomp_guard_len;
  bool seccomp_installed;    /* the workload installed it already (a zygote's primed workload may, init.c) */
  int memory_cgroup;         /* 0: RLIMIT_AS; 1: cgroup v1 memory; 2: cgroup v2 memory.max */
  int pids_cgroup;           /* 0: RLIMIT_NPROC; 1: cgroup v1 pids; 2: cgroup v2 pids.max */
  char cgroup_procs[3][4096]; /* groups the child joins: [0] v2, [1] v1 memory, [2] v1 pids ("" = none) */
};

/* supervisor.c — the helper side: clone, maps, wait, timeout, exit status. */
int supervise_sandbox(struct sandbox_config *cfg);

/* namespaces.c */
int sandbox_clone_flags(const struct sandbox_config *cfg);
pid_t raw_clone(unsigned long flags);
/* The same through clone3(CLONE_INTO_CGROUP): the child is born in the cgroup v2 group cgroup_fd; -1 with errno
 * when the kernel refuses (the caller then clones and joins the group by cgroup.procs). */
pid_t raw_clone_into_cgroup(unsigned long flags, int cgroup_fd);
void clone_flags_string(int flags, char *out, size_t outsz);

/* idmap.c */
void write_id_maps(pid_t child, const struct sandbox_config *cfg);
int make_idmap_userns(uid_t from_uid, uid_t to_uid, gid_t from_gid, gid_t to_gid, const char **failed_call);
int idmapped_tree(int src_fd, int userns_fd, bool readonly, const char **failed_call);

/* paths.c — race-free resolution (see there) */
char *normalize_path(const char *opt, const char *arg);
int openat2_path(int dirfd, const char *path, int flags, unsigned long long resolve);
/* O_PATH|O_NOFOLLOW of rel beneath base_fd: no symbolic link followed, nothing outside base_fd reached. */
int open_beneath(int base_fd, const char *rel);
/* The rest of path beneath base ("" for base itself), or NULL when path is not beneath it. */
const char *beneath(const char *path, const char *base);
__attribute__((noreturn)) void die_path(const char *step, int err, const char *what, const char *path, const char *base);
void resolve_binds(struct sandbox_config *cfg);
void open_binds(struct sandbox_config *cfg, const char *prefix);
/* Where a given path is shown in the sandbox (through the bind it is named beneath). */
const char *view_path(const struct sandbox_config *cfg, const char *given, char *out, size_t outsz);
/* The (writable) bind whose shown path holds view, the deepest; NULL when none. */
const struct bind_spec *covering_bind(const struct sandbox_config *cfg, const char *view, bool writable_only);

/* protect.c — placeholders made by the helper before the clone; read-only mounts made in the sandbox's view */
void prepare_placeholders(struct sandbox_config *cfg);
/* In the child, with the view built: parents of protected/hidden paths pinned, protected paths made read-only. */
void pin_parents(const struct sandbox_config *cfg, const char *view);
void protect_paths(const struct sandbox_config *cfg);
/* Opens a path of the sandbox's view from its new root, race-free; fails the run naming `what` when it cannot. */
int open_in_view(const char *view, const char *what);

/* binds.c — in the helper, before the clone */
void prepare_bind_trees(struct sandbox_config *cfg);
int plain_tree(const struct bind_spec *b, const char **failed_call);

/* credentials.c — in the child */
void switch_to_sandbox_ids(const struct sandbox_config *cfg);
void rearm_parent_death_signal(int sync_fd);
void drop_capabilities(void);
void set_no_new_privs(void);

/* filesystem.c — in the child */
void setup_filesystem(struct sandbox_config *cfg);

/* net.c — in the child */
void setup_network(const struct sandbox_config *cfg);

/* cgroup.c — in the helper: groups made before the clone, joined by the child before MSG_LIMITS (false: the child is
 * already gone, its own report says why) */
void prepare_cgroups(struct sandbox_config *cfg);
bool enter_cgroups(const struct sandbox_config *cfg, pid_t child, bool born_in_v2_group);
/* Writes the sandbox's own stall totals (its v2 group's `some` µs) as a "pressure" status event, if it has a group. */
void report_group_pressure(const struct sandbox_config *cfg);

/* limits.c */
#define SANDBOX_OPEN_FILES 4096 /* RLIMIT_NOFILE of every workload (model/src/config/defaultLimits.ts says the same) */
void describe_limits(const struct sandbox_config *cfg);
/* size= of the sandbox's /tmp and /dev/shm: half the memory limit (2 GiB or a quarter of RAM without one). */
uint64_t tmpfs_size(const struct sandbox_config *cfg);
/* Memory (RLIMIT_AS without a memory cgroup) and pids; the CPU limit apart: a zygote learns it with the command. */
int apply_rlimits(const struct sandbox_config *cfg, const char **failed_call);
int apply_cpu_limit(const struct sandbox_config *cfg, const char **failed_call);

/* landlock.c — rules read by the helper, ruleset built by the child, enforced by the workload */
char *read_policy_file(const char *option, const char *path, size_t *len);
void read_landlock_rules(struct sandbox_config *cfg, const char *path);
void build_landlock_ruleset(struct sandbox_config *cfg);
int restrict_landlock(const struct sandbox_config *cfg, const char **failed_call);

/* seccomp.c — the precompiled filter, installed by the workload as the last step before execve */
void read_seccomp_filter(struct sandbox_config *cfg, const char *path);
void read_seccomp_guard(struct sandbox_config *cfg, const char *path);
int install_seccomp_filter(struct sandbox_config *cfg, const char **failed_call);
/* true when the filter ALLOWs each of these calls of the native architecture whatever their arguments (or there
 * is no filter). seccomp_eval.c: the program run with the arguments unknown. */
bool seccomp_allows_always(const struct sandbox_config *cfg, const long *nrs, size_t n);
struct sock_filter;
/* The action (SECCOMP_RET_*) the program returns for call nr on arch, or -1 when it depends on the arguments or
 * the instruction pointer (or the program is one this reader does not follow). */
long seccomp_verdict(const struct sock_filter *prog, size_t len, uint32_t nr, uint32_t arch);
/* The program run exactly on one call's data (denials.c); -1 when it is not a program the kernel accepts. */
struct seccomp_data;
long seccomp_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *data);

/* setid_guard.c — the fixed filter against set-id files, installed in every workload before the profile's */
int install_setid_guard(const char **failed_call);

/* init.c — PID 1 of the sandbox */
__attribute__((noreturn)) void sandbox_child_main(struct sandbox_config *cfg, int sync_fd);
__attribute__((noreturn)) void run_init(struct sandbox_config *cfg, int sync_fd);

/* What the workload writes on init's close-on-exec exec pipe when it fails before or at execve. */
struct exec_failure {
  int err;
  int code;       /* 125 setup, 126 cannot execute, 127 not found */
  char call[64];
};

/* workload.c — the command's process, up to execve. exec_workload = prepare_workload + finish_workload; a zygote
 * runs prepare_workload ahead of time, waits for the command, then finish_workload. */
__attribute__((noreturn)) void exec_workload(struct sandbox_config *cfg, int exec_err_fd);
void prepare_workload(const struct sandbox_config *cfg, int exec_err_fd);
__attribute__((noreturn)) void finish_workload(struct sandbox_config *cfg, int exec_err_fd);
__attribute__((noreturn)) void workload_failed(int exec_err_fd, int code, int err, const char *call);

/* probe.c */
int run_probe(void);
/* probe_audit.c: --probe-audit, whether Landlock audit records could be read here (asks only). */
int run_probe_audit(void);

/* Small helpers shared by the steps. */
uint64_t monotonic_us(void);
/* Children the helper kills or lets finish on their own (idmap namespace holders, the cgroup lock warm-up): waited
 * for by reap_children_later (without blocking), once the sandbox child is setting up, not where they were started. */
void reap_later(pid_t pid);
void reap_children_later(void);
int mkdir_p(const char *path, mode_t mode);
/* Reads a small kernel file (procfs, cgroupfs) in one read into buf, NUL-terminated; -1 when empty or unreadable. */
ssize_t read_small_file(const char *path, char *buf, size_t size);

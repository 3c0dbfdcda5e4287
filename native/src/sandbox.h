/*
 * phantom-sandbox: the configuration of one sandbox and the steps that build it.
 *
 * Cold start (today): the helper (parent) prepares idmapped mounts, clones the sandbox child into new
 * namespaces, writes its uid/gid maps and supervises it. The child runs the setup steps in order
 * (sandbox_child_setup), then becomes PID 1 of the namespace (init.c), which forks the workload.
 * A later zygote mode runs the same setup once and then waits for commands; that is why the steps are
 * separate functions of the configuration and the workload start (workload.c) is its own function.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum net_mode { NET_NONE, NET_LOOPBACK, NET_HOST };

/* A host path shown at the same path inside the sandbox. */
struct bind_spec {
  char *path;     /* canonical absolute host path */
  bool writable;
  bool is_dir;
  int tree_fd;    /* detached mount tree made by the helper as host root (binds.c), or -1: the child binds by path */
};

#define MAX_BINDS 64
#define MAX_ENV 256

struct sandbox_config {
  char **argv;               /* the workload; argv[0] is a path (never looked up on a PATH) */
  char *cwd;                 /* canonical; always also a writable bind */
  enum net_mode net;
  struct bind_spec binds[MAX_BINDS];
  size_t nbinds;
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
};

/* supervisor.c — the helper side: clone, maps, wait, timeout, exit status. */
int supervise_sandbox(struct sandbox_config *cfg);

/* namespaces.c */
int sandbox_clone_flags(const struct sandbox_config *cfg);
pid_t raw_clone(unsigned long flags);
void clone_flags_string(int flags, char *out, size_t outsz);

/* idmap.c */
void write_id_maps(pid_t child, const struct sandbox_config *cfg);
int make_idmap_userns(uid_t from_uid, uid_t to_uid, gid_t from_gid, gid_t to_gid, const char **failed_call);
int idmapped_tree(const char *path, int userns_fd, const char **failed_call);

/* binds.c — in the helper, before the clone */
void prepare_bind_trees(struct sandbox_config *cfg);

/* credentials.c — in the child */
void switch_to_sandbox_ids(const struct sandbox_config *cfg);
void rearm_parent_death_signal(int sync_fd);
void drop_capabilities(void);
void set_no_new_privs(void);

/* filesystem.c — in the child */
void setup_filesystem(struct sandbox_config *cfg);

/* net.c — in the child */
void setup_network(const struct sandbox_config *cfg);

/* limits.c */
void describe_limits(const struct sandbox_config *cfg);
int apply_rlimits(const struct sandbox_config *cfg, const char **failed_call);

/* init.c — PID 1 of the sandbox */
__attribute__((noreturn)) void sandbox_child_main(struct sandbox_config *cfg, int sync_fd);
__attribute__((noreturn)) void run_init(const struct sandbox_config *cfg, int sync_fd);

/* What the workload writes on init's close-on-exec exec pipe when it fails before or at execve. */
struct exec_failure {
  int err;
  int code;       /* 125 setup, 126 cannot execute, 127 not found */
  char call[64];
};

/* workload.c — the forked command, up to execve */
__attribute__((noreturn)) void exec_workload(const struct sandbox_config *cfg, int exec_err_fd);

/* probe.c */
int run_probe(void);

/* Small helpers shared by the steps. */
uint64_t monotonic_us(void);
int mkdir_p(const char *path, mode_t mode);

/*
 * phantom-sandbox — runs ONE command in a fresh sandbox (user, pid, mount, uts, ipc, cgroup and, unless
 * --net host, network namespaces). See docs/sandbox.md for the steps and the status protocol.
 *
 *   phantom-sandbox --cwd DIR [options] -- /abs/path/to/command [args...]
 *   phantom-sandbox --probe
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"
#include "learn.h"
#include "denials.h"
#include "learn_paths.h"
#include "zygote.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOBODY_ID 65534
#define DEFAULT_SANDBOX_ID 1000

static const char usage_text[] =
    "usage: phantom-sandbox --cwd DIR [options] -- COMMAND [ARGS...]\n"
    "       phantom-sandbox --probe\n"
    "\n"
    "COMMAND must be a path (the runtime resolves names on the host PATH first).\n"
    "  --cwd DIR              working directory, read-write at its own path (required)\n"
    "  --cwd-ro               the working directory is bound read-only (a --rw of the same path still wins)\n"
    "  --net none|loopback|host   none: new netns, lo down (default); loopback: lo up; host: host network\n"
    "  --ro PATH              extra read-only bind at the same path (repeatable)\n"
    "  --rw PATH              extra read-write bind at the same path (repeatable)\n"
    "  --hide PATH            cover PATH (inside a visible folder) with an empty read-only mount (repeatable;\n"
    "                         PATH must exist)\n"
    "  --protect PATH         keep PATH read-only however its folder is granted (repeatable)\n"
    "  --protect-dir PATH     the same; when PATH does not exist, an empty read-only folder holds its place\n"
    "  --env KEY=VALUE        the command's environment; nothing else is passed (repeatable)\n"
    "  --uid N, --gid N       ids inside the sandbox (default 1000)\n"
    "  --host-uid N, --host-gid N  host ids they map to when run as root (default 65534)\n"
    "  --memory BYTES         address-space limit (RLIMIT_AS)\n"
    "  --pids N               process limit (RLIMIT_NPROC, per sandbox user)\n"
    "  --cpu SECONDS          CPU time limit (RLIMIT_CPU)\n"
    "  --timeout SECONDS      wall-time limit: the whole sandbox is killed\n"
    "  --landlock-rules FILE  Landlock rule list compiled by the runtime (enforced before execve); given again,\n"
    "                         one more layer stacked on the first (an access must pass both)\n"
    "  --seccomp-bpf FILE     seccomp filter compiled by the runtime (struct sock_filter[]; the last step)\n"
    "  --seccomp-flags N      SECCOMP_FILTER_FLAG_* bits for the filter (default 0)\n"
    "  --seccomp-guard FILE   a second compiled filter, installed before --seccomp-bpf (refusals every profile keeps)\n"
    "  --status-fd N          JSON status lines (default 3 when fd 3 is open)\n"
    "  --no-denials           refused calls stay plain ERRNO answers of the filter: no supervisor, no report\n"
    "  --explain FILE         also record the paths of the path syscalls the profile allows (CONTINUE, as its\n"
    "                         ALLOW) and write them with their Landlock rights to FILE at the end\n"
    "  --learn FD|FILE        learn mode: record every syscall (user-notify, answered CONTINUE) that\n"
    "                         --seccomp-bpf (the deny layer) lets through; the JSON recording goes to FD or FILE\n"
    "                         with the paths and TCP ports of the path and socket syscalls (Landlock rights)\n"
    "  --learn-no-paths       learn mode without the paths and ports (syscall counts only)\n"
    "  --zygote --control-fd N  make the sandbox now and wait for ONE command on socket N (docs/zygotes.md)\n"
    "  --probe                print which kernel features work, as JSON lines, and exit\n"
    "  --probe-audit          print whether Landlock audit records could be read here (asks only), and exit\n"
    "Exit status: the command's, 128+N for signal N, 125 sandbox setup failed, 126 cannot execute,\n"
    "127 not found.\n";

__attribute__((noreturn)) static void usage_error(const char *fmt, const char *arg) {
  char text[1024];
  snprintf(text, sizeof text, fmt, arg);
  char full[1200];
  /* The pointer to the helper's own help only when it was run under its own name (not by the CLI). */
  bool own_name = strcmp(program_invocation_short_name, "phantom-sandbox") == 0;
  snprintf(full, sizeof full, "%s%s", text, own_name ? " (see phantom-sandbox --help)" : "");
  report_error("arguments", EXIT_SETUP_FAILED, full);
  exit(EXIT_SETUP_FAILED);
}

static uint64_t parse_u64(const char *opt, const char *arg) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(arg, &end, 10);
  if (errno || end == arg || *end || arg[0] == '-') usage_error("%s wants a non-negative integer", opt);
  return v;
}

static double parse_seconds(const char *arg) {
  char *end;
  double v = strtod(arg, &end);
  if (end == arg || *end || !(v > 0)) usage_error("--timeout wants a positive number of seconds, got %s", arg);
  return v;
}

static void add_bind(struct sandbox_config *cfg, char *given, bool writable, bool is_cwd) {
  for (size_t i = 0; i < cfg->nbinds; i++) {
    if (strcmp(cfg->binds[i].given, given) == 0) {
      cfg->binds[i].writable |= writable; /* the same path twice: read-write wins */
      cfg->binds[i].is_cwd |= is_cwd;
      free(given);
      return;
    }
  }
  if (cfg->nbinds == MAX_BINDS) usage_error("too many --ro/--rw paths (at most %s)", "64");
  cfg->binds[cfg->nbinds++] = (struct bind_spec){.given = given, .path = strdup(given), .writable = writable, .is_cwd = is_cwd,
                                                 .base = -1, .src_fd = -1, .tree_fd = -1};
}

static void add_protect(struct sandbox_config *cfg, const char *opt, const char *arg, bool placeholder) {
  if (cfg->nprotect == MAX_BINDS) usage_error("too many --protect paths (at most %s)", "64");
  cfg->protect[cfg->nprotect++] = (struct protect_spec){.given = normalize_path(opt, arg), .placeholder = placeholder};
}

enum { OPT_CWD = 256, OPT_NET, OPT_RO, OPT_RW, OPT_ENV, OPT_UID, OPT_GID, OPT_HOST_UID, OPT_HOST_GID,
       OPT_MEMORY, OPT_PIDS, OPT_CPU, OPT_TIMEOUT, OPT_STATUS_FD, OPT_PROBE, OPT_HELP,
       OPT_LANDLOCK_RULES, OPT_SECCOMP_BPF, OPT_SECCOMP_GUARD, OPT_SECCOMP_FLAGS, OPT_LEARN, OPT_LEARN_NO_PATHS, OPT_ZYGOTE, OPT_CONTROL_FD, OPT_HIDE,
       OPT_PROTECT, OPT_PROTECT_DIR, OPT_NO_DENIALS, OPT_CWD_RO, OPT_EXPLAIN, OPT_PROBE_AUDIT };

static const struct option options[] = {
    {"cwd", required_argument, NULL, OPT_CWD},           {"net", required_argument, NULL, OPT_NET},
    {"ro", required_argument, NULL, OPT_RO},             {"rw", required_argument, NULL, OPT_RW},
    {"env", required_argument, NULL, OPT_ENV},           {"uid", required_argument, NULL, OPT_UID},
    {"gid", required_argument, NULL, OPT_GID},           {"host-uid", required_argument, NULL, OPT_HOST_UID},
    {"host-gid", required_argument, NULL, OPT_HOST_GID}, {"memory", required_argument, NULL, OPT_MEMORY},
    {"pids", required_argument, NULL, OPT_PIDS},         {"cpu", required_argument, NULL, OPT_CPU},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},   {"status-fd", required_argument, NULL, OPT_STATUS_FD},
    {"probe", no_argument, NULL, OPT_PROBE},             {"help", no_argument, NULL, OPT_HELP},
    {"landlock-rules", required_argument, NULL, OPT_LANDLOCK_RULES},
    {"seccomp-bpf", required_argument, NULL, OPT_SECCOMP_BPF},
    {"seccomp-flags", required_argument, NULL, OPT_SECCOMP_FLAGS},
    {"seccomp-guard", required_argument, NULL, OPT_SECCOMP_GUARD},
    {"learn", required_argument, NULL, OPT_LEARN},
    {"learn-no-paths", no_argument, NULL, OPT_LEARN_NO_PATHS},
    {"zygote", no_argument, NULL, OPT_ZYGOTE},
    {"control-fd", required_argument, NULL, OPT_CONTROL_FD},
    {"hide", required_argument, NULL, OPT_HIDE},
    {"protect", required_argument, NULL, OPT_PROTECT},
    {"protect-dir", required_argument, NULL, OPT_PROTECT_DIR},
    {"no-denials", no_argument, NULL, OPT_NO_DENIALS},
    {"explain", required_argument, NULL, OPT_EXPLAIN},
    {"probe-audit", no_argument, NULL, OPT_PROBE_AUDIT},
    {"cwd-ro", no_argument, NULL, OPT_CWD_RO},
    {NULL, 0, NULL, 0},
};

int main(int argc, char **argv) {
  /* Status fd: fd 3 when the caller opened it. Everything from fd 3 up is close-on-exec so that no
   * inherited descriptor reaches the workload. */
  int status_fd = fcntl(3, F_GETFD) >= 0 ? 3 : -1;
  report_set_status_fd(status_fd);

  struct sandbox_config cfg = {
      .net = NET_NONE,
      .sandbox_uid = DEFAULT_SANDBOX_ID,
      .sandbox_gid = DEFAULT_SANDBOX_ID,
      .privileged = geteuid() == 0,
  };
  bool host_ids_given = false;
  uid_t host_uid = NOBODY_ID;
  gid_t host_gid = NOBODY_ID;
  const char *cwd_arg = NULL;
  bool cwd_ro = false;
  bool zygote = false;
  int control_fd = -1;

  int c;
  while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
    switch (c) {
      case OPT_CWD: cwd_arg = optarg; break;
      case OPT_CWD_RO: cwd_ro = true; break;
      case OPT_NET:
        if (strcmp(optarg, "none") == 0) cfg.net = NET_NONE;
        else if (strcmp(optarg, "loopback") == 0) cfg.net = NET_LOOPBACK;
        else if (strcmp(optarg, "host") == 0) cfg.net = NET_HOST;
        else usage_error("--net wants none, loopback or host, got %s", optarg);
        break;
      case OPT_RO: add_bind(&cfg, normalize_path("--ro", optarg), false, false); break;
      case OPT_RW: add_bind(&cfg, normalize_path("--rw", optarg), true, false); break;
      case OPT_HIDE:
        /* Resolved in the sandbox's view (filesystem.c); one that does not exist there fails the run. */
        if (cfg.nhidden == MAX_BINDS) usage_error("too many --hide paths (at most %s)", "64");
        cfg.hidden[cfg.nhidden++] = normalize_path("--hide", optarg);
        break;
      case OPT_PROTECT: add_protect(&cfg, "--protect", optarg, false); break;
      case OPT_PROTECT_DIR: add_protect(&cfg, "--protect-dir", optarg, true); break;
      case OPT_NO_DENIALS: denials_configure(false); break;
      case OPT_EXPLAIN: denials_explain(optarg); break;
      case OPT_ENV:
        if (!strchr(optarg, '=') || optarg[0] == '=') usage_error("--env wants KEY=VALUE, got %s", optarg);
        if (cfg.nenv == MAX_ENV) usage_error("too many --env entries (at most %s)", "256");
        cfg.envp[cfg.nenv++] = optarg;
        break;
      case OPT_UID: cfg.sandbox_uid = (uid_t)parse_u64("--uid", optarg); break;
      case OPT_GID: cfg.sandbox_gid = (gid_t)parse_u64("--gid", optarg); break;
      case OPT_HOST_UID: host_uid = (uid_t)parse_u64("--host-uid", optarg); host_ids_given = true; break;
      case OPT_HOST_GID: host_gid = (gid_t)parse_u64("--host-gid", optarg); host_ids_given = true; break;
      case OPT_MEMORY: cfg.memory_bytes = parse_u64("--memory", optarg); break;
      case OPT_PIDS: cfg.pids = parse_u64("--pids", optarg); break;
      case OPT_CPU: cfg.cpu_seconds = parse_u64("--cpu", optarg); break;
      case OPT_TIMEOUT: cfg.timeout_seconds = parse_seconds(optarg); break;
      case OPT_STATUS_FD:
        status_fd = (int)parse_u64("--status-fd", optarg);
        report_set_status_fd(fcntl(status_fd, F_GETFD) >= 0 ? status_fd : -1);
        break;
      case OPT_LANDLOCK_RULES: read_landlock_rules(&cfg, optarg); break;
      case OPT_SECCOMP_BPF: read_seccomp_filter(&cfg, optarg); break;
      case OPT_SECCOMP_GUARD: read_seccomp_guard(&cfg, optarg); break;
      case OPT_SECCOMP_FLAGS: cfg.seccomp_flags = (unsigned int)parse_u64("--seccomp-flags", optarg); break;
      case OPT_LEARN: learn_configure(optarg); break;
      case OPT_LEARN_NO_PATHS: learn_paths_disable(); break;
      case OPT_ZYGOTE: zygote = true; break;
      case OPT_CONTROL_FD: control_fd = (int)parse_u64("--control-fd", optarg); break;
      case OPT_PROBE: return run_probe();
      case OPT_PROBE_AUDIT: return run_probe_audit();
      case OPT_HELP: fputs(usage_text, stdout); return 0;
      default: usage_error("unknown option%s", "");
    }
  }
  if (status_fd >= 0 && fcntl(status_fd, F_SETFD, FD_CLOEXEC) < 0) report_set_status_fd(-1);
  /* Ignored on failure: close_range(CLOEXEC) needs Linux 5.11; without it inherited fds stay as they were. */
  (void)close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);

  if (zygote) {
    /* The command arrives later on the control socket (zygote.c). */
    if (optind < argc) usage_error("--zygote takes no command: it arrives on --control-fd%s", "");
    if (control_fd < 0 || fcntl(control_fd, F_GETFD) < 0) usage_error("--zygote needs --control-fd N, an open socket%s", "");
    if (learn_enabled()) usage_error("--zygote and --learn do not go together: learn runs are cold%s", "");
    zygote_configure(control_fd);
  } else {
    if (optind >= argc) usage_error("no command given%s", "");
    cfg.argv = &argv[optind];
    if (!strchr(cfg.argv[0], '/'))
      usage_error("command %s is not a path: the sandbox has no PATH lookup; resolve it on the host first", cfg.argv[0]);
  }
  if (!cwd_arg) usage_error("--cwd is required%s", "");
  add_bind(&cfg, normalize_path("--cwd", cwd_arg), !cwd_ro, true);
  resolve_binds(&cfg); /* which folder each path is opened from, canonical paths (paths.c); sets cfg.cwd */

  if (cfg.privileged) {
    /* Never leave the workload with kuid 0: as root the sandbox user is an unprivileged host id. */
    cfg.host_uid = host_uid;
    cfg.host_gid = host_gid;
    if (cfg.host_uid == 0 || cfg.host_gid == 0) usage_error("--host-uid/--host-gid 0 would make the workload real root%s", "");
  } else {
    if (host_ids_given) usage_error("--host-uid/--host-gid need root: unprivileged, the sandbox user is you%s", "");
    cfg.host_uid = getuid();
    cfg.host_gid = getgid();
  }
  cfg.envp[cfg.nenv] = NULL;
  int status = supervise_sandbox(&cfg);
  learn_finish(status); /* --learn: the recording, once the run is over (learn.c) */
  return status;
}

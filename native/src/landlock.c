/*
 * Landlock: the rule list compiled by the runtime (runtime/src/policy/landlockCompiler.ts) is read from a file
 * before the clone (read_landlock_rules), turned into a ruleset in the sandbox child once the final
 * filesystem view exists (build_landlock_ruleset: every path is opened as the sandbox sees it), and enforced
 * by the workload right before the seccomp filter and execve (restrict_landlock).
 *
 * Rule list format, one directive per line (numbers in hex without 0x, the path last so it may hold spaces):
 *   phantom-landlock 1
 *   abi N             the ABI the masks were written for (informational)
 *   best_effort 0|1   1: drop what the kernel lacks and report it; 0: fail the run
 *   handled_fs MASK   handled_net MASK   scoped MASK
 *   path MASK /abs/path
 *   port MASK NUMBER
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"
#include "audit_landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

/* The installed headers are 6.1-era: the ABI 4 (net) and ABI 6 (scoped) fields are defined here, and the
 * attribute is passed with the size of the newest field in use so older kernels accept it. */
struct ruleset_attr_v6 {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};
struct net_port_attr {
  uint64_t allowed_access;
  uint64_t port;
};
#define RULE_PATH_BENEATH 1
#define RULE_NET_PORT 2

/* Rights each ABI knows (cumulative): generated at build time from model/data/landlock.json, the table the editor
 * and the runtime use (scripts/build-native.mjs writes landlock_abi.h). */
#include "landlock_abi.h"
static int known_abi(int abi) { return abi < 0 ? 0 : abi > LANDLOCK_TABLE_MAX_ABI ? LANDLOCK_TABLE_MAX_ABI : abi; }
static uint64_t fs_rights_of_abi(int abi) { return LANDLOCK_FS_RIGHTS_OF_ABI[known_abi(abi)]; }
static uint64_t net_rights_of_abi(int abi) { return LANDLOCK_NET_RIGHTS_OF_ABI[known_abi(abi)]; }
static uint64_t scopes_of_abi(int abi) { return LANDLOCK_SCOPES_OF_ABI[known_abi(abi)]; }
/* Rights that make sense on a file; the others are directory-only and the kernel rejects them (EINVAL) in a
 * rule whose parent is a file: execute, write_file, read_file, truncate, ioctl_dev. */
#define FILE_RIGHTS ((1ULL << 0) | (1ULL << 1) | (1ULL << 2) | (1ULL << 14) | (1ULL << 15))

#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif

/* The runtime hands policies over as sealed memfds (runtime/src/sandbox/memoryFiles.ts). A memfd that is not sealed
 * against writes and size changes could be changed after the runtime checked it: refused. A regular file (the
 * helper run by hand) has no seals (EINVAL) and is read as it is. */
static bool unsealed_memfd(int fd) {
  int seals = fcntl(fd, F_GET_SEALS);
  if (seals < 0) return false;
  const int needed = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;
  return (seals & needed) != needed;
}

static char *read_all(int fd, size_t *len) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  for (;;) {
    if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) { int e = errno; free(buf); errno = e; return NULL; }
    if (r == 0) break;
    n += (size_t)r;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

char *read_policy_file(const char *option, const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    die_step("arguments", errno, "the runtime writes this file; run through `phantom run` or check the path",
             "%s: open(\"%s\")", option, path);
  if (unsealed_memfd(fd))
    die_step("arguments", 0, "the runtime seals every policy memfd (F_SEAL_WRITE|SHRINK|GROW); an unsealed one could change after it was checked",
             "%s %s: a memfd without write seals", option, path);
  char *data = read_all(fd, len);
  int err = errno;
  close(fd);
  if (!data) die_step("arguments", err, NULL, "%s: read(\"%s\")", option, path);
  return data;
}

static __attribute__((noreturn)) void bad_rules(const char *path, int line, const char *what) {
  die_step("arguments", 0, "the file is written by the runtime's Landlock compiler; regenerate it",
           "--landlock-rules %s line %d: %s", path, line, what);
}

void read_landlock_rules(struct sandbox_config *cfg, const char *path) {
  size_t len;
  char *text = read_policy_file("--landlock-rules", path, &len);
  struct landlock_plan *plan = calloc(1, sizeof *plan);
  plan->ruleset_fd = -1;
  int lineno = 0;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    lineno++;
    char key[32];
    int off = 0;
    if (sscanf(line, "%31s %n", key, &off) != 1) continue;
    char *rest = line + off;
    if (lineno == 1) {
      if (strcmp(key, "phantom-landlock") != 0 || strcmp(rest, "1") != 0) bad_rules(path, lineno, "not a phantom-landlock 1 rule list");
      continue;
    }
    if (strcmp(key, "abi") == 0) plan->abi = atoi(rest);
    else if (strcmp(key, "best_effort") == 0) plan->best_effort = strcmp(rest, "1") == 0;
    else if (strcmp(key, "handled_fs") == 0) plan->handled_fs = strtoull(rest, NULL, 16);
    else if (strcmp(key, "handled_net") == 0) plan->handled_net = strtoull(rest, NULL, 16);
    else if (strcmp(key, "scoped") == 0) plan->scoped = strtoull(rest, NULL, 16);
    else if (strcmp(key, "path") == 0 || strcmp(key, "port") == 0) {
      char *end;
      uint64_t mask = strtoull(rest, &end, 16);
      if (end == rest || *end != ' ') bad_rules(path, lineno, "expected MASK then a path or port");
      if (plan->nrules == MAX_LANDLOCK_RULES) bad_rules(path, lineno, "too many rules (at most 512)");
      struct landlock_rule *r = &plan->rules[plan->nrules++];
      r->allowed = mask;
      if (key[1] == 'a') {
        r->path = end + 1;
        if (r->path[0] != '/') bad_rules(path, lineno, "a path rule needs an absolute path");
      } else {
        r->port = strtoull(end + 1, NULL, 10);
        r->is_port = true;
      }
    } else bad_rules(path, lineno, "unknown directive");
  }
  /* text stays allocated: the rules point into it. A second --landlock-rules is one more layer on top (the
   * kernel stacks rulesets: an access must pass every layer), e.g. a learned profile replayed on the sandbox's. */
  struct landlock_plan **tail = &cfg->landlock;
  while (*tail) tail = &(*tail)->next;
  *tail = plan;
}

static void describe_mask(char *out, size_t outsz, uint64_t mask) {
  snprintf(out, outsz, "0x%" PRIx64, mask);
}

/* In the sandbox child, after the filesystem view is final (paths are what the sandbox sees). */
static void build_layer(struct landlock_plan *p);

void build_landlock_ruleset(struct sandbox_config *cfg) {
  for (struct landlock_plan *p = cfg->landlock; p; p = p->next) build_layer(p);
}

static void build_layer(struct landlock_plan *p) {
  long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (abi < 0) {
    int err = errno;
    if (p->best_effort) {
      note("Landlock not applied (best effort): landlock_create_ruleset(VERSION): %s — the kernel lacks Landlock "
           "or it is not in the lsm= boot list", errno_name(err));
      return;
    }
    die_step("landlock", err, "the kernel lacks Landlock (5.13+, CONFIG_SECURITY_LANDLOCK, lsm=landlock); "
             "set bestEffort: true in the Landlock profile to run without it",
             "landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)");
  }
  struct ruleset_attr_v6 attr = {p->handled_fs, p->handled_net, p->scoped};
  uint64_t lack_fs = attr.handled_access_fs & ~fs_rights_of_abi((int)abi);
  uint64_t lack_net = attr.handled_access_net & ~net_rights_of_abi((int)abi);
  uint64_t lack_scope = attr.scoped & ~scopes_of_abi((int)abi);
  if (lack_fs | lack_net | lack_scope) {
    char a[24], b[24], c[24];
    describe_mask(a, sizeof a, lack_fs);
    describe_mask(b, sizeof b, lack_net);
    describe_mask(c, sizeof c, lack_scope);
    if (!p->best_effort)
      die_step("landlock", 0, "upgrade the kernel, drop those rights from the profile, or set bestEffort: true",
               "the kernel's Landlock ABI %ld lacks rights the profile handles (fs %s, net %s, scoped %s)", abi, a, b, c);
    note("Landlock best effort: kernel ABI %ld lacks fs rights %s, net rights %s, scopes %s: not enforced", abi, a, b, c);
    attr.handled_access_fs &= ~lack_fs;
    attr.handled_access_net &= ~lack_net;
    attr.scoped &= ~lack_scope;
  }
  size_t size = attr.scoped ? sizeof attr : attr.handled_access_net ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
  int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
  if (fd < 0)
    die_step("landlock", errno, NULL, "landlock_create_ruleset(fs 0x%" PRIx64 ", net 0x%" PRIx64 ", scoped 0x%" PRIx64 ", size %zu)",
             attr.handled_access_fs, attr.handled_access_net, attr.scoped, size);
  if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) die_step("landlock", errno, NULL, "fcntl(ruleset, F_SETFD, FD_CLOEXEC)");

  for (size_t i = 0; i < p->nrules; i++) {
    struct landlock_rule *r = &p->rules[i];
    if (r->is_port) {
      struct net_port_attr na = {r->allowed & attr.handled_access_net, r->port};
      if (!na.allowed_access) continue; /* nothing of it is handled by this kernel: best effort noted above */
      if (syscall(SYS_landlock_add_rule, fd, RULE_NET_PORT, &na, 0) < 0)
        die_step("landlock", errno, NULL, "landlock_add_rule(net_port %" PRIu64 ", 0x%" PRIx64 ")", r->port, na.allowed_access);
      continue;
    }
    int pfd = open(r->path, O_PATH | O_CLOEXEC);
    if (pfd < 0) {
      /* As landlockconfig: a missing path is reported and its rule skipped (nothing there to grant). */
      note("Landlock rule for %s skipped: open(O_PATH): %s — the path does not exist in the sandbox", r->path, errno_name(errno));
      continue;
    }
    struct stat st;
    if (fstat(pfd, &st) < 0) die_step("landlock", errno, NULL, "fstat(\"%s\")", r->path);
    struct landlock_path_beneath_attr pa = {.allowed_access = r->allowed & attr.handled_access_fs, .parent_fd = pfd};
    if (!S_ISDIR(st.st_mode)) pa.allowed_access &= FILE_RIGHTS; /* directory-only rights on a file: EINVAL */
    if (pa.allowed_access && syscall(SYS_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH, &pa, 0) < 0) {
      int err = errno;
      die_step("landlock", err, err == EINVAL ? "a right the kernel rejects for this kind of file" : NULL,
               "landlock_add_rule(\"%s\", 0x%llx)", r->path, (unsigned long long)pa.allowed_access);
    }
    close(pfd);
  }
  p->ruleset_fd = fd;
}

/* In the workload, after no_new_privs (inherited) and before the seccomp filter. */
/* Every layer is its own landlock_restrict_self: Landlock stacks them, and an access must pass each. With the audit
 * route (audit_landlock.c) each layer logs the command's refusals and none of this process's before execve. */
int restrict_landlock(const struct sandbox_config *cfg, const char **failed_call) {
  unsigned int flags = audit_landlock_restrict_flags();
  for (struct landlock_plan *p = cfg->landlock; p; p = p->next) {
    if (p->ruleset_fd < 0) continue;
    if (syscall(SYS_landlock_restrict_self, p->ruleset_fd, flags) < 0) {
      *failed_call = flags ? "landlock_restrict_self(ruleset, LOG_SAME_EXEC_OFF|LOG_NEW_EXEC_ON)" : "landlock_restrict_self(ruleset, 0)";
      return -1;
    }
    close(p->ruleset_fd);
  }
  return 0;
}

/*
 * Step 2: identities.
 *  - write_id_maps: the sandbox user namespace maps ONE id: the sandbox uid/gid (default 1000) to
 *    cfg->host_uid/gid — 65534 when the helper runs as root (never 0: "0 0 1" would leave the workload
 *    with kuid 0, real root on host files), the caller's own ids otherwise.
 *  - make_idmap_userns + idmapped_tree: the detached idmapped mounts binds.c uses to show a folder owned
 *    by someone else (root) as owned by the sandbox user.
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_file(const char *path, const char *content) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t len = (ssize_t)strlen(content);
  ssize_t n = write(fd, content, (size_t)len);
  int err = errno;
  close(fd);
  if (n != len) {
    errno = n < 0 ? err : EIO;
    return -1;
  }
  return 0;
}

static const char map_hint[] =
    "the kernel refused the map: unprivileged, you may only map your own id and must write \"deny\" to "
    "setgroups first; as root the host id must be valid (see --host-uid/--host-gid)";

void write_id_maps(pid_t child, const struct sandbox_config *cfg) {
  char path[64], map[64];
  if (!cfg->privileged) {
    /* Unprivileged gid maps require setgroups to be denied (CVE-2014-8989): the workload could otherwise
     * drop a supplementary group that denies it access. */
    snprintf(path, sizeof path, "/proc/%d/setgroups", child);
    if (write_file(path, "deny") < 0 && errno != ENOENT)
      die_step("write_uid_gid_map", errno, NULL, "write(%s, \"deny\")", path);
  }
  snprintf(path, sizeof path, "/proc/%d/uid_map", child);
  snprintf(map, sizeof map, "%u %u 1", cfg->sandbox_uid, cfg->host_uid);
  if (write_file(path, map) < 0) die_step("write_uid_gid_map", errno, map_hint, "write(%s, \"%s\")", path, map);
  snprintf(path, sizeof path, "/proc/%d/gid_map", child);
  snprintf(map, sizeof map, "%u %u 1", cfg->sandbox_gid, cfg->host_gid);
  if (write_file(path, map) < 0) die_step("write_uid_gid_map", errno, map_hint, "write(%s, \"%s\")", path, map);
}

/*
 * A user namespace whose only purpose is its map: on-disk owner from_uid appears as to_uid (a host kuid)
 * on an idmapped mount. A child is cloned into a new user namespace, its maps are written, the namespace
 * is kept as an fd and the child killed (the fd holds the namespace). Its death takes ~1-3 ms of scheduling on a
 * busy 2-core machine: reap_children_later collects it once the sandbox child is setting up.
 */
int make_idmap_userns(uid_t from_uid, uid_t to_uid, gid_t from_gid, gid_t to_gid, const char **failed_call) {
  pid_t parent = getpid();
  pid_t pid = raw_clone(CLONE_NEWUSER | SIGCHLD);
  if (pid < 0) {
    *failed_call = "clone(CLONE_NEWUSER)";
    return -1;
  }
  if (pid == 0) {
    /* A helper killed before its kill() below must not leave it pausing forever (a zygote stopped mid-setup did). */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent) _exit(0);
    for (;;) pause(); /* holds the namespace until the helper has opened it */
  }
  char path[64], map[64];
  int fd = -1, err = 0;
  snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
  snprintf(map, sizeof map, "%u %u 1", from_uid, to_uid);
  if (write_file(path, map) < 0) {
    err = errno;
    *failed_call = "write(/proc/PID/uid_map) of the idmap namespace";
    goto out;
  }
  snprintf(path, sizeof path, "/proc/%d/gid_map", pid);
  snprintf(map, sizeof map, "%u %u 1", from_gid, to_gid);
  if (write_file(path, map) < 0) {
    err = errno;
    *failed_call = "write(/proc/PID/gid_map) of the idmap namespace";
    goto out;
  }
  snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    *failed_call = "open(/proc/PID/ns/user)";
  }
out:
  kill(pid, SIGKILL);
  reap_later(pid);
  errno = err;
  return fd;
}

/* A detached copy of the source's mount (an O_PATH descriptor), idmapped through userns_fd, nosuid and nodev. */
int idmapped_tree(int src_fd, int userns_fd, bool readonly, const char **failed_call) {
  int fd = open_tree(src_fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (fd < 0) {
    *failed_call = "open_tree(fd, \"\", AT_EMPTY_PATH|OPEN_TREE_CLONE)";
    return -1;
  }
  struct mount_attr attr = {
      .attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (readonly ? MOUNT_ATTR_RDONLY : 0),
      .userns_fd = (uint64_t)userns_fd,
  };
  if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
    int err = errno;
    close(fd);
    errno = err;
    *failed_call = "mount_setattr(MOUNT_ATTR_IDMAP)";
    return -1;
  }
  return fd;
}

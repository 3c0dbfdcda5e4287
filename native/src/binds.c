/*
 * The user's binds (--ro, --rw, the cwd), prepared by the helper before the clone.
 *
 * As root the helper makes each one a detached mount tree (open_tree(OPEN_TREE_CLONE)) with its final
 * attributes, and the child only moves it into place. Two reasons: the child already runs as the sandbox
 * user (kuid 65534), which cannot traverse host folders such as /root (0700) even with its user-namespace
 * capabilities — those do not apply to inodes of unmapped owners; and a writable folder owned by someone
 * else (a root-owned workspace) must be idmapped, which needs CAP_SYS_ADMIN over the filesystem. The map
 * presents the folder's owner as the sandbox user, so it is writable without anything running as root;
 * files created there belong to the folder's owner on the host. If idmapping fails the run fails.
 *
 * Unprivileged, the child is the caller's own uid and makes the trees itself from descriptors it opens in its own
 * mount namespace; no idmap is possible or needed. Either way the sources are opened race-free (paths.c).
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static const char idmap_hint[] =
    "the filesystem refused an idmapped mount (needs Linux 5.12+ and a filesystem that supports them: "
    "ext4, xfs, btrfs, tmpfs since 6.3; not NFS or most FUSE) — run the runtime as the folder's owner "
    "instead of root, or choose a folder on such a filesystem";

/* A detached recursive copy of the source with nosuid, nodev and, unless writable, read-only on every submount. */
int plain_tree(const struct bind_spec *b, const char **failed_call) {
  int fd = open_tree(b->src_fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (fd < 0) {
    *failed_call = "open_tree(fd, \"\", AT_EMPTY_PATH|OPEN_TREE_CLONE|AT_RECURSIVE)";
    return -1;
  }
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (b->writable ? 0 : MOUNT_ATTR_RDONLY)};
  if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
    int err = errno;
    close(fd);
    errno = err;
    *failed_call = b->writable ? "mount_setattr(AT_RECURSIVE, MOUNT_ATTR_NOSUID|MOUNT_ATTR_NODEV)"
                               : "mount_setattr(AT_RECURSIVE, MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID|MOUNT_ATTR_NODEV)";
    return -1;
  }
  return fd;
}

void prepare_bind_trees(struct sandbox_config *cfg) {
  if (!cfg->privileged) {
    /* Unprivileged, the child opens and binds them in its own mount namespace (filesystem.c). */
    for (size_t i = 0; i < cfg->nbinds; i++) {
      const struct bind_spec *b = &cfg->binds[i];
      struct stat st;
      if (b->writable && b->base < 0 && stat(b->path, &st) == 0 && st.st_uid != cfg->host_uid)
        note("%s is owned by uid %u on the host: it stays writable only as far as its permissions allow", b->path, st.st_uid);
    }
    return;
  }
  open_binds(cfg, "");
  struct { uid_t uid; gid_t gid; int fd; } userns[MAX_BINDS];
  size_t nuserns = 0;

  for (size_t i = 0; i < cfg->nbinds; i++) {
    struct bind_spec *b = &cfg->binds[i];
    bool foreign_owner = b->uid != cfg->host_uid || b->gid != cfg->host_gid;
    const char *call = NULL;
    /* A read-only cwd (--cwd-ro) is idmapped too, read-only: the sandbox sees its workspace as it would writable. */
    if ((!b->writable && !b->is_cwd) || !foreign_owner) {
      b->tree_fd = plain_tree(b, &call);
      if (b->tree_fd < 0) die_step("prepare_binds", errno, NULL, "%s on \"%s\"", call, b->path);
      continue;
    }
    int ns = -1;
    for (size_t j = 0; j < nuserns; j++)
      if (userns[j].uid == b->uid && userns[j].gid == b->gid) ns = userns[j].fd;
    if (ns < 0) {
      ns = make_idmap_userns(b->uid, cfg->host_uid, b->gid, cfg->host_gid, &call);
      if (ns < 0) die_step("prepare_binds", errno, NULL, "%s for \"%s\"", call, b->path);
      userns[nuserns].uid = b->uid;
      userns[nuserns].gid = b->gid;
      userns[nuserns++].fd = ns;
    }
    b->tree_fd = idmapped_tree(b->src_fd, ns, !b->writable, &call);
    if (b->tree_fd < 0) die_step("prepare_binds", errno, idmap_hint, "%s on \"%s\"", call, b->path);
    note("%s is owned by uid %u:%u on the host: shown as the sandbox user %u:%u through an idmapped mount",
         b->path, b->uid, b->gid, cfg->sandbox_uid, cfg->sandbox_gid);
  }
  for (size_t j = 0; j < nuserns; j++) close(userns[j].fd);
}

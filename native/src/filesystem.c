/*
 * Step 3: the filesystem view, built in the child's private mount namespace.
 *
 *   make_root_private     mount(NULL, "/", MS_REC|MS_PRIVATE): nothing propagates back to the host
 *   enter_base            tmpfs on /tmp, pivot_root into it: the host root is now /oldroot (the tmpfs moved
 *                         away from the host's /tmp, so /oldroot/tmp is the host /tmp again)
 *   mount_newroot         tmpfs on /newroot: the sandbox's /
 *   bind_system_dirs      /usr /bin /sbin /lib* /etc read-only, nosuid, nodev (symlinks recreated)
 *   mount_tmp             private tmpfs /tmp of half the memory limit (before the binds, so a cwd under /tmp
 *                         stays visible)
 *   mount_proc            fresh proc of the new pid namespace
 *   mount_dev             tmpfs /dev with null zero full random urandom bound from the host, std
 *                         symlinks, devpts (own instance) and a tmpfs /dev/shm
 *   bind_user_paths       --ro, --rw and the cwd at their own paths, parents first, from descriptors (paths.c);
 *                         as root the helper has made them already (binds.c) and they are moved in
 *   protect_paths         protected paths read-only, their parents pinned (protect.c)
 *   hide_paths            hidden paths covered, their parents pinned
 *   seal                  / and /dev read-only
 *   enter_newroot         pivot_root(".", ".") into /newroot, detach the base with /oldroot under it (one umount)
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define OLDROOT "/oldroot"
#define NEWROOT "/newroot"

static const char *const system_dirs[] = {"usr", "bin", "sbin", "lib", "lib64", "lib32", "libx32", "etc"};
/* No "tty": the host's /dev/tty is the caller's controlling terminal, and the workload has none (workload.c). */
static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom"};

static int pivot_root(const char *new_root, const char *put_old) {
  return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static void make_root_private(void) {
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    die_step("make_root_private", errno, NULL, "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE)");
}

static void enter_base(void) {
  if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
    die_step("enter_base", errno, "the host needs a /tmp directory to stage the sandbox root",
             "mount(\"tmpfs\", \"/tmp\", \"tmpfs\", MS_NOSUID|MS_NODEV, \"mode=0755\")");
  if (mkdir("/tmp" OLDROOT, 0755) < 0) die_step("enter_base", errno, NULL, "mkdir(\"/tmp" OLDROOT "\")");
  if (mkdir("/tmp" NEWROOT, 0755) < 0) die_step("enter_base", errno, NULL, "mkdir(\"/tmp" NEWROOT "\")");
  if (pivot_root("/tmp", "/tmp" OLDROOT) < 0)
    die_step("enter_base", errno, "pivot_root fails when / is the initramfs rootfs or a shared mount",
             "pivot_root(\"/tmp\", \"/tmp" OLDROOT "\")");
  if (chdir("/") < 0) die_step("enter_base", errno, NULL, "chdir(\"/\")");
}

static void mount_newroot(void) {
  if (mount("tmpfs", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
    die_step("mount_newroot", errno, NULL, "mount(\"tmpfs\", \"" NEWROOT "\", \"tmpfs\", MS_NOSUID|MS_NODEV)");
}

/* Read-only, nosuid, nodev on a bind and everything below it. mount_setattr(AT_RECURSIVE) covers
 * submounts, which a MS_REMOUNT|MS_BIND of the top mount would leave writable. */
static void make_readonly(const char *step, const char *target) {
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
  if (mount_setattr(AT_FDCWD, target, AT_RECURSIVE, &attr, sizeof attr) < 0)
    die_step(step, errno, NULL, "mount_setattr(\"%s\", AT_RECURSIVE, MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID|MOUNT_ATTR_NODEV)", target);
}

static void bind(const char *step, const char *source, const char *target, bool recursive) {
  unsigned long flags = MS_BIND | (recursive ? MS_REC : 0);
  if (mount(source, target, NULL, flags, NULL) < 0)
    die_step(step, errno, NULL, "mount(\"%s\", \"%s\", NULL, MS_BIND%s)", source, target, recursive ? "|MS_REC" : "");
}

static void bind_system_dirs(void) {
  char src[PATH_MAX], dst[PATH_MAX], link[PATH_MAX];
  for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++) {
    snprintf(src, sizeof src, OLDROOT "/%s", system_dirs[i]);
    snprintf(dst, sizeof dst, NEWROOT "/%s", system_dirs[i]);
    struct stat st;
    if (lstat(src, &st) < 0) continue; /* e.g. no /lib32 on this host: nothing to show */
    if (S_ISLNK(st.st_mode)) {
      /* merged-/usr hosts: /bin -> usr/bin; the same link inside points into the bound /usr */
      ssize_t n = readlink(src, link, sizeof link - 1);
      if (n < 0) die_step("bind_system_dirs", errno, NULL, "readlink(\"%s\")", src);
      link[n] = '\0';
      if (symlink(link, dst) < 0) die_step("bind_system_dirs", errno, NULL, "symlink(\"%s\", \"%s\")", link, dst);
      continue;
    }
    if (!S_ISDIR(st.st_mode)) continue;
    if (mkdir(dst, 0755) < 0) die_step("bind_system_dirs", errno, NULL, "mkdir(\"%s\")", dst);
    bind("bind_system_dirs", src, dst, true);
    make_readonly("bind_system_dirs", dst);
  }
}

static char tmpfs_options[64];

static void mount_tmp(const struct sandbox_config *cfg) {
  snprintf(tmpfs_options, sizeof tmpfs_options, "mode=1777,size=%llu", (unsigned long long)tmpfs_size(cfg));
  if (mkdir(NEWROOT "/tmp", 01777) < 0) die_step("mount_tmp", errno, NULL, "mkdir(\"" NEWROOT "/tmp\")");
  if (mount("tmpfs", NEWROOT "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, tmpfs_options) < 0)
    die_step("mount_tmp", errno, NULL, "mount(\"tmpfs\", \"" NEWROOT "/tmp\", \"tmpfs\", MS_NOSUID|MS_NODEV, \"%s\")", tmpfs_options);
}

static void mount_proc(void) {
  if (mkdir(NEWROOT "/proc", 0555) < 0) die_step("mount_proc", errno, NULL, "mkdir(\"" NEWROOT "/proc\")");
  if (mount("proc", NEWROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    die_step("mount_proc", errno,
             "the kernel only lets a user namespace mount proc when the host's /proc is fully visible "
             "(no read-only or masked submounts, as some container runtimes add)",
             "mount(\"proc\", \"" NEWROOT "/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC)");
}

static void mount_dev(void) {
  char src[64], dst[64];
  if (mkdir(NEWROOT "/dev", 0755) < 0) die_step("mount_dev", errno, NULL, "mkdir(\"" NEWROOT "/dev\")");
  if (mount("tmpfs", NEWROOT "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755") < 0)
    die_step("mount_dev", errno, NULL, "mount(\"tmpfs\", \"" NEWROOT "/dev\", \"tmpfs\", MS_NOSUID|MS_NOEXEC)");
  for (size_t i = 0; i < sizeof dev_nodes / sizeof dev_nodes[0]; i++) {
    /* A user namespace cannot mknod; bind the host's nodes onto empty files instead. */
    snprintf(src, sizeof src, OLDROOT "/dev/%s", dev_nodes[i]);
    snprintf(dst, sizeof dst, NEWROOT "/dev/%s", dev_nodes[i]);
    int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) die_step("mount_dev", errno, NULL, "open(\"%s\", O_CREAT)", dst);
    close(fd);
    bind("mount_dev", src, dst, false);
  }
  static const char *const links[][2] = {
      {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    snprintf(dst, sizeof dst, NEWROOT "/dev/%s", links[i][1]);
    if (symlink(links[i][0], dst) < 0) die_step("mount_dev", errno, NULL, "symlink(\"%s\", \"%s\")", links[i][0], dst);
  }
  if (mkdir(NEWROOT "/dev/pts", 0755) < 0) die_step("mount_dev", errno, NULL, "mkdir(\"" NEWROOT "/dev/pts\")");
  if (mount("devpts", NEWROOT "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") < 0)
    die_step("mount_dev", errno, NULL, "mount(\"devpts\", \"" NEWROOT "/dev/pts\", \"devpts\", MS_NOSUID|MS_NOEXEC, \"newinstance,ptmxmode=0666,mode=620\")");
  if (mkdir(NEWROOT "/dev/shm", 01777) < 0) die_step("mount_dev", errno, NULL, "mkdir(\"" NEWROOT "/dev/shm\")");
  if (mount("tmpfs", NEWROOT "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, tmpfs_options) < 0)
    die_step("mount_dev", errno, NULL, "mount(\"tmpfs\", \"" NEWROOT "/dev/shm\", \"tmpfs\", MS_NOSUID|MS_NODEV, \"%s\")", tmpfs_options);
}

/* Creates what the target needs: the directory path, or for a file its parent and an empty file. */
static void make_mount_point(const char *target, bool is_dir) {
  if (is_dir) {
    if (mkdir_p(target, 0755) < 0) die_step("bind_user_paths", errno, NULL, "mkdir -p \"%s\"", target);
    return;
  }
  char parent[PATH_MAX + 16];
  snprintf(parent, sizeof parent, "%s", target);
  *strrchr(parent, '/') = '\0';
  if (mkdir_p(parent, 0755) < 0) die_step("bind_user_paths", errno, NULL, "mkdir -p \"%s\"", parent);
  int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST && errno != EROFS && errno != EACCES)
    die_step("bind_user_paths", errno, NULL, "open(\"%s\", O_CREAT)", target);
  if (fd >= 0) close(fd);
}

static int by_path(const void *a, const void *b) {
  return strcmp(((const struct bind_spec *)a)->path, ((const struct bind_spec *)b)->path);
}

static int newroot_fd = -1;

int open_in_view(const char *view, const char *what) {
  if (newroot_fd < 0) newroot_fd = open(NEWROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (newroot_fd < 0) die_step("open_in_view", errno, NULL, "open(\"" NEWROOT "\", O_PATH)");
  int fd = openat2_path(newroot_fd, strcmp(view, "/") == 0 ? "." : view + 1, O_PATH | O_NOFOLLOW,
                        RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  if (fd < 0 && what) die_path("open_in_view", errno, what, view, "/");
  struct stat st;
  if (fd >= 0 && what && strcmp(what, "protected path") != 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode))
    die_path("open_in_view", ELOOP, what, view, "/"); /* a mount cannot cover a link; it could be replaced anyway */
  return fd;
}

static void bind_user_paths(struct sandbox_config *cfg) {
  const char *call = NULL;
  if (!cfg->privileged) {
    /* Opened here, in this mount namespace (which must own what it clones), from the host root at /oldroot. */
    open_binds(cfg, OLDROOT);
    for (size_t i = 0; i < cfg->nbinds; i++) {
      cfg->binds[i].tree_fd = plain_tree(&cfg->binds[i], &call);
      if (cfg->binds[i].tree_fd < 0) die_step("bind_user_paths", errno, NULL, "%s on \"%s\"", call, cfg->binds[i].path);
    }
  }
  for (size_t i = 0; i < cfg->nbinds; i++) {
    if (cfg->binds[i].src_fd >= 0) close(cfg->binds[i].src_fd);
    cfg->binds[i].src_fd = -1;
  }
  /* Sorted, a parent comes before anything below it, so a later bind is never hidden by an earlier one. */
  qsort(cfg->binds, cfg->nbinds, sizeof cfg->binds[0], by_path);
  char dst[PATH_MAX + 16];
  for (size_t i = 0; i < cfg->nbinds; i++) {
    struct bind_spec *b = &cfg->binds[i];
    snprintf(dst, sizeof dst, NEWROOT "%s", b->path);
    /* Inside an earlier bind the mount point is the host's own file, opened without following links; elsewhere it
     * is made on the sandbox's own tmpfs. */
    bool inside = false;
    for (size_t j = 0; j < i && !inside; j++) inside = strcmp(cfg->binds[j].path, b->path) != 0 && beneath(b->path, cfg->binds[j].path);
    int target = open_in_view(b->path, NULL);
    if (target < 0 && errno == ENOENT && !inside) {
      make_mount_point(dst, b->is_dir);
      target = open_in_view(b->path, NULL);
    }
    struct stat st;
    if (target >= 0 && fstat(target, &st) == 0 && S_ISLNK(st.st_mode)) errno = ELOOP, target = -1;
    if (target < 0) die_path("bind_user_paths", errno, "the mount point of", b->path, "/");
    if (move_mount(b->tree_fd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      die_step("bind_user_paths", errno, NULL, "move_mount(tree of \"%s\", MOVE_MOUNT_F_EMPTY_PATH|MOVE_MOUNT_T_EMPTY_PATH)", b->path);
    close(target);
    close(b->tree_fd);
    b->tree_fd = -1;
  }
}

/* filesystem.hidden: a hidden folder is covered by an empty read-only tmpfs, a hidden file by a read-only
 * copy of /dev/null — what was there cannot be read, listed or changed from inside. A hidden path inside a visible
 * folder that does not exist (any more) fails the run: it may have been renamed away, and would show elsewhere. */
static void hide_paths(const struct sandbox_config *cfg) {
  char view[PATH_MAX];
  for (size_t i = 0; i < cfg->nhidden; i++) {
    view_path(cfg, cfg->hidden[i], view, sizeof view);
    if (!covering_bind(cfg, view, false)) continue; /* not in the view at all: nothing shows it */
    close(open_in_view(view, "filesystem.hidden path")); /* there, and no link: else the run fails naming it */
    pin_parents(cfg, view); /* then: the cover must go on the path as seen through the pinned parents */
    int fd = open_in_view(view, "filesystem.hidden path");
    struct stat st;
    if (fstat(fd, &st) < 0) die_step("hide_paths", errno, NULL, "fstat(\"%s\")", view);
    int cover;
    if (S_ISDIR(st.st_mode)) {
      int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
      if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "size", "4k", 0) < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0555", 0) < 0 ||
          fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        die_step("hide_paths", errno, NULL, "fsopen(\"tmpfs\") + fsconfig(size=4k, mode=0555) for \"%s\"", view);
      cover = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
      if (cover < 0) die_step("hide_paths", errno, NULL, "fsmount(tmpfs, MOUNT_ATTR_RDONLY) for \"%s\"", view);
      close(fs);
    } else {
      cover = open_tree(AT_FDCWD, NEWROOT "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
      struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
      if (cover < 0 || mount_setattr(cover, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
        die_step("hide_paths", errno, NULL, "open_tree(\"/dev/null\") + mount_setattr(MOUNT_ATTR_RDONLY) for \"%s\"", view);
    }
    if (move_mount(cover, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      die_step("hide_paths", errno, NULL, "move_mount(cover onto \"%s\")", view);
    close(cover);
    close(fd);
  }
}

/* The sandbox's own tmpfs mounts belong to the sandbox user (it made them): read-only, so the workload
 * cannot add files to / or /dev. */
static void seal(void) {
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
  if (mount_setattr(AT_FDCWD, NEWROOT "/dev", 0, &attr, sizeof attr) < 0)
    die_step("seal", errno, NULL, "mount_setattr(\"" NEWROOT "/dev\", 0, MOUNT_ATTR_RDONLY)");
  if (mount_setattr(AT_FDCWD, NEWROOT, 0, &attr, sizeof attr) < 0)
    die_step("seal", errno, NULL, "mount_setattr(\"" NEWROOT "\", 0, MOUNT_ATTR_RDONLY)");
}

static void enter_newroot(void) {
  if (chdir(NEWROOT) < 0) die_step("enter_newroot", errno, NULL, "chdir(\"" NEWROOT "\")");
  /* pivot_root(".", ".") stacks the old root (the base tmpfs, the host's tree still mounted at /oldroot in it)
   * over the new one; detaching "." then removes the base and everything under it, leaving only the sandbox
   * root. One lazy umount, not one for /oldroot and one for the base: each umount that detaches something
   * ends with an RCU grace period (namespace_unlock), 1-10 ms on a busy 2-core machine. */
  if (pivot_root(".", ".") < 0) die_step("enter_newroot", errno, NULL, "pivot_root(\".\", \".\")");
  if (umount2(".", MNT_DETACH) < 0) die_step("enter_newroot", errno, NULL, "umount2(\".\", MNT_DETACH)");
  if (chdir("/") < 0) die_step("enter_newroot", errno, NULL, "chdir(\"/\")");
}

void setup_filesystem(struct sandbox_config *cfg) {
  make_root_private();
  enter_base();
  mount_newroot();
  bind_system_dirs();
  mount_tmp(cfg);
  mount_proc();
  mount_dev();
  bind_user_paths(cfg);
  protect_paths(cfg);
  hide_paths(cfg);
  seal();
  enter_newroot();
}

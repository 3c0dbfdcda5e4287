/*
 * Protected paths (--protect, --protect-dir): files that host programs trust — `.git` (hooks, `core.fsmonitor`),
 * `.vscode` (settings, tasks), the configuration in force and its profile files, shell startup files, the
 * runtime's own files — stay read-only inside the sandbox however their folder is granted. The runtime names them
 * (runtime/src/sandbox/protectedPaths.ts); the helper makes them so while it builds the view, once per sandbox (a zygote
 * does it while it is prepared, never per request).
 *
 *   present   a recursive read-only copy of its own mount is put on top of it (open_tree + mount_setattr +
 *             move_mount, all from a descriptor opened race-free): nothing below it can be changed, and a mount
 *             point cannot be renamed or removed from inside (EBUSY), so it cannot be swapped either;
 *   absent    --protect-dir: the helper makes an empty folder there before the clone (mkdirat from the folder's
 *             descriptor), marks it (xattr user.phantom-fragment=placeholder) and holds a shared flock on it for
 *             the sandbox's life; it is then protected like a present one. Sandboxes of the same folder share it.
 *             A small janitor process, once the helper and the sandbox are gone (also when the helper was killed),
 *             removes it if no other sandbox holds it and it is still empty; a placeholder left by a killed janitor
 *             is removed by the next sandbox's. Absent --protect paths (files) are left alone: the runtime asks
 *             for placeholders only where an empty folder is harmless to host tools (an empty .git is no repository).
 *   a link    fails the run: a symbolic link in a writable folder can be replaced, so it cannot be protected.
 * Parents are pinned: every folder between the writable bind and a protected or hidden path is made a mount point
 * of itself, so the sandbox cannot rename a parent away and recreate the path (the trick the protected path would
 * otherwise not survive, and the way a hidden file was un-hidden between runs).
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/xattr.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

/* Placeholders this sandbox holds: removed by the janitor when the sandbox is over and no other one holds them. */
static struct { int parent_fd; int lock_fd; char name[NAME_MAX + 1]; dev_t dev; ino_t ino; } held[MAX_BINDS];
static size_t nheld;

/* A placeholder is marked, so that the last sandbox out removes it even when another one made it (and never a folder
 * of the user's that happens to be empty). */
#define MARK_NAME "user.phantom-fragment"
#define MARK_VALUE "placeholder"

static bool marked(int fd) {
  char v[sizeof MARK_VALUE];
  return fgetxattr(fd, MARK_NAME, v, sizeof v) == (ssize_t)strlen(MARK_VALUE) && memcmp(v, MARK_VALUE, strlen(MARK_VALUE)) == 0;
}

__attribute__((noreturn)) static void janitor(int wait_fd) {
  char byte;
  while (read(wait_fd, &byte, 1) < 0 && errno == EINTR) {}
  /* End of file: the helper and every sandbox process that held the pipe are gone, and with them this sandbox's
   * shared locks. Another sandbox still holding one keeps the placeholder (its own janitor removes it later). */
  for (size_t i = 0; i < nheld; i++) {
    int fd = openat(held[i].parent_fd, held[i].name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_dev == held[i].dev && st.st_ino == held[i].ino) {
      /* End of file can come a moment before the last descriptor of this sandbox's lock is closed (the helper's
       * short-lived children inherit it and exit on their own time): a lock still held is retried for 100 ms, after
       * which it belongs to another live sandbox, whose own janitor removes the placeholder. */
      for (int attempt = 0; attempt < 20; attempt++) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
          /* The name is looked up again under the lock: while this loop waited, another janitor may have removed
           * this placeholder and a new sandbox made (and now holds) a fresh one under the same name, which an
           * unlink by name would take from under it (its protect step then failed with ENOENT). Only the folder
           * this lock is on is removed, and only while it carries the mark (never a folder of the user's that got
           * the number of a removed placeholder); holding it exclusively, no other janitor can remove it meanwhile. */
          struct stat now;
          if (fstat(fd, &now) == 0 && now.st_nlink > 0 && marked(fd) && fstatat(held[i].parent_fd, held[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
              st.st_dev == now.st_dev && st.st_ino == now.st_ino)
            (void)unlinkat(held[i].parent_fd, held[i].name, AT_REMOVEDIR); /* fails (kept) unless still empty */
          break;
        }
        if (errno != EWOULDBLOCK && errno != EINTR) break;
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 5 * 1000 * 1000};
        nanosleep(&pause, NULL);
      }
    }
    close(fd);
  }
  _exit(0);
}

/* Forks the janitor. It keeps only the parent folders' descriptors and the read end of a pipe whose write end stays
 * with the helper and the sandbox's init (which inherits it; the workload's execve closes it). */
static void start_janitor(void) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) die_step("protect_paths", errno, NULL, "pipe2(janitor)");
  pid_t pid = fork();
  if (pid < 0) die_step("protect_paths", errno, NULL, "fork(janitor)");
  if (pid == 0) {
    setsid(); /* no signal meant for the helper's group reaches it */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    /* None of the caller's pipes, none of the locks held for the sandbox: every fd but the kept ones, closed by
     * ranges (one close_range per gap, not a close per number: this runs beside the sandbox's start). */
    unsigned int from = 0;
    for (;;) {
      unsigned int next = ~0U; /* the lowest kept fd at or above `from` */
      if ((unsigned int)p[0] >= from) next = (unsigned int)p[0];
      for (size_t i = 0; i < nheld; i++)
        if ((unsigned int)held[i].parent_fd >= from && (unsigned int)held[i].parent_fd < next) next = (unsigned int)held[i].parent_fd;
      if (next > from) (void)close_range(from, next == ~0U ? ~0U : next - 1, 0);
      if (next == ~0U) break;
      from = next + 1;
    }
    janitor(p[0]);
  }
  close(p[0]);
  /* p[1] is kept open (close-on-exec) for the rest of the helper's life: its end means "over". Numbered above every
   * placeholder descriptor, so that at exit (descriptors closed in ascending order) the locks go first. */
  int top = p[1];
  for (size_t i = 0; i < nheld; i++)
    if (held[i].lock_fd > top) top = held[i].lock_fd;
  if (top > p[1]) {
    int high = fcntl(p[1], F_DUPFD_CLOEXEC, top + 1);
    if (high >= 0) {
      close(p[1]);
      p[1] = high;
    }
  }
}

/* Holds the placeholder `name` in dir (made now or by another sandbox): a shared lock for the sandbox's life. */
static bool hold_placeholder(int dir, const char *name, const char *view) {
  for (int attempt = 0; attempt < 8; attempt++) {
    bool made = mkdirat(dir, name, 0755) == 0;
    if (!made && errno != EEXIST) {
      /* EACCES/EROFS/EPERM: not writable for the helper's user, so not for the sandbox either (as root the helper
       * can write whatever the idmapped sandbox can). */
      if (errno == EACCES || errno == EROFS || errno == EPERM) return false;
      die_step("protect_paths", errno, NULL, "mkdirat(\"%s\") for the placeholder of %s", name, view);
    }
    int fd = openat2_path(dir, name, O_RDONLY | O_DIRECTORY, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (fd < 0 && errno == ENOENT) continue; /* removed meanwhile: make it again */
    if (fd < 0) return false;                /* a file or a link there: protect_paths deals with what it is */
    if (made && fsetxattr(fd, MARK_NAME, MARK_VALUE, strlen(MARK_VALUE), 0) < 0) {
      /* A filesystem without user xattrs: the folder cannot be told from the user's own later; remove it again
       * and leave the name unheld (protected only while present). */
      close(fd);
      (void)unlinkat(dir, name, AT_REMOVEDIR);
      note("%s cannot hold a placeholder (no user extended attributes on this filesystem): it is protected only if it exists", view);
      return false;
    }
    if (!made && !marked(fd)) {
      close(fd);
      return false; /* the user's own folder: protected as it is */
    }
    if (flock(fd, LOCK_SH) < 0) die_step("protect_paths", errno, NULL, "flock(\"%s\", LOCK_SH)", view);
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_nlink == 0) {
      close(fd); /* a janitor removed it between our open and our lock: make it again */
      continue;
    }
    if (nheld == MAX_BINDS) die_step("protect_paths", E2BIG, NULL, "too many placeholders");
    held[nheld].parent_fd = dir;
    held[nheld].lock_fd = fd;
    snprintf(held[nheld].name, sizeof held[nheld].name, "%s", name);
    held[nheld].dev = st.st_dev;
    held[nheld++].ino = st.st_ino;
    return true; /* fd stays open, locked, for the helper's and init's life */
  }
  die_step("protect_paths", EAGAIN, NULL, "the placeholder of %s kept disappearing", view);
}

void prepare_placeholders(struct sandbox_config *cfg) {
  for (size_t i = 0; i < cfg->nprotect; i++) {
    struct protect_spec *p = &cfg->protect[i];
    if (!p->placeholder) continue;
    char view[PATH_MAX];
    view_path(cfg, p->given, view, sizeof view);
    const struct bind_spec *b = covering_bind(cfg, view, true);
    if (!b || b->base >= 0 || strcmp(b->path, view) == 0) continue; /* not writable (or not a name in it): nothing to hold */
    const char *rel = beneath(view, b->path);
    const char *slash = strrchr(rel, '/');
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%.*s", slash ? (int)(slash - rel) : 0, rel);
    const char *name = slash ? slash + 1 : rel;
    int base = openat2_path(AT_FDCWD, b->path, O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    if (base < 0) die_path("protect_paths", errno, "writable folder", b->path, NULL);
    int dir = openat2_path(base, *parent ? parent : ".", O_RDONLY | O_DIRECTORY, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    close(base);
    if (dir < 0) continue; /* its folder is not there either: the runtime only asks for names at a folder's top */
    if (hold_placeholder(dir, name, view)) p->made = true;
    else close(dir);
  }
  if (nheld > 0) start_janitor();
}

/* A mount point of itself: a recursive copy of the mount at fd (read-only when asked) moved onto it. */
static void self_bind(int fd, const char *view, bool readonly) {
  int tree = open_tree(fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (tree < 0) die_step("protect_paths", errno, NULL, "open_tree(\"%s\", OPEN_TREE_CLONE|AT_RECURSIVE)", view);
  if (readonly) {
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
    if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
      die_step("protect_paths", errno, NULL, "mount_setattr(\"%s\", AT_RECURSIVE, MOUNT_ATTR_RDONLY)", view);
  }
  if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    die_step("protect_paths", errno, NULL, "move_mount(copy of \"%s\" onto itself)", view);
  close(tree);
}

static char pinned[MAX_BINDS * 2][PATH_MAX];
static size_t npinned;

void pin_parents(const struct sandbox_config *cfg, const char *view) {
  const struct bind_spec *b = covering_bind(cfg, view, true);
  if (!b) return; /* in no writable folder: nothing there can be renamed */
  char dir[PATH_MAX];
  size_t root = strlen(b->path);
  for (const char *p = view + root + 1; (p = strchr(p, '/')) != NULL; p++) {
    snprintf(dir, sizeof dir, "%.*s", (int)(p - view), view);
    bool done = false;
    for (size_t i = 0; i < npinned && !done; i++) done = strcmp(pinned[i], dir) == 0;
    if (done) continue;
    int fd = open_in_view(dir, "the folder of a protected or hidden path");
    self_bind(fd, dir, false);
    close(fd);
    if (npinned < sizeof pinned / sizeof pinned[0]) snprintf(pinned[npinned++], PATH_MAX, "%s", dir);
  }
}

void protect_paths(const struct sandbox_config *cfg) {
  for (size_t i = 0; i < cfg->nprotect; i++) {
    char view[PATH_MAX];
    view_path(cfg, cfg->protect[i].given, view, sizeof view);
    if (!covering_bind(cfg, view, true)) continue; /* read-only or invisible already */
    int fd = open_in_view(view, NULL);
    /* A placeholder this sandbox holds that is gone now would leave the name free for the sandbox to make its own. */
    if (fd < 0 && cfg->protect[i].made) die_step("protect_paths", ENOENT, NULL, "the placeholder of %s disappeared before it was protected", view);
    if (fd < 0) continue; /* absent, and no placeholder asked for */
    struct stat st;
    if (fstat(fd, &st) < 0) die_step("protect_paths", errno, NULL, "fstat(\"%s\")", view);
    if (S_ISLNK(st.st_mode))
      die_step("protect_paths", 0, "a symbolic link in a writable folder can be replaced by the sandbox, so it cannot be "
               "kept read-only — replace it by what it points to, or unprotect it in the profile (`unprotect`)",
               "protected path %s is a symbolic link", view);
    /* Parents first, then the path opened again: a mount on the old descriptor would sit on the dentry of the mount
     * below the pinned parent, where lookups no longer pass. */
    close(fd);
    pin_parents(cfg, view);
    fd = open_in_view(view, "protected path");
    self_bind(fd, view, true);
    close(fd);
  }
}

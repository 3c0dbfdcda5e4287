/*
 * Race-free paths: every path the helper binds, hides or protects is opened from a directory descriptor with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) and mounted from that descriptor, never
 * looked up again by name.
 *
 * Why: the workspace (and any writable bind) is written by earlier sandboxes. A run that replaced ./data by a
 * symbolic link to a root-only folder, or renamed the parent of a bind, would otherwise redirect the next run's
 * `readWrite: [./data]` to wherever it points (realpath follows it). So:
 *   - the working directory is the user's choice: canonicalised with realpath (a link on the way there is the
 *     user's own), then opened — it is the first base;
 *   - a bind beneath a writable base (the working directory or an earlier writable bind) is opened from the
 *     base's descriptor with the rest of its path: no link is followed, `..` cannot climb out (EXDEV), and a
 *     link anywhere on the way fails the run (ELOOP) with a message naming it;
 *   - a bind outside every writable base (a system folder, an interpreter under /root/.pyenv) is outside what a
 *     sandbox could have changed: canonicalised with realpath, then opened with RESOLVE_NO_SYMLINKS, so it cannot
 *     change between the two;
 *   - in the sandbox's own view (filesystem.c, protect.c) mount points are opened the same way from the new root.
 * resolve_binds (which base, canonical paths) runs in the helper before anything, in the host's view; open_binds
 * opens the descriptors where the bind trees are made: in the helper as root (binds.c), in the sandbox child when
 * unprivileged (its mount namespace must own the mounts it clones; the host root is then at /oldroot).
 * In a zygote all of it happens while the sandbox is prepared, never per request.
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STRICT_RESOLVE (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

int openat2_path(int dirfd, const char *path, int flags, unsigned long long resolve) {
  struct open_how how = {.flags = (unsigned long long)(flags | O_CLOEXEC), .resolve = resolve};
  return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int open_beneath(int base_fd, const char *rel) {
  return openat2_path(base_fd, *rel ? rel : ".", O_PATH | O_NOFOLLOW, STRICT_RESOLVE);
}

char *normalize_path(const char *opt, const char *arg) {
  if (arg[0] != '/') {
    char text[PATH_MAX + 64];
    snprintf(text, sizeof text, "%s wants an absolute path, got %s", opt, arg);
    report_error("arguments", EXIT_SETUP_FAILED, text);
    exit(EXIT_SETUP_FAILED);
  }
  char *out = malloc(strlen(arg) + 2);
  if (!out) die_step("arguments", ENOMEM, NULL, "malloc");
  size_t o = 0;
  for (const char *p = arg; *p;) {
    while (*p == '/') p++;
    const char *end = strchrnul(p, '/');
    size_t len = (size_t)(end - p);
    if (len == 0 || (len == 1 && p[0] == '.')) {
      /* nothing */
    } else if (len == 2 && p[0] == '.' && p[1] == '.') {
      while (o > 0 && out[o - 1] != '/') o--; /* lexically: the runtime hands over resolved paths anyway */
      if (o > 0) o--;
    } else {
      out[o++] = '/';
      memcpy(out + o, p, len);
      o += len;
    }
    p = end;
  }
  if (o == 0) out[o++] = '/';
  out[o] = '\0';
  return out;
}

const char *beneath(const char *path, const char *base) {
  size_t n = strlen(base);
  if (strcmp(base, "/") == 0) return path + 1;
  if (strncmp(path, base, n) != 0) return NULL;
  if (path[n] == '\0') return path + n;
  return path[n] == '/' ? path + n + 1 : NULL;
}

__attribute__((noreturn)) void die_path(const char *step, int err, const char *what, const char *path, const char *base) {
  const char *hint;
  switch (err) {
    case ELOOP:
      hint = "it, or a folder on the way to it, is a symbolic link inside a folder sandboxes can write: such links are "
             "never followed (an earlier run could have planted it) — replace the link by the real folder, or grant "
             "its target by its own path";
      break;
    case EXDEV: hint = "it leads out of the folder it is named in"; break;
    case ENOENT: hint = "it does not exist (any more): create it or drop it from the profile"; break;
    default: hint = NULL; break;
  }
  if (base) die_step(step, err, hint, "%s %s: openat2(\"%s\", RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS)", what, path, base);
  die_step(step, err, hint, "%s %s: openat2(RESOLVE_NO_SYMLINKS)", what, path);
}

static bool forbidden_bind(const char *real) {
  return strcmp(real, "/") == 0 || beneath(real, "/proc") || beneath(real, "/dev");
}

static int by_length(const void *a, const void *b) {
  size_t la = strlen(((const struct bind_spec *)a)->given), lb = strlen(((const struct bind_spec *)b)->given);
  return la < lb ? -1 : la > lb;
}

/* The writable bind among binds[0..upto) a path is named beneath (given or canonical form), the longest; -1 when none. */
static int writable_base(const struct sandbox_config *cfg, size_t upto, const char *path, const char **rel) {
  int best = -1;
  size_t best_len = 0;
  for (size_t j = 0; j < upto; j++) {
    const struct bind_spec *b = &cfg->binds[j];
    if (!b->writable) continue;
    const char *forms[2] = {b->given, b->path};
    for (int f = 0; f < 2; f++) {
      const char *r = beneath(path, forms[f]);
      if (r && strlen(forms[f]) >= best_len) {
        best = (int)j;
        best_len = strlen(forms[f]);
        *rel = r;
      }
    }
  }
  return best;
}

void resolve_binds(struct sandbox_config *cfg) {
  /* Shortest first: a base always comes before what is named beneath it. */
  qsort(cfg->binds, cfg->nbinds, sizeof cfg->binds[0], by_length);
  for (size_t i = 0; i < cfg->nbinds; i++) {
    struct bind_spec *b = &cfg->binds[i];
    const char *rel = NULL;
    b->base = b->is_cwd ? -1 : writable_base(cfg, i, b->given, &rel);
    if (b->base >= 0) {
      const struct bind_spec *base = &cfg->binds[b->base];
      b->rel = rel;
      char *shown = malloc(strlen(base->path) + strlen(rel) + 2);
      if (!shown) die_step("resolve_paths", ENOMEM, NULL, "malloc");
      sprintf(shown, "%s%s%s", base->path, *rel && strcmp(base->path, "/") ? "/" : "", rel);
      free(b->path);
      b->path = shown;
      continue;
    }
    /* Outside every writable folder (or the working directory itself): what no sandbox could have changed. */
    const char *what = b->is_cwd ? "--cwd" : b->writable ? "--rw" : "--ro";
    char *real = realpath(b->given, NULL);
    if (!real) die_step("resolve_paths", errno, "the path does not exist on the host; create it or drop the option",
                        "%s %s: realpath", what, b->given);
    free(b->path);
    b->path = real;
    if (forbidden_bind(real)) die_step("arguments", 0, NULL, "cannot bind %s: the sandbox makes its own /, /proc and /dev", real);
    if (b->is_cwd) {
      free(cfg->cwd);
      cfg->cwd = strdup(real);
    }
  }
}

void open_binds(struct sandbox_config *cfg, const char *prefix) {
  char host[PATH_MAX + 16];
  for (size_t i = 0; i < cfg->nbinds; i++) {
    struct bind_spec *b = &cfg->binds[i];
    const char *what = b->is_cwd ? "--cwd" : b->writable ? "--rw" : "--ro";
    if (b->base >= 0) {
      b->src_fd = open_beneath(cfg->binds[b->base].src_fd, b->rel);
      if (b->src_fd < 0) die_path("resolve_paths", errno, what, b->given, cfg->binds[b->base].path);
    } else {
      /* Canonical already (resolve_binds): a link appearing since fails instead of being followed. */
      snprintf(host, sizeof host, "%s%s", prefix, b->path);
      b->src_fd = openat2_path(AT_FDCWD, host, O_PATH, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
      if (b->src_fd < 0) die_path("resolve_paths", errno, what, b->path, NULL);
    }
    struct stat st;
    if (fstat(b->src_fd, &st) < 0) die_step("resolve_paths", errno, NULL, "fstat(%s)", b->path);
    /* O_PATH|O_NOFOLLOW hands back the link itself when the last component is one: refused like a link on the way. */
    if (S_ISLNK(st.st_mode)) die_path("resolve_paths", ELOOP, what, b->given, b->base >= 0 ? cfg->binds[b->base].path : NULL);
    if (b->is_cwd && !S_ISDIR(st.st_mode)) die_step("resolve_paths", ENOTDIR, NULL, "--cwd %s", b->path);
    b->is_dir = S_ISDIR(st.st_mode);
    b->uid = st.st_uid;
    b->gid = st.st_gid;
  }
}

const char *view_path(const struct sandbox_config *cfg, const char *given, char *out, size_t outsz) {
  const char *rel = NULL;
  const struct bind_spec *best = NULL;
  size_t best_len = 0;
  for (size_t j = 0; j < cfg->nbinds; j++) {
    const char *forms[2] = {cfg->binds[j].given, cfg->binds[j].path};
    for (int f = 0; f < 2; f++) {
      const char *r = beneath(given, forms[f]);
      if (r && strlen(forms[f]) >= best_len) {
        best = &cfg->binds[j];
        best_len = strlen(forms[f]);
        rel = r;
      }
    }
  }
  if (!best) snprintf(out, outsz, "%s", given);
  else snprintf(out, outsz, "%s%s%s", best->path, *rel && strcmp(best->path, "/") ? "/" : "", rel);
  return out;
}

const struct bind_spec *covering_bind(const struct sandbox_config *cfg, const char *view, bool writable_only) {
  const struct bind_spec *best = NULL;
  for (size_t j = 0; j < cfg->nbinds; j++) {
    const struct bind_spec *b = &cfg->binds[j];
    if (writable_only && !b->writable) continue;
    if (beneath(view, b->path) && (!best || strlen(b->path) > strlen(best->path))) best = b;
  }
  return best;
}

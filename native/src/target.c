/* What a notified task passed to a syscall, read from outside it (target.h). */
#define _GNU_SOURCE
#include "target.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

bool target_read_string(pid_t pid, uint64_t addr, char *out, size_t size) {
  if (!size) return false;
  out[0] = '\0';
  size_t got = 0;
  while (got + 1 < size && addr) {
    size_t chunk = 4096 - (size_t)((addr + got) & 4095);
    if (chunk > size - 1 - got) chunk = size - 1 - got;
    struct iovec local = {.iov_base = out + got, .iov_len = chunk};
    struct iovec remote = {.iov_base = (void *)(uintptr_t)(addr + got), .iov_len = chunk};
    ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n <= 0) break;
    char *nul = memchr(out + got, '\0', (size_t)n);
    got += (size_t)n;
    if (nul) return true;
  }
  out[got < size ? got : size - 1] = '\0';
  return false;
}

bool target_base_dir(pid_t pid, int dirfd, char *out, size_t size) {
  char link[64];
  if (dirfd == AT_FDCWD) snprintf(link, sizeof link, "/proc/%d/cwd", (int)pid);
  else snprintf(link, sizeof link, "/proc/%d/fd/%d", (int)pid, dirfd);
  ssize_t n = readlink(link, out, size - 1);
  if (n <= 0 || out[0] != '/') return false;
  out[n] = '\0';
  return true;
}

/*
 * stat of `path` as the task sees it. The walk stays inside the task's root (RESOLVE_IN_ROOT: an absolute link on
 * the way, or "..", resolves against that root): a plain stat of /proc/PID/root/PATH would resolve an absolute link
 * against the HELPER's root, so a link the workload made to a host-only path would be answered by the host.
 */
bool target_stat(pid_t pid, const char *path, bool follow_last, struct stat *st) {
  /* Opened for each lookup, not kept: a task may change its root, and a pid may be another task's by the next call. */
  char root_path[32];
  snprintf(root_path, sizeof root_path, "/proc/%d/root", (int)pid);
  int root = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return false;
  int fd;
  /* EAGAIN: a ".." met a rename elsewhere during the walk (RESOLVE_IN_ROOT's guard); the walk is simply tried again. */
  for (int attempt = 0; attempt < 4; attempt++) {
    fd = openat2_path(root, path, O_PATH | (follow_last ? 0 : O_NOFOLLOW), RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (fd >= 0 || errno != EAGAIN) break;
  }
  close(root);
  if (fd < 0) return false;
  bool ok = fstat(fd, st) == 0;
  close(fd);
  return ok;
}

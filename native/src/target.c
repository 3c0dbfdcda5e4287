/* What a notified task passed to a syscall, read from outside it (target.h). */
#define _GNU_SOURCE
#include "target.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
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

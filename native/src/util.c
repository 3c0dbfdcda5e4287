/* Small helpers shared by the setup steps. */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t monotonic_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Short-lived children of the helper whose end nobody waits for on the critical path (sandbox.h). */
static pid_t later[MAX_BINDS + 4];
static size_t nlater;

void reap_later(pid_t pid) {
  if (nlater < sizeof later / sizeof later[0]) later[nlater++] = pid;
  else
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
}

/* Never blocks: a child not yet scheduled on a busy machine must not delay the supervision; one still running
 * stays listed (and is reaped by init if the helper exits first). */
void reap_children_later(void) {
  size_t kept = 0;
  for (size_t i = 0; i < nlater; i++) {
    pid_t r;
    do r = waitpid(later[i], NULL, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0) later[kept++] = later[i];
  }
  nlater = kept;
}

/* mkdir -p; an existing directory (or anything existing at the final path) is fine. */
int mkdir_p(const char *path, mode_t mode) {
  char buf[PATH_MAX];
  if (strlen(path) >= sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(buf, path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, mode) < 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(buf, mode) < 0 && errno != EEXIST) return -1;
  return 0;
}

ssize_t read_small_file(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  return n;
}

/* The sync channel between helper and sandbox child (see channel.h). */
#define _GNU_SOURCE
#include "channel.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

bool channel_send(int fd, enum msg_type type, int code, int value, const char *step, const char *text) {
  struct msg m;
  memset(&m, 0, sizeof m);
  m.type = type;
  m.code = code;
  m.value = value;
  if (step) strncpy(m.step, step, sizeof m.step - 1);
  if (text) strncpy(m.text, text, sizeof m.text - 1);
  ssize_t n;
  do n = send(fd, &m, sizeof m, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t)sizeof m;
}

static int passed_fd = -1;

int channel_take_fd(void) {
  int fd = passed_fd;
  passed_fd = -1;
  return fd;
}

int channel_recv(int fd, struct msg *m) {
  ssize_t n;
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = {.iov_base = m, .iov_len = sizeof *m};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
  /* ECONNRESET: the peer closed with a message of ours unread (a child that died before taking MSG_LIMITS).
   * The kernel reports that error before the messages still queued for us, and clears it when it does:
   * read again, once, so the peer's last words (its MSG_ERROR) are not lost. */
  bool reset_seen = false;
  for (;;) {
    n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
    if (n >= 0 || errno == EINTR) { if (n >= 0) break; continue; }
    if (errno == ECONNRESET && !reset_seen) { reset_seen = true; continue; }
    break;
  }
  if (passed_fd >= 0) close(passed_fd); /* an fd nobody took: not kept */
  passed_fd = -1;
  for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
      memcpy(&passed_fd, CMSG_DATA(c), sizeof passed_fd);
  if (n < 0) return -1;
  if (n == 0) return 0;
  if (n != (ssize_t)sizeof *m) {
    errno = EPROTO;
    return -1;
  }
  m->step[sizeof m->step - 1] = '\0';
  m->text[sizeof m->text - 1] = '\0';
  return 1;
}

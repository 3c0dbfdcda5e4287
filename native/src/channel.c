/* The sync channel between helper and sandbox child (see channel.h). */
#define _GNU_SOURCE
#include "channel.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

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

int channel_recv(int fd, struct msg *m) {
  ssize_t n;
  do n = recv(fd, m, sizeof *m, 0);
  while (n < 0 && errno == EINTR);
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

/* Errors with step, call, errno name and hint; the JSON status lines (see report.h, docs/sandbox.md). */
#define _GNU_SOURCE
#include "report.h"

#include "channel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int status_fd = -1;
static int child_channel = -1;

void report_set_status_fd(int fd) { status_fd = fd; }
void report_close_status_fd(void) {
  if (status_fd >= 0) close(status_fd);
  status_fd = -1;
}
void report_set_child_channel(int fd) { child_channel = fd; }
bool report_in_child(void) { return child_channel >= 0; }
int report_child_channel(void) { return child_channel; }

const char *errno_name(int err) {
  const char *name = strerrorname_np(err);
  return name ? name : "E?";
}

const char *signal_name(int sig, char *buf, size_t bufsz) {
  const char *abbrev = sigabbrev_np(sig);
  if (abbrev) snprintf(buf, bufsz, "SIG%s", abbrev);
  else snprintf(buf, bufsz, "SIG%d", sig);
  return buf;
}

void json_escape(char *out, size_t outsz, const char *in) {
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)in; *p && o + 7 < outsz; p++) {
    if (*p == '"' || *p == '\\') {
      out[o++] = '\\';
      out[o++] = (char)*p;
    } else if (*p == '\n') {
      out[o++] = '\\';
      out[o++] = 'n';
    } else if (*p < 0x20) {
      o += (size_t)snprintf(out + o, outsz - o, "\\u%04x", *p);
    } else {
      out[o++] = (char)*p;
    }
  }
  out[o] = '\0';
}

static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return; /* the status reader went away: nothing sensible left to do with the line */
    buf += n;
    len -= (size_t)n;
  }
}

size_t status_format(char *line, size_t size, const char *fields_fmt, ...) {
  va_list ap;
  va_start(ap, fields_fmt);
  line[0] = '{';
  int n = vsnprintf(line + 1, size - 3, fields_fmt, ap);
  va_end(ap);
  if (n < 0) return 0;
  size_t len = 1 + ((size_t)n < size - 3 ? (size_t)n : size - 4);
  line[len++] = '}';
  line[len++] = '\n';
  return len;
}

void status_write(const char *line, size_t len) {
  if (status_fd >= 0 && len > 0) write_all(status_fd, line, len);
}

void status_event(const char *fields_fmt, ...) {
  if (status_fd < 0) return;
  char line[4096], fields[4096];
  va_list ap;
  va_start(ap, fields_fmt);
  int n = vsnprintf(fields, sizeof fields, fields_fmt, ap);
  va_end(ap);
  if (n < 0) return;
  status_write(line, status_format(line, sizeof line, "%s", fields));
}

void report_release_stdio(void) {
  if (status_fd < 0) return;
  int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd < 0) return; /* best effort: the streams then end when this process exits */
  for (int i = 0; i <= 2; i++) dup2(fd, i);
  if (fd > 2) close(fd);
}

void note(const char *fmt, ...) {
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (child_channel >= 0) {
    channel_send(child_channel, MSG_NOTE, 0, 0, NULL, text);
    return;
  }
  char esc[2048];
  json_escape(esc, sizeof esc, text);
  status_event("\"event\":\"note\",\"message\":\"%s\"", esc);
}

/* Messages on stderr carry the name the helper was started under (argv[0], as Unix tools do): "phantom-sandbox"
 * when run directly, "phantom" when the CLI runs it, so that a CLI user never meets the internal name. */
void report_error(const char *step, int code, const char *message) {
  dprintf(STDERR_FILENO, "%s: %s\n", program_invocation_short_name, message);
  char esc[2048];
  json_escape(esc, sizeof esc, message);
  status_event("\"event\":\"error\",\"step\":\"%s\",\"code\":%d,\"message\":\"%s\"", step, code, esc);
}

void die_step(const char *step, int err, const char *hint, const char *call_fmt, ...) {
  char call[512];
  va_list ap;
  va_start(ap, call_fmt);
  vsnprintf(call, sizeof call, call_fmt, ap);
  va_end(ap);

  char text[1024];
  if (err)
    snprintf(text, sizeof text, "%s: %s: %s (%s)%s%s", step, call, errno_name(err), strerror(err),
             hint ? " — " : "", hint ? hint : "");
  else
    snprintf(text, sizeof text, "%s: %s%s%s", step, call, hint ? " — " : "", hint ? hint : "");

  if (child_channel >= 0) {
    if (!channel_send(child_channel, MSG_ERROR, EXIT_SETUP_FAILED, err, step, text))
      dprintf(STDERR_FILENO, "%s: %s\n", program_invocation_short_name, text); /* the helper is gone: stderr is all we have */
    _exit(EXIT_SETUP_FAILED);
  }
  report_error(step, EXIT_SETUP_FAILED, text);
  exit(EXIT_SETUP_FAILED);
}

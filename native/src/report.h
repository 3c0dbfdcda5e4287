/*
 * Errors and the machine-readable status stream.
 *
 * Every failing step names the step, the exact call with its arguments, the errno name and, for known
 * kernel causes, a hint (like bubblewrap and nsjail). In the sandbox child the message travels to the
 * helper over the sync channel; the helper prints it on stderr ("phantom-sandbox: ...", or the name argv[0] gives) and writes a JSON
 * line on the status fd (fd 3 when open), then exits 125.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define EXIT_SETUP_FAILED 125
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127

void report_set_status_fd(int fd);
/* The sandbox child never writes status lines itself: it closes its copy of the status fd. */
void report_close_status_fd(void);
void report_set_child_channel(int fd);
bool report_in_child(void);
/* The sync channel fd in the sandbox child, init and the workload (-1 in the helper). */
int report_child_channel(void);

/* Writes one JSON line (the object's fields without braces) to the status fd, if open. */
__attribute__((format(printf, 1, 2))) void status_event(const char *fields_fmt, ...);
/* The same in two steps, for a line written when little code may run (a zygote after shedding its pages):
 * formats it into line[size], returns its length; status_write writes it (if the status fd is open). */
__attribute__((format(printf, 3, 4))) size_t status_format(char *line, size_t size, const char *fields_fmt, ...);
void status_write(const char *line, size_t len);

/* Before the exit line: the helper lets go of its copies of the run's stdin/stdout/stderr (/dev/null instead), so
 * the reader sees end of file as soon as the sandbox's processes are gone, without waiting for this process to
 * exit. Only with a status fd (a runtime reads the exit line); without one, stderr stays for late messages. */
void report_release_stdio(void);

/* A note for the user ("memory limit via RLIMIT_AS"). In the child it is forwarded to the helper. */
__attribute__((format(printf, 1, 2))) void note(const char *fmt, ...);

/* Fails the sandbox setup (exit 125). err is an errno value, 0 when no call failed. */
__attribute__((noreturn, format(printf, 4, 5)))
void die_step(const char *step, int err, const char *hint, const char *call_fmt, ...);

/* Prints a helper-side error with step and exit code; writes the error event. */
void report_error(const char *step, int code, const char *message);

const char *errno_name(int err);
const char *signal_name(int sig, char *buf, size_t bufsz);
/* Escapes in as the inside of a JSON string. */
void json_escape(char *out, size_t outsz, const char *in);

/*
 * Zygote mode (--zygote --control-fd N): every setup step that does not depend on the command runs ahead of
 * time — clone with the namespaces, uid/gid maps, cgroups, the filesystem view (idmapped cwd included),
 * network, hostname, capabilities dropped, no_new_privs, the Landlock ruleset built, the seccomp filter read —
 * and then the sandbox waits for ONE command on the control socket. Init has started the workload ahead of time
 * (its process group, rlimits, cwd and Landlock done); with the command it sets the CPU limit, installs the
 * seccomp filter and calls execve; exec and exit are reported as status lines, as on the cold path. One zygote
 * serves one run and then exits. See docs/zygotes.md.
 *
 * Request on the control socket (a stream; the runtime writes it with one write):
 *   uint32 length (host byte order), then `length` bytes of NUL-terminated items, each tagged by its first
 *   character: 'a' an argv entry (in order; the first is a path), 'e' an environment entry KEY=VALUE,
 *   't' the wall-time limit in seconds, 'c' the CPU-time limit in seconds.
 * The helper reads it, passes it to the waiting workload (one SEQPACKET packet on the sync channel) and
 * answers {"event":"accepted"} on the status fd. End of file on the control socket before a request: the zygote is retired
 * (the runtime shrank the pool or exited) — the helper kills the sandbox and exits 0 without a status line.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sandbox_config;

/* main.c: --zygote with --control-fd N (an open fd of the caller). */
void zygote_configure(int control_fd);
bool zygote_enabled(void);

/* supervisor.c, in the helper, after MSG_GO: waits for the child's readiness, then for the request; fills
 * cfg->argv/envp/timeout_seconds/cpu_seconds and returns the time the request arrived (the new setup start). */
uint64_t zygote_wait_for_request(struct sandbox_config *cfg, int sync_fd, int signal_fd, pid_t child, uint64_t t0);

/* init.c, first thing in the sandbox child: closes its inherited copy of the control socket. */
void zygote_close_control(void);

/* init.c, in the primed workload after its Landlock step: drops its shared pages (through smaps_fd, opened before
 * Landlock; -1 skips it) — the last thing before the wait but the filter's installation. */
void zygote_shed_pages(int smaps_fd);

/* init.c, in the primed workload: reports readiness and blocks until the request arrives; fills
 * cfg->argv/envp/cpu_seconds. Every system call it makes from here on is in init.c's await_calls. */
void zygote_await_command(struct sandbox_config *cfg, int sync_fd);

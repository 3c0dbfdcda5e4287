/*
 * Network refusals (docs/sandbox.md, "Denials"): under --net none and loopback the network NAMESPACE enforces
 * isolation (none: no interface up, not even lo; loopback: only lo), not the filter. To say which address a
 * program could not reach, the denial filter's copy sends connect, sendto (with a destination), sendmsg and
 * sendmmsg that the profile ALLOWS to the supervisor too: it reads the destination from the task's memory, records
 * it when the mode cannot reach it, and answers CONTINUE — exactly what the profile's ALLOW would have done, so
 * nothing is widened (a thread that swaps the address after the read only changes what is REPORTED: the call
 * still meets the same empty namespace). Calls the profile refuses stay seccomp denials (the answer program
 * says ERRNO: never continued).
 *
 * --explain FILE adds the path syscalls to copy B: each, allowed by the profile, is read by learn_paths.c (as learn
 * mode reads it) and CONTINUEd; the paths and their Landlock rights are written to FILE at the end, and the runtime
 * evaluates the run's Landlock layers on them (explainRun.ts). The run is the same run: same filters, same Landlock.
 *
 * The filter: a short prefix picks, for those calls on the native architecture, copy B of the program
 * (ALLOW answers turned into USER_NOTIF), for every other call copy A (the denial copy as before): the hot path of
 * every other syscall is the old program plus a few loads and compares.
 */
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum { DENIALS_NET_NONE = 0, DENIALS_NET_LOOPBACK = 1, DENIALS_NET_HOST = 2 };

/* The prefixed program (malloc'd) for the denial copy `copy`, or NULL when it would pass BPF_MAXINSNS (or the
 * architecture is not one built here). net: the network calls go to copy B; paths: the path syscalls too (the
 * `phantom run --explain` recording, learn_paths.c). `handoff_fd`: the sync channel, whose sendmsg of the listener
 * must not wait for the listener itself. */
struct sock_filter *denials_branch_program(const struct sock_filter *copy, size_t len, int handoff_fd, bool net, bool paths,
                                           size_t *out_len);
/* One of the calls copy B notifies. */
bool denials_net_call(const struct seccomp_data *d);
/* Whether the call's destination is an inet/inet6 address `mode` cannot reach; writes "host:port" into out. */
bool denials_net_unreachable(pid_t pid, const struct seccomp_data *d, int mode, char *out, size_t size);

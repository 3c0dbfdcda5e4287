/*
 * Learn mode, Landlock side: the path and TCP-port arguments of the recorded syscalls (learn_paths.c). Each
 * path syscall is read from the waiting task's memory (process_vm_readv), resolved to an absolute path as the
 * sandbox sees it (against /proc/PID/cwd or the dirfd's /proc/PID/fd/N link), and mapped to the Landlock right
 * the kernel checks for it (kernel bit numbers: execute = bit 0 ... ioctl_dev = bit 15). TCP bind/connect
 * ports come from the sockaddr. Written into the recording as "paths" and "ports" (docs/learn-mode.md).
 */
#pragma once

#include <linux/seccomp.h>
#include <stdio.h>

/* --learn-no-paths: count syscalls only (what `phantom bench --learn` compares the path recording with). */
void learn_paths_disable(void);
/* --explain: record only what the kernel will check (a path that exists for rights on it; make only what is missing,
 * remove only what is there), seen in the task's root while the call waits: refusals, not needs. A path that does
 * not exist there is recorded with bit 31 (LL_MISSING) set: the view hides it, or it exists nowhere. */
void learn_paths_exact(void);
/* In the helper, while the task of `req` still waits (before SEND): record what this syscall touches. */
void learn_paths_record(int listener, const struct seccomp_notif *req);
/* learn_finish: `,"pathUs":N,"paths":[...],"ports":[...]` (sorted, so the same run gives the same bytes). */
void learn_paths_write(FILE *f);

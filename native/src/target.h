/*
 * Reading what a stopped (notified) task passed to a syscall: a string in its memory, the directory a relative
 * path of it starts from, what a path names in its view. Shared by the denial supervisor (denials.c) and learn
 * mode's path recording (learn_paths.c).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* A NUL-terminated string at `addr` in task `pid` into out[size], page by page (process_vm_readv stops at an
 * unmapped page, so a string that ends just before one is still read). `out` always ends with a NUL (what could
 * be read, truncated); true only when the whole string fitted. */
bool target_read_string(pid_t pid, uint64_t addr, char *out, size_t size);

/* The directory a relative path of task `pid` starts from: its cwd for AT_FDCWD, else the link of its `dirfd`.
 * False when that is not a path (pipe:[..], anon_inode:..) or cannot be read. */
bool target_base_dir(pid_t pid, int dirfd, char *out, size_t size);

/* stat of `path` as task `pid` sees it, resolved inside its root (absolute links and ".." stay in it); the last
 * link followed when `follow_last`. False when it is not there (or the task is gone). */
bool target_stat(pid_t pid, const char *path, bool follow_last, struct stat *st);

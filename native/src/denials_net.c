/* Network refusals (denials_net.h; docs/sandbox.md, "Denials", network). */
#define _GNU_SOURCE
#include "denials_net.h"

#include <arpa/inet.h>
#include <linux/audit.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#if defined(__x86_64__)
#define NET_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NET_ARCH AUDIT_ARCH_AARCH64
#else
#define NET_ARCH 0u
#endif

/* The path syscalls learn_paths.c reads (the --explain recording), on the native architecture. */
static const int path_calls[] = {
    __NR_openat, __NR_execve, __NR_execveat, __NR_mkdirat, __NR_unlinkat, __NR_renameat2, __NR_linkat, __NR_symlinkat,
    __NR_truncate, __NR_ftruncate, __NR_mknodat, __NR_getdents64, __NR_bind, __NR_connect,
#if defined(__x86_64__)
    __NR_open, __NR_creat, __NR_mkdir, __NR_unlink, __NR_rmdir, __NR_rename, __NR_renameat, __NR_link, __NR_symlink,
    __NR_mknod, __NR_getdents,
#endif
};
#define NPATH (sizeof path_calls / sizeof path_calls[0])
#define PREFIX_MAX (8 + NPATH + 12)

struct sock_filter *denials_branch_program(const struct sock_filter *copy, size_t len, int handoff_fd, bool net, bool paths,
                                           size_t *out_len) {
  if (NET_ARCH == 0u || (!net && !paths)) return NULL;
  struct sock_filter pre[PREFIX_MAX];
  size_t n = 0;
  /* Jumps are patched once the labels are known: the sites that go to A, to NET, to SENDTO, to FD. */
  size_t to_a[8], to_net[NPATH + 8], to_sendto = 0, to_fd[2];
  size_t na = 0, nnet = 0, nfd = 0;
  pre[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  to_a[na++] = n; /* jf */
  pre[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NET_ARCH, 0, 0);
  pre[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  if (paths)
    for (size_t i = 0; i < NPATH; i++) to_net[nnet++] = n, pre[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)path_calls[i], 0, 0);
  else
    to_net[nnet++] = n, pre[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_connect, 0, 0);
  if (net) {
    to_sendto = n, pre[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendto, 0, 0);
    to_fd[nfd++] = n, pre[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmsg, 0, 0);
    to_fd[nfd++] = n, pre[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmmsg, 0, 0);
  }
  size_t ja_a = n;
  pre[n++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA | BPF_K, 0); /* anything else → A */
  size_t sendto_at = n, fd_at = 0;
  const uint32_t lo4 = offsetof(struct seccomp_data, args[4]), lo0 = offsetof(struct seccomp_data, args[0]);
  if (net) {
    /* sendto without a destination (a connected socket) → A; args are 64-bit little-endian: the high half is +4 */
    pre[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, lo4);
    to_net[nnet++] = n, pre[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0); /* jf → NET */
    pre[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, lo4 + 4);
    to_a[na++] = n, pre[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0); /* jt → A, jf → NET */
    /* sendmsg/sendmmsg on the hand-off channel (denials.c sends the listener with it: it cannot wait for itself) → A */
    fd_at = n;
    pre[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, lo0);
    to_a[na++] = n, pre[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)handoff_fd, 0, 0);
  }
  size_t net_at = n;
  pre[n++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA | BPF_K, (uint32_t)len); /* NET → B */
  size_t a_at = n;
  /* Patch: conditional offsets are relative to the next instruction and at most 255 (the prefix is short). */
  pre[to_a[0]].jf = (uint8_t)(a_at - to_a[0] - 1);
  for (size_t i = 0; i < nnet; i++) {
    size_t at = to_net[i];
    if (net && at == sendto_at + 1) pre[at].jf = (uint8_t)(net_at - at - 1);
    else pre[at].jt = (uint8_t)(net_at - at - 1);
  }
  if (net) {
    pre[to_sendto].jt = (uint8_t)(sendto_at - to_sendto - 1);
    for (size_t i = 0; i < nfd; i++) pre[to_fd[i]].jt = (uint8_t)(fd_at - to_fd[i] - 1);
    size_t hi = to_a[1], fdcmp = to_a[2];
    pre[hi].jt = (uint8_t)(a_at - hi - 1), pre[hi].jf = (uint8_t)(net_at - hi - 1);
    pre[fdcmp].jt = (uint8_t)(a_at - fdcmp - 1), pre[fdcmp].jf = (uint8_t)(net_at - fdcmp - 1);
  }
  pre[ja_a].k = (uint32_t)(a_at - ja_a - 1);

  size_t total = n + 2 * len;
  if (total > BPF_MAXINSNS) return NULL;
  struct sock_filter *p = malloc(total * sizeof *p);
  if (!p) return NULL;
  memcpy(p, pre, n * sizeof *p);
  memcpy(p + n, copy, len * sizeof *p);
  memcpy(p + n + len, copy, len * sizeof *p);
  /* B: the profile's ALLOW answers become notifications (its ERRNO ones already are, in the copy). */
  for (size_t i = n + len; i < total; i++)
    if (p[i].code == (BPF_RET | BPF_K) && (p[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW) p[i].k = SECCOMP_RET_USER_NOTIF;
  *out_len = total;
  return p;
}

bool denials_net_call(const struct seccomp_data *d) {
  return d->arch == NET_ARCH && (d->nr == __NR_connect || d->nr == __NR_sendto || d->nr == __NR_sendmsg || d->nr == __NR_sendmmsg);
}

static bool read_mem(pid_t pid, uint64_t addr, void *out, size_t size) {
  if (!addr) return false;
  struct iovec local = {out, size}, remote = {(void *)(uintptr_t)addr, size};
  return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)size;
}

/* Where the call sends to: the sockaddr's address and length in the task's memory. */
static bool destination(pid_t pid, const struct seccomp_data *d, uint64_t *addr, uint64_t *len) {
  if (d->nr == __NR_connect) {
    *addr = d->args[1], *len = d->args[2];
    return true;
  }
  if (d->nr == __NR_sendto) {
    *addr = d->args[4], *len = d->args[5];
    return true;
  }
  /* sendmsg: the msghdr's name; sendmmsg: the first message's (struct mmsghdr starts with its msghdr). */
  struct msghdr mh;
  if (!read_mem(pid, d->args[1], &mh, sizeof mh)) return false;
  *addr = (uint64_t)(uintptr_t)mh.msg_name, *len = mh.msg_namelen;
  return *addr != 0;
}

static bool loopback4(const struct in_addr *a) {
  uint32_t h = ntohl(a->s_addr);
  return (h >> 24) == 127 || h == 0; /* 0.0.0.0 connects to the local host */
}

bool denials_net_unreachable(pid_t pid, const struct seccomp_data *d, int mode, char *out, size_t size) {
  if (mode == DENIALS_NET_HOST) return false;
  uint64_t addr = 0, len = 0;
  if (!destination(pid, d, &addr, &len)) return false;
  struct sockaddr_in6 sa;
  memset(&sa, 0, sizeof sa);
  size_t want = len < sizeof sa ? (size_t)len : sizeof sa;
  if (want < sizeof(struct sockaddr_in)) return false; /* too short for an inet address: the kernel says EINVAL */
  if (!read_mem(pid, addr, &sa, want)) return false;
  char host[INET6_ADDRSTRLEN] = "";
  bool loopback;
  if (sa.sin6_family == AF_INET) {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)&sa;
    loopback = loopback4(&s4->sin_addr);
    inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
    snprintf(out, size, "%s:%u", host, (unsigned)ntohs(s4->sin_port));
  } else if (sa.sin6_family == AF_INET6 && want >= sizeof(struct sockaddr_in6)) {
    const struct in6_addr *a = &sa.sin6_addr;
    loopback = IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a);
    if (IN6_IS_ADDR_V4MAPPED(a)) loopback = loopback4((const struct in_addr *)&a->s6_addr32[3]);
    inet_ntop(AF_INET6, a, host, sizeof host);
    snprintf(out, size, "[%s]:%u", host, (unsigned)ntohs(sa.sin6_port));
  } else {
    return false; /* AF_UNIX, AF_UNSPEC, …: not the network namespace's business */
  }
  /* none: no interface is up, not even lo; loopback: only lo is. */
  return mode == DENIALS_NET_NONE || !loopback;
}

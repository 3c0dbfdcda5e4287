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

#define PREFIX 14

struct sock_filter *denials_net_program(const struct sock_filter *copy, size_t len, int handoff_fd, size_t *out_len) {
  size_t total = PREFIX + 2 * len;
  if (NET_ARCH == 0u || total > BPF_MAXINSNS) return NULL;
  struct sock_filter *p = malloc(total * sizeof *p);
  if (!p) return NULL;
  const uint32_t lo4 = offsetof(struct seccomp_data, args[4]), lo0 = offsetof(struct seccomp_data, args[0]);
  /* args are 64-bit, little-endian on the architectures built here: the high half is 4 bytes further. */
  const struct sock_filter prefix[PREFIX] = {
      /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NET_ARCH, 0, 12),           /* other arch → A */
      /* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_connect, 9, 0),        /* → NET */
      /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendto, 2, 0),         /* → SENDTO */
      /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmsg, 5, 0),        /* → FD */
      /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmmsg, 4, 7),       /* → FD, else A */
      /* 7 SENDTO: no destination (a connected socket) → A */
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, lo4),
      /* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4),                   /* low half set → NET */
      /* 9 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, lo4 + 4),
      /* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 2),                  /* NULL → A, else NET */
      /* 11 FD: the hand-off's own sendmsg of the listener (denials.c) → A: it cannot wait for itself */
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, lo0),
      /* 12 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)handoff_fd, 1, 0),
      /* 13 NET */ BPF_STMT(BPF_JMP | BPF_JA | BPF_K, (uint32_t)len), /* → B */
  };
  memcpy(p, prefix, sizeof prefix);
  memcpy(p + PREFIX, copy, len * sizeof *p);
  memcpy(p + PREFIX + len, copy, len * sizeof *p);
  /* B: the profile's ALLOW answers become notifications (its ERRNO ones already are, in the copy). */
  for (size_t i = PREFIX + len; i < total; i++)
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

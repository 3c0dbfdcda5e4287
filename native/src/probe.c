/*
 * --probe: tries (never assumes) what the sandbox needs and prints one JSON line per check on stdout:
 *   {"id":"netns","ok":true,"detail":"unshare(CLONE_NEWUSER|CLONE_NEWNET) works"}
 * Each namespace is tried in a throw-away child, combined with CLONE_NEWUSER as the sandbox uses it.
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static void print_check(const char *id, bool ok, const char *detail) {
  char esc[1024];
  json_escape(esc, sizeof esc, detail);
  printf("{\"id\":\"%s\",\"ok\":%s,\"detail\":\"%s\"}\n", id, ok ? "true" : "false", esc);
}

/* Runs in the child: 0 on success, else an errno value. */
static int try_namespace(int flag) {
  if (unshare(CLONE_NEWUSER | flag) < 0) return errno;
  if (flag == CLONE_NEWPID) {
    /* A new pid namespace only applies to children: the first one must be PID 1. */
    pid_t pid = fork();
    if (pid < 0) return errno;
    if (pid == 0) _exit(getpid() == 1 ? 0 : 1);
    int status;
    if (waitpid(pid, &status, 0) < 0) return errno;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
  }
  if (flag == CLONE_NEWNS && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return errno;
  return 0;
}

static void probe_namespace(const char *id, int flag) {
  char names[128], detail[256];
  clone_flags_string(CLONE_NEWUSER | flag, names, sizeof names);
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(detail, sizeof detail, "fork: %s", errno_name(errno));
    print_check(id, false, detail);
    return;
  }
  if (pid == 0) _exit(try_namespace(flag));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  int err = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
  if (err == 0) snprintf(detail, sizeof detail, "unshare(%s) works", names);
  else snprintf(detail, sizeof detail, "unshare(%s): %s (%s)", names, errno_name(err), strerror(err));
  print_check(id, err == 0, detail);
}

static void probe_idmap(void) {
  if (geteuid() != 0) {
    print_check("idmap-mount", true, "not needed: unprivileged, the sandbox user is you");
    return;
  }
  const char *call = NULL;
  char detail[256];
  int ns = make_idmap_userns(0, 65534, 0, 65534, &call);
  int root = open("/", O_PATH | O_CLOEXEC);
  int fd = ns >= 0 && root >= 0 ? idmapped_tree(root, ns, false, &call) : -1;
  if (root >= 0) close(root);
  int err = errno;
  if (fd >= 0) snprintf(detail, sizeof detail, "open_tree(\"/\", OPEN_TREE_CLONE) + mount_setattr(MOUNT_ATTR_IDMAP) work");
  else snprintf(detail, sizeof detail, "%s on \"/\": %s (%s)", call, errno_name(err), strerror(err));
  print_check("idmap-mount", fd >= 0, detail);
  if (fd >= 0) close(fd);
  if (ns >= 0) close(ns);
}

int run_probe(void) {
  probe_namespace("userns", 0);
  probe_namespace("pidns", CLONE_NEWPID);
  probe_namespace("mountns", CLONE_NEWNS);
  probe_namespace("netns", CLONE_NEWNET);
  probe_namespace("utsns", CLONE_NEWUTS);
  probe_namespace("ipcns", CLONE_NEWIPC);
  probe_namespace("cgroupns", CLONE_NEWCGROUP);
  probe_idmap();
  return 0;
}

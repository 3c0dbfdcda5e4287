/*
 * Steps 2b and 6: the child's identity and privileges.
 *
 * Order matters. The child switches to the sandbox uid/gid right after the maps are written, BEFORE the
 * mount setup: it keeps its capabilities in the new user namespace (it is not the namespace's uid 0, so
 * no setuid capability fix-up happens), and every inode it creates on the sandbox's own tmpfs gets a
 * mapped owner (as host root its kuid 0 is unmapped there and mkdir would fail with EOVERFLOW).
 * After the setup, drop_capabilities() empties every capability set; execve of a non-root uid would
 * clear them anyway, but init keeps running without an execve.
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

void switch_to_sandbox_ids(const struct sandbox_config *cfg) {
  gid_t g = cfg->sandbox_gid;
  uid_t u = cfg->sandbox_uid;
  if (setresgid(g, g, g) < 0)
    die_step("switch_to_sandbox_ids", errno, "the gid is not in the sandbox's gid_map", "setresgid(%u, %u, %u)", g, g, g);
  /* Unprivileged, setgroups is denied in the namespace (see write_id_maps): the caller's supplementary
   * groups stay attached, shown as nogroup, and cannot be dropped. */
  if (cfg->privileged && setgroups(0, NULL) < 0)
    die_step("switch_to_sandbox_ids", errno, NULL, "setgroups(0, NULL)");
  if (setresuid(u, u, u) < 0)
    die_step("switch_to_sandbox_ids", errno, "the uid is not in the sandbox's uid_map", "setresuid(%u, %u, %u)", u, u, u);
}

/* Changing uids clears the parent-death signal; set it again and make sure the helper did not die in
 * between (then the channel is hung up). */
void rearm_parent_death_signal(int sync_fd) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die_step("die_with_parent", errno, NULL, "prctl(PR_SET_PDEATHSIG, SIGKILL)");
  struct pollfd p = {.fd = sync_fd, .events = POLLIN};
  if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP)) _exit(EXIT_SETUP_FAILED);
}

void drop_capabilities(void) {
  /* Bounding set first (needs CAP_SETPCAP, which goes with the rest below). EINVAL past the kernel's last
   * capability ends the loop. */
  for (int cap = 0; cap <= 63; cap++) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
      if (errno == EINVAL) break;
      die_step("drop_capabilities", errno, NULL, "prctl(PR_CAPBSET_DROP, %d)", cap);
    }
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    die_step("drop_capabilities", errno, NULL, "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)");
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2] = {{0, 0, 0}, {0, 0, 0}};
  if (syscall(SYS_capset, &hdr, data) < 0) die_step("drop_capabilities", errno, NULL, "capset(all sets empty)");
}

void set_no_new_privs(void) {
  /* No setuid bit or file capability can give the workload more than it has (and a later seccomp filter
   * can be installed without CAP_SYS_ADMIN). */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die_step("no_new_privs", errno, NULL, "prctl(PR_SET_NO_NEW_PRIVS, 1)");
}

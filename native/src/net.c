/* Step 4: the network. --net none: the new namespace's lo stays down; loopback: lo up; host: untouched. */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

void setup_network(const struct sandbox_config *cfg) {
  if (cfg->net != NET_LOOPBACK) return;
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die_step("setup_loopback", errno, NULL, "socket(AF_INET, SOCK_DGRAM)");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) die_step("setup_loopback", errno, NULL, "ioctl(lo, SIOCGIFFLAGS)");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
    die_step("setup_loopback", errno, "needs CAP_NET_ADMIN in the sandbox's user namespace", "ioctl(lo, SIOCSIFFLAGS, IFF_UP)");
  close(s);
}

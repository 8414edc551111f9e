/* linux.netDevices: the host interfaces a config names, moved into the
 * sandbox's network namespace by the runtime (net_devices.c). */
#ifndef SLUICE_NET_DEVICES_H
#define SLUICE_NET_DEVICES_H

#include <sys/types.h>

#include "config.h"
#include "error.h"

/* Each interface into the network namespace of pid (or the one the config
 * joins by path), renamed, its permanent global addresses given back, up.
 * 0, or -1 with err filled (those moved so far stay there: the namespace
 * dies with the failed sandbox). */
int sluice_net_devices_move(const struct sluice_config *c, pid_t pid, struct sluice_error *err);

#endif

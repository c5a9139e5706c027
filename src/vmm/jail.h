/* The jail (docs/security.md): before tern reads anything a guest controls,
 * it moves into new namespaces and a root that holds only what the VM needs,
 * and gives up root. */
#ifndef TERN_VMM_JAIL_H
#define TERN_VMM_JAIL_H

#include "vmm/core/config.h"

/* Builds and enters the jail described by cfg (cfg->jail_dir set).
 *
 * A new PID namespace needs a new process, so this forks. The outer process
 * stays where it was, forwards SIGTERM, SIGINT and SIGHUP to the jailed one
 * and waits for it: jail_enter returns 1 there with *status set to what
 * tern must exit with (the child's exit status, or 128 + the signal that
 * killed it). In the jailed process it returns 0: the caller goes on to run
 * the VM, now as cfg->jail_uid:jail_gid with no capabilities. A negative
 * errno means the jail could not be built; the reason was reported. */
int jail_enter(const struct vm_config *cfg, int *status);

#endif

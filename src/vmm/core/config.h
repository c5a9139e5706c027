/* What a VM is made of: parsed from `tern run` flags and an optional JSON
 * config file (flags win over the file). */
#ifndef TERN_VMM_CONFIG_H
#define TERN_VMM_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "sdei/sdei.h"
#include "vmm/core/seccomp_mode.h"

#define CONFIG_DEFAULT_MEMORY  (256ULL << 20)
#define CONFIG_DEFAULT_CMDLINE "console=ttyS0 panic=-1"
#define CONFIG_MAX_CPUS        64
#define CONFIG_MAX_DISKS       8
#define CONFIG_MAX_NETS        4

struct config_error {
	char msg[256];
};

struct config_disk {
	char *path;
	int ro;
	char *serial; /* NULL: none */
};

struct config_net {
	char *tap; /* an existing tap interface */
	uint8_t mac[6];
	int has_mac; /* else tern derives a locally administered one */
};

struct vm_config {
	char *kernel;
	char *initrd;  /* NULL: none */
	char *cmdline; /* NULL: CONFIG_DEFAULT_CMDLINE */
	unsigned cpus;
	uint64_t memory; /* bytes */
	int verbose;
	int reboot;      /* guest reset reboots the VM instead of exiting */
	int gic_version; /* 0 = auto (v3, else v2) */
	int no_sdei;     /* --no-sdei: do not offer SDEI to the guest */
	struct sdei_event_spec sdei_events[SDEI_MAX_PLATFORM];
	unsigned n_sdei_events;
	char *control; /* Unix socket path for QMP, NULL: none */
	char *qmp;     /* "tcp:127.0.0.1:PORT", NULL: none */
	struct config_disk disks[CONFIG_MAX_DISKS];
	unsigned ndisks;
	struct config_net nets[CONFIG_MAX_NETS];
	unsigned nnets;
	int rng;                   /* --rng: a virtio-rng device */
	int acpi;                  /* --acpi: boot through EFI + ACPI instead of a device tree */
	enum seccomp_mode seccomp; /* --seccomp=enforce|log|off, default enforce */
	/* The jail (docs/security.md): tern builds a minimal root in jail_dir,
	 * enters it in new namespaces and runs the VM as jail_uid:jail_gid. */
	char *jail_dir;   /* --jail DIR, NULL: no jail */
	int64_t jail_uid; /* --uid, -1: not given */
	int64_t jail_gid; /* --gid, -1: not given */
	int jail_net;     /* --jail-net: a network namespace of its own too */
};

/* Parses "PATH[,ro][,serial=S]" and "tap=NAME[,mac=M]" (exposed for tests). */
int config_parse_disk(const char *spec, struct config_disk *d, struct config_error *err);
int config_parse_net(const char *spec, struct config_net *n, struct config_error *err);

void config_init(struct vm_config *c);
void config_free(struct vm_config *c);

/* Parses `tern run` arguments (argv[0] is the first flag, not "run").
 * Returns 0; 1 when --help was asked; or -EINVAL with err->msg set. */
int config_parse_args(int argc, char *const argv[], struct vm_config *c, struct config_error *err);

/* Applies a JSON config file. Returns 0 or a negative errno with err->msg. */
int config_load_file(const char *path, struct vm_config *c, struct config_error *err);

/* Parses "256M", "1G", "512K", "1048576B" or a plain number of MiB. */
int config_parse_size(const char *s, uint64_t *out);

/* Checks the whole config once all sources are applied. */
int config_validate(const struct vm_config *c, struct config_error *err);

#endif

/* tern: the command line front end. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "vmm/core/config.h"
#include "vmm/core/log.h"
#include "vmm/jail.h"
#include "vmm/vmm.h"

/* Exit codes (docs/cli.md). */
#define EXIT_FAILURE_ 1
#define EXIT_USAGE    2

static const char usage_text[] =
        "usage: tern run --kernel IMAGE [options]\n"
        "       tern --help | --version\n"
        "\n"
        "Boots an arm64 Linux Image in a KVM microVM. The guest console is tern's\n"
        "stdin/stdout (a 16550A UART, ttyS0 in the guest).\n"
        "\n"
        "run options:\n"
        "  --kernel PATH      arm64 Linux Image (raw, not gzip or ELF)\n"
        "  --initrd PATH      initramfs or initrd\n"
        "  --cmdline STR      kernel command line (default: \"" CONFIG_DEFAULT_CMDLINE "\")\n"
        "  --cpus N           vCPUs, 1-64 (default 1)\n"
        "  --memory SIZE      guest RAM: 256M, 1G, ... a plain number is MiB (default 256M)\n"
        "  --gic auto|v2|v3   interrupt controller (default auto: v3, else v2)\n"
        "  --acpi             boot through EFI + ACPI instead of a device tree; needed\n"
        "                     for RAS error injection\n"
        "  --disk PATH[,ro][,serial=S]\n"
        "                     a virtio-blk disk on a raw image (repeatable, up to 8)\n"
        "  --net tap=NAME[,mac=M]\n"
        "                     a virtio-net NIC on a tap interface (repeatable, up to 4)\n"
        "  --rng              a virtio-rng device (bytes from getrandom)\n"
        "  --control PATH     QMP control socket (a Unix socket, created 0600)\n"
        "  --qmp tcp:127.0.0.1:PORT\n"
        "                     QMP on a loopback TCP port as well\n"
        "  --sdei-event NUM,private|shared,normal|critical\n"
        "                     declare an SDEI platform event (repeatable)\n"
        "  --no-sdei          do not offer SDEI to the guest\n"
        "  --seccomp enforce|log|off\n"
        "                     per-thread syscall filters (default enforce; off is for\n"
        "                     development only)\n"
        "  --config FILE      JSON file with the same settings (docs/cli.md); flags\n"
        "                     after it override it\n"
        "  --jail DIR         run the VM jailed (needs root): new namespaces, a root\n"
        "                     built on DIR with only the VM's files, as --uid/--gid\n"
        "                     with no capabilities (docs/security.md)\n"
        "  --uid U, --gid G   the unprivileged ids the jailed tern runs as (not 0)\n"
        "  --jail-net         with --jail: a network namespace of its own (no --net)\n"
        "  --reboot           reboot the guest when it resets, instead of exiting\n"
        "  -v, --verbose      say more (repeat for debug messages)\n"
        "  -h, --help         this text\n"
        "\n"
        "On a terminal, Ctrl-A x quits and Ctrl-A Ctrl-A sends Ctrl-A.\n"
        "\n"
        "exit status:\n"
        "  0    the guest powered off, or the control socket said quit\n"
        "  1    tern failed (one line on stderr says why)\n"
        "  2    bad arguments\n"
        "  3    the guest reset (without --reboot)\n"
        "  4    the guest reported a crash\n"
        "  128+N  stopped by signal N (SIGINT 130, SIGTERM 143)\n"
        "  159  killed by its seccomp filter (the message names the syscall)\n";

static int usage_error(const char *msg)
{
	fprintf(stderr, "tern: %s\n", msg);
	return EXIT_USAGE;
}

static int cmd_run(int argc, char **argv)
{
	struct vm_config cfg;
	struct config_error err = {{0}};
	config_init(&cfg);
	int r = config_parse_args(argc, argv, &cfg, &err);
	if (r == 1) {
		fputs(usage_text, stdout);
		config_free(&cfg);
		return 0;
	}
	if (r || (r = config_validate(&cfg, &err))) {
		config_free(&cfg);
		return usage_error(err.msg);
	}
	log_set_level(cfg.verbose >= 2 ? LOG_DEBUG : cfg.verbose ? LOG_INFO : LOG_WARN);
	signal(SIGPIPE, SIG_IGN);
	int code = EXIT_FAILURE_;
	/* The jail comes first: the VM is only ever built inside it. */
	int jr = cfg.jail_dir ? jail_enter(&cfg, &code) : 0;
	if (jr) {
		config_free(&cfg);
		return jr > 0 ? code : EXIT_FAILURE_;
	}
	if (vcpu_signal_setup())
		log_error("cannot install the vCPU kick signal handler");
	else
		code = vmm_main(&cfg);
	config_free(&cfg);
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("no command given (see tern --help)");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("tern %s\n", TERN_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	fprintf(stderr, "tern: unknown command '%s' (see tern --help)\n", argv[1]);
	return EXIT_USAGE;
}

/* mktap NAME UID GID: creates a persistent tap interface owned by UID:GID, as
 * `ip tuntap add NAME mode tap user UID group GID` would; the test host's
 * busybox cannot. Test-only: the jail scenario gives it to a jailed tern. */
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: mktap NAME UID GID\n");
		return 2;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("mktap: /dev/net/tun");
		return 1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	/* The flags tern attaches with; a persistent tap keeps them. */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETOWNER, atol(argv[2])) < 0 ||
	    ioctl(fd, TUNSETGROUP, atol(argv[3])) < 0 || ioctl(fd, TUNSETPERSIST, 1L) < 0) {
		perror("mktap");
		return 1;
	}
	close(fd);
	return 0;
}

/* The jail: new namespaces, a root that holds only the VM's files and
 * devices, and no privileges left. docs/security.md describes what it does
 * and why; the steps below follow that order. */
#include "vmm/jail.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/core/log.h"

/* Descriptors: the VM's own need is small (a few per device and per vCPU),
 * and a bound keeps a compromised tern from hoarding them. */
#define JAIL_NOFILE 1024
/* Tasks of the jail's uid beyond the main thread and one per vCPU. */
#define JAIL_NPROC_SPARE 16
/* The jail's root only holds directories, device nodes and mount points. */
#define JAIL_TMPFS_OPTS "mode=0755,size=64k,nr_inodes=256"

/* The pipe the outer process holds open: the jailed one sees it hang up if
 * the outer process is gone. Moved to this number so that closing every
 * other inherited descriptor is one close_range. */
#define LIFELINE_FD 3

static int jail_path(char *out, size_t n, const char *root, const char *path)
{
	int len = snprintf(out, n, "%s%s", root, path);
	if (len < 0 || (size_t)len >= n) {
		log_error("jail: path '%s%s' is too long", root, path);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* Creates the directories of full (root + path) below root, up to but not
 * including its last component. root itself exists. */
static int jail_mkdirs(char *full, size_t root_len)
{
	for (char *p = full + root_len + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		int r = mkdir(full, 0755);
		int e = errno;
		*p = '/';
		if (r && e != EEXIST) {
			log_error("jail: cannot create directory for '%s': %s", full, strerror(e));
			return -e;
		}
	}
	return 0;
}

/* A device node in the jail for one tern opens at run time, with the host
 * node's numbers, usable by the jail's ids only. */
static int jail_node(const char *root, const char *dev, uid_t uid, gid_t gid)
{
	struct stat st;
	if (stat(dev, &st)) {
		log_error("jail: %s: %s", dev, strerror(errno));
		return -errno;
	}
	if (!S_ISCHR(st.st_mode)) {
		log_error("jail: %s is not a character device", dev);
		return -ENODEV;
	}
	char full[PATH_MAX];
	int r = jail_path(full, sizeof(full), root, dev);
	if (r || (r = jail_mkdirs(full, strlen(root))))
		return r;
	if (mknod(full, S_IFCHR | 0600, st.st_rdev) || chown(full, uid, gid)) {
		log_error("jail: cannot create %s in the jail: %s", dev, strerror(errno));
		return -errno;
	}
	log_info("jail: %s (%u:%u) for %u:%u", dev, major(st.st_rdev), minor(st.st_rdev), uid, gid);
	return 0;
}

/* Binds path (a file, or the control socket's directory when dir is set)
 * into the jail at the same path, so tern opens it there by its own name. */
static int jail_bind(const char *root, const char *path, int dir, unsigned long flags)
{
	char full[PATH_MAX];
	int r = jail_path(full, sizeof(full), root, path);
	if (r || (r = jail_mkdirs(full, strlen(root))))
		return r;
	/* The same file given twice gets one mount point and two mounts. */
	r = dir ? mkdir(full, 0755) : mknod(full, S_IFREG | 0600, 0);
	if (r && errno != EEXIST) {
		log_error("jail: cannot create the mount point for '%s': %s", path,
		          strerror(errno));
		return -errno;
	}
	if (mount(path, full, NULL, MS_BIND, NULL) ||
	    mount(NULL, full, NULL, MS_BIND | MS_REMOUNT | flags, NULL)) {
		log_error("jail: cannot bind '%s' into the jail: %s", path, strerror(errno));
		return -errno;
	}
	log_info("jail: bound %s%s", path, (flags & MS_RDONLY) ? " read-only" : "");
	return 0;
}

/* The control socket's directory: what --control names up to its last '/'. */
static int control_dir(const struct vm_config *cfg, char *out, size_t n)
{
	size_t len = (size_t)(strrchr(cfg->control, '/') - cfg->control);
	if (len >= n)
		return -ENAMETOOLONG;
	memcpy(out, cfg->control, len);
	out[len] = 0;
	return 0;
}

/* Everything the jail needs from outside, checked before anything changes,
 * so the common mistakes are one clear line and no half-built jail. */
static int jail_check(const struct vm_config *cfg)
{
	struct stat st;
	if (geteuid() != 0) {
		log_error("--jail needs root: tern builds the jail, then drops to --uid/--gid");
		return -EPERM;
	}
	if (stat(cfg->jail_dir, &st)) {
		log_error("--jail '%s': %s", cfg->jail_dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_error("--jail '%s' is not a directory", cfg->jail_dir);
		return -ENOTDIR;
	}
	struct {
		const char *what, *path;
	} files[CONFIG_MAX_DISKS + 2] = {{"kernel", cfg->kernel}, {"initrd", cfg->initrd}};
	size_t n = 2;
	for (unsigned i = 0; i < cfg->ndisks; i++) {
		files[n].what = "disk";
		files[n++].path = cfg->disks[i].path;
	}
	for (size_t i = 0; i < n; i++) {
		if (!files[i].path)
			continue;
		int bad = stat(files[i].path, &st) ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
		if (bad) {
			log_error("--jail: cannot bind %s '%s' into the jail: %s", files[i].what,
			          files[i].path, strerror(bad));
			return -bad;
		}
	}
	if (cfg->control) {
		char dir[PATH_MAX];
		if (control_dir(cfg, dir, sizeof(dir)) || stat(dir, &st) || !S_ISDIR(st.st_mode)) {
			log_error("--jail: the control socket's directory '%s' must exist",
			          cfg->control);
			return -ENOENT;
		}
	}
	return 0;
}

/* In the new mount namespace: a tmpfs over DIR becomes the root. Nothing
 * is written to DIR on the host, and the jail's root vanishes with tern. */
static int jail_build(const struct vm_config *cfg)
{
	const char *root = cfg->jail_dir;
	uid_t uid = (uid_t)cfg->jail_uid;
	gid_t gid = (gid_t)cfg->jail_gid;
	int r;
	/* Nothing done here may show up in the host's mount table. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		log_error("jail: cannot make the mounts private: %s", strerror(errno));
		return -errno;
	}
	if (mount("tern-jail", root, "tmpfs", MS_NOSUID | MS_NOEXEC, JAIL_TMPFS_OPTS)) {
		log_error("jail: cannot mount the jail's root on '%s': %s", root, strerror(errno));
		return -errno;
	}
	if ((r = jail_node(root, "/dev/kvm", uid, gid)))
		return r;
	if (cfg->nnets && (r = jail_node(root, "/dev/net/tun", uid, gid)))
		return r;
	/* The socket is made in the jail, in a directory the host sees too. */
	char dir[PATH_MAX];
	if (cfg->control && ((r = control_dir(cfg, dir, sizeof(dir))) ||
	                     (r = jail_bind(root, dir, 1, MS_NOSUID | MS_NODEV | MS_NOEXEC))))
		return r;
	const unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	if ((r = jail_bind(root, cfg->kernel, 0, ro)))
		return r;
	if (cfg->initrd && (r = jail_bind(root, cfg->initrd, 0, ro)))
		return r;
	/* No MS_NODEV on disks: a disk may be a block device. */
	for (unsigned i = 0; i < cfg->ndisks; i++)
		if ((r = jail_bind(root, cfg->disks[i].path, 0,
		                   MS_NOSUID | MS_NOEXEC | (cfg->disks[i].ro ? MS_RDONLY : 0))))
			return r;
	/* The root itself is read-only: the jailed tern creates nothing in it
	 * (device nodes open read-write on a read-only mount). */
	if (mount(NULL, root, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL)) {
		log_error("jail: cannot make the jail's root read-only: %s", strerror(errno));
		return -errno;
	}
	if (chdir(root)) {
		log_error("jail: cannot enter '%s': %s", root, strerror(errno));
		return -errno;
	}
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		/* The old root now sits on top of the new one: detach it. */
		if (umount2(".", MNT_DETACH)) {
			log_error("jail: cannot detach the old root: %s", strerror(errno));
			return -errno;
		}
		log_info("jail: pivoted into the jail's root, the old root is detached");
	} else if (errno == EINVAL) {
		/* The only EINVAL left once the mounts are private and the root is a
		 * mount point: / is the initramfs, which cannot be pivoted away. Do
		 * what switch_root does; with no capabilities left there is no way
		 * back to the old root hidden underneath. */
		if (mount(".", "/", NULL, MS_MOVE, NULL) || chroot(".")) {
			log_error("jail: cannot move the jail's root onto /: %s", strerror(errno));
			return -errno;
		}
		log_info("jail: / is the initramfs: moved the jail onto it (no pivot_root)");
	} else {
		log_error("jail: pivot_root: %s", strerror(errno));
		return -errno;
	}
	if (chdir("/")) {
		log_error("jail: chdir /: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int jail_limit(int resource, rlim_t v, const char *name)
{
	struct rlimit rl = {.rlim_cur = v, .rlim_max = v};
	if (setrlimit(resource, &rl)) {
		log_error("jail: cannot set %s: %s", name, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Gives up root for good: ids, every capability set, and the right to gain
 * any back. Then checks the kernel agrees. */
static int jail_drop(const struct vm_config *cfg)
{
	uid_t uid = (uid_t)cfg->jail_uid;
	gid_t gid = (gid_t)cfg->jail_gid;
	int r;
	/* No core dumps: one would hold guest memory. */
	if ((r = jail_limit(RLIMIT_CORE, 0, "RLIMIT_CORE")) ||
	    (r = jail_limit(RLIMIT_NOFILE, JAIL_NOFILE, "RLIMIT_NOFILE")) ||
	    (r = jail_limit(RLIMIT_NPROC, cfg->cpus + 1 + JAIL_NPROC_SPARE, "RLIMIT_NPROC")))
		return r;
	/* The bounding set can only shrink while CAP_SETPCAP is still held. */
	for (unsigned long cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
			if (errno == EINVAL)
				break; /* past the kernel's last capability */
			log_error("jail: cannot drop capability %lu from the bounding set: %s", cap,
			          strerror(errno));
			return -errno;
		}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL) {
		log_error("jail: cannot clear the ambient capabilities: %s", strerror(errno));
		return -errno;
	}
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
		log_error("jail: cannot become %u:%u: %s", uid, gid, strerror(errno));
		return -errno;
	}
	/* Leaving uid 0 empties the permitted and effective sets; the
	 * inheritable set stays unless cleared. */
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) || syscall(SYS_capget, &hdr, data)) {
		log_error("jail: cannot clear the capabilities: %s", strerror(errno));
		return -errno;
	}
	int left = 0;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		left |= data[i].effective || data[i].permitted || data[i].inheritable;
	for (unsigned long cap = 0; cap < 64; cap++)
		left |= prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1;
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	if (left || getresuid(&ru, &eu, &su) || getresgid(&rg, &eg, &sg) || ru != uid ||
	    eu != uid || su != uid || rg != gid || eg != gid || sg != gid) {
		log_error("jail: privileges are left after dropping them");
		return -EPERM;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		log_error("jail: cannot set no_new_privs: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* The jailed process, pid 1 of its namespace. lifeline is the read end of
 * the outer process's pipe, already at LIFELINE_FD. */
static int jail_child(const struct vm_config *cfg)
{
	/* Nothing inherited may point outside the jail once it is built. */
	if (close_range(LIFELINE_FD + 1, ~0U, 0)) {
		log_error("jail: cannot close inherited descriptors: %s", strerror(errno));
		return -errno;
	}
	int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | (cfg->jail_net ? CLONE_NEWNET : 0);
	if (unshare(flags)) {
		log_error("jail: cannot create the namespaces: %s", strerror(errno));
		return -errno;
	}
	mode_t old_umask = umask(022);
	int r = jail_build(cfg);
	umask(old_umask);
	if (r || (r = jail_drop(cfg)))
		return r;
	/* Changing ids cleared any parent-death signal, so it is set here; the
	 * lifeline then closes the window where the outer process died first. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)) {
		log_error("jail: cannot set the parent-death signal: %s", strerror(errno));
		return -errno;
	}
	struct pollfd pfd = {.fd = LIFELINE_FD, .events = POLLIN};
	if (poll(&pfd, 1, 0) != 0) {
		log_error("jail: the outer tern process is gone");
		return -ESRCH;
	}
	close(LIFELINE_FD);
	log_info("jail: running in '%s' as %u:%u%s", cfg->jail_dir, (unsigned)cfg->jail_uid,
	         (unsigned)cfg->jail_gid, cfg->jail_net ? " with no network" : "");
	return 0;
}

/* The outer process: passes the stop signals on and waits. */
static int jail_wait(pid_t child, const sigset_t *set, int *status)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			log_error("jail: waiting for the jailed tern: %s", strerror(errno));
			kill(child, SIGKILL);
			return -errno;
		}
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		int st;
		if (waitpid(child, &st, WNOHANG) == child) {
			*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			return 1;
		}
	}
}

int jail_enter(const struct vm_config *cfg, int *status)
{
	int r = jail_check(cfg);
	if (r)
		return r;
	/* Blocked before the fork: the jailed process, as init of its PID
	 * namespace, would drop a signal it has no handler for; blocked, the
	 * signal waits for tern's signalfd. The outer one takes them with
	 * sigwaitinfo. */
	sigset_t stop, outer, old;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	outer = stop;
	sigaddset(&outer, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &outer, &old))
		return -errno;
	int lifeline[2];
	if (pipe2(lifeline, O_CLOEXEC)) {
		log_error("jail: pipe: %s", strerror(errno));
		return -errno;
	}
	if (unshare(CLONE_NEWPID)) {
		log_error("jail: cannot create the PID namespace: %s", strerror(errno));
		return -errno;
	}
	pid_t child = fork();
	if (child < 0) {
		log_error("jail: fork: %s", strerror(errno));
		return -errno;
	}
	if (child == 0) {
		sigset_t mask = old;
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGHUP);
		sigprocmask(SIG_SETMASK, &mask, NULL);
		if (lifeline[0] != LIFELINE_FD && dup2(lifeline[0], LIFELINE_FD) < 0) {
			log_error("jail: dup2: %s", strerror(errno));
			return -errno;
		}
		return jail_child(cfg);
	}
	close(lifeline[0]);
	log_info("jail: the jailed tern is process %d", (int)child);
	return jail_wait(child, &outer, status);
}

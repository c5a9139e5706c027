/* seccomp: the policy files (parse, reasons, no duplicates, every name a
 * syscall on aarch64 and on this host, the roles' relations), the policy
 * compiler (the real policies compile for aarch64; bad policies are
 * refused), the report format, and filters compiled for this host installed
 * in forked children: allowed calls work, a forbidden one is reported and
 * ends the process with status 159, log mode lets it through. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "a64_filters.h" /* the product's policies for aarch64 */
#include "check.h"
#include "seccomp-policy.h"
#include "seccomp_filters.h" /* generated from seccomp/hosttest.policy */
#include "vmm/core/seccomp_filter.h"
#include "vmm/core/seccomp_mode.h"

static const char *const roles[] = {"vcpu", "vmm"};

static int load_policy(const char *role, struct policy *p)
{
	char path[512], err[512];
	snprintf(path, sizeof(path), "%s/seccomp/%s.policy", TERN_SOURCE_DIR, role);
	char *text = policy_read_file(path);
	if (!text) {
		fprintf(stderr, "cannot read %s\n", path);
		return -1;
	}
	int r = policy_parse(p, text, path, err, sizeof(err));
	free(text);
	if (r)
		fprintf(stderr, "%s\n", err);
	return r;
}

/* Is `name` allowed (some allow rule, conditional or not) by the role,
 * following includes? */
static int role_allows(const char *role, const char *name, unsigned depth)
{
	struct policy p;
	if (depth > 4 || load_policy(role, &p))
		return 0;
	int found = 0;
	for (size_t i = 0; i < p.n && !found; i++)
		found = !strcmp(p.rules[i].name, name) && !p.rules[i].err;
	for (unsigned i = 0; i < p.n_includes && !found; i++) {
		char inc[sizeof(p.includes[0])];
		snprintf(inc, sizeof(inc), "%s", p.includes[i]);
		char *dot = strstr(inc, ".policy");
		if (dot)
			*dot = '\0';
		found = role_allows(inc, name, depth + 1);
	}
	policy_free(&p);
	return found;
}

static void test_policy_files(void)
{
	for (size_t k = 0; k < sizeof(roles) / sizeof(roles[0]); k++) {
		struct policy p;
		CHECK(load_policy(roles[k], &p) == 0);
		CHECK(p.n > 0);
		for (size_t i = 0; i < p.n; i++) {
			const struct policy_rule *r = &p.rules[i];
			int a64 = seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, r->name);
			int host =
			        seccomp_syscall_resolve_name_arch(seccomp_arch_native(), r->name);
			if (a64 < 0 || host < 0)
				fprintf(stderr, "%s.policy:%u: '%s' aarch64 %d host %d\n", roles[k],
				        r->line, r->name, a64, host);
			CHECK(a64 >= 0);
			CHECK(host >= 0);
			CHECK(strlen(r->reason) >= 10); /* a reason, not a placeholder */
			/* ioctls are narrowed to request numbers, always */
			if (!strcmp(r->name, "ioctl"))
				CHECK(r->ncond == 1 && r->cond[0].arg == 1 &&
				      r->cond[0].op == POLICY_EQ);
			for (size_t j = 0; j < i; j++)
				CHECK(!policy_rule_equal(&p.rules[i], &p.rules[j]));
		}
		policy_free(&p);
		/* The SIGSYS report and thread/process exit must work in every role. */
		CHECK(role_allows(roles[k], "write", 0));
		CHECK(role_allows(roles[k], "exit_group", 0));
		CHECK(role_allows(roles[k], "exit", 0));
		CHECK(role_allows(roles[k], "rt_sigreturn", 0));
		CHECK(role_allows(roles[k], "futex", 0));
		/* The test trigger must stay forbidden everywhere. */
		CHECK(!role_allows(roles[k], SECCOMP_TRIGGER_SYSCALL, 0));
		CHECK(!role_allows(roles[k], "execve", 0));
		CHECK(!role_allows(roles[k], "ptrace", 0));
	}
	/* vCPU threads are cloned from the main thread and inherit its filter. */
	struct policy vmm;
	CHECK(load_policy("vmm", &vmm) == 0);
	int inc = 0;
	for (unsigned i = 0; i < vmm.n_includes; i++)
		inc |= !strcmp(vmm.includes[i], "vcpu.policy");
	CHECK(inc);
	policy_free(&vmm);
	/* ...and the vCPU filter must not allow thread creation or opening files. */
	CHECK(!role_allows("vcpu", "clone", 0));
	CHECK(!role_allows("vcpu", "openat", 0));
	CHECK(!role_allows("vcpu", "socket", 0));
}

static int parse_str(const char *text, char *err, size_t n)
{
	struct policy p;
	int r = policy_parse(&p, text, "t.policy", err, n);
	if (!r)
		policy_free(&p);
	return r;
}

static void test_parser(void)
{
	char err[256];
	struct policy p;
	CHECK(policy_parse(&p,
	                   "# comment\n\n"
	                   "ioctl KVM_RUN # run\n"
	                   "mmap arg2 & PROT_EXEC == 0 arg3 != 7 # maps\n"
	                   "clone3 => ENOSYS # fall back\n"
	                   "tgkill arg2 == 34|2 # kick\n"
	                   "include x.policy # inherit\n",
	                   "t.policy", err, sizeof(err)) == 0);
	CHECK_EQ(p.n, 4);
	CHECK_STR(p.rules[0].name, "ioctl");
	CHECK_EQ_U64(p.rules[0].cond[0].value, 0xae80);
	CHECK_EQ(p.rules[1].ncond, 2);
	CHECK_EQ(p.rules[1].cond[0].op, POLICY_MASKED_EQ);
	CHECK_EQ_U64(p.rules[1].cond[0].mask, 4);
	CHECK_EQ(p.rules[1].cond[1].op, POLICY_NE);
	CHECK_EQ(p.rules[2].err, ENOSYS);
	CHECK_EQ_U64(p.rules[3].cond[0].value, 34);
	CHECK_STR(p.rules[3].reason, "kick");
	CHECK_EQ(p.n_includes, 1);
	CHECK(p.const_used[policy_const_find("KVM_RUN") - policy_consts]);
	policy_free(&p);

	CHECK(parse_str("write\n", err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "t.policy:1:") && strstr(err, "no reason"));
	CHECK(parse_str("write #   \n", err, sizeof(err)) == -EINVAL);
	CHECK(parse_str("write # a\nread # b\nwrite # c\n", err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "t.policy:3:") && strstr(err, "duplicate"));
	CHECK(parse_str("ioctl KVM_NOPE # x\n", err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "unknown constant"));
	CHECK(parse_str("mmap arg6 == 1 # x\n", err, sizeof(err)) == -EINVAL);
	CHECK(parse_str("mmap arg1 =~ 1 # x\n", err, sizeof(err)) == -EINVAL);
	CHECK(parse_str("mmap arg1 == 1 arg1 == 2 # x\n", err, sizeof(err)) == -EINVAL);
	CHECK(parse_str("mmap arg1 & 4 == 8 # never true\n", err, sizeof(err)) == -EINVAL);
	CHECK(parse_str("Write # x\n", err, sizeof(err)) == -EINVAL);
	CHECK(parse_str("write => 0 # x\n", err, sizeof(err)) == -EINVAL);
	CHECK(parse_str("include ../x.policy # x\n", err, sizeof(err)) == -EINVAL);
	/* ioctl with the same request twice is a duplicate, different ones are not */
	CHECK(parse_str("ioctl TCGETS # a\nioctl TCSETS # b\n", err, sizeof(err)) == 0);
	CHECK(parse_str("ioctl TCGETS # a\nioctl TCGETS # b\n", err, sizeof(err)) == -EINVAL);
}

static int run_compiler(const char *args)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "'%s' %s 2>/dev/null", SECCOMP_COMPILE_PATH, args);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void test_compiler(void)
{
	const char *tmp = getenv("TERN_TEST_TMP");
	if (!tmp)
		tmp = "/tmp";
	char args[4096], out[512], bad[512];
	snprintf(out, sizeof(out), "%s/seccomp_check.c", tmp);
	/* The real policies compile for the product's architecture and this host. */
	snprintf(args, sizeof(args),
	         "--arch aarch64 --out %s %s/seccomp/vcpu.policy %s/seccomp/vmm.policy", out,
	         TERN_SOURCE_DIR, TERN_SOURCE_DIR);
	CHECK_EQ(run_compiler(args), 0);
	char *gen = policy_read_file(out);
	CHECK(gen != NULL);
	if (gen) {
		CHECK(strstr(gen, "tern_seccomp_vcpu_enforce[]") != NULL);
		CHECK(strstr(gen, "tern_seccomp_vmm_log_len") != NULL);
		CHECK(strstr(gen, "_Static_assert((unsigned long long)(KVM_RUN) == 0xae80ULL") !=
		      NULL);
		CHECK(strstr(gen, "[29] = \"ioctl\"") != NULL); /* aarch64 numbering */
		free(gen);
	}
	snprintf(args, sizeof(args),
	         "--arch native --out %s %s/seccomp/vcpu.policy %s/seccomp/vmm.policy", out,
	         TERN_SOURCE_DIR, TERN_SOURCE_DIR);
	CHECK_EQ(run_compiler(args), 0);
	/* A syscall aarch64 does not have is refused for aarch64 only. */
	snprintf(bad, sizeof(bad), "%s/badarch.policy", tmp);
	CHECK(write_file(bad, "open # not on arm64\nexit_group # x\n") == 0);
	snprintf(args, sizeof(args), "--arch aarch64 --out %s %s", out, bad);
	CHECK_EQ(run_compiler(args), 1);
	snprintf(args, sizeof(args), "--arch x86_64 --out %s %s", out, bad);
	CHECK_EQ(run_compiler(args), 0);
	/* Allowing and failing the same syscall is refused. */
	snprintf(bad, sizeof(bad), "%s/conflict.policy", tmp);
	CHECK(write_file(bad, "getuid # a\ngetuid arg0 == 1 => EPERM # b\n") == 0);
	snprintf(args, sizeof(args), "--arch aarch64 --out %s %s", out, bad);
	CHECK_EQ(run_compiler(args), 1);
	/* Usage errors. */
	CHECK_EQ(run_compiler("--arch aarch64"), 2);
	snprintf(args, sizeof(args), "--arch vax --out %s %s/seccomp/vcpu.policy", out,
	         TERN_SOURCE_DIR);
	CHECK_EQ(run_compiler(args), 2);
}

/* A classic BPF interpreter over struct seccomp_data, enough for what
 * libseccomp emits: runs the aarch64 programs on this host. Returns the
 * filter's verdict, or 0xdead on an instruction it does not know. */
static uint32_t bpf_run(const struct sock_filter *f, unsigned short len, int nr, uint32_t arch,
                        const uint64_t args[6])
{
	struct seccomp_data d;
	memset(&d, 0, sizeof(d));
	d.nr = nr;
	d.arch = arch;
	for (int i = 0; i < 6; i++)
		d.args[i] = args ? args[i] : 0;
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
	for (unsigned pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &f[pc];
		uint32_t src = BPF_SRC(in->code) == BPF_X ? x : in->k;
		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
			if (BPF_MODE(in->code) == BPF_ABS && BPF_SIZE(in->code) == BPF_W &&
			    in->k + 4 <= sizeof(d))
				memcpy(&a, (const char *)&d + in->k, 4);
			else if (BPF_MODE(in->code) == BPF_IMM)
				a = in->k;
			else if (BPF_MODE(in->code) == BPF_MEM && in->k < BPF_MEMWORDS)
				a = mem[in->k];
			else
				return 0xdead;
			break;
		case BPF_LDX:
			if (BPF_MODE(in->code) == BPF_IMM)
				x = in->k;
			else if (BPF_MODE(in->code) == BPF_MEM && in->k < BPF_MEMWORDS)
				x = mem[in->k];
			else
				return 0xdead;
			break;
		case BPF_ST:
		case BPF_STX:
			if (in->k >= BPF_MEMWORDS)
				return 0xdead;
			mem[in->k] = BPF_CLASS(in->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(in->code)) {
			case BPF_AND:
				a &= src;
				break;
			case BPF_OR:
				a |= src;
				break;
			case BPF_ADD:
				a += src;
				break;
			case BPF_SUB:
				a -= src;
				break;
			default:
				return 0xdead;
			}
			break;
		case BPF_JMP: {
			int t;
			switch (BPF_OP(in->code)) {
			case BPF_JA:
				pc += in->k;
				continue;
			case BPF_JEQ:
				t = a == src;
				break;
			case BPF_JGT:
				t = a > src;
				break;
			case BPF_JGE:
				t = a >= src;
				break;
			case BPF_JSET:
				t = (a & src) != 0;
				break;
			default:
				return 0xdead;
			}
			pc += t ? in->jt : in->jf;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(in->code) == BPF_A ? a : in->k;
		case BPF_MISC:
			if (BPF_MISCOP(in->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return 0xdead;
		}
	}
	return 0xdead; /* fell off the end: the kernel would refuse the program */
}

static uint32_t a64(const struct sock_filter *f, unsigned short len, const char *name, uint64_t a0,
                    uint64_t a1, uint64_t a2)
{
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, name);
	CHECK(nr >= 0);
	uint64_t args[6] = {a0, a1, a2, 0, 0, 0};
	return bpf_run(f, len, nr, AUDIT_ARCH_AARCH64, args);
}

#define ALLOW SECCOMP_RET_ALLOW
#define TRAP  SECCOMP_RET_TRAP
#define VCPU  a64_seccomp_vcpu_enforce, a64_seccomp_vcpu_enforce_len
#define VMM   a64_seccomp_vmm_enforce, a64_seccomp_vmm_enforce_len

/* The product's aarch64 programs decide as the policies say. */
static void test_aarch64_programs(void)
{
	/* vCPU: its KVM ioctls by request number, exactly */
	CHECK_EQ_U64(a64(VCPU, "ioctl", 12, 0xae80, 0), ALLOW);
	CHECK_EQ_U64(a64(VCPU, "ioctl", 12, 0x4010aeab, 0), ALLOW); /* KVM_GET_ONE_REG */
	CHECK_EQ_U64(a64(VCPU, "ioctl", 12, 0x4008ae61, 0), ALLOW); /* KVM_IRQ_LINE */
	CHECK_EQ_U64(a64(VCPU, "ioctl", 12, 0xae01, 0), TRAP);      /* KVM_CREATE_VM */
	CHECK_EQ_U64(a64(VCPU, "ioctl", 12, 0x4018aee1, 0), TRAP);  /* KVM_SET_DEVICE_ATTR */
	CHECK_EQ_U64(a64(VCPU, "ioctl", 12, 0x100000000ULL | 0xae80, 0), TRAP);
	CHECK_EQ_U64(a64(VCPU, "write", 1, 0, 1), ALLOW);
	CHECK_EQ_U64(a64(VCPU, "exit_group", 159, 0, 0), ALLOW);
	CHECK_EQ_U64(a64(VCPU, "tgkill", 1, 2, 34), ALLOW);
	CHECK_EQ_U64(a64(VCPU, "tgkill", 1, 2, SIGABRT), ALLOW);
	CHECK_EQ_U64(a64(VCPU, "tgkill", 1, 2, SIGKILL), TRAP);
	CHECK_EQ_U64(a64(VCPU, "mmap", 0, 4096, PROT_READ | PROT_WRITE),
	             TRAP); /* never allocates */
	CHECK_EQ_U64(a64(VMM, "mmap", 0, 4096, PROT_READ | PROT_WRITE), ALLOW);
	CHECK_EQ_U64(a64(VMM, "mmap", 0, 4096, PROT_READ | PROT_EXEC), TRAP);
	CHECK_EQ_U64(a64(VCPU, "mmap", 0, 4096, PROT_READ | PROT_EXEC), TRAP);
	CHECK_EQ_U64(a64(VCPU, "mprotect", 0, 4096, PROT_EXEC), TRAP);
	CHECK_EQ_U64(a64(VCPU, "openat", 0, 0, 0), TRAP);
	CHECK_EQ_U64(a64(VCPU, "clone", 0x10000, 0, 0), TRAP);
	CHECK_EQ_U64(a64(VCPU, "execve", 0, 0, 0), TRAP);
	CHECK_EQ_U64(a64(VCPU, "getppid", 0, 0, 0), TRAP);
	CHECK_EQ_U64(a64(a64_seccomp_vcpu_log, a64_seccomp_vcpu_log_len, "getppid", 0, 0, 0),
	             SECCOMP_RET_LOG);
	CHECK_EQ_U64(a64(a64_seccomp_vcpu_log, a64_seccomp_vcpu_log_len, "ioctl", 12, 0xae80, 0),
	             ALLOW);
	/* another architecture (a 32-bit compat call) kills the process */
	CHECK_EQ_U64(bpf_run(a64_seccomp_vcpu_enforce, a64_seccomp_vcpu_enforce_len, 64,
	                     AUDIT_ARCH_ARM, NULL),
	             SECCOMP_RET_KILL_PROCESS);
	CHECK_EQ_U64(
	        bpf_run(a64_seccomp_vmm_log, a64_seccomp_vmm_log_len, 64, AUDIT_ARCH_X86_64, NULL),
	        SECCOMP_RET_KILL_PROCESS);

	/* vmm: its own rules plus everything the vCPU threads it creates need */
	CHECK_EQ_U64(a64(VMM, "ioctl", 12, 0xae80, 0), ALLOW);
	CHECK_EQ_U64(a64(VMM, "ioctl", 12, 0xae01, 0), ALLOW);
	CHECK_EQ_U64(a64(VMM, "ioctl", 0, 0x5401, 0), ALLOW); /* TCGETS */
	CHECK_EQ_U64(a64(VMM, "ioctl", 0, 0x5421, 0), TRAP);  /* FIONBIO */
	CHECK_EQ_U64(a64(VMM, "clone3", 0, 0, 0), SECCOMP_RET_ERRNO | ENOSYS);
	CHECK_EQ_U64(a64(VMM, "clone", 0x3d0f00, 0, 0), ALLOW); /* glibc's thread flags */
	CHECK_EQ_U64(a64(VMM, "clone", 0x11 /* SIGCHLD: fork */, 0, 0), TRAP);
	CHECK_EQ_U64(a64(VMM, "openat", (uint64_t)-100, 0, O_RDWR | O_CLOEXEC), ALLOW);
	CHECK_EQ_U64(a64(VMM, "openat", (uint64_t)-100, 0, O_RDWR | O_CREAT), TRAP);
	CHECK_EQ_U64(a64(VMM, "prctl", 15, 0, 0), ALLOW); /* PR_SET_NAME */
	CHECK_EQ_U64(a64(VMM, "prctl", 4, 0, 0), TRAP);   /* PR_SET_DUMPABLE */
	CHECK_EQ_U64(a64(VMM, "seccomp", 1, 0, 0), ALLOW);
	CHECK_EQ_U64(a64(VMM, "seccomp", 0, 0, 0), TRAP);
	CHECK_EQ_U64(a64(VMM, "accept4", 3, 0, 0), ALLOW);
	CHECK_EQ_U64(a64(VMM, "socket", 1, 1, 0), TRAP);
	CHECK_EQ_U64(a64(VMM, "execve", 0, 0, 0), TRAP);
	CHECK_EQ_U64(a64(VMM, "getppid", 0, 0, 0), TRAP);
}

static void test_mode_and_report(void)
{
	enum seccomp_mode m = SECCOMP_MODE_OFF;
	CHECK(seccomp_mode_parse("enforce", &m) == 0 && m == SECCOMP_MODE_ENFORCE);
	CHECK(seccomp_mode_parse("log", &m) == 0 && m == SECCOMP_MODE_LOG);
	CHECK(seccomp_mode_parse("off", &m) == 0 && m == SECCOMP_MODE_OFF);
	CHECK(seccomp_mode_parse("Enforce", &m) == -EINVAL && m == SECCOMP_MODE_OFF);
	CHECK(seccomp_mode_parse("", &m) == -EINVAL);
	CHECK(seccomp_mode_parse(NULL, &m) == -EINVAL);
	CHECK_STR(seccomp_role_name(SECCOMP_ROLE_VCPU), "vcpu");
	CHECK_STR(seccomp_role_name(SECCOMP_ROLE_VMM), "vmm");

	char buf[200];
	size_t n = seccomp_format_report(buf, sizeof(buf), "vcpu", 57, "close", 0, 0);
	CHECK_STR(buf, "tern: seccomp: thread vcpu made forbidden syscall 57 (close)\n");
	CHECK_EQ(n, strlen(buf));
	seccomp_format_report(buf, sizeof(buf), NULL, 29, "ioctl", 1, 0xc00caee0);
	CHECK_STR(buf, "tern: seccomp: thread ? made forbidden syscall 29 (ioctl), request "
	               "0xc00caee0\n");
	seccomp_format_report(buf, sizeof(buf), "vmm", -3, NULL, 0, 0);
	CHECK_STR(buf, "tern: seccomp: thread vmm made forbidden syscall -3 (unknown)\n");
	n = seccomp_format_report(buf, 10, "vmm", 1, "x", 0, 0);
	CHECK_EQ(n, 9);
	CHECK_STR(buf, "tern: sec");
}

enum child_case {
	CASE_ALLOWED,   /* only allowed calls: exits 0 */
	CASE_FORBIDDEN, /* getppid: reported */
	CASE_IOCTL,     /* ioctl FIONBIO: reported with the request */
	CASE_EXEC_MAP,  /* mmap PROT_EXEC: reported */
	CASE_LOG,       /* log mode: getppid goes through, exits 0 */
	CASE_TRIGGER,   /* the test hook with the matching role */
};

/* In the child: install, exercise, exit through exit_group only (the
 * sanitizer runtime's exit path makes syscalls the filter forbids). */
static void child(enum child_case c, int out_fd)
{
	int log = c == CASE_LOG;
	const struct sock_filter *prog =
	        log ? tern_seccomp_hosttest_log : tern_seccomp_hosttest_enforce;
	unsigned short len =
	        log ? tern_seccomp_hosttest_log_len : tern_seccomp_hosttest_enforce_len;
	seccomp_filter_set_names(tern_seccomp_syscall_names, tern_seccomp_syscall_names_len);
	if (seccomp_filter_load(prog, len, "hosttest", !log, log))
		syscall(SYS_exit_group, 90);
	char ok = 1;
	/* allowed: plain, ioctl by request, masked argument, errno rule */
	if (syscall(SYS_getpid) != getpid())
		ok = 0;
	if (syscall(SYS_ioctl, out_fd, TCGETS, NULL) != -1 || errno == ENOSYS)
		ok = 0; /* a pipe is no tty: ENOTTY or EFAULT, but not trapped */
	long p = syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	                 -1, 0);
	if (p == -1)
		ok = 0;
	errno = 0;
	if (syscall(SYS_getuid) != -1 || errno != EPERM)
		ok = 0;
	if (write(out_fd, &ok, 1) != 1)
		syscall(SYS_exit_group, 91);
	switch (c) {
	case CASE_ALLOWED:
		break;
	case CASE_FORBIDDEN:
	case CASE_LOG:
		syscall(SYS_getppid);
		break;
	case CASE_IOCTL: {
		int on = 1;
		syscall(SYS_ioctl, out_fd, FIONBIO, &on);
		break;
	}
	case CASE_EXEC_MAP:
		syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		        -1, 0);
		break;
	case CASE_TRIGGER:
		seccomp_filter_test_trigger("other"); /* not this role: nothing */
		seccomp_filter_test_trigger("hosttest");
		break;
	}
	syscall(SYS_exit_group, 0);
}

struct outcome {
	int status;
	char ok;
	char err[512];
};

static int run_child(enum child_case c, struct outcome *o)
{
	int out[2], err[2];
	if (pipe(out) || pipe(err))
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(out[0]);
		close(err[0]);
		dup2(err[1], STDERR_FILENO);
		if (c == CASE_TRIGGER)
			setenv(SECCOMP_TRIGGER_ENV, "hosttest", 1);
		child(c, out[1]);
	}
	close(out[1]);
	close(err[1]);
	memset(o, 0, sizeof(*o));
	if (read(out[0], &o->ok, 1) != 1)
		o->ok = -1;
	size_t got = 0;
	ssize_t r;
	while (got + 1 < sizeof(o->err) &&
	       (r = read(err[0], o->err + got, sizeof(o->err) - 1 - got)) > 0)
		got += (size_t)r;
	o->err[got] = '\0';
	close(out[0]);
	close(err[0]);
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
	return 0;
}

static void expect_report(enum child_case c, const char *what)
{
	struct outcome o;
	CHECK(run_child(c, &o) == 0);
	CHECK_EQ(o.ok, 1);
	CHECK_EQ(o.status, SECCOMP_EXIT_STATUS);
	if (!strstr(o.err, what))
		fprintf(stderr, "expected \"%s\" in \"%s\"\n", what, o.err);
	CHECK(strstr(o.err, what) != NULL);
}

static void test_installed(void)
{
	struct outcome o;
	CHECK(run_child(CASE_ALLOWED, &o) == 0);
	CHECK_EQ(o.ok, 1);
	CHECK_EQ(o.status, 0);
	CHECK_STR(o.err, "");

	char want[200];
	snprintf(want, sizeof(want),
	         "tern: seccomp: thread hosttest made forbidden syscall %d (getppid)\n",
	         (int)SYS_getppid);
	expect_report(CASE_FORBIDDEN, want);
	expect_report(CASE_TRIGGER, want);
	snprintf(want, sizeof(want),
	         "tern: seccomp: thread hosttest made forbidden syscall %d (ioctl), request 0x%x\n",
	         (int)SYS_ioctl, (unsigned)FIONBIO);
	expect_report(CASE_IOCTL, want);
	snprintf(want, sizeof(want), "made forbidden syscall %d (mmap)\n", (int)SYS_mmap);
	expect_report(CASE_EXEC_MAP, want);

	/* Log mode: the kernel logs, the call proceeds, the child ends normally. */
	CHECK(run_child(CASE_LOG, &o) == 0);
	CHECK_EQ(o.ok, 1);
	CHECK_EQ(o.status, 0);
	CHECK_STR(o.err, "");
}

int main(void)
{
	test_parser();
	test_policy_files();
	test_compiler();
	test_aarch64_programs();
	test_mode_and_report();
	test_installed();
	return check_summary("test_seccomp");
}

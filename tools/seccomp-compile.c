/* seccomp-compile: turns the seccomp/ROLE.policy files into C arrays of classic BPF for
 * one target architecture, at build time, on the build host.
 *
 *   seccomp-compile --arch aarch64|x86_64|native --out FILE.c [--prefix P]
 *                   [--no-asserts] POLICY...
 *
 * writes FILE.c and FILE.h. For each policy ROLE.policy it emits two
 * programs from the same rules:
 *   tern_seccomp_ROLE_enforce[]  anything not allowed: SECCOMP_RET_TRAP
 *                                (tern's SIGSYS handler reports and exits)
 *   tern_seccomp_ROLE_log[]      anything not allowed: SECCOMP_RET_LOG
 *                                (the kernel logs it, the call proceeds)
 * with a _len for each, plus tern_seccomp_syscall_names[], the target's
 * syscall names by number, for the SIGSYS report. A foreign architecture
 * (a 32-bit compat call) kills the process in both variants.
 *
 * Numbers for named constants come from policy_consts; FILE.c asserts each
 * one it uses against the target's own headers, so a wrong table entry is a
 * build error on that target, not a wrong filter. */
#include <errno.h>
#include <libgen.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-policy.h"

#define MAX_RULES 512

/* Symbol prefix: tern_seccomp, or another one for a second set in one
 * program (the unit tests link the aarch64 set next to the host's). */
static const char *prefix;
/* Skip the constant asserts: for a set compiled into a program for another
 * architecture (the unit tests), whose headers lack the target's structs. */
static int no_asserts;
#define MAX_FILES 8

struct merged {
	const struct policy_rule *rule[MAX_RULES];
	const char *file[MAX_RULES];
	size_t n;
	struct policy pol[MAX_FILES];
	char *path[MAX_FILES];
	unsigned npol;
	unsigned char *const_used;
};

static int load(struct merged *m, const char *path, unsigned depth)
{
	if (depth > 4 || m->npol == MAX_FILES) {
		fprintf(stderr, "seccomp-compile: %s: includes nest too deep\n", path);
		return -1;
	}
	for (unsigned i = 0; i < m->npol; i++)
		if (!strcmp(m->path[i], path))
			return 0; /* already merged */
	char *text = policy_read_file(path);
	if (!text) {
		fprintf(stderr, "seccomp-compile: cannot read %s\n", path);
		return -1;
	}
	char err[512];
	unsigned k = m->npol;
	int r = policy_parse(&m->pol[k], text, path, err, sizeof(err));
	free(text);
	if (r) {
		fprintf(stderr, "seccomp-compile: %s\n", r == -EINVAL ? err : "out of memory");
		return -1;
	}
	m->path[k] = strdup(path);
	m->npol++;
	struct policy *p = &m->pol[k];
	for (size_t i = 0; i < policy_n_consts; i++)
		m->const_used[i] |= p->const_used[i];
	for (size_t i = 0; i < p->n; i++) {
		int dup = 0;
		for (size_t j = 0; j < m->n && !dup; j++)
			dup = policy_rule_equal(m->rule[j], &p->rules[i]);
		if (dup)
			continue;
		if (m->n == MAX_RULES) {
			fprintf(stderr, "seccomp-compile: %s: too many rules\n", path);
			return -1;
		}
		m->rule[m->n] = &p->rules[i];
		m->file[m->n++] = m->path[k];
	}
	for (unsigned i = 0; i < p->n_includes; i++) {
		char *dup = strdup(path);
		char inc[1024];
		snprintf(inc, sizeof(inc), "%s/%s", dirname(dup), p->includes[i]);
		free(dup);
		if (load(m, inc, depth + 1))
			return -1;
	}
	return 0;
}

static void merged_free(struct merged *m)
{
	for (unsigned i = 0; i < m->npol; i++) {
		policy_free(&m->pol[i]);
		free(m->path[i]);
	}
	m->npol = 0;
	m->n = 0;
}

static enum scmp_compare cmp_of(enum policy_op op)
{
	switch (op) {
	case POLICY_EQ:
		return SCMP_CMP_EQ;
	case POLICY_NE:
		return SCMP_CMP_NE;
	case POLICY_LT:
		return SCMP_CMP_LT;
	case POLICY_LE:
		return SCMP_CMP_LE;
	case POLICY_GT:
		return SCMP_CMP_GT;
	case POLICY_GE:
		return SCMP_CMP_GE;
	case POLICY_MASKED_EQ:
		break;
	}
	return SCMP_CMP_MASKED_EQ;
}

/* A syscall with an unconditional allow needs none of its conditional
 * rules (libseccomp would refuse the mix); allowing and failing the same
 * syscall is a policy error. */
static int syscall_unconditional(const struct merged *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->rule[i]->name, name) && !m->rule[i]->ncond && !m->rule[i]->err)
			return 1;
	return 0;
}

static int build(const struct merged *m, uint32_t arch, uint32_t deflt, struct sock_filter **out,
                 size_t *len)
{
	scmp_filter_ctx ctx = seccomp_init(deflt);
	if (!ctx)
		return -1;
	int r = 0;
	if (arch != seccomp_arch_native()) {
		r = seccomp_arch_add(ctx, arch);
		if (!r)
			r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
	}
	if (!r)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	/* A binary search over syscall numbers rather than a linear chain. */
	if (!r)
		(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t i = 0; i < m->n && !r; i++) {
		const struct policy_rule *pr = m->rule[i];
		int nr = seccomp_syscall_resolve_name_arch(arch, pr->name);
		if (nr < 0) {
			fprintf(stderr,
			        "seccomp-compile: %s:%u: '%s' is not a syscall of the target "
			        "architecture\n",
			        m->file[i], pr->line, pr->name);
			r = -1;
			break;
		}
		for (size_t j = 0; j < m->n; j++)
			if (!strcmp(m->rule[j]->name, pr->name) && !m->rule[j]->err != !pr->err) {
				fprintf(stderr,
				        "seccomp-compile: %s:%u: '%s' is both allowed and failed\n",
				        m->file[i], pr->line, pr->name);
				r = -1;
			}
		if (r)
			break;
		if (pr->ncond && !pr->err && syscall_unconditional(m, pr->name))
			continue;
		struct scmp_arg_cmp cmp[POLICY_MAX_CONDS];
		for (unsigned k = 0; k < pr->ncond; k++) {
			const struct policy_cond *c = &pr->cond[k];
			cmp[k] = (struct scmp_arg_cmp){
			        .arg = c->arg,
			        .op = cmp_of(c->op),
			        .datum_a = c->op == POLICY_MASKED_EQ ? c->mask : c->value,
			        .datum_b = c->op == POLICY_MASKED_EQ ? c->value : 0,
			};
		}
		uint32_t action = pr->err ? SCMP_ACT_ERRNO((uint32_t)pr->err) : SCMP_ACT_ALLOW;
		/* libseccomp takes the build host's number (or its pseudo number
		 * for a syscall the host lacks) and maps it by name to each
		 * architecture of the filter: the target's number would be
		 * mapped as if it were the host's. */
		r = seccomp_rule_add_exact_array(
		        ctx, action, seccomp_syscall_resolve_name(pr->name), pr->ncond, cmp);
		if (r)
			fprintf(stderr, "seccomp-compile: %s:%u: libseccomp refused the rule: %s\n",
			        m->file[i], pr->line, strerror(-r));
	}
	FILE *tmp = r ? NULL : tmpfile();
	if (!r && !tmp)
		r = -1;
	if (!r)
		r = seccomp_export_bpf(ctx, fileno(tmp));
	seccomp_release(ctx);
	if (r) {
		if (tmp)
			fclose(tmp);
		return -1;
	}
	long size = fseek(tmp, 0, SEEK_END) ? -1 : ftell(tmp);
	rewind(tmp);
	if (size <= 0 || size % (long)sizeof(struct sock_filter) ||
	    size / (long)sizeof(struct sock_filter) > BPF_MAXINSNS) {
		fclose(tmp);
		fprintf(stderr, "seccomp-compile: bad program size %ld\n", size);
		return -1;
	}
	*len = (size_t)size / sizeof(struct sock_filter);
	*out = malloc((size_t)size);
	if (!*out || fread(*out, sizeof(struct sock_filter), *len, tmp) != *len) {
		fclose(tmp);
		free(*out);
		return -1;
	}
	fclose(tmp);
	return 0;
}

static void emit_prog(FILE *c, FILE *h, const char *role, const char *variant,
                      const struct sock_filter *f, size_t n)
{
	fprintf(h, "extern const struct sock_filter %s_%s_%s[];\n", prefix, role, variant);
	fprintf(h, "extern const unsigned short %s_%s_%s_len;\n", prefix, role, variant);
	fprintf(c, "const struct sock_filter %s_%s_%s[] = {\n", prefix, role, variant);
	for (size_t i = 0; i < n; i++)
		fprintf(c, "\t{0x%04x, %u, %u, 0x%08x},\n", f[i].code, f[i].jt, f[i].jf, f[i].k);
	fprintf(c, "};\nconst unsigned short %s_%s_%s_len = %zu;\n\n", prefix, role, variant, n);
}

/* ROLE from ".../ROLE.policy": a C identifier. */
static int role_of(const char *path, char *role, size_t n)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	const char *dot = strstr(b, ".policy");
	size_t len = dot ? (size_t)(dot - b) : 0;
	if (!len || len >= n || dot[7])
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!(b[i] >= 'a' && b[i] <= 'z') && b[i] != '_')
			return -1;
	memcpy(role, b, len);
	role[len] = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	const char *arch_name = NULL, *out = NULL;
	prefix = "tern_seccomp";
	int first = 1;
	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "--arch") && first + 1 < argc)
			arch_name = argv[++first];
		else if (!strcmp(argv[first], "--out") && first + 1 < argc)
			out = argv[++first];
		else if (!strcmp(argv[first], "--prefix") && first + 1 < argc)
			prefix = argv[++first];
		else if (!strcmp(argv[first], "--no-asserts"))
			no_asserts = 1;
		else
			break;
	}
	if (!arch_name || !out || first >= argc) {
		fprintf(stderr, "usage: seccomp-compile --arch aarch64|x86_64|native --out FILE.c "
		                "[--prefix tern_seccomp] [--no-asserts] POLICY...\n");
		return 2;
	}
	uint32_t arch = strcmp(arch_name, "native") ? seccomp_arch_resolve_name(arch_name)
	                                            : seccomp_arch_native();
	if (!arch) {
		fprintf(stderr, "seccomp-compile: unknown architecture '%s'\n", arch_name);
		return 2;
	}
	size_t olen = strlen(out);
	if (olen < 3 || strcmp(out + olen - 2, ".c")) {
		fprintf(stderr, "seccomp-compile: --out must name a .c file\n");
		return 2;
	}
	char *hpath = strdup(out);
	hpath[olen - 1] = 'h';
	const char *hbase = strrchr(hpath, '/') ? strrchr(hpath, '/') + 1 : hpath;

	/* Programs first: headers and asserts depend on the constants used. */
	static struct merged m;
	m.const_used = calloc(policy_n_consts, 1);
	struct {
		char role[32];
		struct sock_filter *prog[2];
		size_t len[2];
	} roles[MAX_FILES];
	int nroles = 0, rc = 0;
	for (int i = first; i < argc && !rc; i++) {
		if (nroles == MAX_FILES || role_of(argv[i], roles[nroles].role, 32)) {
			fprintf(stderr, "seccomp-compile: %s: expected ROLE.policy\n", argv[i]);
			rc = 1;
			break;
		}
		if (load(&m, argv[i], 0) ||
		    build(&m, arch, SCMP_ACT_TRAP, &roles[nroles].prog[0], &roles[nroles].len[0]) ||
		    build(&m, arch, SCMP_ACT_LOG, &roles[nroles].prog[1], &roles[nroles].len[1]))
			rc = 1;
		else
			nroles++;
		merged_free(&m);
	}
	if (rc) {
		free(hpath);
		free(m.const_used);
		return 1;
	}

	FILE *c = fopen(out, "w"), *h = fopen(hpath, "w");
	if (!c || !h) {
		fprintf(stderr, "seccomp-compile: cannot write %s\n", c ? hpath : out);
		return 1;
	}
	fprintf(c, "/* Generated by tools/seccomp-compile for %s: do not edit. */\n", arch_name);
	fprintf(h, "/* Generated by tools/seccomp-compile for %s: do not edit. */\n", arch_name);
	fprintf(h, "#ifndef %s_GENERATED_H\n#define %s_GENERATED_H\n", prefix, prefix);
	fprintf(h, "#include <linux/filter.h>\n\n");
	fprintf(c, "#include \"%s\"\n\n", hbase);
	for (size_t i = 0; i < policy_n_consts; i++) {
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = m.const_used[j] &&
			       !strcmp(policy_consts[j].header, policy_consts[i].header);
		if (m.const_used[i] && !seen)
			fprintf(c, "#include <%s>\n", policy_consts[i].header);
	}
	fprintf(c, "\n/* The policy compiler's numbers must be this target's. */\n");
	for (size_t i = 0; i < policy_n_consts && !no_asserts; i++)
		if (m.const_used[i])
			fprintf(c,
			        "_Static_assert((unsigned long long)(%s) == 0x%llxULL,\n"
			        "               \"seccomp policy constant %s differs from "
			        "<%s>\");\n",
			        policy_consts[i].name, (unsigned long long)policy_consts[i].value,
			        policy_consts[i].name, policy_consts[i].header);
	fprintf(c, "\n");
	for (int i = 0; i < nroles; i++) {
		emit_prog(c, h, roles[i].role, "enforce", roles[i].prog[0], roles[i].len[0]);
		emit_prog(c, h, roles[i].role, "log", roles[i].prog[1], roles[i].len[1]);
		free(roles[i].prog[0]);
		free(roles[i].prog[1]);
	}
	fprintf(h, "extern const char *const %s_syscall_names[];\n", prefix);
	fprintf(h, "extern const unsigned %s_syscall_names_len;\n", prefix);
	fprintf(c, "const char *const %s_syscall_names[] = {\n", prefix);
	int max = -1;
	for (int nr = 0; nr < 2048; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(arch, nr);
		if (name) {
			fprintf(c, "\t[%d] = \"%s\",\n", nr, name);
			max = nr;
		}
		free(name);
	}
	fprintf(c, "};\nconst unsigned %s_syscall_names_len = %d;\n", prefix, max + 1);
	fprintf(h, "\n#endif\n");
	free(m.const_used);
	free(hpath);
	int bad = ferror(c) | ferror(h);
	bad |= fclose(c) != 0;
	bad |= fclose(h) != 0;
	if (bad) {
		fprintf(stderr, "seccomp-compile: write error\n");
		return 1;
	}
	return 0;
}

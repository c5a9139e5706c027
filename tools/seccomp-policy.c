/* Parser for the seccomp/ROLE.policy files (the language is described in seccomp-policy.h). */
#include "seccomp-policy.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values as on aarch64 and x86_64; the generated sources assert each one
 * against the target's headers (see tools/seccomp-compile.c). */
const struct policy_const policy_consts[] = {
        {"KVM_GET_API_VERSION", 0xae00, "linux/kvm.h"},
        {"KVM_CREATE_VM", 0xae01, "linux/kvm.h"},
        {"KVM_CHECK_EXTENSION", 0xae03, "linux/kvm.h"},
        {"KVM_GET_VCPU_MMAP_SIZE", 0xae04, "linux/kvm.h"},
        {"KVM_CREATE_VCPU", 0xae41, "linux/kvm.h"},
        {"KVM_SET_USER_MEMORY_REGION", 0x4020ae46, "linux/kvm.h"},
        {"KVM_IRQ_LINE", 0x4008ae61, "linux/kvm.h"},
        {"KVM_IRQFD", 0x4020ae76, "linux/kvm.h"},
        {"KVM_IOEVENTFD", 0x4040ae79, "linux/kvm.h"},
        {"KVM_RUN", 0xae80, "linux/kvm.h"},
        {"KVM_GET_MP_STATE", 0x8004ae98, "linux/kvm.h"},
        {"KVM_SET_MP_STATE", 0x4004ae99, "linux/kvm.h"},
        {"KVM_GET_ONE_REG", 0x4010aeab, "linux/kvm.h"},
        {"KVM_SET_ONE_REG", 0x4010aeac, "linux/kvm.h"},
        /* arm64 only: the struct they size is in arm64's asm/kvm.h. */
        {"KVM_ARM_VCPU_INIT", 0x4020aeae, "linux/kvm.h"},
        {"KVM_ARM_PREFERRED_TARGET", 0x8020aeaf, "linux/kvm.h"},
        {"KVM_CREATE_DEVICE", 0xc00caee0, "linux/kvm.h"},
        {"KVM_SET_DEVICE_ATTR", 0x4018aee1, "linux/kvm.h"},
        {"KVM_GET_DEVICE_ATTR", 0x4018aee2, "linux/kvm.h"},
        {"KVM_HAS_DEVICE_ATTR", 0x4018aee3, "linux/kvm.h"},
        {"TCGETS", 0x5401, "sys/ioctl.h"},
        {"TCSETS", 0x5402, "sys/ioctl.h"},
        {"TCSETSW", 0x5403, "sys/ioctl.h"},
        {"TCSETSF", 0x5404, "sys/ioctl.h"},
        {"TIOCGWINSZ", 0x5413, "sys/ioctl.h"},
        {"FIONBIO", 0x5421, "sys/ioctl.h"},
        {"TUNSETIFF", 0x400454ca, "linux/if_tun.h"},
        {"TUNSETOFFLOAD", 0x400454d0, "linux/if_tun.h"},
        {"TUNSETVNETHDRSZ", 0x400454d8, "linux/if_tun.h"},
        {"PROT_EXEC", 0x4, "sys/mman.h"},
        {"O_CREAT", 0x40, "fcntl.h"},
        {"CLONE_THREAD", 0x10000, "sched.h"},
        {"PR_SET_NAME", 15, "sys/prctl.h"},
        {"PR_SET_NO_NEW_PRIVS", 38, "sys/prctl.h"},
        {"SECCOMP_SET_MODE_FILTER", 1, "linux/seccomp.h"},
        {"SIGABRT", 6, "signal.h"},
        {"ENOSYS", 38, "errno.h"},
        {"EPERM", 1, "errno.h"},
};
const size_t policy_n_consts = sizeof(policy_consts) / sizeof(policy_consts[0]);

const struct policy_const *policy_const_find(const char *name)
{
	for (size_t i = 0; i < policy_n_consts; i++)
		if (!strcmp(policy_consts[i].name, name))
			return &policy_consts[i];
	return NULL;
}

char *policy_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (len + 1 < cap)
			break;
		char *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (!buf || bad) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

void policy_free(struct policy *p)
{
	free(p->rules);
	free(p->const_used);
	memset(p, 0, sizeof(*p));
}

int policy_rule_equal(const struct policy_rule *a, const struct policy_rule *b)
{
	if (strcmp(a->name, b->name) || a->ncond != b->ncond || a->err != b->err)
		return 0;
	for (unsigned i = 0; i < a->ncond; i++) {
		const struct policy_cond *x = &a->cond[i], *y = &b->cond[i];
		if (x->arg != y->arg || x->op != y->op || x->value != y->value ||
		    (x->op == POLICY_MASKED_EQ && x->mask != y->mask))
			return 0;
	}
	return 1;
}

struct parser {
	struct policy *p;
	const char *file;
	unsigned line;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *ps, const char *fmt, ...)
{
	int n = snprintf(ps->err, ps->errlen, "%s:%u: ", ps->file, ps->line);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* One term: a number (C syntax: decimal, 0x hex, 0 octal) or a constant. */
static int parse_term(struct parser *ps, const char *s, uint64_t *out)
{
	if (isdigit((unsigned char)*s)) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(s, &end, 0);
		if (errno || *end)
			return fail(ps, "bad number '%s'", s);
		*out = v;
		return 0;
	}
	const struct policy_const *c = policy_const_find(s);
	if (!c)
		return fail(ps, "unknown constant '%s' (add it to policy_consts)", s);
	ps->p->const_used[c - policy_consts] = 1;
	*out = c->value;
	return 0;
}

/* A value: terms joined with '|'. */
static int parse_value(struct parser *ps, const char *tok, uint64_t *out)
{
	char buf[128];
	if (strlen(tok) >= sizeof(buf))
		return fail(ps, "value too long");
	snprintf(buf, sizeof(buf), "%s", tok);
	*out = 0;
	char *save = NULL;
	for (char *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		uint64_t v = 0;
		int r = parse_term(ps, t, &v);
		if (r)
			return r;
		*out |= v;
	}
	return 0;
}

static int parse_op(const char *s, enum policy_op *op)
{
	static const struct {
		const char *s;
		enum policy_op op;
	} ops[] = {{"==", POLICY_EQ}, {"!=", POLICY_NE}, {"<", POLICY_LT},
	           {"<=", POLICY_LE}, {">", POLICY_GT},  {">=", POLICY_GE}};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(s, ops[i].s)) {
			*op = ops[i].op;
			return 0;
		}
	return -EINVAL;
}

static int valid_name(const char *s)
{
	if (!*s || strlen(s) >= POLICY_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

#define MAX_TOKS 32

/* Parses the tokens of one rule (after the syscall name) into r. */
static int parse_conditions(struct parser *ps, struct policy_rule *r, char **tok, int nt)
{
	int i = 0;
	if (!strcmp(r->name, "ioctl") && nt > 0 && strncmp(tok[0], "arg", 3) &&
	    strcmp(tok[0], "=>")) {
		/* `ioctl NAME`: the request number, matched exactly. */
		r->cond[0] = (struct policy_cond){.arg = 1, .op = POLICY_EQ};
		int e = parse_value(ps, tok[0], &r->cond[0].value);
		if (e)
			return e;
		r->ncond = 1;
		i = 1;
	}
	while (i < nt) {
		if (!strcmp(tok[i], "=>")) {
			if (i + 2 != nt)
				return fail(ps, "'=>' takes one errno and ends the rule");
			uint64_t e = 0;
			int rc = parse_value(ps, tok[i + 1], &e);
			if (rc)
				return rc;
			if (e == 0 || e > 4095)
				return fail(ps, "errno %llu out of range", (unsigned long long)e);
			r->err = (int)e;
			return 0;
		}
		if (r->ncond == POLICY_MAX_CONDS)
			return fail(ps, "more than %d conditions", POLICY_MAX_CONDS);
		struct policy_cond *c = &r->cond[r->ncond];
		const char *a = tok[i];
		if (strncmp(a, "arg", 3) || a[3] < '0' || a[3] > '5' || a[4])
			return fail(ps, "expected arg0..arg5, got '%s'", a);
		c->arg = (unsigned)(a[3] - '0');
		for (unsigned k = 0; k < r->ncond; k++)
			if (r->cond[k].arg == c->arg)
				return fail(ps, "arg%u is tested twice in one rule", c->arg);
		if (i + 2 >= nt)
			return fail(ps, "incomplete condition on %s", a);
		if (!strcmp(tok[i + 1], "&")) {
			if (i + 4 >= nt || strcmp(tok[i + 3], "=="))
				return fail(ps, "expected '%s & MASK == VALUE'", a);
			c->op = POLICY_MASKED_EQ;
			int rc = parse_value(ps, tok[i + 2], &c->mask);
			if (!rc)
				rc = parse_value(ps, tok[i + 4], &c->value);
			if (rc)
				return rc;
			if (c->value & ~c->mask)
				return fail(ps,
				            "masked value has bits outside the mask: never true");
			i += 5;
		} else {
			if (parse_op(tok[i + 1], &c->op))
				return fail(ps, "unknown operator '%s'", tok[i + 1]);
			int rc = parse_value(ps, tok[i + 2], &c->value);
			if (rc)
				return rc;
			i += 3;
		}
		r->ncond++;
	}
	return 0;
}

static int add_rule(struct parser *ps, const struct policy_rule *r)
{
	struct policy *p = ps->p;
	for (size_t i = 0; i < p->n; i++)
		if (policy_rule_equal(&p->rules[i], r))
			return fail(ps, "duplicate of the rule on line %u", p->rules[i].line);
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct policy_rule *nr = realloc(p->rules, cap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		p->rules = nr;
		p->cap = cap;
	}
	p->rules[p->n++] = *r;
	return 0;
}

static int parse_line(struct parser *ps, char *line)
{
	char *hash = strchr(line, '#');
	char *reason = NULL;
	if (hash) {
		*hash = '\0';
		reason = hash + 1;
		while (isspace((unsigned char)*reason))
			reason++;
		size_t rl = strlen(reason);
		while (rl && isspace((unsigned char)reason[rl - 1]))
			reason[--rl] = '\0';
	}
	char *tok[MAX_TOKS];
	int nt = 0;
	char *save = NULL;
	for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		if (nt == MAX_TOKS)
			return fail(ps, "too many words");
		tok[nt++] = t;
	}
	if (nt == 0)
		return 0; /* blank or comment-only */
	if (!reason || !*reason)
		return fail(ps, "rule '%s' has no reason (add '# why')", tok[0]);
	if (strlen(reason) >= POLICY_REASON_MAX)
		return fail(ps, "reason longer than %d characters", POLICY_REASON_MAX - 1);
	if (!strcmp(tok[0], "include")) {
		struct policy *p = ps->p;
		if (nt != 2)
			return fail(ps, "include takes one file name");
		if (p->n_includes == POLICY_MAX_INCLUDES)
			return fail(ps, "too many includes");
		if (strchr(tok[1], '/') || strlen(tok[1]) >= sizeof(p->includes[0]))
			return fail(ps, "include names a file next to this one: '%s'", tok[1]);
		for (unsigned i = 0; i < p->n_includes; i++)
			if (!strcmp(p->includes[i], tok[1]))
				return fail(ps, "'%s' is included twice", tok[1]);
		snprintf(p->includes[p->n_includes], sizeof(p->includes[0]), "%s", tok[1]);
		p->n_includes++;
		return 0;
	}
	if (!valid_name(tok[0]))
		return fail(ps, "'%s' is not a syscall name", tok[0]);
	struct policy_rule r;
	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", tok[0]);
	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	r.line = ps->line;
	int rc = parse_conditions(ps, &r, tok + 1, nt - 1);
	return rc ? rc : add_rule(ps, &r);
}

int policy_parse(struct policy *p, const char *text, const char *file, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->const_used = calloc(policy_n_consts, 1);
	if (!p->const_used)
		return -ENOMEM;
	struct parser ps = {.p = p, .file = file, .err = err, .errlen = errlen};
	const char *s = text;
	char line[1024];
	while (*s) {
		ps.line++;
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		if (len >= sizeof(line)) {
			policy_free(p);
			return fail(&ps, "line too long");
		}
		memcpy(line, s, len);
		line[len] = '\0';
		int rc = parse_line(&ps, line);
		if (rc) {
			policy_free(p);
			return rc;
		}
		s += len + (nl ? 1 : 0);
	}
	return 0;
}

/* The seccomp policy language (the seccomp/ROLE.policy files): parsing only, no
 * libseccomp, so the unit tests and the build-time compiler share it.
 *
 * One rule per line, a reason after '#' on every rule:
 *
 *   syscall_name [condition ...] [=> ERRNO]   # why the rule is needed
 *   ioctl REQUEST_NAME                        # shorthand for arg1 == REQUEST_NAME
 *   include other.policy                      # why the rules are inherited
 *
 * A condition is `argN OP VALUE` (OP one of == != < <= > >=) or
 * `argN & MASK == VALUE`; conditions on one line must all hold. VALUE and
 * MASK are numbers or names from policy_consts, joined with '|'. `=> ERRNO`
 * makes the syscall fail with that errno instead of being allowed. Lines that
 * are empty or start with '#' are comments. */
#ifndef TERN_TOOLS_SECCOMP_POLICY_H
#define TERN_TOOLS_SECCOMP_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define POLICY_MAX_CONDS    6
#define POLICY_MAX_INCLUDES 4
#define POLICY_NAME_MAX     48
#define POLICY_REASON_MAX   200

enum policy_op {
	POLICY_EQ,
	POLICY_NE,
	POLICY_LT,
	POLICY_LE,
	POLICY_GT,
	POLICY_GE,
	POLICY_MASKED_EQ, /* (arg & mask) == value */
};

struct policy_cond {
	unsigned arg; /* 0..5 */
	enum policy_op op;
	uint64_t mask; /* POLICY_MASKED_EQ only */
	uint64_t value;
};

struct policy_rule {
	char name[POLICY_NAME_MAX];
	unsigned ncond;
	struct policy_cond cond[POLICY_MAX_CONDS];
	int err; /* 0: allow; > 0: fail with this errno */
	char reason[POLICY_REASON_MAX];
	unsigned line;
};

/* A symbolic constant the policies may name. The value is what the constant
 * is on aarch64 and x86_64 (both use the asm-generic ioctl encoding); every
 * generated filter source asserts it against the target's own header, so a
 * wrong entry fails the build instead of producing a wrong filter. */
struct policy_const {
	const char *name;
	uint64_t value;
	const char *header; /* the header that defines it */
};

extern const struct policy_const policy_consts[];
extern const size_t policy_n_consts;

struct policy {
	struct policy_rule *rules;
	size_t n, cap;
	char includes[POLICY_MAX_INCLUDES][256];
	unsigned n_includes;
	unsigned char *const_used; /* policy_n_consts flags: named by some rule */
};

/* Parses `text` (the contents of `file`, used in messages). Returns 0, or
 * -EINVAL with "file:line: what" in err, or -ENOMEM. Duplicate rules in one
 * file and rules without a reason are errors. */
int policy_parse(struct policy *p, const char *text, const char *file, char *err, size_t errlen);
void policy_free(struct policy *p);

/* Reads a whole file; returns a malloc'd NUL-terminated string or NULL. */
char *policy_read_file(const char *path);

/* Same syscall, conditions and action. */
int policy_rule_equal(const struct policy_rule *a, const struct policy_rule *b);

/* Looks a constant up by name; NULL if unknown. */
const struct policy_const *policy_const_find(const char *name);

#endif

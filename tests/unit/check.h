/* Minimal unit-test helpers: each test file is a program whose exit status is
 * the verdict; every failed check prints file:line and what differed. */
#ifndef TERN_TESTS_CHECK_H
#define TERN_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		check_count++;                                                                     \
		if (!(cond)) {                                                                     \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);   \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long check_a_ = (long long)(a);                                               \
		long long check_b_ = (long long)(b);                                               \
		check_count++;                                                                     \
		if (check_a_ != check_b_) {                                                        \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: %s == %s failed: %lld vs %lld\n", __FILE__,        \
			        __LINE__, #a, #b, check_a_, check_b_);                             \
		}                                                                                  \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                                         \
	do {                                                                                       \
		uint64_t check_a_ = (uint64_t)(a);                                                 \
		uint64_t check_b_ = (uint64_t)(b);                                                 \
		check_count++;                                                                     \
		if (check_a_ != check_b_) {                                                        \
			check_failures++;                                                          \
			fprintf(stderr,                                                            \
			        "%s:%d: %s == %s failed: 0x%" PRIx64 " vs 0x%" PRIx64 "\n",        \
			        __FILE__, __LINE__, #a, #b, check_a_, check_b_);                   \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *check_a_ = (a);                                                        \
		const char *check_b_ = (b);                                                        \
		check_count++;                                                                     \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_)) {                        \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: %s == \"%s\" failed: got \"%s\"\n", __FILE__,      \
			        __LINE__, #a, check_b_ ? check_b_ : "(null)",                      \
			        check_a_ ? check_a_ : "(null)");                                   \
		}                                                                                  \
	} while (0)

static inline int check_summary(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif

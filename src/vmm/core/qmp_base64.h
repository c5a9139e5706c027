/* Strict base64 (RFC 4648 §4, standard alphabet, padding required). */
#ifndef TERN_VMM_CORE_QMP_BASE64_H
#define TERN_VMM_CORE_QMP_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Upper bound of the decoded size of in_len characters. */
static inline size_t qmp_base64_decoded_max(size_t in_len)
{
	return in_len / 4 * 3;
}

/* Decodes in[0..in_len) into out (out_cap bytes). Rejects whitespace,
 * characters outside the alphabet, missing or misplaced padding and
 * non-zero bits after the last byte, so one text has one meaning.
 * Returns 0, -EINVAL for malformed text, -ENOSPC if out is too small. */
int qmp_base64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);

#endif

/* Strict base64 decoding for binary QMP arguments (CPER records). */
#include "vmm/core/qmp_base64.h"

#include <errno.h>

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int qmp_base64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
	size_t i, n = 0;

	if (in_len % 4)
		return -EINVAL;
	for (i = 0; i < in_len; i += 4) {
		int v[4], k, pad = 0;
		uint32_t bits = 0;
		size_t bytes;

		for (k = 0; k < 4; k++) {
			char c = in[i + k];

			/* '=' only in the last two places of the last quad,
			 * and once it starts nothing else may follow. */
			if (c == '=' && i + 4 == in_len && k >= 2) {
				pad++;
				v[k] = 0;
				continue;
			}
			if (pad)
				return -EINVAL;
			v[k] = b64_value(c);
			if (v[k] < 0)
				return -EINVAL;
		}
		bits = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
		       (uint32_t)v[3];
		if ((pad == 1 && (bits & 0xff)) || (pad == 2 && (bits & 0xffff)))
			return -EINVAL;
		bytes = 3 - (size_t)pad;
		if (n + bytes > out_cap)
			return -ENOSPC;
		out[n++] = (uint8_t)(bits >> 16);
		if (bytes > 1)
			out[n++] = (uint8_t)(bits >> 8);
		if (bytes > 2)
			out[n++] = (uint8_t)bits;
	}
	*out_len = n;
	return 0;
}

/* Decompiles a DT blob with dtc so tests can check the text a person (or
 * the kernel's own tools) would see. */
#ifndef TERN_TESTS_DTS_CHECK_H
#define TERN_TESTS_DTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dts[65536];

/* Decompiles blob into dts[] through a file named name in TERN_TEST_TMP;
 * returns 0 on success. */
static inline int dts_decompile(const void *blob, int size, const char *name)
{
	const char *tmp = getenv("TERN_TEST_TMP");
	char path[512], cmd[1200];
	snprintf(path, sizeof(path), "%s/%s", tmp ? tmp : "/tmp", name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	fwrite(blob, 1, (size_t)size, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dtb -O dts '%s'", path);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(dts, 1, sizeof(dts) - 1, p);
	dts[n] = 0;
	return pclose(p) == 0 && n > 0 ? 0 : -1;
}

/* Whether the decompiled text contains s; says what is missing if not. */
static inline int dts_has(const char *s)
{
	if (strstr(dts, s))
		return 1;
	fprintf(stderr, "dts lacks: %s\n", s);
	return 0;
}

#endif

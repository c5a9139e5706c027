/* Parsing of a platform event declaration: "NUM,private|shared,normal|critical". */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sdei/sdei.h"

static int take_word(const char **p, const char *a, const char *b, bool *is_b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (!strncmp(*p, a, la) && ((*p)[la] == ',' || (*p)[la] == '\0')) {
		*is_b = false;
		*p += la;
		return 0;
	}
	if (!strncmp(*p, b, lb) && ((*p)[lb] == ',' || (*p)[lb] == '\0')) {
		*is_b = true;
		*p += lb;
		return 0;
	}
	return -EINVAL;
}

int sdei_parse_event_spec(const char *text, struct sdei_event_spec *spec)
{
	unsigned long long num;
	const char *p, *start;
	char *end;

	if (!text || !spec || text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	/* Base 10 or 0x-prefixed hex; a leading zero does not mean octal. */
	start = text;
	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		start = text + 2;
		if (!isxdigit((unsigned char)*start))
			return -EINVAL;
		num = strtoull(start, &end, 16);
	} else {
		num = strtoull(start, &end, 10);
	}
	if (errno || end == start || *end != ',' || num == 0 || num > SDEI_MAX_EVENT_NUM)
		return -EINVAL;
	p = end + 1;
	if (take_word(&p, "private", "shared", &spec->shared) || *p != ',')
		return -EINVAL;
	p++;
	if (take_word(&p, "normal", "critical", &spec->critical) || *p != '\0')
		return -EINVAL;
	spec->num = (uint32_t)num;
	return 0;
}

/*
 * libFuzzer target: the small parsers every command line and
 * configuration goes through: thresholds (-w/-c: days, 36h, 33%),
 * durations (timeout=) and times (--now, CERTPROBE_NOW). The input is
 * cut at NUL bytes, each piece given to each parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "threshold.h"
#include "timeconv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
one(const char *s)
{
	struct cp_threshold t;
	char err[256], text[CP_TIME_TEXT_MAX];
	int64_t v;

	if (cp_threshold_parse(s, &t, err, sizeof(err)) == 0)
		(void)cp_threshold_seconds(&t, 90 * 86400);
	(void)cp_duration_parse(s, 3600 * 1000, &v, err, sizeof(err));
	if (cp_time_parse_when(s, &v) == 0) {
		cp_time_format_openssl(v, text);
		cp_time_format_rfc3339(v, text);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *p;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (p = s; p < s + size + 1; p += strlen(p) + 1)
		one(p);
	free(s);
	return 0;
}

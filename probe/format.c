/* Output format names and what each needs decoded. */
#include <string.h>

#include "cert.h"
#include "output.h"

static const struct {
	const char *name;
	enum cp_format format;
	unsigned want;      /* certificate fields the format prints */
} formats[] = {
	{ "text", CP_FMT_TEXT, CP_WANT_SUBJECT },
	{ "digest", CP_FMT_DIGEST, CP_WANT_SUBJECT_IF_DUE },
	{ "nagios", CP_FMT_NAGIOS, CP_WANT_SUBJECT },
	{ "json", CP_FMT_JSON, CP_WANT_SUBJECT | CP_WANT_ISSUER |
	    CP_WANT_SERIAL | CP_WANT_SHA256 },
	{ "prometheus", CP_FMT_PROMETHEUS, CP_WANT_SUBJECT | CP_WANT_SERIAL },
	{ "lines", CP_FMT_LINES, CP_WANT_SUBJECT | CP_WANT_ISSUER },
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

int
cp_format_parse(const char *name, enum cp_format *out)
{
	size_t i;

	for (i = 0; i < NFORMATS; i++) {
		if (strcmp(formats[i].name, name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	}
	return -1;
}

unsigned
cp_format_wants(enum cp_format f)
{
	size_t i;

	for (i = 0; i < NFORMATS; i++)
		if (formats[i].format == f)
			return formats[i].want;
	return 0;
}

/* Time conversions, all through OpenSSL's calendar code. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "timeconv.h"

int64_t
cp_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int
cp_time_from_asn1(const ASN1_TIME *t, int64_t *out)
{
	/* The Unix epoch: the difference to it is the answer. */
	const struct tm epoch = { .tm_year = 70, .tm_mon = 0, .tm_mday = 1 };
	struct tm tm;
	int day, sec;

	if (ASN1_TIME_to_tm(t, &tm) == 0 ||
	    OPENSSL_gmtime_diff(&day, &sec, &epoch, &tm) == 0)
		return -1;
	*out = (int64_t)day * 86400 + sec;
	return 0;
}

/* Whether `s` is exactly the digits-and-punctuation shape of `shape`,
 * where 'N' stands for a digit. */
static int
has_shape(const char *s, const char *shape)
{
	for (; *shape != '\0'; s++, shape++) {
		if (*shape == 'N' ? !isdigit((unsigned char)*s) : *s != *shape)
			return 0;
	}
	return *s == '\0';
}

static int
parse_epoch(const char *s, int64_t *out)
{
	long long v;
	char *end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int
cp_time_parse_when(const char *text, int64_t *out)
{
	char date[40], asn1[16];
	ASN1_TIME *t = NULL;
	size_t n;
	int rc = -1;

	if (text[0] == '@') {
		/* Years 0000 to 9999: what an ASN.1 time can hold. */
		if (parse_epoch(text + 1, out) == -1 ||
		    *out < (int64_t)-62167219200 || *out > (int64_t)253402300799)
			return -1;
		return 0;
	}
	n = strlen(text);
	if (n == 0 || n >= sizeof(date))
		goto out;
	memcpy(date, text, n + 1);
	if (date[n - 1] == 'Z')
		date[n - 1] = '\0';
	if (has_shape(date, "NNNN-NN-NN"))
		strcat(date, "T00:00:00");
	if (!has_shape(date, "NNNN-NN-NNTNN:NN:NN"))
		goto out;
	/* Rewritten as GeneralizedTime, OpenSSL checks it is a real date. */
	snprintf(asn1, sizeof(asn1), "%.4s%.2s%.2s%.2s%.2s%.2sZ", date,
	    date + 5, date + 8, date + 11, date + 14, date + 17);
	if ((t = ASN1_TIME_new()) == NULL ||
	    ASN1_TIME_set_string(t, asn1) == 0 ||
	    cp_time_from_asn1(t, out) == -1)
		goto out;
	rc = 0;
out:
	ASN1_TIME_free(t);
	return rc;
}

static int
to_tm(int64_t when, struct tm *tm)
{
	time_t t = (time_t)when;

	return OPENSSL_gmtime(&t, tm) == NULL ? -1 : 0;
}

void
cp_time_format_openssl(int64_t when, char out[CP_TIME_TEXT_MAX])
{
	/* Fixed English names: a locale must never reach a date. */
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (to_tm(when, &tm) == -1 || tm.tm_mon < 0 || tm.tm_mon > 11) {
		snprintf(out, CP_TIME_TEXT_MAX, "@%lld", (long long)when);
		return;
	}
	snprintf(out, CP_TIME_TEXT_MAX, "%s %2d %02d:%02d:%02d %d GMT",
	    mon[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    tm.tm_year + 1900);
}

void
cp_time_format_rfc3339(int64_t when, char out[CP_TIME_TEXT_MAX])
{
	struct tm tm;

	if (to_tm(when, &tm) == -1) {
		snprintf(out, CP_TIME_TEXT_MAX, "@%lld", (long long)when);
		return;
	}
	snprintf(out, CP_TIME_TEXT_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

const char *
cp_seconds_text(int64_t ms, char *buf, size_t len)
{
	if (ms % 1000 == 0)
		snprintf(buf, len, "%lld s", (long long)(ms / 1000));
	else if (ms % 100 == 0)
		snprintf(buf, len, "%lld.%lld s", (long long)(ms / 1000),
		    (long long)(ms % 1000 / 100));
	else
		snprintf(buf, len, "%lld.%03lld s", (long long)(ms / 1000),
		    (long long)(ms % 1000));
	return buf;
}

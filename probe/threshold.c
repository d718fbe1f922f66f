/* The threshold and duration grammar, shared by every program. */
#include <stdio.h>
#include <string.h>

#include "threshold.h"

#define MICRO 1000000

/*
 * Reads "DIGITS[.DIGITS]" (at most 6 decimals) as millionths. Returns the
 * number of characters read, or 0 if there is no number or it is too big.
 * strtod is avoided on purpose: it accepts "inf", "0x1p3" and locale
 * decimal points, none of which belong in a threshold.
 */
static size_t
read_micro(const char *s, int64_t *out)
{
	/* whole * MICRO + (MICRO - 1) must fit: the largest whole part. */
	const int64_t limit = INT64_MAX / MICRO - 1;
	int64_t whole = 0, frac = 0, scale = MICRO;
	size_t i = 0, digits = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		if (whole > (limit - (s[i] - '0')) / 10)
			return 0;
		whole = whole * 10 + (s[i] - '0');
	}
	if (digits == 0)
		return 0;
	if (s[i] == '.') {
		i++;
		for (digits = 0; s[i] >= '0' && s[i] <= '9'; i++, digits++) {
			if (digits == 6)
				return 0;
			scale /= 10;
			frac += (s[i] - '0') * scale;
		}
		if (digits == 0)
			return 0;
	}
	*out = whole * MICRO + frac;
	return i;
}

struct cp_threshold
cp_threshold_days(int64_t days)
{
	struct cp_threshold t = { CP_TH_SECONDS, days * 86400, 0 };

	return t;
}

int
cp_threshold_parse(const char *text, struct cp_threshold *out, char *err,
    size_t errlen)
{
	int64_t micro, mult;
	size_t n;

	if ((n = read_micro(text, &micro)) == 0)
		goto bad;
	switch (text[n]) {
	case '\0':
	case 'd':
		mult = 86400;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'm':
		mult = 60;
		break;
	case 's':
		mult = 1;
		break;
	case '%':
		if (text[n + 1] != '\0' || micro > (int64_t)100 * MICRO) {
			snprintf(err, errlen, "'%s' is not a percentage from 0 "
			    "to 100", text);
			return -1;
		}
		out->kind = CP_TH_PERCENT;
		out->micro_pct = micro;
		out->seconds = 0;
		return 0;
	default:
		goto bad;
	}
	if (text[n] != '\0' && text[n + 1] != '\0')
		goto bad;
	if (micro / MICRO > CP_THRESHOLD_MAX_SECONDS / mult)
		goto big;
	out->kind = CP_TH_SECONDS;
	out->seconds = (micro * mult + MICRO / 2) / MICRO;
	out->micro_pct = 0;
	if (out->seconds > CP_THRESHOLD_MAX_SECONDS)
		goto big;
	return 0;
big:
	snprintf(err, errlen, "'%s' is more than 36500 days", text);
	return -1;
bad:
	snprintf(err, errlen, "'%s' is not a threshold (days, e.g. 30 or 1.5, "
	    "or with a unit: 36h, 90m, 600s, or a share of the lifetime: 33%%)",
	    text);
	return -1;
}

int64_t
cp_threshold_seconds(const struct cp_threshold *t, int64_t lifetime)
{
	__int128 v;

	if (t->kind == CP_TH_SECONDS)
		return t->seconds;
	if (lifetime <= 0)
		return 0;
	v = (__int128)lifetime * t->micro_pct / ((__int128)100 * MICRO);
	return (int64_t)v;
}

int
cp_duration_parse(const char *text, int64_t max_ms, int64_t *out_ms,
    char *err, size_t errlen)
{
	int64_t micro, ms;
	const char *unit;
	size_t n;

	if ((n = read_micro(text, &micro)) == 0)
		goto bad;
	unit = text + n;
	if (micro > INT64_MAX / 3600 / 1000)
		goto range;
	if (strcmp(unit, "") == 0 || strcmp(unit, "s") == 0)
		ms = micro / 1000;
	else if (strcmp(unit, "ms") == 0)
		ms = micro / MICRO;
	else if (strcmp(unit, "m") == 0)
		ms = micro * 60 / 1000;
	else if (strcmp(unit, "h") == 0)
		ms = micro * 3600 / 1000;
	else
		goto bad;
	if (ms < 1 || ms > max_ms)
		goto range;
	*out_ms = ms;
	return 0;
range:
	snprintf(err, errlen, "'%s' is out of range (1 ms to %lld s)", text,
	    (long long)(max_ms / 1000));
	return -1;
bad:
	snprintf(err, errlen, "'%s' is not a duration (seconds, e.g. 10 or "
	    "2.5, or with a unit: 500ms, 2m, 1h)", text);
	return -1;
}

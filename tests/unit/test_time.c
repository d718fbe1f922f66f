/* Time parsing, conversion and the expiry decision at its boundaries. */
#include <stdint.h>
#include <stdlib.h>

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "expiry.h"
#include "tap.h"
#include "timeconv.h"

static const struct {
	const char *text;
	int ok;
	int64_t when;
} whens[] = {
	{ "@0", 1, 0 },
	{ "@-86400", 1, -86400 },
	{ "@1780000000", 1, 1780000000 },
	{ "@253402300799", 1, 253402300799LL },
	{ "@253402300800", 0, 0 },                    /* past year 9999 */
	{ "@-62167219200", 1, -62167219200LL },       /* year 0000 */
	{ "@-62167219201", 0, 0 },
	{ "@9223372036854775807", 0, 0 },
	{ "@-9223372036854775808", 0, 0 },
	{ "2027-01-15", 1, 1799971200 },
	{ "2027-01-15Z", 1, 1799971200 },
	{ "2027-01-15T12:34:56Z", 1, 1800016496 },
	{ "2027-01-15T12:34:56", 1, 1800016496 },
	{ "2028-02-29", 1, 1835395200 },
	{ "9999-12-31T23:59:59Z", 1, 253402300799LL },
	{ "2027-02-29", 0, 0 },
	{ "2027-02-30", 0, 0 },
	{ "2027-13-01", 0, 0 },
	{ "2027-01-15T24:00:00Z", 0, 0 },
	{ "2027-01-15T12:60:00Z", 0, 0 },
	{ "2027-1-15", 0, 0 },
	{ "2027-01-15 12:34:56", 0, 0 },
	{ "2027-01-15T12:34Z", 0, 0 },
	{ "@", 0, 0 },
	{ "@12x", 0, 0 },
	{ "@ 12", 0, 0 },
	{ "", 0, 0 },
	{ "yesterday", 0, 0 },
};

static const struct {
	int64_t when;
	const char *openssl;
	const char *rfc3339;
} formats[] = {
	{ 0, "Jan  1 00:00:00 1970 GMT", "1970-01-01T00:00:00Z" },
	{ 1482968760, "Dec 28 23:46:00 2016 GMT", "2016-12-28T23:46:00Z" },
	{ 2524608000LL, "Jan  1 00:00:00 2050 GMT", "2050-01-01T00:00:00Z" },
	{ 253402300799LL, "Dec 31 23:59:59 9999 GMT", "9999-12-31T23:59:59Z" },
	{ -1, "Dec 31 23:59:59 1969 GMT", "1969-12-31T23:59:59Z" },
};

/* An ASN.1 time from its text, as a certificate would hold it. */
static ASN1_TIME *
asn1(const char *text, int raw)
{
	ASN1_TIME *t = ASN1_TIME_new();

	if (raw) {
		ASN1_STRING_set(t, text, (int)strlen(text));
		t->type = V_ASN1_GENERALIZEDTIME;
	} else if (!ASN1_TIME_set_string(t, text))
		abort();
	return t;
}

static void
test_conversions(void)
{
	char out[CP_TIME_TEXT_MAX];
	ASN1_TIME *t;
	int64_t v;
	size_t i;

	for (i = 0; i < sizeof(whens) / sizeof(whens[0]); i++) {
		int rc = cp_time_parse_when(whens[i].text, &v);

		tap_ok(whens[i].ok ? rc == 0 && v == whens[i].when : rc == -1,
		    "--now '%s' %s", whens[i].text, whens[i].ok ? "parses" :
		    "is refused");
	}
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		cp_time_format_openssl(formats[i].when, out);
		TAP_STREQ(out, formats[i].openssl, "openssl form of %lld",
		    (long long)formats[i].when);
		cp_time_format_rfc3339(formats[i].when, out);
		TAP_STREQ(out, formats[i].rfc3339, "RFC 3339 form of %lld",
		    (long long)formats[i].when);
	}
	t = asn1("491231235959Z", 0);
	tap_ok(cp_time_from_asn1(t, &v) == 0 && v == 2524607999LL,
	    "UTCTime 49 is 2049");
	ASN1_TIME_free(t);
	t = asn1("500101000000Z", 0);
	tap_ok(cp_time_from_asn1(t, &v) == 0 && v == -631152000LL,
	    "UTCTime 50 is 1950");
	ASN1_TIME_free(t);
	t = asn1("99991231235959Z", 0);
	tap_ok(cp_time_from_asn1(t, &v) == 0 && v == 253402300799LL,
	    "GeneralizedTime 9999-12-31");
	ASN1_TIME_free(t);
	t = asn1("20261301000000Z", 1);
	tap_ok(cp_time_from_asn1(t, &v) == -1, "month 13 cannot be read");
	ASN1_TIME_free(t);
	tap_ok(cp_floor_div(-1, 86400) == -1 && cp_floor_div(-86400, 86400) ==
	    -1 && cp_floor_div(-86401, 86400) == -2 &&
	    cp_floor_div(86399, 86400) == 0, "floor division rounds down");
}

/* Evaluates notAfter = now + offset under warn/crit given in days. */
static struct cp_validity
eval(int64_t now, int64_t offset, int64_t warn_days, int64_t crit_days)
{
	struct cp_limits lim = { now, cp_threshold_days(warn_days),
	    cp_threshold_days(crit_days) };
	struct cp_validity v;
	ASN1_TIME *nb = ASN1_TIME_adj(NULL, (time_t)(now - 86400), 0, 0);
	ASN1_TIME *na = ASN1_TIME_adj(NULL, (time_t)(now + offset), 0, 0);

	cp_expiry_eval(nb, na, &lim, &v);
	ASN1_TIME_free(nb);
	ASN1_TIME_free(na);
	return v;
}

static void
test_boundaries(void)
{
	static const int64_t days[] = { 0, 7, 25, 365 };
	const int64_t now = 1780000000;
	struct cp_validity v;
	size_t i;
	int d;

	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		for (d = -1; d <= 1; d++) {
			int64_t off = days[i] * 86400 + d;

			/* warn = D, crit = 0: within D is WARNING unless
			 * expired, exactly as -checkend D*86400 says. */
			v = eval(now, off, days[i], 0);
			tap_ok((v.state != CP_OK) == (d <= 0),
			    "notAfter = now + %lld d %+d s: %s within %lld days",
			    (long long)days[i], d, d <= 0 ? "is" : "is not",
			    (long long)days[i]);
			tap_ok(v.days_left == cp_floor_div(off, 86400),
			    "days_left for %lld d %+d s is %lld",
			    (long long)days[i], d,
			    (long long)cp_floor_div(off, 86400));
		}
	}
	v = eval(now, 0, 30, 14);
	tap_ok(v.state == CP_CRITICAL && v.dates == CP_DATES_EXPIRED,
	    "notAfter == now has expired (X509_cmp_time is <=)");
	v = eval(now, 1, 0, 0);
	tap_ok(v.state == CP_OK, "one second left is OK with warn=0");
	v = eval(now, 10 * 86400, 30, 14);
	tap_ok(v.state == CP_CRITICAL && v.dates == CP_DATES_CRIT,
	    "10 days left is CRITICAL under crit=14");
	v = eval(now, 20 * 86400, 30, 14);
	tap_ok(v.state == CP_WARNING && v.dates == CP_DATES_WARN,
	    "20 days left is WARNING under warn=30");
	v = eval(now, 20 * 86400, 14, 30);
	tap_ok(v.state == CP_CRITICAL, "crit larger than warn still decides");
	v = eval(now, -86400 * 3 - 5, 30, 14);
	tap_ok(v.days_left == -4, "expired 3 days and 5 s ago: days_left -4");
}

static void
test_special(void)
{
	const int64_t now = 1780000000;
	struct cp_limits lim = { now, cp_threshold_days(30),
	    cp_threshold_days(14) };
	struct cp_validity v;
	ASN1_TIME *nb, *na;

	nb = ASN1_TIME_adj(NULL, (time_t)(now + 3600), 0, 0);
	na = ASN1_TIME_adj(NULL, (time_t)(now + 90 * 86400), 0, 0);
	cp_expiry_eval(nb, na, &lim, &v);
	tap_ok(v.state == CP_CRITICAL && v.dates == CP_DATES_NOT_YET,
	    "notBefore an hour ahead: not yet valid, CRITICAL");
	ASN1_TIME_free(nb);
	nb = ASN1_TIME_adj(NULL, (time_t)now, 0, 0);
	cp_expiry_eval(nb, na, &lim, &v);
	tap_ok(v.state == CP_OK, "notBefore exactly now is valid");
	ASN1_TIME_free(na);
	na = asn1("20261301000000Z", 1);
	cp_expiry_eval(nb, na, &lim, &v);
	tap_ok(v.state == CP_UNKNOWN && v.dates == CP_DATES_UNREADABLE,
	    "an unreadable notAfter is UNKNOWN, never OK");
	ASN1_TIME_free(na);
	na = asn1("99991231235959Z", 0);
	cp_expiry_eval(nb, na, &lim, &v);
	tap_ok(v.state == CP_OK && v.days_left == (253402300799LL - now) /
	    86400, "99991231235959Z is far away and OK");
	ASN1_TIME_free(na);

	/* 33% of a 47-day certificate: WARNING from 15.51 days before. */
	cp_threshold_parse("33%", &lim.warn, (char[64]){ 0 }, 64);
	lim.crit = cp_threshold_days(0);
	ASN1_TIME_free(nb);
	nb = ASN1_TIME_adj(NULL, (time_t)(now - 31 * 86400), 0, 0);
	na = ASN1_TIME_adj(NULL, (time_t)(now + 16 * 86400), 0, 0);
	cp_expiry_eval(nb, na, &lim, &v);
	tap_ok(v.state == CP_OK, "16 of 47 days left is beyond 33%%");
	ASN1_TIME_free(na);
	na = ASN1_TIME_adj(NULL, (time_t)(now + 1340064 - 31 * 86400 +
	    31 * 86400), 0, 0);
	ASN1_TIME_free(nb);
	nb = ASN1_TIME_adj(NULL, (time_t)(now + 1340064 - 47 * 86400), 0, 0);
	cp_expiry_eval(nb, na, &lim, &v);
	tap_ok(v.state == CP_WARNING, "exactly 33%% of 47 days left is within");
	ASN1_TIME_free(na);
	ASN1_TIME_free(nb);
}

/* An unreadable date is marked as such and hides nothing beside it. */
static void
test_unreadable(void)
{
	const int64_t now = 1780000000;
	struct cp_limits lim = { now, cp_threshold_days(30),
	    cp_threshold_days(14) };
	struct cp_validity v;
	ASN1_TIME *good = ASN1_TIME_adj(NULL, (time_t)now, 0, 0);
	ASN1_TIME *bad = asn1("99991399999999Z", 1);

	cp_expiry_eval(good, bad, &lim, &v);
	tap_ok(v.dates == CP_DATES_UNREADABLE && v.bad == CP_BAD_NOT_AFTER &&
	    !v.has_not_after, "notAfter 99991399999999Z is not read");
	tap_ok(v.has_not_before && v.not_before == now,
	    "the notBefore beside it is read all the same");
	cp_expiry_eval(bad, good, &lim, &v);
	tap_ok(v.bad == CP_BAD_NOT_BEFORE && !v.has_not_before &&
	    v.has_not_after && v.not_after == now,
	    "an unreadable notBefore: notAfter read");
	cp_expiry_eval(bad, bad, &lim, &v);
	tap_ok(v.bad == CP_BAD_NOT_AFTER && !v.has_not_before &&
	    !v.has_not_after, "both unreadable: neither is read");
	cp_expiry_eval(good, good, &lim, &v);
	tap_ok(v.has_not_before && v.has_not_after,
	    "both readable: both read");
	ASN1_TIME_free(good);
	ASN1_TIME_free(bad);
}

int
main(void)
{
	test_conversions();
	test_boundaries();
	test_special();
	test_unreadable();
	return tap_done();
}

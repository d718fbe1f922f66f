/* Expiry decisions: X509_cmp_time decides, to the second. */
#include <time.h>

#include <openssl/x509.h>

#include "expiry.h"
#include "timeconv.h"

int
cp_dates_due(enum cp_dates d)
{
	return d == CP_DATES_WARN || d == CP_DATES_CRIT ||
	    d == CP_DATES_EXPIRED || d == CP_DATES_NOT_YET;
}

/* The last second an ASN.1 time can hold: 9999-12-31T23:59:59Z. */
#define ASN1_TIME_LAST ((int64_t)253402300799)

/*
 * X509_cmp_time against now + span: <0 within, >0 beyond, 0 unreadable.
 * X509_cmp_time cannot represent a comparison time past the year 9999;
 * every readable time is at or before it, so it is within.
 */
static int
cmp_at(const ASN1_TIME *t, int64_t now, int64_t span)
{
	time_t when = (time_t)(now + span);

	if (now + span > ASN1_TIME_LAST)
		return -1;
	return X509_cmp_time(t, &when);
}

/*
 * The shape X509_cmp_time insists on before it compares: YYMMDDHHMMSSZ
 * or YYYYMMDDHHMMSSZ (RFC 5280). OpenSSL's ASN1_TIME_to_tm also takes
 * fractions and offsets; checking the shape holds notBefore, which is not
 * given to X509_cmp_time, to the same rule as notAfter.
 */
static int
strict_shape(const ASN1_TIME *t)
{
	return ((t->type == V_ASN1_UTCTIME && t->length == 13) ||
	    (t->type == V_ASN1_GENERALIZEDTIME && t->length == 15)) &&
	    t->data[t->length - 1] == 'Z';
}

/* Whether OpenSSL reads `t` (and its Unix time, into `out`). */
static int
readable(const ASN1_TIME *t, int64_t *out)
{
	*out = 0;
	return strict_shape(t) && cp_time_from_asn1(t, out) == 0;
}

static void
set(struct cp_validity *v, enum cp_state s, enum cp_dates d)
{
	v->state = s;
	v->dates = d;
}

void
cp_expiry_eval(const ASN1_TIME *nb, const ASN1_TIME *na,
    const struct cp_limits *lim, struct cp_validity *v)
{
	int64_t warn, crit, far;
	int c;

	/* Each date on its own: one that cannot be read must not hide the
	 * other, which the outputs still show. */
	v->days_left = 0;
	v->has_not_after = readable(na, &v->not_after);
	v->has_not_before = readable(nb, &v->not_before);
	v->bad = !v->has_not_after ? CP_BAD_NOT_AFTER :
	    !v->has_not_before ? CP_BAD_NOT_BEFORE : CP_BAD_NONE;
	if (v->bad != CP_BAD_NONE) {
		set(v, CP_UNKNOWN, CP_DATES_UNREADABLE);
		return;
	}
	v->days_left = cp_floor_div(v->not_after - lim->now, 86400);
	warn = cp_threshold_seconds(&lim->warn, v->not_after - v->not_before);
	crit = cp_threshold_seconds(&lim->crit, v->not_after - v->not_before);
	far = warn > crit ? warn : crit;

	/* Most certificates are far from expiry: one comparison settles
	 * notAfter for them, since now + far is not before now. */
	if ((c = cmp_at(na, lim->now, far)) == 0)
		goto unreadable;
	if (c > 0)
		set(v, CP_OK, CP_DATES_OK);
	else if ((c = cmp_at(na, lim->now, 0)) < 0)
		set(v, CP_CRITICAL, CP_DATES_EXPIRED);
	else if (cmp_at(na, lim->now, crit) < 0)
		set(v, CP_CRITICAL, CP_DATES_CRIT);
	else
		set(v, CP_WARNING, CP_DATES_WARN);
	if (c == 0)
		goto unreadable;

	/* notBefore after now: not valid yet (exactly now is valid). Its
	 * Unix time came from OpenSSL above; no second comparison needed. */
	if (v->not_before > lim->now && v->dates != CP_DATES_EXPIRED)
		set(v, CP_CRITICAL, CP_DATES_NOT_YET);
	return;
unreadable:
	/* X509_cmp_time refused what ASN1_TIME_to_tm took: not read. */
	v->has_not_after = 0;
	v->not_after = v->days_left = 0;
	v->bad = CP_BAD_NOT_AFTER;
	set(v, CP_UNKNOWN, CP_DATES_UNREADABLE);
}

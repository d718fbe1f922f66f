/*
 * The expiry decision for one certificate (SPEC section 3).
 *
 * A certificate is within D days when X509_cmp_time(notAfter, now + D)
 * is negative, exactly `openssl x509 -checkend`; X509_cmp_time returning
 * 0 means OpenSSL cannot read the time, which is UNKNOWN, never fine.
 */
#ifndef CP_EXPIRY_H
#define CP_EXPIRY_H

#include <stdint.h>

#include <openssl/asn1.h>

#include "state.h"
#include "threshold.h"

/* What every certificate is compared with. */
struct cp_limits {
	int64_t now;               /* the evaluation time (--now or the clock) */
	struct cp_threshold warn;  /* WARNING within this span of notAfter */
	struct cp_threshold crit;  /* CRITICAL within this span */
};

/* Why a certificate has its state, for the words a report uses. */
enum cp_dates {
	CP_DATES_OK,          /* valid beyond warn */
	CP_DATES_WARN,        /* within warn */
	CP_DATES_CRIT,        /* within crit */
	CP_DATES_EXPIRED,     /* notAfter is now or past */
	CP_DATES_NOT_YET,     /* notBefore is in the future */
	CP_DATES_UNREADABLE,  /* OpenSSL cannot read a time */
};

/* Which time OpenSSL cannot read, when dates is CP_DATES_UNREADABLE. */
enum cp_bad_time {
	CP_BAD_NONE,
	CP_BAD_NOT_BEFORE,
	CP_BAD_NOT_AFTER,
};

struct cp_validity {
	enum cp_state state;
	enum cp_dates dates;
	enum cp_bad_time bad;  /* the unreadable one (notAfter if both) */
	int has_not_before;    /* whether OpenSSL read notBefore */
	int has_not_after;     /* whether OpenSSL read notAfter */
	int64_t not_before;    /* Unix seconds when has_not_before, else 0 */
	int64_t not_after;     /* Unix seconds when has_not_after, else 0 */
	int64_t days_left;     /* floor((notAfter - now) / 86400), unless
	                        * dates is CP_DATES_UNREADABLE */
};

/* Decides the state of the window [notBefore, notAfter] under `lim`. */
void cp_expiry_eval(const ASN1_TIME *not_before, const ASN1_TIME *not_after,
    const struct cp_limits *lim, struct cp_validity *out);

/* Whether the dates alone make the certificate due (warn, crit, expired,
 * not yet valid): what checkssl lists and what triggers renewal. */
int cp_dates_due(enum cp_dates);

#endif

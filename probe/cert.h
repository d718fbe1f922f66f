/*
 * A certificate as a result keeps it: its dates and state, and only the
 * descriptive fields an output asked for. The DER itself is not kept, so
 * a run over ten thousand files stays small.
 */
#ifndef CP_CERT_H
#define CP_CERT_H

#include <stddef.h>

#include "der.h"
#include "expiry.h"

/* Fields an output needs decoded, beyond the dates. */
enum cp_want {
	CP_WANT_SUBJECT = 1 << 0,
	CP_WANT_ISSUER = 1 << 1,
	CP_WANT_SERIAL = 1 << 2,
	CP_WANT_SHA256 = 1 << 3,
	CP_WANT_SUBJECT_IF_DUE = 1 << 4,  /* the subject of due ones only */
};

/* Where a certificate sits in what was served or read. */
enum cp_position {
	CP_POS_FILE,
	CP_POS_LEAF,
	CP_POS_INTERMEDIATE,
	CP_POS_ROOT,
};

struct cp_cert {
	struct cp_validity v;   /* state, why, notBefore/notAfter, days_left */
	enum cp_position position;
	int counted;            /* whether it counts toward the result's state */
	char *subject;          /* one-line UTF-8 as OpenSSL prints it, raw */
	size_t subject_len;     /* (escaped only by the outputs, and may hold */
	char *issuer;           /* NUL bytes: use the lengths); NULL when not */
	size_t issuer_len;      /* wanted */
	char *serial;           /* hex, upper case; NULL when not wanted */
	char *bad_time;         /* raw text of a time OpenSSL cannot read */
	unsigned char sha256[32];
	int has_sha256;
};

/*
 * Fills `out` from a scanned certificate: decides its state under `lim`
 * and decodes the fields in `want`. 0, or -1 when out of memory or a
 * wanted field does not decode (the dates are set all the same).
 */
int cp_cert_build(const struct cp_der_cert *, const struct cp_limits *lim,
    unsigned want, struct cp_cert *out);

/* Releases the strings of one record. */
void cp_cert_clear(struct cp_cert *);

/* "leaf", "intermediate", "root", "file". */
const char *cp_position_name(enum cp_position);

#endif

/*
 * The served chain as certificates of a result: each with its position,
 * and counted or only shown as chain= says (SPEC section 3).
 */
#ifndef CP_CHAIN_H
#define CP_CHAIN_H

#include <openssl/x509.h>

#include "bounds.h"

struct cp_limits;
struct cp_result;

/*
 * Adds to `r` every certificate of `served` (leaf first), then the ones
 * verification built that the server did not send (store intermediates;
 * the trust anchor only with chain=all). `verified` is the verified
 * chain, NULL when verification is off or failed. -1 when out of memory.
 */
int cp_chain_fill(struct cp_result *r, STACK_OF(X509) *served,
    STACK_OF(X509) *verified, int chain, const struct cp_limits *lim,
    unsigned want);

/* expect=FILE: the first certificate of FILE, read once per check. */
struct cp_expected {
	unsigned char *der;       /* NULL when it could not be read */
	size_t len;
	char error[CP_ERROR_MAX]; /* why not */
};

/* Reads the first certificate of `path` into `x` (free x->der). 0, or
 * -1 with the reason in x->error. */
int cp_chain_expected(const char *path, struct cp_expected *x);

/* 1 if `leaf` is that certificate, 0 if not, -1 when out of memory. */
int cp_chain_leaf_is(X509 *leaf, const struct cp_expected *x);

#endif

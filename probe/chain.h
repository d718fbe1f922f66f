/*
 * The served chain as certificates of a result: each with its position,
 * and counted or only shown as chain= says (SPEC section 3).
 */
#ifndef CP_CHAIN_H
#define CP_CHAIN_H

#include <openssl/x509.h>

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

/* 1 if the leaf is the first certificate of the file at `path`, 0 if
 * not, -1 with the reason in `err` when the file cannot be read. */
int cp_chain_leaf_is(X509 *leaf, const char *path, char *err, size_t errlen);

#endif

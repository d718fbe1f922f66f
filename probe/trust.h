/*
 * The certificates a run trusts: the system's store or a cafile=, each
 * loaded once a run and shared by every check that names it.
 */
#ifndef CP_TRUST_H
#define CP_TRUST_H

#include <stddef.h>

#include <openssl/x509.h>

#include "bounds.h"

struct cp_trust;

struct cp_trust *cp_trust_new(void);
void cp_trust_free(struct cp_trust *);

/* The store for `cafile` (NULL: the system's). NULL with the reason in
 * `err` when it cannot be loaded. */
X509_STORE *cp_trust_get(struct cp_trust *, const char *cafile, char *err,
    size_t errlen);

/*
 * Where the system's store was read from its hashed directory alone,
 * OpenSSL's whole default store (its bundle too), for a chain that did
 * not reach a trusted certificate; NULL where there is nothing more to
 * try (a cafile=, or the whole store already).
 */
X509_STORE *cp_trust_whole(struct cp_trust *, const char *cafile);

#endif

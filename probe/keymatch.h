/*
 * key=: the private key beside a certificate must match its public key
 * (SPEC section 4). This is the failsafe that catches a certificate which
 * would stop the web server from starting.
 */
#ifndef CP_KEYMATCH_H
#define CP_KEYMATCH_H

#include <stddef.h>

#include "der.h"
#include "readfile.h"

/*
 * Compares the key in `key_path` with the certificate's public key.
 * 1: they match. 0: they do not, or the key is missing or does not
 * decode (CP_FAIL_KEY in `err`: the server would not start). -1: the
 * key cannot be read by us, or is encrypted (`err` says why).
 * The key is never printed; an encrypted key is not prompted for.
 */
int cp_key_matches(const struct cp_der_cert *, const char *key_path,
    struct cp_load_error *err);

/* `rel` resolved against the directory of `file` (the name as given, not
 * the link's target: letsencrypt's live/ links sit side by side). A new
 * string, or NULL when out of memory. */
char *cp_path_beside(const char *file, const char *rel);

#endif

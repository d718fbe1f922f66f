/*
 * PKCS#12 files. Their iteration counts are their own to choose, and a
 * directory search tries every binary file it meets, so the work of key
 * derivation is bounded per file (CP_PKCS12_ROUNDS_MAX, counted from the
 * file's parameters before any is done, the MAC at most once for each
 * password to try) and so is the number of safes (CP_PKCS12_SAFES_MAX).
 * Key bags are never decrypted: the probe reads certificates only.
 */
#ifndef CP_PKCS12_H
#define CP_PKCS12_H

#include <stddef.h>

#include <openssl/provider.h>
#include <openssl/x509.h>

#include "readfile.h"

/*
 * The certificates of the PKCS#12 file in `der`, the key's own first,
 * opened with the first line of `password_file` (NULL: the empty
 * password, then none). *legacy is OpenSSL's legacy provider, loaded
 * there when an old cipher needs it (the caller unloads it).
 * 0: read, *certs set (the caller frees it), or a reason in `err` and
 * *certs NULL; 1: the bytes are not PKCS#12; -1: out of memory.
 */
int cp_pkcs12_read(const unsigned char *der, size_t len,
    const char *password_file, OSSL_PROVIDER **legacy,
    STACK_OF(X509) **certs, struct cp_load_error *err);

#endif

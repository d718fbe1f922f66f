/*
 * Reading certificate files in every common format (SPEC section 4):
 * PEM (several certificates, keys and other blocks beside them skipped),
 * DER, PKCS#7 (PEM or DER) and PKCS#12.
 *
 * The loader hands each certificate to a callback as scanned DER, so the
 * caller decides what to decode and nothing is kept between files.
 */
#ifndef CP_CERTFILE_H
#define CP_CERTFILE_H

#include <stddef.h>
#include <sys/stat.h>

#include "bounds.h"
#include "readfile.h"
#include "der.h"
#include "state.h"

/* Scratch reused from file to file: buffers and OpenSSL contexts. */
struct cp_loader;

struct cp_loader *cp_loader_new(size_t file_max);
void cp_loader_free(struct cp_loader *);

/* Called for each certificate in file order, with the number the file
 * holds (`total`, 0 when it cannot be known in advance); the DER is valid
 * only during the call. Returns 0 to go on, -1 to stop (out of memory). */
typedef int (*cp_cert_cb)(void *arg, const struct cp_der_cert *, size_t index,
    size_t total);

/*
 * Reads the file open on `fd` (with status `st`; the caller closes it)
 * and calls `cb` for each certificate. A PKCS#12 file is
 * opened with the password in `password_file` (NULL: none), which is read
 * only when such a file is met. Returns the number of certificates handed
 * over; `err` says what went wrong, CP_FAIL_NOCERT when the file holds
 * none (which a directory search skips).
 */
size_t cp_certfile_read(struct cp_loader *, int fd, const struct stat *st,
    const char *password_file, cp_cert_cb cb, void *arg,
    struct cp_load_error *err);

#endif

/*
 * The TLS client: one context for a run, a connection per address, the
 * handshake stepped without blocking, and the chain the server sent kept
 * even when the handshake then fails (a server that demands a client
 * certificate has sent its own first).
 */
#ifndef CP_TLS_H
#define CP_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

/* A client context that talks to anything, old or weak: the probe
 * reads certificates, it does not protect a session. NULL on failure. */
SSL_CTX *cp_tls_ctx_new(void);

/*
 * A connection over `fd` sending `sni` (NULL: none). The chain the
 * server sends is stored in *served (the caller frees it with
 * sk_X509_pop_free(..., X509_free)). NULL when out of memory.
 */
SSL *cp_tls_new(SSL_CTX *, int fd, const char *sni, STACK_OF(X509) **served);

/*
 * One step of the handshake. 1: done; 0: wait for *events (POLLIN or
 * POLLOUT); -1: failed, the reason in `err`.
 */
int cp_tls_step(SSL *, short *events, char *err, size_t errlen);

/*
 * Prepares a context made by someone else (libcurl's) the same way, and
 * makes it store the served chain in *served.
 */
void cp_tls_ctx_prepare(SSL_CTX *, STACK_OF(X509) **served);

#endif

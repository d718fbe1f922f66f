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

/* What a handshake showed, kept by the context's callbacks. */
struct cp_tls_seen {
	STACK_OF(X509) *served;   /* the chain the server sent, leaf first */
	int cert_requested;       /* the server asked for a client certificate */
	int key_proven;           /* ... having proven first that it holds the
	                             key of the certificate it sent */
	const char *expect_sni;   /* libcurl: keep only the chain of the
	                             handshake that sent this name (not a
	                             proxy's); NULL: any */
};

/* A client context that talks to anything, old or weak: the probe
 * reads certificates, it does not protect a session. NULL on failure. */
SSL_CTX *cp_tls_ctx_new(void);

/*
 * A connection over `fd` sending `sni` (NULL: none). What the handshake
 * shows goes to *seen (the caller frees seen->served with
 * sk_X509_pop_free(..., X509_free)). NULL when out of memory.
 */
SSL *cp_tls_new(SSL_CTX *, int fd, const char *sni, struct cp_tls_seen *seen);

/*
 * One step of the handshake. 1: done; 0: wait for *events (POLLIN or
 * POLLOUT); -1: failed, the reason in `err`.
 */
/*
 * Initialises OpenSSL for a run, before anything else uses it: the
 * system's openssl.cnf is read only where OPENSSL_CONF names one. `lean`
 * is for a process that lives for one check (the plugin): nothing is
 * freed at exit (what is left is still reachable), and no legacy cipher
 * name table is made.
 */
void cp_tls_init(int lean);

int cp_tls_step(SSL *, short *events, char *err, size_t errlen);

/*
 * Prepares a context made by someone else (libcurl's) the same way, and
 * makes it report to *seen (NULL: to the connection's, cp_tls_new).
 */
void cp_tls_ctx_prepare(SSL_CTX *, struct cp_tls_seen *seen);

/* What a handshake that failed still gives. */
enum cp_tls_salvage {
	CP_TLS_LOST,      /* nothing: the failure stands */
	CP_TLS_READ,      /* the chain counts: the server proved it holds the
	                     key, then ended the handshake for want of a
	                     client certificate */
	CP_TLS_UNPROVEN   /* a chain, and a request for a client certificate,
	                     but no proof that the server holds the key:
	                     anyone can replay a public chain */
};
enum cp_tls_salvage cp_tls_salvage(const struct cp_tls_seen *);

/* The reason for CP_TLS_UNPROVEN, with the handshake's own `err`. */
void cp_tls_unproven_text(const char *err, char *buf, size_t len);

#endif

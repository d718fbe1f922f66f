/* The TLS client side (see tls.h). */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "bounds.h"
#include "tls.h"

/* Where a connection of the shared context reports (SSL ex_data: the
 * shared context cannot carry a per-connection argument). */
static int seen_index = -1;

/* The report of the connection behind `ssl`: the context's own argument
 * (libcurl's contexts are one per connection), else the connection's. */
static struct cp_tls_seen *
seen_of(SSL *ssl, void *arg)
{
	if (arg != NULL || ssl == NULL)
		return arg;
	return SSL_get_ex_data(ssl, seen_index);
}

/*
 * Runs where OpenSSL would verify the server's chain: keeps a copy of it
 * and lets the handshake go on. Trust and names are judged afterwards
 * (verify.c) against the store the check asked for, so an expired or
 * untrusted certificate is still read and reported.
 */
static int
keep_served(X509_STORE_CTX *xs, void *arg)
{
	STACK_OF(X509) *untrusted = X509_STORE_CTX_get0_untrusted(xs);
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct cp_tls_seen *seen = seen_of(ssl, arg);
	const char *sni = ssl ? SSL_get_servername(ssl,
	    TLSEXT_NAMETYPE_host_name) : NULL;

	if (seen == NULL || untrusted == NULL)
		return 1;
	/* Through an https:// proxy libcurl makes two handshakes: keep the
	 * one with the server we asked for. */
	if (seen->expect_sni != NULL && (sni == NULL ||
	    strcasecmp(sni, seen->expect_sni) != 0))
		return 1;
	sk_X509_pop_free(seen->served, X509_free);
	seen->served = X509_chain_up_ref(untrusted);
	return 1;
}

/*
 * Whether the server, by the time it asks for a client certificate, has
 * proven that it holds the key of the certificate it sent. TLS 1.3 has:
 * its CertificateVerify and Finished come before the client's turn.
 * TLS 1.2 has when it signed an ephemeral key exchange (ECDHE or DHE,
 * checked before the request is read). An RSA key exchange proves it
 * only with the server's Finished, which a server that ends the
 * handshake at this point never sends.
 */
static int
key_proven(const SSL *ssl)
{
	const SSL_CIPHER *c = SSL_get_pending_cipher(ssl);
	int kx, auth;

	if (SSL_version(ssl) >= TLS1_3_VERSION)
		return 1;
	if (c == NULL)
		return 0;
	kx = SSL_CIPHER_get_kx_nid(c);
	auth = SSL_CIPHER_get_auth_nid(c);
	return (kx == NID_kx_ecdhe || kx == NID_kx_dhe) &&
	    (auth == NID_auth_rsa || auth == NID_auth_ecdsa ||
	    auth == NID_auth_dss);
}

/* The server asks for a client certificate: note it, whether it has
 * proven its key so far, and send none. */
static int
no_client_cert(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	struct cp_tls_seen *seen = seen_of(ssl,
	    SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));

	(void)x509;
	(void)pkey;
	if (seen != NULL) {
		seen->cert_requested = 1;
		seen->key_proven = key_proven(ssl);
	}
	return 0;
}

void
cp_tls_ctx_prepare(SSL_CTX *ctx, struct cp_tls_seen *seen)
{
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, 0);
	SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT |
	    SSL_OP_NO_TICKET);
	/* A probe must read what a server sends, within a bound: a chain
	 * of 200, or a 100 KiB certificate, goes past OpenSSL's default. */
	SSL_CTX_set_max_cert_list(ctx, CP_CERT_LIST_MAX);
	SSL_CTX_set_cert_verify_callback(ctx, keep_served, seen);
	SSL_CTX_set_app_data(ctx, seen);
	SSL_CTX_set_client_cert_cb(ctx, no_client_cert);
}

enum cp_tls_salvage
cp_tls_salvage(const struct cp_tls_seen *seen)
{
	if (!seen->cert_requested || seen->served == NULL ||
	    sk_X509_num(seen->served) == 0)
		return CP_TLS_LOST;
	return seen->key_proven ? CP_TLS_READ : CP_TLS_UNPROVEN;
}

void
cp_tls_unproven_text(const char *err, char *buf, size_t len)
{
	snprintf(buf, len, "the server did not prove it holds the key of "
	    "the certificate it sent (a TLS 1.2 RSA key exchange, then: %s)",
	    err);
}

void
cp_tls_init(int lean)
{
	const char *conf = getenv("OPENSSL_CONF");
	uint64_t opts = 0;

	/* The probe sets its own protocol versions, ciphers and security
	 * level, which is all a system openssl.cnf could say to a client;
	 * reading it cost every run 1.7M instructions. Named on purpose,
	 * it is read. */
	if (conf == NULL || *conf == '\0')
		opts |= OPENSSL_INIT_NO_LOAD_CONFIG;
	else
		opts |= OPENSSL_INIT_LOAD_CONFIG;
	/* A process that lives for one check frees nothing at exit, and
	 * needs no table of legacy cipher names: libssl and PKCS#12 fetch
	 * ciphers from the provider by name. 2.3M instructions together. */
	if (lean)
		opts |= OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_ADD_ALL_CIPHERS;
	/* libcrypto only: libssl sets itself up at the first TLS context,
	 * so that a run of files pays nothing for TLS. */
	OPENSSL_init_crypto(opts, NULL);
}

SSL_CTX *
cp_tls_ctx_new(void)
{
	SSL_CTX *ctx;

	if (seen_index == -1 && (seen_index = SSL_get_ex_new_index(0,
	    NULL, NULL, NULL, NULL)) == -1)
		return NULL;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return NULL;
	cp_tls_ctx_prepare(ctx, NULL);
	/* Every cipher OpenSSL still has, so that old servers answer too;
	 * but one with a certificate: a probe reads certificates. */
	SSL_CTX_set_cipher_list(ctx, "ALL:!aNULL:@SECLEVEL=0");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

SSL *
cp_tls_new(SSL_CTX *ctx, int fd, const char *sni, struct cp_tls_seen *seen)
{
	SSL *ssl;

	if ((ssl = SSL_new(ctx)) == NULL)
		return NULL;
	if (!SSL_set_fd(ssl, fd) ||
	    !SSL_set_ex_data(ssl, seen_index, seen) ||
	    (sni != NULL && !SSL_set_tlsext_host_name(ssl, sni))) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_connect_state(ssl);
	return ssl;
}

/* The reason a handshake failed, in OpenSSL's words where it has some.
 * A close reads as an error of the socket or, when our ClientHello went
 * out first, as OpenSSL's "unexpected eof": both are the same event. */
static void
failure_text(int err, char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;
	int eof = ERR_GET_LIB(e) == ERR_LIB_SSL &&
	    ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING;

	if (reason != NULL && !eof)
		snprintf(buf, len, "TLS handshake failed: %s", reason);
	else if (err == SSL_ERROR_SYSCALL && errno != 0 &&
	    errno != ECONNRESET && errno != EPIPE)
		snprintf(buf, len, "TLS handshake failed: %s",
		    strerror(errno));
	else
		snprintf(buf, len, "the server closed the connection during "
		    "the TLS handshake");
	ERR_clear_error();
}

int
cp_tls_step(SSL *ssl, short *events, char *err, size_t errlen)
{
	int rc, e;

	ERR_clear_error();
	errno = 0;
	if ((rc = SSL_do_handshake(ssl)) == 1)
		return 1;
	switch ((e = SSL_get_error(ssl, rc))) {
	case SSL_ERROR_WANT_READ:
		*events = POLLIN;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		*events = POLLOUT;
		return 0;
	default:
		failure_text(e, err, errlen);
		return -1;
	}
}

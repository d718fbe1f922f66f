/* The TLS client side (see tls.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "tls.h"

/* Where a connection of the shared context keeps its served chain. */
static int served_index = -1;

/*
 * Runs where OpenSSL would verify the server's chain: keeps a copy of it
 * and lets the handshake go on. Trust and names are judged afterwards
 * (verify.c) against the store the check asked for, so an expired or
 * untrusted certificate is still read and reported.
 */
static int
keep_served(X509_STORE_CTX *xs, void *arg)
{
	STACK_OF(X509) **slot = arg;
	STACK_OF(X509) *untrusted = X509_STORE_CTX_get0_untrusted(xs);
	SSL *ssl;

	if (slot == NULL) {
		ssl = X509_STORE_CTX_get_ex_data(xs,
		    SSL_get_ex_data_X509_STORE_CTX_idx());
		if (ssl != NULL)
			slot = SSL_get_ex_data(ssl, served_index);
	}
	if (slot != NULL && *slot == NULL && untrusted != NULL)
		*slot = X509_chain_up_ref(untrusted);
	return 1;
}

void
cp_tls_ctx_prepare(SSL_CTX *ctx, STACK_OF(X509) **served)
{
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, 0);
	SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT |
	    SSL_OP_NO_TICKET);
	SSL_CTX_set_cert_verify_callback(ctx, keep_served, served);
}

SSL_CTX *
cp_tls_ctx_new(void)
{
	SSL_CTX *ctx;

	if (served_index == -1 && (served_index = SSL_get_ex_new_index(0,
	    NULL, NULL, NULL, NULL)) == -1)
		return NULL;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return NULL;
	cp_tls_ctx_prepare(ctx, NULL);
	/* Every cipher OpenSSL still has, so that old servers answer too. */
	SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

SSL *
cp_tls_new(SSL_CTX *ctx, int fd, const char *sni, STACK_OF(X509) **served)
{
	SSL *ssl;

	if ((ssl = SSL_new(ctx)) == NULL)
		return NULL;
	if (!SSL_set_fd(ssl, fd) ||
	    !SSL_set_ex_data(ssl, served_index, served) ||
	    (sni != NULL && !SSL_set_tlsext_host_name(ssl, sni))) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_connect_state(ssl);
	return ssl;
}

/* The reason a handshake failed, in OpenSSL's words where it has some. */
static void
failure_text(int err, char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;

	if (reason != NULL)
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

/* One message to the relay, through libesmtp (see smtp_send.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <auth-client.h>
#include <libesmtp.h>

#include "bounds.h"
#include "buf.h"
#include "escape.h"
#include "options.h"
#include "smtp_send.h"

/* What the dialog showed, kept by libesmtp's callbacks. */
struct dialog {
	const struct cp_relay *r;
	const char *host;            /* the relay's name or address */
	char why[CP_ERROR_MAX];      /* why we gave up, in our words */
	char said[CP_ERROR_MAX];     /* the relay's first refusal, escaped */
	char tls[32];                /* the TLS version, once STARTTLS took */
	int authed;                  /* the relay took our login (235) */
};

/* Appends the escaped form of the first line of `s` (n bytes) to `b`. */
static void
add_line(struct cp_buf *b, const char *s, size_t n)
{
	const char *end = memchr(s, '\r', n);

	if (end == NULL)
		end = memchr(s, '\n', n);
	cp_escape(b, s, end ? (size_t)(end - s) : n);
}

static void
set_text(char *dst, size_t len, const char *s, size_t n)
{
	struct cp_buf b;

	cp_buf_init(&b, len - 1);
	add_line(&b, s, n);
	snprintf(dst, len, "%s", b.data ? b.data : "");
	cp_buf_free(&b);
}

/* The relay's replies (never our lines: those carry the password). */
static void
on_line(const char *buf, int len, int writing, void *arg)
{
	struct dialog *d = arg;

	if (writing != SMTP_CB_READING || len < 3)
		return;
	if (strncmp(buf, "235", 3) == 0)
		d->authed = 1;
	if ((buf[0] == '4' || buf[0] == '5') && d->said[0] == '\0')
		set_text(d->said, sizeof(d->said), buf, (size_t)len);
}

/* A password goes only to a relay whose certificate says who it is. */
static int
must_verify(const struct cp_relay *r)
{
	return r->starttls == CP_STARTTLS_REQUIRED || r->user != NULL;
}

static int
name_matches(SSL *ssl, const char *host)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);

	if (cert == NULL)
		return 0;
	if (X509_check_ip_asc(cert, host, 0) == 1)
		return 1;
	return X509_check_host(cert, host, 0, 0, NULL) == 1;
}

static void
on_event(smtp_session_t s, int event, void *arg, ...)
{
	struct dialog *d = arg;
	int verified = must_verify(d->r);
	va_list ap;
	long result;
	int *ok;
	SSL *ssl;

	(void)s;
	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
		result = va_arg(ap, long);
		ok = va_arg(ap, int *);
		if (!(*ok = !verified))
			snprintf(d->why, sizeof(d->why), "the relay's "
			    "certificate does not verify: %s",
			    X509_verify_cert_error_string(result));
		break;
	case SMTP_EV_NO_PEER_CERTIFICATE:
	case SMTP_EV_WEAK_CIPHER:
		if (event == SMTP_EV_WEAK_CIPHER)
			(void)va_arg(ap, int);
		ok = va_arg(ap, int *);
		if (!(*ok = !verified))
			snprintf(d->why, sizeof(d->why), "the relay's TLS "
			    "has %s", event == SMTP_EV_WEAK_CIPHER ?
			    "a weak cipher" : "no certificate");
		break;
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		/* libesmtp's own match knows no IP address: OpenSSL's
		 * decides (it has already, where the context is ours). */
		ok = va_arg(ap, int *);
		(void)va_arg(ap, char *);
		ssl = va_arg(ap, SSL *);
		if (!(*ok = !verified || name_matches(ssl, d->host)))
			snprintf(d->why, sizeof(d->why), "the relay's "
			    "certificate is not for %s", d->host);
		break;
	case SMTP_EV_STARTTLS_OK:
		ssl = va_arg(ap, SSL *);
		snprintf(d->tls, sizeof(d->tls), "%s", SSL_get_version(ssl));
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		snprintf(d->why, sizeof(d->why), "the relay does not offer "
		    "STARTTLS (smtp_starttls=required%s)",
		    d->r->user ? ", or smtp_user set" : "");
		break;
	}
	va_end(ap);
}

/* AUTH's questions: the user and the password; nothing else is asked. */
static int
interact(auth_client_request_t req, char **result, int fields, void *arg)
{
	const struct cp_relay *r = arg;
	int i;

	for (i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_PASS)
			result[i] = (char *)r->password;
		else if (req[i].flags & AUTH_USER)
			result[i] = (char *)r->user;
		else
			result[i] = (char *)"";
	}
	return 1;
}

/*
 * The context STARTTLS uses. TLS 1.2 at most: libesmtp 1.1 reads before
 * it sends the EHLO that follows STARTTLS, and a TLS 1.3 server's session
 * ticket, arriving then, made it wait out a whole timeout for a reply to
 * a command still in its buffer. Verified: the system's store (as OpenSSL
 * finds it, SSL_CERT_FILE and SSL_CERT_DIR too) and the relay's name or
 * address, checked by OpenSSL; libesmtp then refuses what did not verify.
 */
static SSL_CTX *
relay_ctx(const struct cp_relay *r, const char *host)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	X509_VERIFY_PARAM *p;

	if (ctx == NULL ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) != 1)
		goto fail;
	if (!must_verify(r))
		return ctx;
	p = SSL_CTX_get0_param(ctx);
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_default_verify_paths(ctx) != 1)
		goto fail;
	if (X509_VERIFY_PARAM_set1_ip_asc(p, host) == 1 ||
	    X509_VERIFY_PARAM_set1_host(p, host, 0) == 1)
		return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* host and "host:port" for libesmtp (the relay was validated: no IPv6
 * literal, which libesmtp would split at its first ':'). */
static void
split_relay(const char *relay, char *host, size_t hostlen, char *hostport,
    size_t hplen)
{
	const char *colon = strchr(relay, ':');
	size_t n = colon ? (size_t)(colon - relay) : strlen(relay);

	snprintf(host, hostlen, "%.*s", (int)n, relay);
	snprintf(hostport, hplen, "%s:%s", host, colon ? colon + 1 : "25");
}

static int
setup(smtp_session_t s, smtp_message_t m, struct dialog *d,
    const char *hostport, SSL_CTX *ctx, auth_context_t auth)
{
	const struct cp_relay *r = d->r;
	static const int waits[] = { Timeout_GREETING, Timeout_ENVELOPE,
	    Timeout_DATA, Timeout_TRANSFER, Timeout_DATA2 };
	enum starttls_option tls = Starttls_ENABLED;
	size_t i;

	/* A password goes over TLS or not at all. */
	if (r->starttls == CP_STARTTLS_REQUIRED || r->user != NULL)
		tls = Starttls_REQUIRED;
	else if (r->starttls == CP_STARTTLS_OFF)
		tls = Starttls_DISABLED;
	for (i = 0; i < sizeof(waits) / sizeof(waits[0]); i++)
		if (smtp_set_timeout(s, waits[i] |
		    Timeout_OVERRIDE_RFC2822_MINIMUM, (long)r->wait_ms) == 0)
			return -1;
	if (!smtp_set_server(s, hostport) || !smtp_set_hostname(s, r->helo) ||
	    !smtp_set_eventcb(s, on_event, d) ||
	    !smtp_set_monitorcb(s, on_line, d, 0) ||
	    !smtp_starttls_enable(s, tls) ||
	    (ctx != NULL && !smtp_starttls_set_ctx(s, ctx)) ||
	    !smtp_set_reverse_path(m, r->from))
		return -1;
	if (auth != NULL && (!auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN,
	    0) || !auth_set_interact_cb(auth, interact, (void *)r) ||
	    !smtp_auth_set_context(s, auth)))
		return -1;
	return 0;
}

static int
add_recipients(smtp_message_t m, const char *to)
{
	char one[320];
	const char *p;
	size_t n;

	while ((p = cp_mailbox_next(&to, &n)) != NULL) {
		if (n >= sizeof(one))
			return -1;
		snprintf(one, sizeof(one), "%.*s", (int)n, p);
		if (smtp_add_recipient(m, one) == NULL)
			return -1;
	}
	return 0;
}

/* A status that says no (a 3xx where the dialog ended is no answer). */
static int
refused(const smtp_status_t *st)
{
	return st != NULL && (st->code / 100 == 4 || st->code / 100 == 5);
}

/* The first recipient the relay did not take, for the message. */
struct refusal {
	const char *mailbox;
	const smtp_status_t *st;
};

static void
find_refusal(smtp_recipient_t rcpt, const char *mailbox, void *arg)
{
	struct refusal *f = arg;
	const smtp_status_t *st = smtp_recipient_status(rcpt);

	if (f->st == NULL && refused(st)) {
		f->mailbox = mailbox;
		f->st = st;
	}
}

/* "WHAT: CODE [ENHANCED] TEXT" from a status, the relay's text escaped. */
static void
status_error(char *err, size_t errlen, const char *what,
    const smtp_status_t *st)
{
	char text[CP_ERROR_MAX], enh[32] = "";

	set_text(text, sizeof(text), st->text ? st->text : "",
	    st->text ? strlen(st->text) : 0);
	if (st->enh_class != 0)
		snprintf(enh, sizeof(enh), "%d.%d.%d ", st->enh_class,
		    st->enh_subject, st->enh_detail);
	snprintf(err, errlen, "%s: %d %s%s", what, st->code, enh, text);
}

/* Why the dialog broke off before the relay said yes or no. */
static void
session_error(const struct dialog *d, const char *hostport, char *err,
    size_t errlen)
{
	char buf[256];
	int e = smtp_errno();
	unsigned long ssl = ERR_peek_last_error();

	if (d->why[0] != '\0')
		snprintf(err, errlen, "%s", d->why);
	else if (e == SMTP_ERR_CLIENT_ERROR && ssl != 0)
		snprintf(err, errlen, "%s: TLS failed: %s", hostport,
		    ERR_reason_error_string(ssl));
	else
		snprintf(err, errlen, "%s: %s", hostport,
		    smtp_strerror(e, buf, sizeof(buf)));
}

/* What became of the message once the dialog ran. 0 when taken. */
static int
outcome(smtp_message_t m, const struct dialog *d, const char *hostport,
    char *err, size_t errlen)
{
	const smtp_status_t *st = smtp_reverse_path_status(m);
	struct refusal f = { NULL, NULL };
	char what[400];

	if (d->why[0] != '\0') {
		snprintf(err, errlen, "%s", d->why);
		return -1;
	}
	if (refused(st)) {
		status_error(err, errlen, "the relay refused the sender", st);
		return -1;
	}
	smtp_enumerate_recipients(m, find_refusal, &f);
	if (f.st != NULL) {
		snprintf(what, sizeof(what), "the relay refused %s", f.mailbox);
		status_error(err, errlen, what, f.st);
		return -1;
	}
	st = smtp_message_transfer_status(m);
	if (st != NULL && st->code / 100 == 2)
		return 0;
	if (refused(st))
		status_error(err, errlen, "the relay did not take the message",
		    st);
	else
		session_error(d, hostport, err, errlen);
	return -1;
}

/* How the mail went; in `warn`, a login that did not happen. */
static void
describe(const struct cp_relay *r, const struct dialog *d, char *info,
    size_t infolen, char *warn, size_t warnlen)
{
	snprintf(info, infolen, "%s%s%s%s", d->tls[0] ? "STARTTLS, " :
	    "no TLS", d->tls, d->authed ? ", AUTH" : "",
	    must_verify(r) && d->tls[0] ? ", certificate verified" : "");
	warn[0] = '\0';
	if (r->user != NULL && !d->authed)
		snprintf(warn, warnlen, "the relay took the mail without a "
		    "login (smtp_user is set)%s%s%s", d->said[0] ? "; it had "
		    "said: " : "", d->said, d->said[0] ? "" : "; it offers "
		    "no AUTH");
}

int
cp_smtp_send(const struct cp_relay *r, const char *message, char *info,
    size_t infolen, char *err, size_t errlen)
{
	char host[300], hostport[310];
	struct dialog d = { .r = r, .host = host };
	smtp_session_t s = NULL;
	smtp_message_t m = NULL;
	auth_context_t auth = NULL;
	SSL_CTX *ctx = NULL;
	int rc = -1;

	snprintf(err, errlen, "out of memory");
	split_relay(r->relay, host, sizeof(host), hostport, sizeof(hostport));
	auth_client_init();
	if ((s = smtp_create_session()) == NULL ||
	    (m = smtp_add_message(s)) == NULL ||
	    (r->starttls != CP_STARTTLS_OFF &&
	    (ctx = relay_ctx(r, host)) == NULL) ||
	    (r->user != NULL && (auth = auth_create_context()) == NULL) ||
	    setup(s, m, &d, hostport, ctx, auth) == -1 ||
	    add_recipients(m, r->to) == -1 ||
	    !smtp_set_message_str(m, (void *)message))
		goto out;
	if (!smtp_start_session(s)) {
		session_error(&d, hostport, err, errlen);
		goto out;
	}
	if ((rc = outcome(m, &d, hostport, err, errlen)) == 0)
		describe(r, &d, info, infolen, err, errlen);
out:
	if (rc == -1 && d.said[0] != '\0' && strstr(err, d.said) == NULL) {
		size_t n = strlen(err);

		snprintf(err + n, errlen - n, " (the relay had said: %s)",
		    d.said);
	}
	if (s != NULL)
		smtp_destroy_session(s);
	if (auth != NULL)
		auth_destroy_context(auth);
	SSL_CTX_free(ctx);
	auth_client_exit();
	return rc;
}

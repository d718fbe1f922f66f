/*
 * The dialogs to TLS that are not made of lines: XMPP's XML stream
 * (RFC 6120 section 5), LDAP's StartTLS extended operation (RFC 4511
 * section 4.14, in BER) and PostgreSQL's SSLRequest.
 */
#define _GNU_SOURCE     /* memmem */
#include <string.h>

#include "dialog.h"
#include "starttls.h"

enum { FEATURES, PROCEED };

static const char *
find(const char *p, size_t n, const char *what)
{
	return memmem(p, n, what, strlen(what));
}

/* Just past `what` in p[0..n), or NULL. */
static const char *
after(const char *p, size_t n, const char *what)
{
	const char *f = find(p, n, what);

	return f != NULL ? f + strlen(what) : NULL;
}

static int
xmpp_start(struct cp_dialog *d)
{
	return cp_dialog_send(d, "<?xml version='1.0'?><stream:stream "
	    "to='%s' xmlns='jabber:client' xmlns:stream='http://etherx."
	    "jabber.org/streams' version='1.0'>", d->host);
}

static int
xmpp_raw(struct cp_dialog *d)
{
	const char *p = d->in + d->used, *end, *s;
	size_t n = d->inlen - d->used;

	if (find(p, n, "<stream:error") != NULL)
		return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "the XMPP server "
		    "sent a stream error");
	if (d->step == FEATURES) {
		if ((end = after(p, n, "</stream:features>")) == NULL &&
		    (end = after(p, n, "<stream:features/>")) == NULL)
			return CP_DIALOG_MORE;
		d->used += (size_t)(end - p);
		d->step = PROCEED;
		if (find(p, (size_t)(end - p), "<starttls") == NULL)
			return cp_dialog_failf(d, CP_FAIL_STARTTLS, "the XMPP "
			    "server does not offer STARTTLS");
		return cp_dialog_send(d, "<starttls xmlns='urn:ietf:params:"
		    "xml:ns:xmpp-tls'/>");
	}
	if (find(p, n, "<failure") != NULL)
		return cp_dialog_failf(d, CP_FAIL_STARTTLS, "STARTTLS refused: "
		    "the XMPP server answered <failure/>");
	if ((s = find(p, n, "<proceed")) == NULL ||
	    (end = after(s, n - (size_t)(s - p), ">")) == NULL)
		return CP_DIALOG_MORE;
	/* <proceed ...></proceed> is the long form of <proceed .../>. */
	if (end[-2] != '/' &&
	    (end = after(s, n - (size_t)(s - p), "</proceed>")) == NULL)
		return CP_DIALOG_MORE;
	d->used += (size_t)(end - p);
	return CP_DIALOG_TLS;
}

/*
 * One BER element of p[0..n): 1 with its tag, content and whole size;
 * 0 when more bytes are needed; -1 when it is not BER that LDAP sends.
 */
static int
ber(const unsigned char *p, size_t n, unsigned *tag,
    const unsigned char **content, size_t *clen, size_t *total)
{
	size_t len = 0, hdr = 2, i, k;

	if (n < 2)
		return 0;
	if ((p[0] & 0x1f) == 0x1f)
		return -1;      /* multi-byte tags: LDAP has none */
	*tag = p[0];
	if (p[1] < 0x80)
		len = p[1];
	else {
		if ((k = p[1] & 0x7fu) == 0 || k > 3)
			return -1;  /* indefinite, or over 16 MiB */
		if (n < 2 + k)
			return 0;
		for (i = 0; i < k; i++)
			len = len << 8 | p[2 + i];
		hdr += k;
	}
	if (n - hdr < len)
		return 0;
	*content = p + hdr;
	*clen = len;
	*total = hdr + len;
	return 1;
}

/* The next element inside a complete one: 1, or 0 if it is cut short. */
static int
ber_next(const unsigned char **p, size_t *n, unsigned *tag,
    const unsigned char **content, size_t *clen)
{
	size_t total;

	if (ber(*p, *n, tag, content, clen, &total) != 1)
		return 0;
	*p += total;
	*n -= total;
	return 1;
}

static long
ber_int(const unsigned char *c, size_t len)
{
	long v = 0;
	size_t i;

	if (len == 0 || len > 4)
		return -1;
	for (i = 0; i < len; i++)
		v = v << 8 | c[i];
	return v;
}

/* LDAPMessage { messageID 1, ExtendedRequest { [0] StartTLS's OID } } */
static const char ldap_starttls[] = "\x30\x1d\x02\x01\x01\x77\x18\x80\x16"
    "1.3.6.1.4.1.1466.20037";

static int
ldap_start(struct cp_dialog *d)
{
	return cp_dialog_sendraw(d, ldap_starttls, sizeof(ldap_starttls) - 1);
}

/* The next element of a complete one, if it has tag `want`. */
static int
ber_expect(const unsigned char **p, size_t *n, unsigned want,
    const unsigned char **content, size_t *clen)
{
	unsigned tag;

	return ber_next(p, n, &tag, content, clen) && tag == want;
}

struct ldap_reply {
	long id;                      /* messageID */
	long result;                  /* resultCode */
	const unsigned char *msg;     /* diagnosticMessage */
	size_t msglen;
};

/* The content of LDAPMessage { messageID, ExtendedResponse { resultCode,
 * matchedDN, diagnosticMessage, ... } }: 0, or -1 if it is not that. */
static int
ldap_parse(const unsigned char *p, size_t n, struct ldap_reply *r)
{
	const unsigned char *c;
	size_t clen;

	if (!ber_expect(&p, &n, 0x02, &c, &clen) ||
	    (r->id = ber_int(c, clen)) < 0)
		return -1;
	if (!ber_expect(&p, &n, 0x78, &c, &clen))   /* [APPLICATION 24] */
		return -1;
	p = c;
	n = clen;
	if (!ber_expect(&p, &n, 0x0a, &c, &clen) ||
	    (r->result = ber_int(c, clen)) < 0)
		return -1;
	if (!ber_expect(&p, &n, 0x04, &c, &clen))   /* matchedDN */
		return -1;
	return ber_expect(&p, &n, 0x04, &r->msg, &r->msglen) ? 0 : -1;
}

static int
ldap_raw(struct cp_dialog *d)
{
	const unsigned char *p = (const unsigned char *)d->in, *c;
	struct ldap_reply r;
	size_t clen, total;
	unsigned tag;
	char q[160];
	int rc = -1;

	/* Every LDAPMessage is a SEQUENCE: anything else is not LDAP. */
	if (p[0] == 0x30 && (rc = ber(p, d->inlen, &tag, &c, &clen,
	    &total)) == 0)
		return CP_DIALOG_MORE;
	d->used = rc == 1 ? total : d->inlen;
	if (rc != 1 || ldap_parse(c, clen, &r) == -1)
		return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "malformed LDAP "
		    "reply to the StartTLS request");
	cp_dialog_quote((const char *)r.msg, r.msglen, q, sizeof(q));
	if (r.id == 0)
		return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "the LDAP server "
		    "disconnected: %s", q);
	if (r.id != 1)
		return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "the LDAP server "
		    "answered message %ld, not the StartTLS request", r.id);
	if (r.result != 0)
		return cp_dialog_failf(d, CP_FAIL_STARTTLS, "STARTTLS refused: "
		    "LDAP result code %ld%s%s", r.result, r.msglen ? ": " : "",
		    q);
	return CP_DIALOG_TLS;
}

/* SSLRequest: length 8, code 80877103. */
static int
postgres_start(struct cp_dialog *d)
{
	return cp_dialog_sendraw(d, "\0\0\0\x08\x04\xd2\x16\x2f", 8);
}

static int
postgres_raw(struct cp_dialog *d)
{
	if (d->inlen == 0)
		return CP_DIALOG_MORE;
	d->used = 1;
	switch (d->in[0]) {
	case 'S':
		return CP_DIALOG_TLS;
	case 'N':
		return cp_dialog_failf(d, CP_FAIL_STARTTLS, "STARTTLS refused: "
		    "the PostgreSQL server does not accept TLS (answered N)");
	case 'E':
		return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "the PostgreSQL "
		    "server answered the SSLRequest with an error");
	default:
		return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "unexpected reply "
		    "0x%02x to the PostgreSQL SSLRequest",
		    (unsigned char)d->in[0]);
	}
}

const struct cp_dialect cp_dialect_xmpp = { "XMPP", xmpp_start, NULL,
    xmpp_raw };
const struct cp_dialect cp_dialect_ldap = { "LDAP", ldap_start, NULL,
    ldap_raw };
const struct cp_dialect cp_dialect_postgres = { "PostgreSQL",
    postgres_start, NULL, postgres_raw };

/*
 * The line-based dialogs that lead to STARTTLS: SMTP and LMTP (RFC 3207,
 * 2033), NNTP (RFC 4642), IMAP and POP3 (RFC 2595), FTP (RFC 4217) and
 * ManageSieve (RFC 5804). Each is a few steps: greeting, capabilities,
 * the STARTTLS command, and its answer.
 */
#include <string.h>
#include <strings.h>

#include "dialog.h"
#include "starttls.h"

enum { GREETING, CAPS, CAPS_LIST, STARTTLS };

#define QUOTE(l, n) cp_dialog_quote((l), (n), q, sizeof(q))

/* Whether `word` occurs in the line as a whole token (IMAP capabilities
 * sit inside brackets and among other atoms). */
static int
has_token(const char *line, size_t len, const char *word)
{
	size_t k = strlen(word), i;

	for (i = 0; i + k <= len; i++) {
		if ((i == 0 || strchr(" [(", line[i - 1]) != NULL) &&
		    strncasecmp(line + i, word, k) == 0 &&
		    (i + k == len || strchr(" ])", line[i + k]) != NULL))
			return 1;
	}
	return 0;
}

static int
refused(struct cp_dialog *d, const char *line, size_t len)
{
	char q[160];

	return cp_dialog_failf(d, CP_FAIL_STARTTLS, "STARTTLS refused: %s",
	    QUOTE(line, len));
}

static int
not_offered(struct cp_dialog *d)
{
	return cp_dialog_failf(d, CP_FAIL_STARTTLS, "the %s server does not "
	    "offer STARTTLS", d->dialect->name);
}

static int
unexpected(struct cp_dialog *d, const char *what, const char *line,
    size_t len)
{
	char q[160];

	return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "unexpected %s reply to "
	    "%s: %s", d->dialect->name, what, QUOTE(line, len));
}

/* A reply line with a code, checked for shape and for a multi-line
 * reply keeping its code. 1: a complete reply; 0: more lines follow. */
static int
coded_reply(struct cp_dialog *d, const char *line, size_t len, int *code)
{
	const char *text;
	char q[160];
	int more;

	if (cp_reply_parse(line, len, code, &more, &text) == -1)
		return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "malformed %s "
		    "reply: %s", d->dialect->name, QUOTE(line, len)), -1;
	if (d->code != 0 && *code != d->code)
		return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "%s reply changed "
		    "its code within one reply: %s", d->dialect->name,
		    QUOTE(line, len)), -1;
	if (d->step == CAPS && cp_keyword(text, len - (size_t)(text - line),
	    "STARTTLS"))
		d->caps |= CP_CAP_STARTTLS;
	d->code = more ? *code : 0;
	return !more;
}

/* SMTP and LMTP: 220 greeting, EHLO or LHLO, STARTTLS, 220. */
static int
smtp_line(struct cp_dialog *d, const char *line, size_t len)
{
	int code, lmtp = d->dialect == &cp_dialect_lmtp, rc;

	if ((rc = coded_reply(d, line, len, &code)) <= 0)
		return rc == 0 ? CP_DIALOG_MORE : CP_DIALOG_FAIL;
	switch (d->step++) {
	case GREETING:
		if (code != 220)
			return unexpected(d, "the connection", line, len);
		return cp_dialog_send(d, "%s %s\r\n", lmtp ? "LHLO" : "EHLO",
		    d->helo);
	case CAPS:
		if (code != 250)
			return unexpected(d, lmtp ? "LHLO" : "EHLO", line, len);
		if (!(d->caps & CP_CAP_STARTTLS))
			return not_offered(d);
		return cp_dialog_send(d, "STARTTLS\r\n");
	default:
		return code == 220 ? CP_DIALOG_TLS : refused(d, line, len);
	}
}

/* FTP: 220 greeting (120: wait), AUTH TLS, 234. A multi-line reply's
 * inner lines need not carry the code (RFC 959 4.2). */
static int
ftp_line(struct cp_dialog *d, const char *line, size_t len)
{
	const char *text;
	int code, more, rc;

	if (d->code != 0) {
		if (cp_reply_parse(line, len, &code, &more, &text) == -1 ||
		    code != d->code || more)
			return CP_DIALOG_MORE;
		d->code = 0;
	} else if ((rc = coded_reply(d, line, len, &code)) <= 0)
		return rc == 0 ? CP_DIALOG_MORE : CP_DIALOG_FAIL;
	if (d->step == GREETING) {
		if (code == 120)
			return CP_DIALOG_MORE;
		if (code != 220)
			return unexpected(d, "the connection", line, len);
		d->step = STARTTLS;
		return cp_dialog_send(d, "AUTH TLS\r\n");
	}
	return code == 234 ? CP_DIALOG_TLS : refused(d, line, len);
}

/* NNTP: 200/201, CAPABILITIES (101 and a list ending in "."), STARTTLS,
 * 382. A server too old for CAPABILITIES is asked for STARTTLS all the
 * same. */
static int
nntp_line(struct cp_dialog *d, const char *line, size_t len)
{
	int code, rc;

	if (d->step == CAPS_LIST) {
		if (len == 1 && line[0] == '.') {
			d->step = STARTTLS;
			if (!(d->caps & CP_CAP_STARTTLS))
				return not_offered(d);
			return cp_dialog_send(d, "STARTTLS\r\n");
		}
		if (cp_keyword(line, len, "STARTTLS"))
			d->caps |= CP_CAP_STARTTLS;
		return CP_DIALOG_MORE;
	}
	if ((rc = coded_reply(d, line, len, &code)) <= 0)
		return rc == 0 ? CP_DIALOG_MORE : CP_DIALOG_FAIL;
	switch (d->step) {
	case GREETING:
		if (code != 200 && code != 201)
			return unexpected(d, "the connection", line, len);
		d->step = CAPS;
		return cp_dialog_send(d, "CAPABILITIES\r\n");
	case CAPS:
		if (code == 101) {
			d->step = CAPS_LIST;
			return CP_DIALOG_MORE;
		}
		d->step = STARTTLS;
		return cp_dialog_send(d, "STARTTLS\r\n");
	default:
		return code == 382 ? CP_DIALOG_TLS : refused(d, line, len);
	}
}

/* IMAP: "* OK" greeting, CAPABILITY, STARTTLS, each answered by its tag. */
static int
imap_line(struct cp_dialog *d, const char *line, size_t len)
{
	if (has_token(line, len, "STARTTLS"))
		d->caps |= CP_CAP_STARTTLS;
	if (d->step == GREETING) {
		if (!cp_keyword(line, len, "* OK") &&
		    !cp_keyword(line, len, "* PREAUTH"))
			return unexpected(d, "the connection", line, len);
		d->step = CAPS;
		return cp_dialog_send(d, "C1 CAPABILITY\r\n");
	}
	if (len > 0 && line[0] == '*')
		return CP_DIALOG_MORE;  /* untagged data */
	if (d->step == CAPS && cp_keyword(line, len, "C1 OK")) {
		d->step = STARTTLS;
		if (!(d->caps & CP_CAP_STARTTLS))
			return not_offered(d);
		return cp_dialog_send(d, "C2 STARTTLS\r\n");
	}
	if (d->step == STARTTLS && cp_keyword(line, len, "C2 OK"))
		return CP_DIALOG_TLS;
	if (d->step == STARTTLS && (cp_keyword(line, len, "C2 NO") ||
	    cp_keyword(line, len, "C2 BAD")))
		return refused(d, line, len);
	return unexpected(d, d->step == CAPS ? "CAPABILITY" : "STARTTLS",
	    line, len);
}

/* POP3: +OK greeting, CAPA (a list ending in "."), STLS, +OK. */
static int
pop3_line(struct cp_dialog *d, const char *line, size_t len)
{
	int ok = cp_keyword(line, len, "+OK");

	switch (d->step) {
	case GREETING:
		if (!ok)
			return unexpected(d, "the connection", line, len);
		d->step = CAPS;
		return cp_dialog_send(d, "CAPA\r\n");
	case CAPS:
		d->step = ok ? CAPS_LIST : STARTTLS;
		if (ok)
			return CP_DIALOG_MORE;
		return cp_dialog_send(d, "STLS\r\n");
	case CAPS_LIST:
		if (cp_keyword(line, len, "STLS"))
			d->caps |= CP_CAP_STARTTLS;
		if (!(len == 1 && line[0] == '.'))
			return CP_DIALOG_MORE;
		d->step = STARTTLS;
		if (!(d->caps & CP_CAP_STARTTLS))
			return not_offered(d);
		return cp_dialog_send(d, "STLS\r\n");
	default:
		return ok ? CP_DIALOG_TLS : refused(d, line, len);
	}
}

/* ManageSieve: capability lines and OK, STARTTLS, OK. */
static int
sieve_line(struct cp_dialog *d, const char *line, size_t len)
{
	int ok = cp_keyword(line, len, "OK");

	if (d->step == GREETING) {
		if (cp_keyword(line, len, "\"STARTTLS\""))
			d->caps |= CP_CAP_STARTTLS;
		if (len > 0 && line[0] == '"')
			return CP_DIALOG_MORE;
		if (!ok)
			return unexpected(d, "the connection", line, len);
		d->step = STARTTLS;
		if (!(d->caps & CP_CAP_STARTTLS))
			return not_offered(d);
		return cp_dialog_send(d, "STARTTLS\r\n");
	}
	return ok ? CP_DIALOG_TLS : refused(d, line, len);
}

const struct cp_dialect cp_dialect_smtp = { "SMTP", NULL, smtp_line, NULL };
const struct cp_dialect cp_dialect_lmtp = { "LMTP", NULL, smtp_line, NULL };
const struct cp_dialect cp_dialect_ftp = { "FTP", NULL, ftp_line, NULL };
const struct cp_dialect cp_dialect_nntp = { "NNTP", NULL, nntp_line, NULL };
const struct cp_dialect cp_dialect_imap = { "IMAP", NULL, imap_line, NULL };
const struct cp_dialect cp_dialect_pop3 = { "POP3", NULL, pop3_line, NULL };
const struct cp_dialect cp_dialect_sieve = { "ManageSieve", NULL, sieve_line,
    NULL };

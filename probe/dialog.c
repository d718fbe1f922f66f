/*
 * The shared command/response machinery of the plaintext dialogs: line
 * splitting with bounds, reply codes, and the rule that nothing may
 * follow the server's consent to start TLS.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dialog.h"

int
cp_dialog_failf(struct cp_dialog *d, enum cp_fail f, const char *fmt, ...)
{
	va_list ap;

	if (d->fail == CP_FAIL_NONE) {
		d->fail = f;
		va_start(ap, fmt);
		vsnprintf(d->error, sizeof(d->error), fmt, ap);
		va_end(ap);
	}
	return CP_DIALOG_FAIL;
}

int
cp_dialog_sendraw(struct cp_dialog *d, const void *p, size_t len)
{
	if (len > sizeof(d->out) - d->outlen)
		return cp_dialog_failf(d, CP_FAIL_INTERNAL,
		    "%s command too long", d->dialect->name);
	memcpy(d->out + d->outlen, p, len);
	d->outlen += len;
	return CP_DIALOG_MORE;
}

int
cp_dialog_send(struct cp_dialog *d, const char *fmt, ...)
{
	char cmd[sizeof(d->out)];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return cp_dialog_failf(d, CP_FAIL_INTERNAL,
		    "%s command too long", d->dialect->name);
	return cp_dialog_sendraw(d, cmd, (size_t)n);
}

int
cp_dialog_init(struct cp_dialog *d, const struct cp_dialect *dialect,
    const char *host, const char *helo)
{
	memset(d, 0, sizeof(*d));
	d->dialect = dialect;
	d->host = host;
	snprintf(d->helo, sizeof(d->helo), "%s", helo);
	if (dialect == NULL)
		return CP_DIALOG_TLS;
	return dialect->start != NULL ? dialect->start(d) : CP_DIALOG_MORE;
}

const char *
cp_dialog_quote(const char *line, size_t len, char *buf, size_t buflen)
{
	size_t i, n = len < buflen - 4 ? len : buflen - 4;

	for (i = 0; i < n; i++)
		buf[i] = line[i] == '\0' ? '?' : line[i];
	if (n < len)
		memcpy(buf + n, "...", 3), n += 3;
	buf[n] = '\0';
	return buf;
}

int
cp_reply_parse(const char *line, size_t len, int *code, int *more,
    const char **text)
{
	size_t i;

	if (len < 3)
		return -1;
	for (i = 0; i < 3; i++)
		if (!isdigit((unsigned char)line[i]))
			return -1;
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return -1;
	*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	*more = len > 3 && line[3] == '-';
	*text = len > 3 ? line + 4 : line + 3;
	return 0;
}

int
cp_keyword(const char *line, size_t len, const char *kw)
{
	size_t k = strlen(kw);

	return len >= k && strncasecmp(line, kw, k) == 0 &&
	    (len == k || line[k] == ' ' || line[k] == '\t');
}

/* After TLS is agreed, any byte already received was sent before the
 * server could know our ClientHello: an injection, never a TLS record. */
static int
tls_agreed(struct cp_dialog *d, size_t left)
{
	if (left > 0)
		return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "%zu byte%s of "
		    "plaintext after the %s server agreed to start TLS: "
		    "refused (possible command injection)", left,
		    left == 1 ? "" : "s", d->dialect->name);
	d->caps = 0;
	return CP_DIALOG_TLS;
}

/* Hands every complete line in d->in to the dialect. */
static int
run_lines(struct cp_dialog *d)
{
	size_t start = 0;
	char *nl;
	int rc = CP_DIALOG_MORE;

	while (rc == CP_DIALOG_MORE &&
	    (nl = memchr(d->in + start, '\n', d->inlen - start)) != NULL) {
		size_t end = (size_t)(nl - d->in), len = end - start;

		if (len > 0 && d->in[end - 1] == '\r')
			len--;
		if (len > CP_LINE_MAX)
			return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "the %s "
			    "server sent a line longer than %d bytes",
			    d->dialect->name, CP_LINE_MAX);
		d->greeted = 1;
		rc = d->dialect->line(d, d->in + start, len);
		start = end + 1;
	}
	if (rc == CP_DIALOG_MORE && start == 0 && d->inlen == sizeof(d->in))
		return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "the %s server sent "
		    "a line longer than %d bytes", d->dialect->name, CP_LINE_MAX);
	d->used = start;
	return rc;
}

/* Consumes what d->in holds: lines, or a binary reply. */
static int
run_input(struct cp_dialog *d)
{
	int rc;

	d->used = 0;
	if (d->dialect->raw != NULL) {
		/* One reply may follow another in the same read. */
		do {
			size_t before = d->used;

			rc = d->dialect->raw(d);
			if (d->used == before)
				break;
		} while (rc == CP_DIALOG_MORE && d->used < d->inlen);
		if (d->inlen > 0)
			d->greeted = 1;
	} else
		rc = run_lines(d);
	memmove(d->in, d->in + d->used, d->inlen - d->used);
	d->inlen -= d->used;
	return rc;
}

int
cp_dialog_feed(struct cp_dialog *d, const void *data, size_t len)
{
	const char *p = data;
	int rc = CP_DIALOG_MORE;

	if (d->fail != CP_FAIL_NONE)
		return CP_DIALOG_FAIL;
	d->total += len;
	if (d->total > CP_DIALOG_MAX)
		return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "%s dialog longer "
		    "than %zu KiB", d->dialect->name, CP_DIALOG_MAX >> 10);
	while (len > 0 && rc == CP_DIALOG_MORE) {
		size_t n = sizeof(d->in) - d->inlen;

		if (n > len)
			n = len;
		memcpy(d->in + d->inlen, p, n);
		d->inlen += n;
		p += n;
		len -= n;
		rc = run_input(d);
		if (rc == CP_DIALOG_MORE && d->inlen == sizeof(d->in))
			return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "%s reply "
			    "longer than %zu bytes", d->dialect->name,
			    sizeof(d->in));
	}
	if (rc == CP_DIALOG_TLS)
		return tls_agreed(d, d->inlen + len);
	return rc;
}

int
cp_dialog_eof(struct cp_dialog *d)
{
	if (!d->greeted)
		return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "the server closed "
		    "the connection before its %s greeting", d->dialect->name);
	return cp_dialog_failf(d, CP_FAIL_PROTOCOL, "the server closed the "
	    "connection during the %s dialog", d->dialect->name);
}

const char *
cp_dialog_phase(const struct cp_dialog *d, char *buf, size_t len)
{
	if (d->dialect == NULL)
		snprintf(buf, len, "in the TLS handshake");
	else if (!d->greeted && d->total == 0)
		snprintf(buf, len, "waiting for the %s server to speak",
		    d->dialect->name);
	else
		snprintf(buf, len, "in the %s dialog", d->dialect->name);
	return buf;
}

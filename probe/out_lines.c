/*
 * The spot check's output (check_remote, SPEC section 1): one line per
 * address, in the order checked,
 *
 *     SMTP mail.example.com:25 [192.0.2.10]: OK notAfter=Feb 27 16:31:00 2017 GMT (97 days)
 *
 * and with -v the served chain under it, one certificate a line.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "escape.h"
#include "output.h"
#include "proto.h"
#include "result.h"
#include "timeconv.h"

const struct cp_cert *
cp_deciding_cert(const struct cp_result *r)
{
	const struct cp_cert *best = NULL;
	size_t i;

	for (i = 0; i < r->ncerts; i++) {
		const struct cp_cert *c = &r->certs[i];

		if (c->counted && (best == NULL ||
		    c->v.not_after < best->v.not_after))
			best = c;
	}
	return best;
}

/* "SMTP mail.example.com:25", or the file's name. */
static int
endpoint_text(struct cp_buf *b, const struct cp_result *r)
{
	const struct cp_target *t = r->check ? &r->check->target : NULL;
	const char *p;
	int v6;

	if (t == NULL || t->kind != CP_TARGET_ENDPOINT)
		return cp_escape(b, r->target, strlen(r->target));
	for (p = t->proto->name; *p != '\0'; p++)
		if (cp_buf_addc(b, (char)toupper((unsigned char)*p)) == -1)
			return -1;
	v6 = strchr(t->host, ':') != NULL;
	return cp_buf_printf(b, " %s%s%s:%u", v6 ? "[" : "", t->host,
	    v6 ? "]" : "", t->port);
}

static int
dates_text(struct cp_buf *b, const struct cp_report *rep,
    const struct cp_cert *c)
{
	char date[CP_TIME_TEXT_MAX], when[64];

	cp_when_text(rep, c, when, sizeof(when));
	if (c->v.dates == CP_DATES_UNREADABLE)
		return cp_buf_printf(b, "notAfter unreadable");
	cp_time_format_openssl(c->v.not_after, date);
	return cp_buf_printf(b, "notAfter=%s (%s)", date, when);
}

int
cp_line_text(struct cp_buf *b, const struct cp_report *rep,
    const struct cp_result *r, int with_state)
{
	const struct cp_cert *c = cp_deciding_cert(r);

	if (endpoint_text(b, r) == -1 || (r->address != NULL &&
	    (cp_buf_addstr(b, " [") == -1 ||
	    cp_escape(b, r->address, strlen(r->address)) == -1 ||
	    cp_buf_addc(b, ']') == -1)) || cp_buf_addc(b, ':') == -1 ||
	    (with_state && cp_buf_printf(b, " %s",
	    cp_state_name(r->state)) == -1))
		return -1;
	if (c != NULL && (cp_buf_addc(b, ' ') == -1 ||
	    dates_text(b, rep, c) == -1))
		return -1;
	if (c != NULL && c->position != CP_POS_LEAF &&
	    c->position != CP_POS_FILE && cp_buf_printf(b, " for the %s "
	    "certificate", cp_position_name(c->position)) == -1)
		return -1;
	if (r->error != NULL && (cp_buf_addstr(b, c ? "; " : " ") == -1 ||
	    cp_escape(b, r->error, strlen(r->error)) == -1))
		return -1;
	return 0;
}

int
cp_chain_text(struct cp_buf *b, const struct cp_report *rep,
    const struct cp_result *r)
{
	size_t i;

	for (i = 0; i < r->ncerts; i++) {
		const struct cp_cert *c = &r->certs[i];

		if (cp_buf_printf(b, "  %zu %s: ", i, cp_position_name(
		    c->position)) == -1 || dates_text(b, rep, c) == -1 ||
		    (c->subject && (cp_buf_addstr(b, " subject=") == -1 ||
		    cp_escape(b, c->subject, c->subject_len) == -1)) ||
		    (c->issuer && (cp_buf_addstr(b, " issuer=") == -1 ||
		    cp_escape(b, c->issuer, c->issuer_len) == -1)) ||
		    cp_buf_addstr(b, c->counted ? "\n" : " (not counted)\n")
		    == -1)
			return -1;
	}
	return 0;
}

int
cp_out_lines(FILE *f, const struct cp_report *rep,
    const struct cp_output_opts *o)
{
	struct cp_buf b;
	size_t i;
	int rc = -1;

	cp_buf_init(&b, 1 << 20);
	for (i = 0; i < rep->n; i++) {
		cp_buf_reset(&b);
		if (cp_line_text(&b, rep, &rep->results[i], 1) == -1 ||
		    cp_buf_addc(&b, '\n') == -1 || (o->verbose &&
		    cp_chain_text(&b, rep, &rep->results[i]) == -1))
			goto out;
		fputs(b.data, f);
	}
	rc = ferror(f) ? -1 : 0;
out:
	cp_buf_free(&b);
	return rc;
}

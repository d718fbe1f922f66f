/* The digest that cron mails: silent when there is nothing to say. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "output.h"
#include "result.h"
#include "timeconv.h"

/* A certificate line belongs in the digest when its dates make it due. */
static int
is_due(const struct cp_cert *c)
{
	return c->counted && cp_dates_due(c->v.dates);
}

int
cp_digest_has_news(const struct cp_report *rep)
{
	size_t i, j;

	for (i = 0; i < rep->n; i++) {
		if (rep->results[i].error != NULL)
			return 1;
		for (j = 0; j < rep->results[i].ncerts; j++)
			if (is_due(&rep->results[i].certs[j]))
				return 1;
	}
	return 0;
}

/* Whether a row belongs in the section of failures (1) or of due
 * certificates (0); -1 when it belongs in neither. */
static int
row_section(const struct cp_report *rep, const struct cp_row *row)
{
	const struct cp_result *r = &rep->results[row->result];

	if (row->cert < 0)
		return 1;
	return is_due(&r->certs[row->cert]) ? 0 : -1;
}

/* Prints the rows of one section under its heading, if it has any.
 * Returns the number of lines, or -1. */
static long
section(FILE *f, const struct cp_report *rep, const struct cp_row *rows,
    size_t n, int failures, const char *heading, struct cp_buf *b)
{
	char date[CP_TIME_TEXT_MAX], when[96];
	const struct cp_result *r;
	const struct cp_cert *c;
	long lines = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (row_section(rep, &rows[i]) != failures)
			continue;
		if (lines++ == 0)
			fprintf(f, "%s\n\n", heading);
		r = &rep->results[rows[i].result];
		c = failures ? NULL : &r->certs[rows[i].cert];
		if (cp_label_text(b, r, 1) == -1)
			return -1;
		/* In a bundle, the label must say which certificate is due;
		 * of a served chain, which one unless it is the leaf. */
		if (c != NULL && r->ncerts > 1 && c->subject != NULL &&
		    c->position != CP_POS_LEAF &&
		    (cp_buf_addstr(b, " (") == -1 || cp_escape(b, c->subject,
		    c->subject_len) == -1 || cp_buf_addc(b, ')') == -1))
			return -1;
		fprintf(f, "%s: ", b->data);
		if (failures) {
			cp_buf_reset(b);
			if (cp_escape(b, r->error, strlen(r->error)) == -1)
				return -1;
			fprintf(f, "%s\n", b->data);
			continue;
		}
		cp_time_format_openssl(c->v.not_after, date);
		cp_when_text(rep, c, when, sizeof(when));
		fprintf(f, "%s (%s)\n", date, when);
	}
	return lines;
}

int
cp_out_digest(FILE *f, const struct cp_report *rep,
    const struct cp_output_opts *o)
{
	struct cp_row *rows = NULL;
	struct cp_buf b;
	size_t n = 0, i;
	long due;
	int rc = -1, fails = 0;

	(void)o;
	cp_buf_init(&b, 1 << 20);
	if (!cp_digest_has_news(rep))
		return 0;
	if ((rows = cp_rows_sorted(rep, &n)) == NULL)
		goto out;
	if ((due = section(f, rep, rows, n, 0, "Following certificate "
	    "expiration dates:", &b)) == -1)
		goto out;
	for (i = 0; i < n; i++)
		fails += row_section(rep, &rows[i]) == 1;
	if (fails > 0 && due > 0)
		fputc('\n', f);
	if (section(f, rep, rows, n, 1, "Could not check:", &b) == -1)
		goto out;
	rc = ferror(f) ? -1 : 0;
out:
	free(rows);
	cp_buf_free(&b);
	return rc;
}

/* The text table: one row per certificate, soonest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cert.h"
#include "escape.h"
#include "output.h"
#include "result.h"
#include "timeconv.h"

/* The widest target column before rows stop lining up. */
#define TARGET_WIDTH_MAX 60

/* Display width of UTF-8 text, counting code points. */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static enum cp_state
row_state(const struct cp_result *r, long cert)
{
	return cert < 0 ? r->state : r->certs[cert].v.state;
}

static size_t
target_column(const struct cp_report *rep, const struct cp_row *rows,
    size_t n, int quiet, struct cp_buf *b)
{
	size_t i, w = 6, tw;

	for (i = 0; i < n; i++) {
		const struct cp_result *r = &rep->results[rows[i].result];

		if (quiet && row_state(r, rows[i].cert) == CP_OK)
			continue;
		if (cp_label_text(b, r, 0) == 0 && (tw = width(b->data)) > w)
			w = tw;
	}
	return w > TARGET_WIDTH_MAX ? TARGET_WIDTH_MAX : w;
}

static int
print_row(FILE *f, const struct cp_report *rep, const struct cp_row *row,
    size_t tw, struct cp_buf *b)
{
	const struct cp_result *r = &rep->results[row->result];
	const struct cp_cert *c = row->cert >= 0 ? &r->certs[row->cert] : NULL;
	char date[CP_TIME_TEXT_MAX], days[24], why[CP_TIME_TEXT_MAX + 64];
	size_t pad;
	int rc;

	if (cp_label_text(b, r, 0) == -1)
		return -1;
	pad = width(b->data) < tw ? tw - width(b->data) : 0;
	if (c != NULL && c->v.dates != CP_DATES_UNREADABLE) {
		cp_time_format_openssl(c->v.not_after, date);
		snprintf(days, sizeof(days), "%lld", (long long)c->v.days_left);
	} else {
		snprintf(date, sizeof(date), "-");
		snprintf(days, sizeof(days), "-");
	}
	fprintf(f, "%-8s %6s  %-24s  %s%*s  ",
	    cp_state_name(row_state(r, row->cert)), days, date, b->data,
	    (int)pad, "");
	cp_buf_reset(b);
	if (c != NULL && c->subject != NULL)
		rc = cp_escape(b, c->subject, c->subject_len);
	else
		rc = cp_escape(b, r->error ? r->error : "", r->error ?
		    strlen(r->error) : 0);
	if (rc == -1)
		return -1;
	/* A row that is not OK says why, beside whose it is. */
	why[0] = '\0';
	if (c != NULL && c->counted)
		cp_reason_text(rep, r, c, why, sizeof(why));
	fprintf(f, "%s%s%s%s\n", b->data, *why ? ": " : "", why,
	    c != NULL && !c->counted ? " (not counted)" : "");
	return 0;
}

/* The last line: the overall state and the counts behind it. */
static void
print_summary(FILE *f, const struct cp_report *rep)
{
	size_t count[4] = { 0, 0, 0, 0 }, certs = 0, shown = 0, failed = 0;
	size_t i, j;

	/* The counts add up to the state: shown-only certificates apart. */
	for (i = 0; i < rep->n; i++) {
		const struct cp_result *r = &rep->results[i];

		for (j = 0; j < r->ncerts; j++) {
			if (!r->certs[j].counted) {
				shown++;
				continue;
			}
			count[r->certs[j].v.state]++;
			certs++;
		}
		failed += r->error != NULL;
	}
	fprintf(f, "%s: %zu critical, %zu warning, %zu unknown, %zu ok of %zu "
	    "certificate%s", cp_state_name(rep->state), count[CP_CRITICAL],
	    count[CP_WARNING], count[CP_UNKNOWN], count[CP_OK], certs,
	    certs == 1 ? "" : "s");
	if (shown > 0)
		fprintf(f, " (and %zu shown, not counted)", shown);
	fprintf(f, "; %zu check%s failed\n", failed, failed == 1 ? "" : "s");
}

int
cp_out_text(FILE *f, const struct cp_report *rep,
    const struct cp_output_opts *o)
{
	struct cp_row *rows;
	struct cp_buf b;
	size_t n = 0, i, tw;
	int rc = -1;

	cp_buf_init(&b, 1 << 20);
	if ((rows = cp_rows_sorted(rep, &n)) == NULL)
		goto out;
	tw = target_column(rep, rows, n, o->quiet, &b);
	if (!o->quiet || rep->state != CP_OK)
		fprintf(f, "%-8s %6s  %-24s  %-*s  %s\n", "STATE", "DAYS",
		    "NOT AFTER", (int)tw, "TARGET", "SUBJECT / PROBLEM");
	for (i = 0; i < n; i++) {
		if (o->quiet && row_state(&rep->results[rows[i].result],
		    rows[i].cert) == CP_OK)
			continue;
		if (print_row(f, rep, &rows[i], tw, &b) == -1)
			goto out;
	}
	if (!o->quiet)
		print_summary(f, rep);
	rc = ferror(f) ? -1 : 0;
out:
	free(rows);
	cp_buf_free(&b);
	return rc;
}

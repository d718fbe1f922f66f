/*
 * Nagios plugin output (SPEC section 1; the Monitoring Plugins development
 * guidelines): a status line naming the worst result, the perfdata after
 * '|' (perfdata.c), then the long output, a line per address or file, as
 * check_remote prints them:
 *
 *     CERT WARNING - HTTPS www.example.com:443 [::1]: notAfter=Dec 13 10:00:00 2026 GMT (20 days) (and 1 more: 1 OK) | days_left=20;30:;14: __1=20;30:;14: 127_0_0_1=97;30:;14:
 *     HTTPS www.example.com:443 [::1]: WARNING notAfter=Dec 13 10:00:00 2026 GMT (20 days)
 *     HTTPS www.example.com:443 [127.0.0.1]: OK notAfter=Feb 27 16:31:00 2027 GMT (97 days)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "output.h"
#include "result.h"

/* Whether `a` makes a better headline than `b`: worse, then failed,
 * then sooner to expire. */
static int
worse(const struct cp_result *a, const struct cp_result *b)
{
	const struct cp_cert *ca = cp_dated_cert(a), *cb = cp_dated_cert(b);

	if (a->state != b->state)
		return cp_state_worst(a->state, b->state) == a->state;
	if ((a->error != NULL) != (b->error != NULL))
		return a->error != NULL;
	if (ca == NULL || cb == NULL)
		return ca != NULL && cb == NULL;
	return ca->v.not_after < cb->v.not_after;
}

static size_t
headline(const struct cp_report *rep)
{
	size_t i, best = 0;

	for (i = 1; i < rep->n; i++)
		if (worse(&rep->results[i], &rep->results[best]))
			best = i;
	return best;
}

/* " (and 3 more: 1 WARNING, 2 OK)": the states of the other results. */
static int
others_text(struct cp_buf *b, const struct cp_report *rep, size_t head)
{
	static const enum cp_state order[] = { CP_CRITICAL, CP_WARNING,
	    CP_UNKNOWN, CP_OK };
	size_t i, k, count;
	const char *sep = ": ";

	if (rep->n < 2)
		return 0;
	if (cp_buf_printf(b, " (and %zu more", rep->n - 1) == -1)
		return -1;
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (i = 0, count = 0; i < rep->n; i++)
			count += i != head && rep->results[i].state == order[k];
		if (count > 0 && cp_buf_printf(b, "%s%zu %s", sep, count,
		    cp_state_name(order[k])) == -1)
			return -1;
		if (count > 0)
			sep = ", ";
	}
	return cp_buf_addc(b, ')');
}

/*
 * Writes text that came from outside (already escaped): a '|' would
 * start perfdata, so it becomes \x7c, unambiguous because the escaping
 * doubled every backslash.
 */
void
cp_put_plugin_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			fputs("\\x7c", f);
		else
			fputc(*s, f);
	}
}

/* The status line's text: the headline result and the count of others. */
static int
summary(struct cp_buf *b, const struct cp_report *rep)
{
	size_t head;

	if (rep->n == 0)
		return cp_buf_addstr(b, "nothing was checked");
	head = headline(rep);
	if (cp_line_text(b, rep, &rep->results[head], 0) == -1)
		return -1;
	return others_text(b, rep, head);
}

int
cp_out_nagios(FILE *f, const struct cp_report *rep,
    const struct cp_output_opts *o)
{
	struct cp_buf text, perf;
	size_t i;
	int rc = -1;

	cp_buf_init(&text, 1 << 20);
	cp_buf_init(&perf, 1 << 20);
	if (summary(&text, rep) == -1 || cp_perfdata(&perf, rep) == -1)
		goto out;
	fprintf(f, "CERT %s - ", cp_state_name(rep->state));
	cp_put_plugin_text(f, text.data);
	fprintf(f, "%s%s\n", perf.len ? " | " : "", perf.len ? perf.data : "");
	for (i = 0; i < rep->n; i++) {
		cp_buf_reset(&text);
		if (cp_line_text(&text, rep, &rep->results[i], 1) == -1 ||
		    cp_buf_addc(&text, '\n') == -1 || (o->verbose &&
		    cp_chain_text(&text, rep, &rep->results[i]) == -1))
			goto out;
		cp_put_plugin_text(f, text.data);
	}
	rc = ferror(f) ? -1 : 0;
out:
	cp_buf_free(&perf);
	cp_buf_free(&text);
	return rc;
}

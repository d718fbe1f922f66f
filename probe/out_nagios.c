/*
 * Nagios plugin output (SPEC section 1; the Monitoring Plugins development
 * guidelines): a status line naming the worst result, the perfdata after
 * '|', then the long output, a line per address or file, as check_remote
 * prints them:
 *
 *     CERT WARNING - HTTPS www.example.com:443 [::1]: notAfter=Dec 13 10:00:00 2026 GMT (20 days) (and 1 more: 1 OK) | days_left=20;30:;14: __1=20;30:;14: 127_0_0_1=97;30:;14:
 *     HTTPS www.example.com:443 [::1]: WARNING notAfter=Dec 13 10:00:00 2026 GMT (20 days)
 *     HTTPS www.example.com:443 [127.0.0.1]: OK notAfter=Feb 27 16:31:00 2027 GMT (97 days)
 *
 * Thresholds are ranges ("30:"), so that a graphing tool alerts below
 * them. Labels are at most 19 characters of [A-Za-z0-9_], what RRD
 * accepts as a data source name, and unique within the output.
 */
#define _GNU_SOURCE     /* memrchr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "output.h"
#include "result.h"
#include "threshold.h"

#define LABEL_MAX 19
#define HEADLINE_LABEL "days_left"

/* How bad a state is, for choosing the headline. */
static int
severity(enum cp_state s)
{
	return s == CP_CRITICAL ? 3 : s == CP_WARNING ? 2 :
	    s == CP_UNKNOWN ? 1 : 0;
}

/* Whether `a` makes a better headline than `b`: worse, then failed,
 * then sooner to expire. */
static int
worse(const struct cp_result *a, const struct cp_result *b)
{
	const struct cp_cert *ca = cp_deciding_cert(a);
	const struct cp_cert *cb = cp_deciding_cert(b);

	if (severity(a->state) != severity(b->state))
		return severity(a->state) > severity(b->state);
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

/* A threshold in days, as short as exact enough: "30", "1.5", "0.0417". */
static int
days_text(struct cp_buf *b, const struct cp_threshold *th, int64_t lifetime)
{
	char num[64];
	size_t len;

	snprintf(num, sizeof(num), "%.4f",
	    (double)cp_threshold_seconds(th, lifetime) / 86400.0);
	len = strlen(num);
	while (num[len - 1] == '0')
		num[--len] = '\0';
	if (num[len - 1] == '.')
		num[--len] = '\0';
	return cp_buf_addstr(b, num);
}

/* "=20;30:;14:" for a result's soonest counted certificate, or "=U". */
static int
value_text(struct cp_buf *b, const struct cp_result *r)
{
	const struct cp_cert *c = cp_deciding_cert(r);
	int64_t lifetime;

	if (c == NULL || c->v.dates == CP_DATES_UNREADABLE)
		return cp_buf_addstr(b, "=U");
	if (cp_buf_printf(b, "=%lld", (long long)c->v.days_left) == -1)
		return -1;
	if (r->check == NULL)
		return 0;
	lifetime = c->v.not_after - c->v.not_before;
	if (cp_buf_addc(b, ';') == -1 ||
	    days_text(b, &r->check->s.warn, lifetime) == -1 ||
	    cp_buf_addstr(b, ":;") == -1 ||
	    days_text(b, &r->check->s.crit, lifetime) == -1)
		return -1;
	return cp_buf_addc(b, ':');
}

/* The result whose certificate expires first: days_left's. */
static const struct cp_result *
soonest(const struct cp_report *rep)
{
	const struct cp_result *best = &rep->results[0];
	const struct cp_cert *c, *bc = cp_deciding_cert(best);
	size_t i;

	for (i = 1; i < rep->n; i++) {
		c = cp_deciding_cert(&rep->results[i]);
		if (c != NULL && (bc == NULL ||
		    c->v.not_after < bc->v.not_after)) {
			best = &rep->results[i];
			bc = c;
		}
	}
	return best;
}

/* Whether every result comes from one check (the plugin's -H). */
static int
one_check(const struct cp_report *rep)
{
	size_t i;

	for (i = 1; i < rep->n; i++)
		if (rep->results[i].check != rep->results[0].check)
			return 0;
	return 1;
}

/* The last `k` components of a path, without the last one's extension:
 * "/etc/letsencrypt/live/a.example/cert.pem", 2: "a.example/cert". */
static void
path_tail(const char *path, size_t k, char *out, size_t outlen)
{
	const char *end = path + strlen(path), *start, *dot;

	while (end > path && end[-1] == '/')
		end--;
	for (start = end; start > path; start--)
		if (start[-1] == '/' && --k == 0)
			break;
	dot = memrchr(start, '.', (size_t)(end - start));
	if (dot != NULL && dot > start && memchr(dot, '/',
	    (size_t)(end - dot)) == NULL)
		end = dot;
	snprintf(out, outlen, "%.*s", (int)(end - start), start);
}

/*
 * How many path components tell the files of a report apart: 1 for
 * "a.pem b.pem", 2 for letsencrypt's "live/a.example/cert.pem
 * live/b.example/cert.pem". Large reports take 2 (and numbered labels
 * where that is not enough) rather than quadratic work.
 */
static size_t
path_depth(const struct cp_report *rep)
{
	char a[256], b[256];
	size_t i, j, k;

	if (rep->n > 256)
		return 2;
	for (k = 1; k < 8; k++) {
		for (i = 0; i < rep->n; i++) {
			if (rep->results[i].address != NULL)
				continue;
			path_tail(rep->results[i].target, k, a, sizeof(a));
			for (j = i + 1; j < rep->n; j++) {
				if (rep->results[j].address != NULL)
					continue;
				path_tail(rep->results[j].target, k, b,
				    sizeof(b));
				if (strcmp(a, b) == 0)
					goto next;
			}
		}
		return k;
next:		;
	}
	return 1;    /* the same file twice: numbered labels */
}

/*
 * A result's label: its name=; else an address (alone where one check
 * has them all, after the host otherwise); else the file's path, as
 * many components as tell the files apart. In RRD's alphabet; its last
 * 19 characters, where names and addresses differ.
 */
static void
label_of(const struct cp_report *rep, const struct cp_result *r,
    size_t depth, char *out)
{
	const struct cp_check *c = r->check;
	char text[512];
	size_t len, i;

	if (c != NULL && c->s.name != NULL)
		snprintf(text, sizeof(text), "%s", c->s.name);
	else if (r->address != NULL && one_check(rep))
		snprintf(text, sizeof(text), "%s", r->address);
	else if (r->address != NULL)
		snprintf(text, sizeof(text), "%s%s%s", c->target.host,
		    r->one_of_many ? "_" : "", r->one_of_many ? r->address : "");
	else
		path_tail(r->target, depth, text, sizeof(text));
	len = strlen(text);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9')))
			text[i] = '_';
	}
	snprintf(out, LABEL_MAX + 1, "%s", len > LABEL_MAX ?
	    text + len - LABEL_MAX : text);
}

/* Whether label `n` equals one before it. */
static int
taken(char (*labels)[LABEL_MAX + 1], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(labels[i], labels[n]) == 0)
			return 1;
	return 0;
}

/* Makes label `n` differ from those before it: "cert" becomes "cert_4",
 * numbered by its position, so that the search ends at once. */
static void
unique(char (*labels)[LABEL_MAX + 1], size_t n)
{
	char base[LABEL_MAX + 1], suffix[24];
	size_t keep, slen, k = n;

	memcpy(base, labels[n], sizeof(base));
	while (taken(labels, n)) {
		slen = (size_t)snprintf(suffix, sizeof(suffix), "_%zu", k++);
		keep = strlen(base);
		if (keep > LABEL_MAX - slen)
			keep = LABEL_MAX - slen;
		memcpy(labels[n], base, keep);
		memcpy(labels[n] + keep, suffix, slen + 1);
	}
}

/* "days_left=..." and, where there are several results, one per result. */
static int
perfdata(struct cp_buf *b, const struct cp_report *rep)
{
	char (*labels)[LABEL_MAX + 1];
	size_t i;
	size_t depth = path_depth(rep);
	int rc = -1;

	if (cp_buf_addstr(b, HEADLINE_LABEL) == -1 ||
	    value_text(b, soonest(rep)) == -1)
		return -1;
	if (rep->n < 2)
		return 0;
	if ((labels = calloc(rep->n + 1, sizeof(*labels))) == NULL)
		return -1;
	snprintf(labels[0], sizeof(labels[0]), "%s", HEADLINE_LABEL);
	for (i = 0; i < rep->n; i++) {
		label_of(rep, &rep->results[i], depth, labels[i + 1]);
		unique(labels, i + 1);
		if (cp_buf_printf(b, " %s", labels[i + 1]) == -1 ||
		    value_text(b, &rep->results[i]) == -1)
			goto out;
	}
	rc = 0;
out:
	free(labels);
	return rc;
}

/*
 * Writes text that came from outside (already escaped): a '|' would
 * start perfdata, so it becomes \x7c, unambiguous because the escaping
 * doubled every backslash.
 */
static void
put_text(FILE *f, const char *s)
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
	if (summary(&text, rep) == -1 || (rep->n > 0 &&
	    perfdata(&perf, rep) == -1))
		goto out;
	fprintf(f, "CERT %s - ", cp_state_name(rep->state));
	put_text(f, text.data);
	fprintf(f, "%s%s\n", perf.len ? " | " : "", perf.len ? perf.data : "");
	for (i = 0; i < rep->n; i++) {
		cp_buf_reset(&text);
		if (cp_line_text(&text, rep, &rep->results[i], 1) == -1 ||
		    cp_buf_addc(&text, '\n') == -1 || (o->verbose &&
		    cp_chain_text(&text, rep, &rep->results[i]) == -1))
			goto out;
		put_text(f, text.data);
	}
	rc = ferror(f) ? -1 : 0;
out:
	cp_buf_free(&perf);
	cp_buf_free(&text);
	return rc;
}

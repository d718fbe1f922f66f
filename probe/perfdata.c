/*
 * The perfdata of the Nagios output (SPEC section 1; the Monitoring
 * Plugins guidelines): days_left for the certificate that expires first,
 * and where a report has several results, a label each:
 *
 *     days_left=20;30:;14: __1=20;30:;14: 127_0_0_1=97;30:;14:
 *
 * Thresholds are ranges ("30:"), so that a graphing tool alerts below
 * them, and a graph crosses one exactly when the plugin changes state.
 * Labels are what RRD accepts as a data source name (at most 19
 * characters of [A-Za-z0-9_]), unique, and the same from run to run for
 * the same address or file, whatever the order of the addresses.
 */
#define _GNU_SOURCE     /* memrchr */
#include <stdint.h>
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
/* Beyond this many results, days_left alone: a graph of thousands of
 * lines helps nobody, and Nagios cuts long output. */
#define PERF_RESULTS_MAX 100
#define DAY 86400

const struct cp_cert *
cp_dated_cert(const struct cp_result *r)
{
	const struct cp_cert *c = cp_deciding_cert(r);

	return c != NULL && c->v.dates != CP_DATES_UNREADABLE ? c : NULL;
}

/* Days to four places, cut (`up`: raised) to them, trailing zeros
 * dropped: "30", "1.5", "0.0417". */
static int
days_text(struct cp_buf *b, int64_t seconds, int up)
{
	int64_t q = seconds * 10000, r = q % DAY;
	char num[48];
	size_t len;

	q = q / DAY - (r < 0) + (up && r > 0);
	len = (size_t)snprintf(num, sizeof(num), "%s%lld.%04lld",
	    q < 0 ? "-" : "", (long long)(q < 0 ? -q : q) / 10000,
	    (long long)(q < 0 ? -q : q) % 10000);
	while (num[len - 1] == '0')
		num[--len] = '\0';
	if (num[len - 1] == '.')
		num[--len] = '\0';
	return cp_buf_addstr(b, num);
}

/*
 * "=20;30:;14:" for a result's deciding certificate, or "=U". Where a
 * threshold is not whole days, whole days could cross it on the wrong
 * side: the value keeps four places too, cut, and the thresholds are
 * raised to four places.
 */
static int
value_text(struct cp_buf *b, const struct cp_report *rep,
    const struct cp_result *r)
{
	const struct cp_cert *c = cp_dated_cert(r);
	int64_t life, warn, crit;

	if (c == NULL)
		return cp_buf_addstr(b, "=U");
	if (r->check == NULL)
		return cp_buf_printf(b, "=%lld", (long long)c->v.days_left);
	life = c->v.not_after - c->v.not_before;
	warn = cp_threshold_seconds(&r->check->s.warn, life);
	crit = cp_threshold_seconds(&r->check->s.crit, life);
	if (warn % DAY == 0 && crit % DAY == 0)
		return cp_buf_printf(b, "=%lld;%lld:;%lld:",
		    (long long)c->v.days_left, (long long)(warn / DAY),
		    (long long)(crit / DAY));
	if (cp_buf_addc(b, '=') == -1 ||
	    days_text(b, c->v.not_after - rep->now, 0) == -1 ||
	    cp_buf_addc(b, ';') == -1 || days_text(b, warn, 1) == -1 ||
	    cp_buf_addstr(b, ":;") == -1 || days_text(b, crit, 1) == -1)
		return -1;
	return cp_buf_addc(b, ':');
}

/* The result whose certificate expires first: days_left's. */
static const struct cp_result *
soonest(const struct cp_report *rep)
{
	const struct cp_result *best = &rep->results[0];
	const struct cp_cert *c, *bc = cp_dated_cert(best);
	size_t i;

	for (i = 1; i < rep->n; i++) {
		c = cp_dated_cert(&rep->results[i]);
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

/* Whether a result is a file's (not an endpoint's). */
static int
is_file(const struct cp_result *r)
{
	return r->check == NULL ||
	    r->check->target.kind != CP_TARGET_ENDPOINT;
}

/* Whether two files' last k components are the same. */
static int
same_tail(const struct cp_result *a, const struct cp_result *b, size_t k)
{
	char ta[256], tb[256];

	path_tail(a->target, k, ta, sizeof(ta));
	path_tail(b->target, k, tb, sizeof(tb));
	return strcmp(ta, tb) == 0;
}

/*
 * How many path components tell the files of a report apart: 1 for
 * "a.pem b.pem", 2 for letsencrypt's "live/a.example/cert.pem
 * live/b.example/cert.pem"; 1 where none does (the same file twice).
 */
static size_t
path_depth(const struct cp_report *rep)
{
	size_t i, j, k;
	int apart;

	for (k = 1; k < 8; k++) {
		apart = 1;
		for (i = 0; apart && i < rep->n; i++)
			for (j = i + 1; apart && j < rep->n; j++)
				apart = !is_file(&rep->results[i]) ||
				    !is_file(&rep->results[j]) ||
				    !same_tail(&rep->results[i],
				    &rep->results[j], k);
		if (apart)
			return k;
	}
	return 1;
}

/*
 * What a result's label is made of: its name=; else its address, alone
 * where one check has all the results, after the host otherwise; else as
 * much of its file's path as tells the files apart.
 */
static void
label_source(const struct cp_report *rep, const struct cp_result *r,
    size_t depth, char *text, size_t len)
{
	const struct cp_check *c = r->check;
	const char *addr = r->one_of_many && r->address ? r->address : NULL;

	if (c != NULL && c->s.name != NULL)
		snprintf(text, len, "%s%s%s", c->s.name, addr ? "_" : "",
		    addr ? addr : "");
	else if (!is_file(r) && r->address != NULL && one_check(rep))
		snprintf(text, len, "%s", r->address);
	else if (!is_file(r))
		snprintf(text, len, "%s%s%s", c->target.host, addr ? "_" : "",
		    addr ? addr : "");
	else
		path_tail(r->target, depth, text, len);
}

/* FNV-1a: a short fingerprint of a label's whole text. */
static uint32_t
fingerprint(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* A label in RRD's alphabet: the text, or where longer its last 14
 * characters and a fingerprint of the whole. */
static void
label_of(const char *text, char *out)
{
	char clean[512];
	size_t len = strlen(text), i;

	snprintf(clean, sizeof(clean), "%s", text);
	for (i = 0; clean[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)clean[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9')))
			clean[i] = '_';
	}
	len = strlen(clean);
	if (len <= LABEL_MAX)
		memcpy(out, clean, len + 1);
	else
		snprintf(out, LABEL_MAX + 1, "%s_%04x",
		    clean + len - (LABEL_MAX - 5),
		    (unsigned)(fingerprint(text) & 0xffff));
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

/* Makes label `n` differ from those before it, numbered by its position
 * (only for the same file twice, or two names alike in RRD's alphabet). */
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

/* One label and value per result. */
static int
result_items(struct cp_buf *b, const struct cp_report *rep)
{
	char (*labels)[LABEL_MAX + 1], text[512];
	size_t i, depth = path_depth(rep);
	int rc = -1;

	if ((labels = calloc(rep->n + 1, sizeof(*labels))) == NULL)
		return -1;
	memcpy(labels[0], HEADLINE_LABEL, sizeof(HEADLINE_LABEL));
	for (i = 0; i < rep->n; i++) {
		label_source(rep, &rep->results[i], depth, text, sizeof(text));
		label_of(text, labels[i + 1]);
		unique(labels, i + 1);
		if (cp_buf_printf(b, " %s", labels[i + 1]) == -1 ||
		    value_text(b, rep, &rep->results[i]) == -1)
			goto out;
	}
	rc = 0;
out:
	free(labels);
	return rc;
}

int
cp_perfdata(struct cp_buf *b, const struct cp_report *rep)
{
	if (rep->n == 0)
		return 0;
	if (cp_buf_addstr(b, HEADLINE_LABEL) == -1 ||
	    value_text(b, rep, soonest(rep)) == -1)
		return -1;
	if (rep->n < 2 || rep->n > PERF_RESULTS_MAX)
		return 0;
	return result_items(b, rep);
}

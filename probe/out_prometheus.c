/*
 * Prometheus text exposition (SPEC section 5), for node_exporter's
 * textfile collector or a scrape: a family per metric field of
 * fields.c, each sample labelled by the label fields of its result (and
 * of its certificate), e.g.
 *
 *     # HELP certprobe_cert_not_after_seconds notAfter of a certificate, Unix time.
 *     # TYPE certprobe_cert_not_after_seconds gauge
 *     certprobe_cert_not_after_seconds{target="/etc/ssl/a.pem",subject="CN = a",serial="01",position="file"} 1798761600
 *
 * A label set seen twice in a family (the same file named twice) is
 * written once: a collector refuses a file with duplicates. Two label
 * sets that differ are two series, always.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "fields.h"
#include "output.h"
#include "result.h"

/*
 * The label sets of one family already written: an open-addressing
 * table keyed by a fingerprint, holding each label set itself. Equal
 * fingerprints alone prove nothing (a server chooses the subject that
 * goes into a label, and could make two collide), so a set counts as
 * seen only when its text is the same too.
 */
struct seen_set {
	uint64_t h;           /* fingerprint of `text`; 0: the slot is free */
	char *text;           /* the series' name and labels, as written */
	size_t len;
};

struct seen {
	struct seen_set *set;
	size_t cap;           /* more than the samples of any family */
};

static uint64_t
fingerprint(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h ? h : 1;
}

/* Forgets the sets of the family before. */
static void
seen_clear(struct seen *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->set[i].text);
	memset(s->set, 0, s->cap * sizeof(*s->set));
}

/* 1 when the label set `text` is new (and is now kept), 0 when written
 * before, -1 when out of memory. */
static int
first_time(struct seen *s, const char *text, size_t len)
{
	uint64_t h = fingerprint(text, len);
	size_t i = (size_t)(h % s->cap);
	struct seen_set *e;

	for (e = &s->set[i]; e->h != 0; e = &s->set[i]) {
		if (e->h == h && e->len == len && memcmp(e->text, text,
		    len) == 0)
			return 0;
		i = (i + 1) % s->cap;
	}
	if ((e->text = malloc(len)) == NULL)
		return -1;
	memcpy(e->text, text, len);
	e->len = len;
	e->h = h;
	return 1;
}

/* The labels a table's label fields give, after a ',' where some came
 * before; null values are left out (Prometheus reads them as empty). */
static int
labels(struct cp_buf *b, const struct cp_field *fields,
    const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c)
{
	struct cp_field_value v;
	const struct cp_field *f;

	for (f = fields; f->name != NULL; f++) {
		if (!(f->use & CP_FIELD_LABEL))
			continue;
		memset(&v, 0, sizeof(v));
		f->get(rep, r, c, &v);
		if (!v.present)
			continue;
		if (cp_buf_printf(b, "%s%s=\"", b->len > 0 &&
		    b->data[b->len - 1] != '{' ? "," : "", f->name) == -1 ||
		    cp_escape_label(b, v.text, v.len) == -1 ||
		    cp_buf_addc(b, '"') == -1)
			return -1;
	}
	return 0;
}

/* One sample of `metric` for result `r` (and certificate `c`). */
static int
sample(FILE *out, struct cp_buf *b, const struct cp_field *metric,
    struct seen *seen, const struct cp_report *rep,
    const struct cp_result *r, const struct cp_cert *c)
{
	struct cp_field_value v;

	memset(&v, 0, sizeof(v));
	metric->get(rep, r, c, &v);
	if (!v.present)
		return 0;
	cp_buf_reset(b);
	if (cp_buf_printf(b, "%s{", metric->metric) == -1 ||
	    labels(b, cp_result_fields, rep, r, c) == -1 ||
	    (c != NULL && labels(b, cp_cert_fields, rep, r, c) == -1) ||
	    cp_buf_addc(b, '}') == -1)
		return -1;
	switch (first_time(seen, b->data, b->len)) {
	case -1:
		return -1;
	case 1:
		fprintf(out, "%s %lld\n", b->data, (long long)v.num);
		break;
	}
	return 0;
}

/* A family: HELP, TYPE, and a sample per result or per certificate. */
static int
family(FILE *out, struct cp_buf *b, const struct cp_field *metric,
    int per_cert, struct seen *seen, const struct cp_report *rep)
{
	size_t i, k;

	seen_clear(seen);
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", metric->metric,
	    metric->help, metric->metric);
	for (i = 0; i < rep->n; i++) {
		const struct cp_result *r = &rep->results[i];

		if (!per_cert && sample(out, b, metric, seen, rep, r,
		    NULL) == -1)
			return -1;
		for (k = 0; per_cert && k < r->ncerts; k++)
			if (sample(out, b, metric, seen, rep, r,
			    &r->certs[k]) == -1)
				return -1;
	}
	return 0;
}

int
cp_out_prometheus(FILE *out, const struct cp_report *rep,
    const struct cp_output_opts *o)
{
	const struct cp_field *f;
	struct seen seen;
	struct cp_buf b;
	size_t i, n = 0;
	int rc = -1;

	(void)o;
	for (i = 0; i < rep->n; i++)
		n += rep->results[i].ncerts + 1;
	seen.cap = 2 * n + 1;
	if ((seen.set = calloc(seen.cap, sizeof(*seen.set))) == NULL)
		return -1;
	cp_buf_init(&b, 1 << 20);
	for (f = cp_result_fields; f->name != NULL; f++)
		if (f->metric != NULL && family(out, &b, f, 0, &seen, rep) == -1)
			goto out;
	for (f = cp_cert_fields; f->name != NULL; f++)
		if (f->metric != NULL && family(out, &b, f, 1, &seen, rep) == -1)
			goto out;
	rc = ferror(out) ? -1 : 0;
out:
	cp_buf_free(&b);
	seen_clear(&seen);
	free(seen.set);
	return rc;
}

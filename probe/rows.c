/* Shared by the outputs: the order of rows and the words for dates. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "escape.h"
#include "output.h"
#include "result.h"
#include "timeconv.h"

/* Sort key: certificates by notAfter, failures last, then report order. */
struct keyed {
	struct cp_row row;
	int failure;
	int64_t when;
	size_t seq;
};

static int
cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;

	if (a->failure != b->failure)
		return a->failure - b->failure;
	if (a->when != b->when)
		return a->when < b->when ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

struct cp_row *
cp_rows_sorted(const struct cp_report *rep, size_t *count)
{
	struct keyed *k;
	struct cp_row *rows;
	size_t i, j, n = 0;

	for (i = 0; i < rep->n; i++)
		n += rep->results[i].ncerts + (rep->results[i].error != NULL);
	if ((k = calloc(n + 1, sizeof(*k))) == NULL)
		return NULL;
	for (i = 0, n = 0; i < rep->n; i++) {
		const struct cp_result *r = &rep->results[i];

		for (j = 0; j < r->ncerts; j++, n++) {
			k[n].row.result = i;
			k[n].row.cert = (long)j;
			k[n].when = r->certs[j].v.not_after;
			k[n].seq = n;
		}
		if (r->error != NULL) {
			k[n].row.result = i;
			k[n].row.cert = -1;
			k[n].failure = 1;
			k[n].seq = n;
			n++;
		}
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	if ((rows = calloc(n + 1, sizeof(*rows))) != NULL) {
		for (i = 0; i < n; i++)
			rows[i] = k[i].row;
		*count = n;
	}
	free(k);
	return rows;
}

int
cp_label_text(struct cp_buf *b, const struct cp_result *r, int by_name)
{
	const char *label = by_name ? cp_result_label(r) : r->target;

	cp_buf_reset(b);
	if (cp_escape(b, label, strlen(label)) == -1)
		return -1;
	if (r->address != NULL && (cp_buf_addstr(b, " [") == -1 ||
	    cp_escape(b, r->address, strlen(r->address)) == -1 ||
	    cp_buf_addc(b, ']') == -1))
		return -1;
	return 0;
}

static const char *
plural(int64_t n)
{
	return (n == 1 || n == -1) ? "" : "s";
}

/* A span of seconds the way a threshold is written: "14 days", "36h",
 * "90m", "45s"; what a share of a lifetime came to, "20.6 days". */
static void
span_text(int64_t s, char *out, size_t outlen)
{
	if (s % 86400 == 0)
		snprintf(out, outlen, "%lld day%s", (long long)(s / 86400),
		    plural(s / 86400));
	else if (s >= 86400)
		snprintf(out, outlen, "%.1f days", (double)s / 86400);
	else if (s % 3600 != 0 && s > 3600)
		snprintf(out, outlen, "%.1fh", (double)s / 3600);
	else if (s % 3600 == 0)
		snprintf(out, outlen, "%lldh", (long long)(s / 3600));
	else if (s % 60 == 0)
		snprintf(out, outlen, "%lldm", (long long)(s / 60));
	else
		snprintf(out, outlen, "%llds", (long long)s);
}

void
cp_reason_text(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, char *out, size_t outlen)
{
	const struct cp_threshold *th;
	char span[48];

	*out = '\0';
	switch (c->v.dates) {
	case CP_DATES_OK:
		break;
	case CP_DATES_WARN:
	case CP_DATES_CRIT:
		if (r->check == NULL)
			break;
		th = c->v.dates == CP_DATES_WARN ? &r->check->s.warn :
		    &r->check->s.crit;
		span_text(cp_threshold_seconds(th, c->v.not_after -
		    c->v.not_before), span, sizeof(span));
		if (th->kind == CP_TH_PERCENT)
			snprintf(out, outlen, "within %s=%g%% (%s)", c->v.dates ==
			    CP_DATES_WARN ? "warn" : "crit",
			    (double)th->micro_pct / 1e6, span);
		else
			snprintf(out, outlen, "within %s=%s", c->v.dates ==
			    CP_DATES_WARN ? "warn" : "crit", span);
		break;
	default:
		cp_when_text(rep, c, out, outlen);
		break;
	}
}

void
cp_when_text(const struct cp_report *rep, const struct cp_cert *c, char *out,
    size_t outlen)
{
	char date[CP_TIME_TEXT_MAX];
	int64_t ago;

	switch (c->v.dates) {
	case CP_DATES_EXPIRED:
		ago = cp_floor_div(rep->now - c->v.not_after, 86400);
		if (ago == 0)
			snprintf(out, outlen, "expired today");
		else
			snprintf(out, outlen, "expired %lld day%s ago",
			    (long long)ago, plural(ago));
		break;
	case CP_DATES_NOT_YET:
		cp_time_format_openssl(c->v.not_before, date);
		snprintf(out, outlen, "not valid before %s", date);
		break;
	case CP_DATES_UNREADABLE:
		snprintf(out, outlen, "time cannot be read");
		break;
	default:
		snprintf(out, outlen, "%lld day%s", (long long)c->v.days_left,
		    plural(c->v.days_left));
		break;
	}
}

/* Results and the report they make up. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "config.h"
#include "result.h"

void
cp_report_init(struct cp_report *rep, int64_t now)
{
	memset(rep, 0, sizeof(*rep));
	rep->state = CP_OK;
	rep->now = now;
}

void
cp_result_clear(struct cp_result *r)
{
	size_t i;

	for (i = 0; i < r->ncerts; i++)
		cp_cert_clear(&r->certs[i]);
	free(r->certs);
	free(r->target);
	free(r->address);
	free(r->error);
}

void
cp_report_free(struct cp_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		cp_result_clear(&rep->results[i]);
	free(rep->results);
	memset(rep, 0, sizeof(*rep));
}

static int
report_grow(struct cp_report *rep)
{
	struct cp_result *r;
	size_t cap = rep->cap ? rep->cap * 2 : 64;

	if (rep->n < rep->cap)
		return 0;
	if ((r = realloc(rep->results, cap * sizeof(*r))) == NULL)
		return -1;
	rep->results = r;
	rep->cap = cap;
	return 0;
}

struct cp_result *
cp_report_adopt(struct cp_report *rep, struct cp_result *r)
{
	if (report_grow(rep) == -1)
		return NULL;
	rep->results[rep->n] = *r;
	memset(r, 0, sizeof(*r));
	return &rep->results[rep->n++];
}

struct cp_result *
cp_report_new(struct cp_report *rep, const struct cp_check *check,
    const char *target)
{
	struct cp_result *r;

	if (report_grow(rep) == -1)
		return NULL;
	r = &rep->results[rep->n];
	memset(r, 0, sizeof(*r));
	r->check = check;
	r->state = CP_OK;
	if ((r->target = strdup(target)) == NULL)
		return NULL;
	rep->n++;
	return r;
}

void
cp_report_drop_last(struct cp_report *rep)
{
	if (rep->n > 0)
		cp_result_clear(&rep->results[--rep->n]);
}

struct cp_cert *
cp_result_new_cert(struct cp_result *r)
{
	struct cp_cert *c;

	if (r->ncerts == r->capcerts) {
		size_t cap = r->capcerts ? r->capcerts * 2 : 2;

		if ((c = realloc(r->certs, cap * sizeof(*c))) == NULL)
			return NULL;
		r->certs = c;
		r->capcerts = cap;
	}
	c = &r->certs[r->ncerts++];
	memset(c, 0, sizeof(*c));
	return c;
}

int
cp_result_fail(struct cp_result *r, enum cp_fail f, const char *fmt, ...)
{
	char msg[CP_ERROR_MAX];
	va_list ap;

	if (r->fail != CP_FAIL_NONE)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->fail = f;
	if ((r->error = strdup(msg)) == NULL) {
		r->fail = CP_FAIL_INTERNAL;
		return -1;
	}
	return 0;
}

int
cp_result_append(struct cp_result *r, const char *fmt, ...)
{
	char more[CP_ERROR_MAX], *joined;
	size_t len = r->error ? strlen(r->error) : 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(more, sizeof(more), fmt, ap);
	va_end(ap);
	if ((joined = realloc(r->error, len + strlen(more) + 1)) == NULL)
		return -1;
	memcpy(joined + len, more, strlen(more) + 1);
	r->error = joined;
	return 0;
}

void
cp_report_settle(struct cp_report *rep, struct cp_result *r,
    enum cp_state unreachable)
{
	enum cp_state s = CP_OK;
	size_t i;

	for (i = 0; i < r->ncerts; i++) {
		const struct cp_cert *c = &r->certs[i];

		if (c->v.dates == CP_DATES_UNREADABLE)
			cp_result_fail(r, CP_FAIL_BADCERT, "certificate %zu: "
			    "OpenSSL cannot read its %s time '%s'", i + 1,
			    c->v.bad == CP_BAD_NOT_BEFORE ? "notBefore" :
			    "notAfter", c->bad_time ? c->bad_time : "?");
		if (c->counted)
			s = cp_state_worst(s, c->v.state);
	}
	if (r->fail != CP_FAIL_NONE)
		s = cp_state_worst(s, cp_fail_state(r->fail, unreachable));
	r->state = s;
	rep->state = cp_state_worst(rep->state, s);
}

const char *
cp_result_label(const struct cp_result *r)
{
	if (r->check != NULL && r->check->s.name != NULL && !r->one_of_many)
		return r->check->s.name;
	return r->target;
}

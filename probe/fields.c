/* The fields of results and certificates (see fields.h). */
#include <string.h>

#include "cert.h"
#include "config.h"
#include "fields.h"
#include "result.h"
#include "state.h"

static void
text(struct cp_field_value *v, const char *s, size_t len)
{
	v->present = s != NULL;
	v->text = s;
	v->len = s != NULL ? len : 0;
}

static void
number(struct cp_field_value *v, int64_t n)
{
	v->present = 1;
	v->num = n;
}

static void
r_target(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	(void)rep, (void)c;
	text(v, r->target, strlen(r->target));
}

static void
r_name(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	const char *n = r->check != NULL ? r->check->s.name : NULL;

	(void)rep, (void)c;
	text(v, n, n != NULL ? strlen(n) : 0);
}

static void
r_address(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	(void)rep, (void)c;
	text(v, r->address, r->address != NULL ? strlen(r->address) : 0);
}

static void
r_state(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	(void)rep, (void)c;
	text(v, cp_state_name(r->state), strlen(cp_state_name(r->state)));
	v->num = (int64_t)r->state;
}

static void
r_error(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	(void)rep, (void)c;
	text(v, r->error, r->error != NULL ? strlen(r->error) : 0);
}

static void
c_subject(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	(void)rep, (void)r;
	text(v, c->subject, c->subject_len);
}

static void
c_issuer(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	(void)rep, (void)r;
	text(v, c->issuer, c->issuer_len);
}

static void
c_serial(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	(void)rep, (void)r;
	text(v, c->serial, c->serial != NULL ? strlen(c->serial) : 0);
}

static void
c_sha256(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	int i;

	(void)rep, (void)r;
	v->present = 0;
	if (!c->has_sha256)
		return;
	for (i = 0; i < 32; i++) {
		v->own[2 * i] = "0123456789abcdef"[c->sha256[i] >> 4];
		v->own[2 * i + 1] = "0123456789abcdef"[c->sha256[i] & 15];
	}
	v->own[64] = '\0';
	text(v, v->own, 64);
}

/* Dates that OpenSSL cannot read are null (no sample in Prometheus),
 * never 1970: each date says whether it was read. */
static void
c_not_before(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	(void)rep, (void)r;
	v->present = 0;
	if (c->v.has_not_before)
		number(v, c->v.not_before);
}

static void
c_not_after(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	(void)rep, (void)r;
	v->present = 0;
	if (c->v.has_not_after)
		number(v, c->v.not_after);
}

static void
c_days_left(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	(void)rep, (void)r;
	v->present = 0;
	if (c->v.dates != CP_DATES_UNREADABLE)
		number(v, c->v.days_left);
}

static void
c_position(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	const char *p = cp_position_name(c->position);

	(void)rep, (void)r;
	text(v, p, strlen(p));
}

static void
c_counted(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	(void)rep, (void)r;
	number(v, c->counted != 0);
}

static void
c_state(const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c, struct cp_field_value *v)
{
	(void)rep, (void)r;
	text(v, cp_state_name(c->v.state), strlen(cp_state_name(c->v.state)));
	v->num = (int64_t)c->v.state;
}

const struct cp_field cp_result_fields[] = {
	{ "target", CP_FIELD_TEXT, CP_FIELD_LABEL, NULL, NULL, r_target },
	{ "name", CP_FIELD_TEXT, CP_FIELD_LABEL, NULL, NULL, r_name },
	{ "address", CP_FIELD_TEXT, CP_FIELD_LABEL, NULL, NULL, r_address },
	{ "state", CP_FIELD_WORD, 0, "certprobe_check_state",
	  "State of a check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.", r_state },
	{ "error", CP_FIELD_TEXT, 0, NULL, NULL, r_error },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct cp_field cp_cert_fields[] = {
	{ "subject", CP_FIELD_TEXT, CP_FIELD_LABEL, NULL, NULL, c_subject },
	{ "issuer", CP_FIELD_TEXT, 0, NULL, NULL, c_issuer },
	{ "serial", CP_FIELD_TEXT, CP_FIELD_LABEL, NULL, NULL, c_serial },
	{ "sha256", CP_FIELD_WORD, 0, NULL, NULL, c_sha256 },
	{ "not_before", CP_FIELD_TIME, 0, "certprobe_cert_not_before_seconds",
	  "notBefore of a certificate, Unix time.", c_not_before },
	{ "not_after", CP_FIELD_TIME, 0, "certprobe_cert_not_after_seconds",
	  "notAfter of a certificate, Unix time.", c_not_after },
	{ "days_left", CP_FIELD_NUMBER, 0, NULL, NULL, c_days_left },
	{ "position", CP_FIELD_WORD, CP_FIELD_LABEL, NULL, NULL, c_position },
	{ "counted", CP_FIELD_BOOL, 0, NULL, NULL, c_counted },
	{ "state", CP_FIELD_WORD, 0, "certprobe_cert_state",
	  "State of a certificate's dates: 0 OK, 1 WARNING, 2 CRITICAL, "
	  "3 UNKNOWN.", c_state },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

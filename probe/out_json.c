/*
 * JSON (SPEC section 5): one document, a result a line,
 *
 *     {"state": "WARNING", "results": [
 *     {"target": "...", "name": null, ..., "certificates": [{...}, ...]},
 *     ...
 *     ]}
 *
 * every field from the table of fields.c. Text from outside is escaped
 * as everywhere (control characters and invalid UTF-8 as \xNN, a
 * backslash doubled), then quoted for JSON: the document is valid UTF-8
 * whatever a certificate holds.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "fields.h"
#include "output.h"
#include "result.h"
#include "timeconv.h"

static int
json_value(struct cp_buf *b, const struct cp_field *f,
    const struct cp_field_value *v)
{
	char date[CP_TIME_TEXT_MAX];

	if (!v->present)
		return cp_buf_addstr(b, "null");
	switch (f->kind) {
	case CP_FIELD_TEXT:
	case CP_FIELD_WORD:
		return cp_buf_addc(b, '"') == -1 ||
		    cp_escape_json(b, v->text, v->len) == -1 ? -1 :
		    cp_buf_addc(b, '"');
	case CP_FIELD_TIME:
		cp_time_format_rfc3339(v->num, date);
		return cp_buf_printf(b, "\"%s\"", date);
	case CP_FIELD_BOOL:
		return cp_buf_addstr(b, v->num ? "true" : "false");
	default:
		return cp_buf_printf(b, "%lld", (long long)v->num);
	}
}

/* The members of one object, from a table of fields. */
static int
members(struct cp_buf *b, const struct cp_field *fields,
    const struct cp_report *rep, const struct cp_result *r,
    const struct cp_cert *c)
{
	struct cp_field_value v;
	const struct cp_field *f;

	for (f = fields; f->name != NULL; f++) {
		memset(&v, 0, sizeof(v));
		f->get(rep, r, c, &v);
		if (cp_buf_printf(b, "%s\"%s\": ", f == fields ? "" : ", ",
		    f->name) == -1 || json_value(b, f, &v) == -1)
			return -1;
	}
	return 0;
}

static int
result_object(struct cp_buf *b, const struct cp_report *rep,
    const struct cp_result *r)
{
	size_t i;

	if (cp_buf_addc(b, '{') == -1 ||
	    members(b, cp_result_fields, rep, r, NULL) == -1 ||
	    cp_buf_addstr(b, ", \"certificates\": [") == -1)
		return -1;
	for (i = 0; i < r->ncerts; i++)
		if (cp_buf_addstr(b, i ? ", {" : "{") == -1 ||
		    members(b, cp_cert_fields, rep, r, &r->certs[i]) == -1 ||
		    cp_buf_addc(b, '}') == -1)
			return -1;
	return cp_buf_addstr(b, "]}");
}

int
cp_out_json(FILE *f, const struct cp_report *rep,
    const struct cp_output_opts *o)
{
	struct cp_buf b;
	size_t i;
	int rc = -1;

	(void)o;
	cp_buf_init(&b, 1 << 24);
	fprintf(f, "{\"state\": \"%s\", \"results\": [", cp_state_name(rep->state));
	for (i = 0; i < rep->n; i++) {
		cp_buf_reset(&b);
		if (result_object(&b, rep, &rep->results[i]) == -1)
			goto out;
		fprintf(f, "%s\n%s", i ? "," : "", b.data);
	}
	fputs("\n]}\n", f);
	rc = ferror(f) ? -1 : 0;
out:
	cp_buf_free(&b);
	return rc;
}

/*
 * The one description of what a result and a certificate say, for the
 * machine-readable outputs (SPEC section 5): JSON writes every field,
 * Prometheus makes labels of some and metrics of others. A field added
 * here reaches both.
 */
#ifndef CP_FIELDS_H
#define CP_FIELDS_H

#include <stddef.h>
#include <stdint.h>

struct cp_buf;
struct cp_cert;
struct cp_report;
struct cp_result;

enum cp_field_kind {
	CP_FIELD_TEXT,     /* text from outside, escaped by the output */
	CP_FIELD_WORD,     /* text of our own ("leaf", "OK") */
	CP_FIELD_NUMBER,
	CP_FIELD_TIME,     /* Unix seconds: RFC 3339 in JSON */
	CP_FIELD_BOOL,
};

/* What an output may do with a field. */
#define CP_FIELD_LABEL  0x1u   /* Prometheus: a label of every series */

struct cp_field_value {
	int present;           /* 0: null */
	const char *text;      /* TEXT, WORD */
	size_t len;
	int64_t num;           /* NUMBER, TIME, BOOL; the state's code */
	char own[72];          /* room for text made on the spot (hex) */
};

struct cp_field {
	const char *name;      /* JSON key, Prometheus label */
	enum cp_field_kind kind;
	unsigned use;          /* CP_FIELD_* */
	const char *metric;    /* Prometheus metric of its number, or NULL */
	const char *help;      /* the metric's HELP */
	void (*get)(const struct cp_report *, const struct cp_result *,
	    const struct cp_cert *, struct cp_field_value *);
};

/* The fields of a result and of a certificate, each ending with a
 * NULL name. */
extern const struct cp_field cp_result_fields[];
extern const struct cp_field cp_cert_fields[];

#endif

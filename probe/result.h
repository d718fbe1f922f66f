/*
 * Results: what the checks found, as data. Checks fill these and never
 * print; the outputs (out_*.c) only read them.
 */
#ifndef CP_RESULT_H
#define CP_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "state.h"

struct cp_check;

/* One file, or one address of an endpoint. */
struct cp_result {
	const struct cp_check *check;  /* where it came from; NULL for a
	                                  configuration error */
	char *target;        /* the file found, or the endpoint: raw bytes */
	char *address;       /* the address checked; NULL for files */
	enum cp_state state; /* worst of counted certificates and failure */
	enum cp_fail fail;   /* CP_FAIL_NONE, or what went wrong */
	char *error;         /* what went wrong, in words; NULL if nothing */
	struct cp_cert *certs;  /* in file or chain order */
	size_t ncerts, capcerts;
	int one_of_many;     /* its check expanded to several results */
};

/* Every result of a run, and what they add up to. */
struct cp_report {
	struct cp_result *results;
	size_t n, cap;
	enum cp_state state;  /* the worst of all results */
	int64_t now;          /* the evaluation time */
};

void cp_report_init(struct cp_report *, int64_t now);
void cp_report_free(struct cp_report *);

/* A new empty result at the end of the report (state OK), or NULL. */
struct cp_result *cp_report_new(struct cp_report *,
    const struct cp_check *, const char *target);

/* Moves `r` to the end of the report (it is left empty). NULL when out
 * of memory. */
struct cp_result *cp_report_adopt(struct cp_report *, struct cp_result *r);

/* Frees what a result holds outside a report. */
void cp_result_clear(struct cp_result *);

/* Adds text to the failure's message. -1 when out of memory. */
int cp_result_append(struct cp_result *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Removes the last result (one that turned out not to be one). */
void cp_report_drop_last(struct cp_report *);

/* Room for one more certificate in `r`, zeroed, or NULL. */
struct cp_cert *cp_result_new_cert(struct cp_result *);

/* Records a failure (the first one wins) with its text. -1 when out of
 * memory. */
int cp_result_fail(struct cp_result *, enum cp_fail, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Settles the state of a result from its certificates and failure, and
 * folds it into the report's state. `unreachable` is the state that
 * network failures stand for.
 */
void cp_report_settle(struct cp_report *, struct cp_result *,
    enum cp_state unreachable);

/* The label a report shows for a result: name= where set, else target. */
const char *cp_result_label(const struct cp_result *);

#endif

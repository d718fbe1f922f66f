/*
 * Running checks: each kind of target has its runner, which turns one
 * configured check into results in the report.
 */
#ifndef CP_CHECK_H
#define CP_CHECK_H

#include <stdint.h>

struct cp_check;
struct cp_config;
struct cp_loader;
struct cp_report;

/* What every check of a run shares. */
struct cp_run_params {
	int64_t now;       /* the evaluation time */
	int now_frozen;    /* `now` is --now's (or CERTPROBE_NOW's), not the
	                      clock's: a re-check keeps it */
	unsigned want;     /* fields the outputs need (enum cp_want) */
	int64_t deadline_ms;  /* cp_clock_ms() by which every endpoint's
	                         work ends, its own timeout or not (the
	                         plugin's -t); 0: none */
	const unsigned char *only;  /* a flag per check of the configuration:
	                               run these alone (a re-check after
	                               renewal); NULL: all */
};

/* Scratch shared by the checks of one run. */
struct cp_run_ctx {
	const struct cp_run_params *params;
	struct cp_loader *loader;  /* file buffers, reused from file to file */
	struct cp_report *rep;     /* where results go */
};

/* A PATH or GLOB check: one result per file. -1 only when memory runs
 * out; every other problem is a result. */
int cp_check_files(const struct cp_check *, struct cp_run_ctx *);

/*
 * Endpoint checks are run all at once, before the report is written in
 * the configuration's order: NULL only when memory runs out.
 */
struct cp_endpoints;
struct cp_endpoints *cp_endpoints_check(const struct cp_config *,
    const struct cp_run_params *);
/* The results of one endpoint check, moved into the report. */
int cp_endpoints_report(struct cp_endpoints *, const struct cp_check *,
    struct cp_report *);
void cp_endpoints_free(struct cp_endpoints *);

/* Every check of the configuration, in order. -1 when memory runs out. */
int cp_run(const struct cp_config *, const struct cp_run_params *,
    struct cp_report *);

/* The configuration's errors as UNKNOWN results, so that every output
 * shows them where the user looks. */
int cp_report_config_errors(struct cp_report *, const struct cp_config *);

#endif

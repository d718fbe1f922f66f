/*
 * Outputs: the only code that writes results (SPEC section 5). Each reads
 * the report and escapes everything that came from outside.
 */
#ifndef CP_OUTPUT_H
#define CP_OUTPUT_H

#include <stdio.h>

struct cp_buf;
struct cp_report;
struct cp_result;
struct cp_cert;

enum cp_format {
	CP_FMT_TEXT,
	CP_FMT_DIGEST,
	CP_FMT_NAGIOS,
	CP_FMT_JSON,
	CP_FMT_PROMETHEUS,
	CP_FMT_LINES,      /* check_remote's: a line per address */
};

struct cp_output_opts {
	int quiet;         /* text: only rows that are not OK */
	int verbose;       /* more detail where the format has room */
};

/* Parses a --format name. 0, or -1 if unknown. */
int cp_format_parse(const char *, enum cp_format *);
/* The certificate fields (enum cp_want) a format prints. */
unsigned cp_format_wants(enum cp_format);

/* One row per certificate, soonest first, failures after. */
int cp_out_text(FILE *, const struct cp_report *, const struct cp_output_opts *);

/* A line per address, -v adds the chain (check_remote). */
int cp_out_lines(FILE *, const struct cp_report *,
    const struct cp_output_opts *);

/*
 * The pieces of the spot check's line, shared with the Nagios output:
 * "SMTP mail.example.com:25 [192.0.2.10]: OK notAfter=... (97 days)"
 * (the state word only `with_state`), no newline; and the chain, a line
 * per certificate. -1 when the buffer is full.
 */
int cp_line_text(struct cp_buf *, const struct cp_report *,
    const struct cp_result *, int with_state);
int cp_chain_text(struct cp_buf *, const struct cp_report *,
    const struct cp_result *);
/* The certificate a line reports: the soonest to expire that counts;
 * NULL when there is none. */
const struct cp_cert *cp_deciding_cert(const struct cp_result *);

/* The deciding certificate where its dates can be read, else NULL. */
const struct cp_cert *cp_dated_cert(const struct cp_result *);

/* Nagios plugin output (SPEC section 1, check_cert_expiry): a status
 * line with perfdata, then a line per result. */
int cp_out_nagios(FILE *, const struct cp_report *,
    const struct cp_output_opts *);
/* The perfdata of that status line (perfdata.c); nothing for an empty
 * report. -1 when the buffer is full. */
int cp_perfdata(struct cp_buf *, const struct cp_report *);
/* Writes escaped text where a plugin's status or long output goes: a '|'
 * would start perfdata, so it becomes \x7c (unambiguous: the escaping
 * doubled every backslash). */
void cp_put_plugin_text(FILE *, const char *);

/* JSON and Prometheus metrics (SPEC section 5), from fields.c. */
int cp_out_json(FILE *, const struct cp_report *,
    const struct cp_output_opts *);
int cp_out_prometheus(FILE *, const struct cp_report *,
    const struct cp_output_opts *);

/* Whether a digest would say anything: something due or failed. */
int cp_digest_has_news(const struct cp_report *);
/* The digest: nothing at all when there is no news. */
int cp_out_digest(FILE *, const struct cp_report *, const struct cp_output_opts *);

/*
 * Rows of a report in the order outputs list them: certificates by
 * notAfter, soonest first, then failures, each in report order.
 */
struct cp_row {
	size_t result;     /* index in the report */
	long cert;         /* index in the result's certificates; -1: failure */
};
struct cp_row *cp_rows_sorted(const struct cp_report *, size_t *n);

/* The target column and digest label: the target (or name=, with
 * `by_name`) and " [address]" where there is one, escaped. */
int cp_label_text(struct cp_buf *, const struct cp_result *, int by_name);

/* Words for when a certificate is due: "6 days", "expired 2 days ago". */
void cp_when_text(const struct cp_report *, const struct cp_cert *c,
    char *out, size_t outlen);

/* Why a certificate of `r` is not OK, in words: "expired 2 days ago",
 * "not valid before DATE", "within crit=14 days"; "" when it is OK. */
void cp_reason_text(const struct cp_report *, const struct cp_result *r,
    const struct cp_cert *c, char *out, size_t outlen);

#endif

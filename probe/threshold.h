/*
 * Thresholds (warn=, crit=, -w, -c, DAYS) and durations (timeout=).
 *
 * A threshold is days by default, decimals allowed; a suffix d, h, m or s
 * gives the unit ("36h"), and % a share of each certificate's lifetime
 * ("33%"). Values are kept exactly: seconds, or millionths of a percent.
 */
#ifndef CP_THRESHOLD_H
#define CP_THRESHOLD_H

#include <stddef.h>
#include <stdint.h>

enum cp_threshold_kind {
	CP_TH_SECONDS,  /* a fixed span before notAfter */
	CP_TH_PERCENT,  /* a share of notAfter - notBefore */
};

struct cp_threshold {
	enum cp_threshold_kind kind;
	int64_t seconds;    /* CP_TH_SECONDS: the span, 0 .. 100 years */
	int64_t micro_pct;  /* CP_TH_PERCENT: percent * 10^6, 0 .. 100% */
};

/* The largest threshold accepted: a century. */
#define CP_THRESHOLD_MAX_SECONDS ((int64_t)36500 * 86400)

/*
 * Parses a threshold. 0 on success; -1 with a message in `err` (which
 * names the text) otherwise.
 */
int cp_threshold_parse(const char *text, struct cp_threshold *out,
    char *err, size_t errlen);

/* The span in seconds that the threshold stands for, for a certificate
 * valid for `lifetime` seconds (percentages round down). */
int64_t cp_threshold_seconds(const struct cp_threshold *, int64_t lifetime);

/* A threshold of whole days. */
struct cp_threshold cp_threshold_days(int64_t days);

/*
 * Parses a duration in seconds ("10", "2.5", "500ms", "2m") into
 * milliseconds, accepting 1 ms .. `max_ms`. 0, or -1 with `err`.
 */
int cp_duration_parse(const char *text, int64_t max_ms, int64_t *out_ms,
    char *err, size_t errlen);

#endif

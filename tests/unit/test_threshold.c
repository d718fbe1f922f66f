/* The threshold and duration grammar: both ends of every range. */
#include <stdint.h>

#include "tap.h"
#include "threshold.h"

static const struct {
	const char *text;
	int ok;
	enum cp_threshold_kind kind;
	int64_t value;        /* seconds, or micro-percent */
} thresholds[] = {
	{ "30", 1, CP_TH_SECONDS, 30 * 86400 },
	{ "0", 1, CP_TH_SECONDS, 0 },
	{ "1.5", 1, CP_TH_SECONDS, 129600 },
	{ "0.25", 1, CP_TH_SECONDS, 21600 },
	{ "7d", 1, CP_TH_SECONDS, 7 * 86400 },
	{ "36h", 1, CP_TH_SECONDS, 36 * 3600 },
	{ "90m", 1, CP_TH_SECONDS, 5400 },
	{ "600s", 1, CP_TH_SECONDS, 600 },
	{ "0.5s", 1, CP_TH_SECONDS, 1 },          /* rounds to the second */
	{ "0.000001", 1, CP_TH_SECONDS, 0 },
	{ "36500", 1, CP_TH_SECONDS, (int64_t)36500 * 86400 },
	{ "36500.00002", 0, CP_TH_SECONDS, 0 },
	{ "36501", 0, CP_TH_SECONDS, 0 },
	{ "99999999999999999999", 0, CP_TH_SECONDS, 0 },
	{ "9223372036859", 0, CP_TH_SECONDS, 0 },   /* once a signed overflow */
	{ "9223372036854.775807", 0, CP_TH_SECONDS, 0 },
	{ "33%", 1, CP_TH_PERCENT, 33000000 },
	{ "0%", 1, CP_TH_PERCENT, 0 },
	{ "100%", 1, CP_TH_PERCENT, 100000000 },
	{ "12.5%", 1, CP_TH_PERCENT, 12500000 },
	{ "100.000001%", 0, CP_TH_PERCENT, 0 },
	{ "101%", 0, CP_TH_PERCENT, 0 },
	{ "", 0, CP_TH_SECONDS, 0 },
	{ "-1", 0, CP_TH_SECONDS, 0 },
	{ "+1", 0, CP_TH_SECONDS, 0 },
	{ " 1", 0, CP_TH_SECONDS, 0 },
	{ "1 ", 0, CP_TH_SECONDS, 0 },
	{ "abc", 0, CP_TH_SECONDS, 0 },
	{ "1e3", 0, CP_TH_SECONDS, 0 },
	{ "inf", 0, CP_TH_SECONDS, 0 },
	{ "nan", 0, CP_TH_SECONDS, 0 },
	{ "0x10", 0, CP_TH_SECONDS, 0 },
	{ "1.", 0, CP_TH_SECONDS, 0 },
	{ ".5", 0, CP_TH_SECONDS, 0 },
	{ "1,5", 0, CP_TH_SECONDS, 0 },
	{ "1.1234567", 0, CP_TH_SECONDS, 0 },
	{ "1dd", 0, CP_TH_SECONDS, 0 },
	{ "1w", 0, CP_TH_SECONDS, 0 },
	{ "5%%", 0, CP_TH_SECONDS, 0 },
	{ "%", 0, CP_TH_SECONDS, 0 },
};

static const struct {
	const char *text;
	int64_t max_ms;
	int ok;
	int64_t ms;
} durations[] = {
	{ "10", 3600000, 1, 10000 },
	{ "2.5", 3600000, 1, 2500 },
	{ "500ms", 3600000, 1, 500 },
	{ "1ms", 3600000, 1, 1 },
	{ "2m", 3600000, 1, 120000 },
	{ "1h", 3600000, 1, 3600000 },
	{ "3600", 3600000, 1, 3600000 },
	{ "3600.001", 3600000, 0, 0 },
	{ "3601", 3600000, 0, 0 },
	{ "0", 3600000, 0, 0 },
	{ "0.0001", 3600000, 0, 0 },
	{ "-1", 3600000, 0, 0 },
	{ "10x", 3600000, 0, 0 },
	{ "", 3600000, 0, 0 },
	{ "10 s", 3600000, 0, 0 },
};

int
main(void)
{
	struct cp_threshold t;
	char err[256];
	size_t i;
	int64_t ms;

	for (i = 0; i < sizeof(thresholds) / sizeof(thresholds[0]); i++) {
		int rc = cp_threshold_parse(thresholds[i].text, &t, err,
		    sizeof(err));

		if (!thresholds[i].ok) {
			tap_ok(rc == -1 && strstr(err, thresholds[i].text) != NULL,
			    "threshold '%s' is refused, naming it", thresholds[i].text);
			continue;
		}
		tap_ok(rc == 0 && t.kind == thresholds[i].kind &&
		    (t.kind == CP_TH_SECONDS ? t.seconds : t.micro_pct) ==
		    thresholds[i].value, "threshold '%s'", thresholds[i].text);
	}

	/* A share of the lifetime, rounded down to the second. */
	cp_threshold_parse("33%", &t, err, sizeof(err));
	tap_ok(cp_threshold_seconds(&t, 47 * 86400) == 1340064,
	    "33%% of 47 days is 1340064 s");
	tap_ok(cp_threshold_seconds(&t, 0) == 0, "a share of no lifetime is 0");
	cp_threshold_parse("100%", &t, err, sizeof(err));
	tap_ok(cp_threshold_seconds(&t, 90 * 86400) == 90 * 86400,
	    "100%% is the whole lifetime");
	cp_threshold_parse("36h", &t, err, sizeof(err));
	tap_ok(cp_threshold_seconds(&t, 12345) == 129600,
	    "a fixed span ignores the lifetime");

	for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		int rc = cp_duration_parse(durations[i].text, durations[i].max_ms,
		    &ms, err, sizeof(err));

		if (durations[i].ok)
			tap_ok(rc == 0 && ms == durations[i].ms, "duration '%s' "
			    "is %lld ms", durations[i].text,
			    (long long)durations[i].ms);
		else
			tap_ok(rc == -1 && strstr(err, durations[i].text) != NULL,
			    "duration '%s' is refused, naming it", durations[i].text);
	}
	return tap_done();
}

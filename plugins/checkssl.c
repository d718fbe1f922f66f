/*
 * checkssl: the nightly cron job. Lists what expires within DAYS days and
 * what could not be checked; says nothing at all when nothing is due, so
 * cron sends no mail (SPEC sections 1 and 5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "frontend.h"
#include "threshold.h"

#define PROG "checkssl"
#define USAGE PROG " [DAYS=N] [-d N] [options] [TARGET...]"
#define ACCEPT (CP_CLI_DAYS | CP_CLI_NET | CP_CLI_CONFIG | CP_CLI_FORMAT | \
    CP_CLI_COMMON | CP_CLI_FILES)

static void
help(void)
{
	printf("Usage: %s\n\n"
	    "Prints the certificates that expire within N days and the checks\n"
	    "that failed, as a digest for cron to mail; prints nothing when\n"
	    "nothing is due. N comes from DAYS=N, else -d N, else the\n"
	    "environment variable DAYS, else 7. With no TARGET, every check in\n"
	    "the configuration.\n\nOptions:\n", USAGE);
	cp_cli_help(stdout, ACCEPT);
	printf("\nExit status: 0 nothing due, 1 due within N days, 2 expired or\n"
	    "within the critical days (crit=, default 14, at most N), 3 only\n"
	    "checks that could not be done.\n");
}

/*
 * Takes "DAYS=N" operands out of argv (cron lines are written both ways:
 * `DAYS=25 checkssl` and `checkssl DAYS=25`); the last one wins.
 */
static const char *
take_days_operands(int *argc, char **argv)
{
	const char *days = NULL;
	int i, j;

	for (i = 1, j = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < *argc)
				argv[j++] = argv[i++];
			break;
		}
		if (strncmp(argv[i], "DAYS=", 5) == 0)
			days = argv[i] + 5;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	argv[j] = NULL;
	return days;
}

/* The horizon N, by the spec's precedence, into the warn override. */
static int
set_horizon(const char *operand, struct cp_cli *cli, char *err, size_t errlen)
{
	const struct cp_option *warn = cp_option_find("warn");
	const char *days = operand, *from = "DAYS=";
	char why[256];

	if (days == NULL && cli->days != NULL)
		days = cli->days, from = "-d ";
	if (days == NULL && (days = getenv("DAYS")) != NULL && *days != '\0')
		from = "environment DAYS=";
	if (days == NULL || *days == '\0')
		days = "7";
	if (cp_option_set(warn, days, &cli->ovr, NULL, why, sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "%s%s: not a number of days", from, days);
	return -1;
}

/* A certificate due later than N days is not checkssl's news: crit never
 * reaches past the horizon. */
static void
cap_crit(struct cp_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nchecks; i++) {
		struct cp_settings *s = &cfg->checks[i].s;

		if (s->crit.kind == CP_TH_SECONDS &&
		    s->warn.kind == CP_TH_SECONDS &&
		    s->crit.seconds > s->warn.seconds)
			s->crit = s->warn;
	}
}

int
main(int argc, char **argv)
{
	struct cp_config cfg;
	struct cp_cli cli;
	const char *days;
	char err[512];
	int64_t now;
	int rc;

	cp_config_init(&cfg);
	days = take_days_operands(&argc, argv);
	if (cp_cli_parse(argc, argv, ACCEPT, &cli, err, sizeof(err)) == -1 ||
	    set_horizon(days, &cli, err, sizeof(err)) == -1) {
		rc = cp_fe_usage_error(PROG, USAGE, err);
		goto out;
	}
	if ((rc = cp_fe_start(PROG, &cli, help, &now)) != -1)
		goto out;
	if ((rc = cp_fe_load(PROG, &cli, 0, &cfg)) != 0)
		goto out;
	if (cli.check_config) {
		rc = cp_fe_check_config(PROG, &cfg);
		goto out;
	}
	cap_crit(&cfg);
	rc = cp_fe_run(PROG, &cli, &cfg,
	    cli.have_format ? cli.format : CP_FMT_DIGEST, now);
out:
	cp_config_free(&cfg);
	cp_cli_free(&cli);
	return rc;
}

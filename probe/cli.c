/* Command-line parsing from one table. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "timeconv.h"

/* Long-only options get codes past the byte range. */
enum {
	OPT_SNI = 256, OPT_CAFILE, OPT_NO_VERIFY, OPT_NOW, OPT_FORMAT,
	OPT_JOBS, OPT_CHECK_CONFIG, OPT_MAIL, OPT_RENEW, OPT_DRY_RUN,
};

static const struct cli_option {
	const char *name;       /* long name */
	int code;               /* short letter or OPT_* */
	int has_arg;            /* no_argument or required_argument */
	unsigned group;         /* CP_CLI_* it belongs to; 0: always */
	const char *arg;        /* name of the argument in --help */
	const char *help;
} table[] = {
	{ "warn", 'w', required_argument, CP_CLI_THRESHOLDS, "DAYS",
	  "WARNING within DAYS of expiry (also 36h, 33%)" },
	{ "crit", 'c', required_argument, CP_CLI_THRESHOLDS, "DAYS",
	  "CRITICAL within DAYS of expiry" },
	{ "days", 'd', required_argument, CP_CLI_DAYS, "N",
	  "list what expires within N days (default: DAYS, else 7)" },
	{ "timeout", 't', required_argument, CP_CLI_NET, "SECONDS",
	  "bound on each address: resolve, connect, dialog, handshake" },
	{ "ipv4", '4', no_argument, CP_CLI_NET, NULL, "IPv4 addresses only" },
	{ "ipv6", '6', no_argument, CP_CLI_NET, NULL, "IPv6 addresses only" },
	{ "sni", OPT_SNI, required_argument, CP_CLI_NET, "NAME",
	  "server name to send and verify" },
	{ "cafile", OPT_CAFILE, required_argument, CP_CLI_NET, "FILE",
	  "trust these CA certificates instead of the system's" },
	{ "no-verify", OPT_NO_VERIFY, no_argument, CP_CLI_NET, NULL,
	  "do not verify chain and host name" },
	{ "now", OPT_NOW, required_argument, CP_CLI_COMMON, "WHEN",
	  "evaluate as if it were WHEN (@EPOCH or YYYY-MM-DD[THH:MM:SS]Z)" },
	{ "format", OPT_FORMAT, required_argument, CP_CLI_FORMAT, "FMT",
	  "text or digest" },
	{ "config", 'C', required_argument, CP_CLI_CONFIG, "FILE",
	  "configuration file (default: " SYSCONFDIR "/certprobe/certprobe.conf)" },
	{ "checks-dir", 'D', required_argument, CP_CLI_CONFIG, "DIR",
	  "directory of *.conf checks (default: checks.d beside the config)" },
	{ "check-config", OPT_CHECK_CONFIG, no_argument, CP_CLI_CONFIG, NULL,
	  "validate the configuration, print every error, run nothing" },
	{ "jobs", OPT_JOBS, required_argument, CP_CLI_RUNNER, "N",
	  "endpoints checked at once" },
	{ "quiet", 'q', no_argument, CP_CLI_RUNNER, NULL,
	  "text: print only what is not OK" },
	{ "mail", OPT_MAIL, no_argument, CP_CLI_RUNNER, NULL,
	  "mail the digest (not in this version)" },
	{ "renew", OPT_RENEW, no_argument, CP_CLI_RUNNER, NULL,
	  "run renewal hooks (not in this version)" },
	{ "dry-run", OPT_DRY_RUN, no_argument, CP_CLI_RUNNER, NULL,
	  "with --renew: say what would run" },
	{ "verbose", 'v', no_argument, CP_CLI_COMMON, NULL, "say more" },
	{ "help", 'h', no_argument, 0, NULL, "print this help and exit" },
	{ "version", 'V', no_argument, 0, NULL, "print the version and exit" },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

static int
accepted(const struct cli_option *o, unsigned accept)
{
	return o->group == 0 || (o->group & accept) != 0;
}

/* getopt_long's tables for the accepted options. */
static void
build(unsigned accept, struct option *longs, char *shorts)
{
	size_t i, nl = 0, ns = 0;

	shorts[ns++] = ':';   /* report a missing argument as ':' */
	for (i = 0; i < NTABLE; i++) {
		if (!accepted(&table[i], accept))
			continue;
		longs[nl].name = table[i].name;
		longs[nl].has_arg = table[i].has_arg;
		longs[nl].flag = NULL;
		longs[nl].val = table[i].code;
		nl++;
		if (table[i].code < 256) {
			shorts[ns++] = (char)table[i].code;
			if (table[i].has_arg == required_argument)
				shorts[ns++] = ':';
		}
	}
	memset(&longs[nl], 0, sizeof(longs[nl]));
	shorts[ns] = '\0';
}

/* Stores a setting through the configuration's option table. */
static int
set_option(struct cp_cli *cli, const char *name, const char *value,
    char *err, size_t errlen)
{
	struct cp_globals g;
	int rc;

	cp_globals_init(&g);
	rc = cp_option_set(cp_option_find(name), value, &cli->ovr, &g, err,
	    errlen);
	if (rc == 0 && strcmp(name, "jobs") == 0)
		cli->jobs = g.jobs;
	cp_globals_free(&g);
	return rc;
}

/* One option that getopt_long returned. */
static int
handle(struct cp_cli *cli, int code, const char *arg, char *err,
    size_t errlen)
{
	switch (code) {
	case 'w':
		return set_option(cli, "warn", arg, err, errlen);
	case 'c':
		return set_option(cli, "crit", arg, err, errlen);
	case 't':
		return set_option(cli, "timeout", arg, err, errlen);
	case '4':
		return set_option(cli, "family", "4", err, errlen);
	case '6':
		return set_option(cli, "family", "6", err, errlen);
	case OPT_SNI:
		return set_option(cli, "sni", arg, err, errlen);
	case OPT_CAFILE:
		return set_option(cli, "cafile", arg, err, errlen);
	case OPT_NO_VERIFY:
		return set_option(cli, "verify", "off", err, errlen);
	case OPT_JOBS:
		return set_option(cli, "jobs", arg, err, errlen);
	case OPT_NOW:
		if (cp_time_parse_when(arg, &cli->now) == -1) {
			snprintf(err, errlen, "--now: '%s' is not @EPOCH or "
			    "YYYY-MM-DD[THH:MM:SS]Z", arg);
			return -1;
		}
		cli->have_now = 1;
		return 0;
	case OPT_FORMAT:
		if (cp_format_parse(arg, &cli->format) == -1) {
			snprintf(err, errlen, "--format: '%s' is not text, "
			    "digest, nagios, json or prometheus", arg);
			return -1;
		}
		if (cli->format != CP_FMT_TEXT && cli->format != CP_FMT_DIGEST) {
			snprintf(err, errlen, "--format %s: only text and digest "
			    "in this version", arg);
			return -1;
		}
		cli->have_format = 1;
		return 0;
	case 'd':
		cli->days = arg;
		return 0;
	case 'C':
		cli->config = arg;
		return 0;
	case 'D':
		cli->checks_dir = arg;
		return 0;
	case OPT_CHECK_CONFIG:
		cli->check_config = 1;
		return 0;
	case 'q':
		cli->quiet = 1;
		return 0;
	case OPT_MAIL:
		cli->mail = 1;
		return 0;
	case OPT_RENEW:
		cli->renew = 1;
		return 0;
	case OPT_DRY_RUN:
		cli->dry_run = 1;
		return 0;
	case 'v':
		cli->verbose++;
		return 0;
	case 'h':
		cli->help = 1;
		return 0;
	case 'V':
		cli->version = 1;
		return 0;
	}
	snprintf(err, errlen, "unhandled option");
	return -1;
}

int
cp_cli_parse(int argc, char **argv, unsigned accept, struct cp_cli *cli,
    char *err, size_t errlen)
{
	struct option longs[NTABLE + 1];
	char shorts[2 * NTABLE + 3];
	int code, rc = -1;

	memset(cli, 0, sizeof(*cli));
	cp_settings_init(&cli->ovr);
	build(accept, longs, shorts);
	opterr = 0;
	optind = 1;
	while ((code = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (code == '?' || code == ':') {
			const char *bad = argv[optind - 1];

			if (optopt != 0 && optopt < 256 && bad[1] != '-')
				snprintf(err, errlen, "%s option '-%c'",
				    code == '?' ? "unknown" : "missing argument to",
				    optopt);
			else
				snprintf(err, errlen, "%s option '%s'",
				    code == '?' ? "unknown" : "missing argument to",
				    bad);
			goto out;
		}
		if (handle(cli, code, optarg, err, errlen) == -1)
			goto out;
	}
	if (cli->dry_run && !cli->renew) {
		snprintf(err, errlen, "--dry-run goes with --renew");
		goto out;
	}
	cli->targets = argv + optind;
	cli->ntargets = argc - optind;
	rc = 0;
out:
	return rc;
}

void
cp_cli_free(struct cp_cli *cli)
{
	cp_settings_free(&cli->ovr);
}

void
cp_cli_help(FILE *f, unsigned accept)
{
	char left[64];
	size_t i;

	for (i = 0; i < NTABLE; i++) {
		if (!accepted(&table[i], accept))
			continue;
		if (table[i].code < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
			    table[i].code, table[i].name, table[i].arg ? " " : "",
			    table[i].arg ? table[i].arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", table[i].name,
			    table[i].arg ? " " : "",
			    table[i].arg ? table[i].arg : "");
		fprintf(f, "  %-24s %s\n", left, table[i].help);
	}
}

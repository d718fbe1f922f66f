/* Command-line parsing from one table. */
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "escape.h"
#include "suggest.h"
#include "timeconv.h"

/* Long-only options get codes past the byte range. */
enum {
	OPT_SNI = 256, OPT_CAFILE, OPT_NO_VERIFY, OPT_NOW, OPT_FORMAT,
	OPT_JOBS, OPT_CHECK_CONFIG, OPT_MAIL, OPT_RENEW, OPT_DRY_RUN,
	OPT_EXPECT, OPT_UNREACHABLE, OPT_OUTPUT, OPT_PASSWORD_FILE,
};

/* A field of struct cp_cli; NONE where an option has no such field. */
#define FIELD(f) offsetof(struct cp_cli, f)
#define NONE ((size_t)-1)

/*
 * Each option does one of: set a configuration option (validated by the
 * configuration's own table), count a flag, keep its argument, or (now,
 * format) parse its argument here.
 */
static const struct cli_option {
	const char *name;       /* long name */
	int code;               /* short letter or OPT_* */
	unsigned group;         /* CP_CLI_* it belongs to; 0: always */
	const char *arg;        /* its argument in --help; NULL: none */
	const char *setting;    /* configuration option it sets, or NULL */
	const char *value;      /* the value it sets; NULL: the argument */
	size_t flag;            /* int field it counts, or NONE */
	size_t keep;            /* const char * field for the argument, or NONE */
	const char *help;
} table[] = {
	{ "warn", 'w', CP_CLI_THRESHOLDS, "DAYS", "warn", NULL, NONE, NONE,
	  "WARNING within DAYS of expiry (also 36h, 33%)" },
	{ "crit", 'c', CP_CLI_THRESHOLDS, "DAYS", "crit", NULL, NONE, NONE,
	  "CRITICAL within DAYS of expiry" },
	{ "days", 'd', CP_CLI_DAYS, "N", NULL, NULL, NONE, FIELD(days),
	  "list what expires within N days (default: DAYS, else 7)" },
	{ "timeout", 't', CP_CLI_NET, "SECONDS", "timeout", NULL, NONE, NONE,
	  "bound on each address: resolve, connect, dialog, handshake" },
	{ "ipv4", '4', CP_CLI_NET, NULL, "family", "4", NONE, NONE,
	  "IPv4 addresses only" },
	{ "ipv6", '6', CP_CLI_NET, NULL, "family", "6", NONE, NONE,
	  "IPv6 addresses only" },
	{ "sni", OPT_SNI, CP_CLI_NET, "NAME", "sni", NULL, NONE, NONE,
	  "server name to send and verify" },
	{ "cafile", OPT_CAFILE, CP_CLI_NET, "FILE", "cafile", NULL, NONE, NONE,
	  "trust these CA certificates instead of the system's" },
	{ "no-verify", OPT_NO_VERIFY, CP_CLI_NET, NULL, "verify", "off", NONE,
	  NONE, "do not verify chain and host name" },
	{ "expect", OPT_EXPECT, CP_CLI_NET, "FILE", "expect", NULL, NONE, NONE,
	  "WARNING when the served leaf is not FILE's first certificate" },
	{ "unreachable", OPT_UNREACHABLE, CP_CLI_NET, "STATE", "unreachable",
	  NULL, NONE, NONE, "state for a refused, timed-out or broken "
	  "connection (default CRITICAL)" },
	{ "password-file", OPT_PASSWORD_FILE, CP_CLI_FILES, "FILE",
	  "password_file", NULL, NONE, NONE,
	  "password of PKCS#12 files: the first line of FILE" },
	{ "host", 'H', CP_CLI_PLUGIN, "HOST", NULL, NULL, NONE, FIELD(host),
	  "the host name or address to connect to" },
	{ "port", 'p', CP_CLI_PLUGIN, "PORT", NULL, NULL, NONE, FIELD(port),
	  "the port (default: the protocol's)" },
	{ "protocol", 'P', CP_CLI_PLUGIN, "PROTO", NULL, NULL, NONE,
	  FIELD(proto), "https (default), smtp, nntp, imap, ... (see below)" },
	{ "file", 'f', CP_CLI_PLUGIN, "FILE", NULL, NULL, NONE, NONE,
	  "check a certificate file instead (may be repeated)" },
	{ "now", OPT_NOW, CP_CLI_COMMON, "WHEN", NULL, NULL, NONE, NONE,
	  "evaluate as if it were WHEN (@EPOCH or YYYY-MM-DD[THH:MM:SS]Z)" },
	{ "format", OPT_FORMAT, CP_CLI_FORMAT, "FMT", NULL, NULL, NONE, NONE,
	  "text, digest, nagios, json or prometheus" },
	{ "output", OPT_OUTPUT, CP_CLI_FORMAT, "FILE", NULL, NULL, NONE,
	  FIELD(output), "write the report to FILE, replaced whole at once "
	  "(node_exporter's textfile collector)" },
	{ "config", 'C', CP_CLI_CONFIG, "FILE", NULL, NULL, NONE, FIELD(config),
	  "configuration file (default: " SYSCONFDIR "/certprobe/certprobe.conf)" },
	{ "checks-dir", 'D', CP_CLI_CONFIG, "DIR", NULL, NULL, NONE,
	  FIELD(checks_dir),
	  "directory of *.conf checks (default: checks.d beside the config)" },
	{ "check-config", OPT_CHECK_CONFIG, CP_CLI_CONFIG, NULL, NULL, NULL,
	  FIELD(check_config), NONE,
	  "validate the configuration, print every error, run nothing" },
	{ "jobs", OPT_JOBS, CP_CLI_RUNNER, "N", "jobs", NULL, NONE, NONE,
	  "endpoints checked at once" },
	{ "quiet", 'q', CP_CLI_RUNNER, NULL, NULL, NULL, FIELD(quiet), NONE,
	  "text: print only what is not OK" },
	{ "mail", OPT_MAIL, CP_CLI_RUNNER, NULL, NULL, NULL, FIELD(mail), NONE,
	  "mail the digest to the configuration's mail_to" },
	{ "renew", OPT_RENEW, CP_CLI_RUNNER, NULL, NULL, NULL, FIELD(renew), NONE,
	  "run the renew= command of each check due by its dates, then "
	  "check it again" },
	{ "dry-run", OPT_DRY_RUN, CP_CLI_RUNNER, NULL, NULL, NULL,
	  FIELD(dry_run), NONE, "with --renew: say what would run" },
	{ "verbose", 'v', CP_CLI_COMMON, NULL, NULL, NULL, FIELD(verbose), NONE,
	  "say more" },
	{ "help", 'h', 0, NULL, NULL, NULL, FIELD(help), NONE,
	  "print this help and exit" },
	{ "version", 'V', 0, NULL, NULL, NULL, FIELD(version), NONE,
	  "print the version and exit" },
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
		longs[nl].has_arg = table[i].arg ? required_argument : no_argument;
		longs[nl].flag = NULL;
		longs[nl].val = table[i].code;
		nl++;
		if (table[i].code < 256) {
			shorts[ns++] = (char)table[i].code;
			if (table[i].arg != NULL)
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

/*
 * A path on the command line is the shell's, relative to the working
 * directory; password_file= in a configuration is relative to the
 * certificate's directory, so it is made absolute here.
 */
static int
set_path(struct cp_cli *cli, const char *name, const char *arg, char *err,
    size_t errlen)
{
	char cwd[PATH_MAX], path[2 * PATH_MAX];
	int n;

	if (arg[0] == '/' || arg[0] == '\0')
		return set_option(cli, name, arg, err, errlen);
	if (getcwd(cwd, sizeof(cwd)) == NULL ||
	    (n = snprintf(path, sizeof(path), "%s/%s", cwd, arg)) < 0 ||
	    (size_t)n >= sizeof(path)) {
		snprintf(err, errlen, "--password-file: the working directory "
		    "cannot be named, or the path is too long");
		return -1;
	}
	return set_option(cli, name, path, err, errlen);
}

/* -f: the one option that may be given several times. */
static int
add_file(struct cp_cli *cli, const char *arg, char *err, size_t errlen)
{
	const char **f;

	f = realloc(cli->files, ((size_t)cli->nfiles + 1) * sizeof(*f));
	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cli->files = f;
	cli->files[cli->nfiles++] = arg;
	return 0;
}

/* --now, --format and -f: the options parsed here. */
static int
parse_special(struct cp_cli *cli, int code, const char *arg, char *err,
    size_t errlen)
{
	if (code == 'f')
		return add_file(cli, arg, err, errlen);
	if (code == OPT_NOW) {
		if (cp_time_parse_when(arg, &cli->now) == -1) {
			snprintf(err, errlen, "--now: '%s' is not @EPOCH or "
			    "YYYY-MM-DD[THH:MM:SS]Z", arg);
			return -1;
		}
		cli->have_now = 1;
		return 0;
	}
	if (cp_format_parse(arg, &cli->format) == -1) {
		snprintf(err, errlen, "--format: '%s' is not text, digest, "
		    "nagios, json or prometheus", arg);
		return -1;
	}
	cli->have_format = 1;
	return 0;
}

/* One option that getopt_long returned, by its row. */
static int
handle(struct cp_cli *cli, int code, const char *arg, char *err,
    size_t errlen)
{
	const struct cli_option *o = table;

	while (o < table + NTABLE && o->code != code)
		o++;
	if (o == table + NTABLE) {
		snprintf(err, errlen, "unhandled option");
		return -1;
	}
	if (code == OPT_PASSWORD_FILE)
		return set_path(cli, o->setting, arg, err, errlen);
	if (o->setting != NULL)
		return set_option(cli, o->setting, o->value ? o->value : arg,
		    err, errlen);
	if (o->flag != NONE)
		(*(int *)((char *)cli + o->flag))++;
	else if (o->keep != NONE)
		*(const char **)((char *)cli + o->keep) = arg;
	else
		return parse_special(cli, code, arg, err, errlen);
	return 0;
}

/*
 * Names the option getopt_long refused. An unknown letter may sit inside
 * a cluster ("-xq"), where argv[optind - 1] is not it; an unknown long
 * option, or one missing its argument, is argv[optind - 1] itself.
 */
static void
bad_option(char **argv, int code, const struct option *longs, char *err,
    size_t errlen)
{
	const char *word = argv[optind - 1], *near = NULL;
	char name[64], *shown;
	size_t n = 0;

	if (code == '?' && optopt != 0 && optopt < 256) {
		snprintf(err, errlen, "unknown option '-%c'", optopt);
		return;
	}
	if (code == ':' && strncmp(word, "--", 2) != 0) {
		snprintf(err, errlen, "missing argument to option '-%c'", optopt);
		return;
	}
	/* A misspelt long option, as a misspelt configuration option is:
	 * among those this program takes. */
	if (code == '?' && strncmp(word, "--", 2) == 0) {
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(word + 2, "="),
		    word + 2);
		while (longs[n].name != NULL)
			n++;
		near = cp_suggest(name, longs, n, sizeof(longs[0]));
	}
	shown = cp_escape_dup(word, strlen(word));
	snprintf(err, errlen, "%s option '%s'%s%s%s", code == '?' ? "unknown" :
	    "missing argument to", shown ? shown : "?",
	    near ? " (did you mean '--" : "", near ? near : "", near ? "'?)" : "");
	free(shown);
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
			bad_option(argv, code, longs, err, errlen);
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
	free(cli->files);
	cli->files = NULL;
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

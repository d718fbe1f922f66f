/*
 * certprobe: runs every configured check, or the targets given, and
 * reports in the chosen format (SPEC section 1).
 */
#include <stdio.h>

#include "config.h"
#include "frontend.h"
#include "mail.h"

#define PROG "certprobe"
#define USAGE PROG " [options] [TARGET...]"
#define ACCEPT (CP_CLI_THRESHOLDS | CP_CLI_NET | CP_CLI_CONFIG | \
    CP_CLI_RUNNER | CP_CLI_FORMAT | CP_CLI_COMMON | CP_CLI_FILES)

static void
help(void)
{
	printf("Usage: %s\n\n"
	    "Checks certificate files, and the certificates live endpoints\n"
	    "serve after a TLS handshake (every address of a name), against\n"
	    "warning and critical days. With no TARGET, every check in\n"
	    "the configuration; with no configuration, the system's trust store.\n"
	    "TARGET is a file, a directory (searched), a glob, file:PATH, or\n"
	    "PROTO://HOST[:PORT].\n\nOptions:\n", USAGE);
	cp_cli_help(stdout, ACCEPT);
	printf("\nExit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n");
}

/*
 * With --mail the mail is the report: standard output stays quiet, for
 * cron, unless --format or --output asks for a report as well. A mail
 * that could not go makes the run UNKNOWN (SPEC section 6), and its
 * digest goes to standard output unless a report is printed there.
 */
static int
run(const struct cp_cli *cli, const struct cp_config *cfg,
    enum cp_format format, int64_t now)
{
	unsigned want = cp_format_wants(format);
	struct cp_report rep;
	int rc, report, mailed = 0;

	if (cli->mail)
		want |= cp_format_wants(CP_FMT_DIGEST) |
		    cp_format_wants(CP_FMT_TEXT);
	cp_report_init(&rep, now);
	if ((rc = cp_fe_collect(PROG, cli, cfg, want, &rep)) != 0)
		goto out;
	report = !cli->mail || cli->have_format || cli->output != NULL;
	if (cli->mail)
		mailed = cp_mail_report(PROG, cfg, &rep, cli->verbose,
		    !report || cli->output != NULL);
	if (report)
		rc = cp_fe_report(PROG, cli, format, &rep);
	else
		rc = (int)rep.state;
	if (mailed == -1)
		rc = CP_EXIT_USAGE;
out:
	cp_report_free(&rep);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cp_config cfg;
	struct cp_cli cli;
	enum cp_format format;
	char err[512];
	int64_t now;
	int rc;

	cp_config_init(&cfg);
	if (cp_cli_parse(argc, argv, ACCEPT, &cli, err, sizeof(err)) == -1) {
		rc = cp_fe_usage_error(PROG, USAGE, err);
		goto out;
	}
	if ((rc = cp_fe_start(PROG, &cli, help, &now)) != -1)
		goto out;
	format = cli.have_format ? cli.format : CP_FMT_TEXT;
	if ((rc = cp_fe_load(PROG, &cli, 1, &cfg)) != 0)
		goto out;
	if (cli.check_config)
		rc = cp_fe_check_config(PROG, &cfg);
	else
		rc = run(&cli, &cfg, format, now);
out:
	cp_config_free(&cfg);
	cp_cli_free(&cli);
	return rc;
}

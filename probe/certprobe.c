/*
 * certprobe: runs every configured check, or the targets given, and
 * reports in the chosen format (SPEC section 1).
 */
#include <stdio.h>

#include "config.h"
#include "frontend.h"

#define PROG "certprobe"
#define USAGE PROG " [options] [TARGET...]"
#define ACCEPT (CP_CLI_THRESHOLDS | CP_CLI_NET | CP_CLI_CONFIG | \
    CP_CLI_RUNNER | CP_CLI_FORMAT | CP_CLI_COMMON)

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

/* What this version refuses rather than pretending to do. */
static const char *
not_yet(const struct cp_cli *cli)
{
	if (cli->mail)
		return "--mail is not available in this version";
	return NULL;
}

int
main(int argc, char **argv)
{
	struct cp_config cfg;
	struct cp_cli cli;
	enum cp_format format;
	const char *refused;
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
	if ((refused = not_yet(&cli)) != NULL) {
		rc = cp_fe_usage_error(PROG, USAGE, refused);
		goto out;
	}
	if ((rc = cp_fe_load(PROG, &cli, 1, &cfg)) != 0)
		goto out;
	if (cli.check_config)
		rc = cp_fe_check_config(PROG, &cfg);
	else
		rc = cp_fe_run(PROG, &cli, &cfg, format, now);
out:
	cp_config_free(&cfg);
	cp_cli_free(&cli);
	return rc;
}

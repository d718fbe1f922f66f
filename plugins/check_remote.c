/*
 * check_remote: the spot check. "Did the mail server pick up its new
 * certificate?" One line per address of each endpoint, checked now
 * (SPEC section 1):
 *
 *     check_remote smtp mail.example.com
 *     check_remote https://www.example.com nntps://news.example.com:563
 */
#define _GNU_SOURCE     /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "frontend.h"
#include "proto.h"

#define PROG "check_remote"
#define USAGE PROG " [options] PROTO HOST[:PORT]... | URL..."
#define ACCEPT (CP_CLI_THRESHOLDS | CP_CLI_NET | CP_CLI_COMMON | \
    CP_CLI_FORMAT)

static void
help(void)
{
	printf("Usage: %s\n\n"
	    "Connects to each endpoint now, at every address of its name, and\n"
	    "prints one line per address: the state, the certificate's\n"
	    "notAfter and the days left, or why it could not be checked.\n"
	    "-v adds the served chain. A bare PROTO applies to the HOSTs after\n"
	    "it; a URL (smtp://mail.example.com:587) names its own.\n\n"
	    "Protocols:", USAGE);
	cp_protos_print(stdout);
	printf("\n\nOptions:\n");
	cp_cli_help(stdout, ACCEPT);
	printf("\nExit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN: the "
	    "worst of all lines.\n");
}

/* Why `arg` is no endpoint, when no protocol came before it: a URL
 * missing a slash, a misspelt protocol before a host, or neither. */
static void
no_protocol(const char *arg, int more, char *err, size_t errlen)
{
	struct cp_target t;
	char why[256];

	if (cp_target_parse(arg, &t, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "'%s': %s", arg, why);
		return;
	}
	cp_target_free(&t);
	if (more && strpbrk(arg, ".:/[") == NULL &&
	    cp_proto_lookup(arg, strlen(arg), why, sizeof(why)) == NULL &&
	    strstr(why, "did you mean") != NULL) {
		snprintf(err, errlen, "%s", why);
		return;
	}
	snprintf(err, errlen, "'%s': give a protocol first (check_remote smtp "
	    "%s) or a URL", arg, arg);
}

/*
 * Turns the operands into endpoint URLs: "smtp a.example b.example:587"
 * into "smtp://a.example", "smtp://b.example:587". Returns the number of
 * targets, or -1 with the reason in `err`.
 */
static int
endpoint_targets(const struct cp_cli *cli, char ***out, char *err,
    size_t errlen)
{
	const struct cp_proto *proto = NULL;
	char **t;
	int i, n = 0;

	if ((t = calloc((size_t)cli->ntargets + 1, sizeof(*t))) == NULL)
		return -1;
	for (i = 0; i < cli->ntargets; i++) {
		const char *arg = cli->targets[i];
		const struct cp_proto *p = cp_proto_find(arg, strlen(arg));

		if (strstr(arg, "://") != NULL)
			t[n] = strdup(arg);
		else if (p != NULL && i + 1 < cli->ntargets &&
		    strstr(cli->targets[i + 1], "://") == NULL) {
			proto = p;
			continue;
		} else if (p != NULL && proto == NULL) {
			/* Last, after a protocol, it is a host: "smtp smtp". */
			snprintf(err, errlen, "'%s' needs a host after it "
			    "(check_remote %s HOST[:PORT])", arg, p->name);
			goto fail;
		} else if (proto == NULL) {
			no_protocol(arg, i + 1 < cli->ntargets, err, errlen);
			goto fail;
		} else if (asprintf(&t[n], "%s://%s", proto->name, arg) == -1)
			t[n] = NULL;
		if (t[n++] == NULL)
			goto fail;
	}
	if (n == 0) {
		snprintf(err, errlen, "no endpoint given");
		goto fail;
	}
	*out = t;
	return n;
fail:
	while (n > 0)
		free(t[--n]);
	free(t);
	return -1;
}

int
main(int argc, char **argv)
{
	struct cp_config cfg;
	struct cp_cli cli;
	char err[512], **targets = NULL;
	int64_t now;
	int rc, n = 0;

	cp_config_init(&cfg);
	if (cp_cli_parse(argc, argv, ACCEPT, &cli, err, sizeof(err)) == -1) {
		rc = cp_fe_usage_error(PROG, USAGE, err);
		goto out;
	}
	if ((rc = cp_fe_start(PROG, &cli, help, &now)) != -1)
		goto out;
	err[0] = '\0';
	if ((n = endpoint_targets(&cli, &targets, err, sizeof(err))) == -1) {
		rc = err[0] ? cp_fe_usage_error(PROG, USAGE, err) :
		    cp_fe_usage_error(PROG, USAGE, "out of memory");
		goto out;
	}
	/* The configuration's `set` defaults (cafile=, timeout=) apply. */
	cli.targets = targets;
	cli.ntargets = n;
	if ((rc = cp_fe_load(PROG, &cli, 0, &cfg)) != 0)
		goto out;
	rc = cp_fe_run(PROG, &cli, &cfg,
	    cli.have_format ? cli.format : CP_FMT_LINES, now);
out:
	while (n > 0)
		free(targets[--n]);
	free(targets);
	cp_config_free(&cfg);
	cp_cli_free(&cli);
	return rc;
}

/*
 * check_cert_expiry: the Nagios/Icinga plugin (SPEC section 1, and the
 * Monitoring Plugins development guidelines). One service check: the
 * certificate an endpoint serves at every address of its name, or
 * certificate files.
 *
 *     check_cert_expiry -H mail.example.com -P smtp -w 30 -c 14
 *     check_cert_expiry -f /etc/ssl/certs/example.pem
 *
 * It reads no configuration file: the command line is the whole check,
 * as a monitoring engine expects. Everything it says goes to standard
 * output, the only stream Nagios keeps, usage errors included. `-t`
 * bounds the whole run: the network work ends at the timeout with its
 * reason, and a timer ends the process a second later whatever happens.
 */
#define _GNU_SOURCE     /* asprintf */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "engine.h"
#include "escape.h"
#include "frontend.h"
#include "output.h"
#include "proto.h"
#include "result.h"
#include "tls.h"

#define PROG "check_cert_expiry"
#define USAGE PROG " -H HOST [-p PORT] [-P PROTO] [-w DAYS] [-c DAYS] " \
    "[-t SECONDS] [-4] [-6] [--sni NAME] [--cafile FILE] [--no-verify] " \
    "[--expect FILE] [--unreachable STATE] [--now WHEN] [-v]\n" \
    "       " PROG " -f FILE [-f FILE...] [-w DAYS] [-c DAYS] [--password-file FILE] [--now WHEN] [-v]"
#define ACCEPT (CP_CLI_THRESHOLDS | CP_CLI_NET | CP_CLI_PLUGIN | CP_CLI_COMMON | \
    CP_CLI_FILES)

/* All addresses of a name are checked at once, so that -t bounds all. */
#define PLUGIN_JOBS 64

static char timeout_msg[128];

static void
help(void)
{
	printf("Usage: %s\n\n"
	    "Checks the certificate that HOST serves, at every address of its\n"
	    "name, after the protocol's handshake (STARTTLS where it has one),\n"
	    "or the certificate FILEs, against the warning and critical days.\n"
	    "The chain must verify against the system's trust store (or\n"
	    "--cafile) and be valid for the name (HOST, or --sni).\n\n"
	    "Protocols (-P):", USAGE);
	cp_protos_print(stdout);
	printf("\n\nOptions:\n");
	cp_cli_help(stdout, ACCEPT);
	printf("\nOutput: CERT <STATE> - <the worst result> | days_left=N;W:;C:"
	    " ...\nthen a line per address or file (-v adds the chain). "
	    "Perfdata: days_left\nfor the soonest expiry and, where there are "
	    "several, one per address\nor file.\n\n"
	    "Exit status: 0 OK, 1 WARNING, 2 CRITICAL (also: refused, timed "
	    "out, a\nbroken handshake, a chain or name that does not verify), "
	    "3 UNKNOWN.\nDefaults: -P https -w 30 -c 14 -t 10; -t bounds the whole "
	    "check.\n");
}

/* Nagios shows standard output only: usage errors go there too, in
 * the form of a status line. */
static int
usage_error(const char *msg)
{
	char *shown = cp_escape_dup(msg, strlen(msg));

	printf("CERT UNKNOWN - %s: ", PROG);
	cp_put_plugin_text(stdout, shown ? shown : "out of memory");
	printf("\nUsage: %s\n", USAGE);
	free(shown);
	return CP_EXIT_USAGE;
}

/* -H is a name or an address ("2001:db8::1" or "[2001:db8::1]"): no
 * protocol, port or path, which have options of their own. */
static int
check_host(const char *host, char *err, size_t errlen)
{
	const char *colon = strchr(host, ':');

	if (strstr(host, "://") != NULL)
		snprintf(err, errlen, "-H takes a host name or address; the "
		    "protocol goes to -P, the port to -p");
	else if (*host == '\0' || strpbrk(host, "/ \t") != NULL)
		snprintf(err, errlen, "-H '%s' is not a host name or address",
		    host);
	else if ((colon != NULL && strchr(colon + 1, ':') == NULL) ||
	    strstr(host, "]:") != NULL)
		snprintf(err, errlen, "-H '%s': the port goes to -p", host);
	else
		return 0;
	return -1;
}

/* The options that only make sense together, and no operands. */
static int
check_usage(const struct cp_cli *cli, char *err, size_t errlen)
{
	if (cli->ntargets > 0)
		snprintf(err, errlen, "unexpected argument '%s' (the host goes "
		    "to -H, files to -f)", cli->targets[0]);
	else if (cli->host == NULL && cli->nfiles == 0)
		snprintf(err, errlen, "give -H HOST or -f FILE");
	else if (cli->host == NULL && (cli->port || cli->proto))
		snprintf(err, errlen, "-p and -P go with -H HOST");
	else if (cli->host != NULL)
		return check_host(cli->host, err, errlen) == -1 ||
		    (cli->proto != NULL && cp_proto_lookup(cli->proto,
		    strlen(cli->proto), err, errlen) == NULL) ? -1 : 0;
	else
		return 0;
	return -1;
}

/* "-H 2001:db8::1 -p 8443 -P https" as the target https://[2001:db8::1]:8443. */
static char *
endpoint_text(const struct cp_cli *cli)
{
	int v6 = strchr(cli->host, ':') != NULL && cli->host[0] != '[';
	char *text;

	if (asprintf(&text, "%s://%s%s%s%s%s", cli->proto ? cli->proto :
	    "https", v6 ? "[" : "", cli->host, v6 ? "]" : "",
	    cli->port ? ":" : "", cli->port ? cli->port : "") == -1)
		return NULL;
	return text;
}

/* Adds one target; a bad one is a usage error, in `err`. */
static int
add_target(struct cp_config *cfg, const char *text, char *err, size_t errlen)
{
	size_t before = cfg->ndiags;

	if (cp_config_add_target(cfg, text, "command line") == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (cfg->ndiags > before) {
		snprintf(err, errlen, "%s", cfg->diags[before].msg);
		return -1;
	}
	return 0;
}

/* The checks of the command line, in a configuration of their own. */
static int
build(const struct cp_cli *cli, struct cp_config *cfg, char *err,
    size_t errlen)
{
	char *text = NULL;
	int i, rc = -1;

	if (cli->host != NULL && ((text = endpoint_text(cli)) == NULL ||
	    add_target(cfg, text, err, errlen) == -1))
		goto out;
	for (i = 0; i < cli->nfiles; i++) {
		free(text);
		if (asprintf(&text, "file:%s", cli->files[i]) == -1) {
			text = NULL;
			goto out;
		}
		if (add_target(cfg, text, err, errlen) == -1)
			goto out;
	}
	if (cp_config_override(cfg, &cli->ovr) == -1 ||
	    cp_fe_warn(PROG, cfg) == -1)
		goto out;
	cfg->g.jobs = PLUGIN_JOBS;
	rc = 0;
out:
	if (rc == -1 && err[0] == '\0')
		snprintf(err, errlen, "out of memory");
	free(text);
	return rc;
}

static void
on_timeout(int sig)
{
	ssize_t n = write(STDOUT_FILENO, timeout_msg, strlen(timeout_msg));

	(void)sig;
	(void)n;        /* nothing more to do if even this fails */
	_exit(CP_EXIT_USAGE);
}

/* The backstop: UNKNOWN a second past -t, if the run is still going. */
static void
arm_timer(int64_t timeout_ms)
{
	struct itimerval it;
	struct sigaction sa;
	int64_t ms = timeout_ms + 1000;

	snprintf(timeout_msg, sizeof(timeout_msg), "CERT UNKNOWN - no result "
	    "%lld.%03lld s after the start (-t %lld.%03lld)\n",
	    (long long)(ms / 1000), (long long)(ms % 1000),
	    (long long)(timeout_ms / 1000), (long long)(timeout_ms % 1000));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timeout;
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void
disarm_timer(void)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Runs the checks and prints the plugin output; the exit status. */
static int
run(const struct cp_cli *cli, const struct cp_config *cfg, int64_t now)
{
	struct cp_output_opts o = { 0, cli->verbose };
	/* -t is for the whole check: an address that waited for a slot
	 * gets only what is left. */
	struct cp_run_params params = {
		.now = now, .want = cp_format_wants(CP_FMT_NAGIOS),
		.deadline_ms = cp_clock_ms() + cfg->checks[0].s.timeout_ms,
	};
	struct cp_report rep;
	int rc = CP_EXIT_USAGE;

	cp_report_init(&rep, now);
	arm_timer(cfg->checks[0].s.timeout_ms);
	if (cp_run(cfg, &params, &rep) == -1) {
		disarm_timer();
		printf("CERT UNKNOWN - %s: out of memory\n", PROG);
		goto out;
	}
	disarm_timer();
	if (cp_out_nagios(stdout, &rep, &o) == 0 && fflush(stdout) == 0)
		rc = (int)rep.state;
	else
		printf("CERT UNKNOWN - %s: cannot write the output\n", PROG);
out:
	cp_report_free(&rep);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cp_config cfg;
	struct cp_cli cli;
	char err[512] = "";
	int64_t now;
	int rc;

	/* Before anything uses OpenSSL: a plugin's life is one check. */
	cp_tls_init(1);
	cp_config_init(&cfg);
	if (cp_cli_parse(argc, argv, ACCEPT, &cli, err, sizeof(err)) == -1) {
		rc = usage_error(err);
		goto out;
	}
	if ((rc = cp_fe_start(PROG, &cli, help, &now)) != -1)
		goto out;
	if (check_usage(&cli, err, sizeof(err)) == -1 ||
	    build(&cli, &cfg, err, sizeof(err)) == -1)
		rc = usage_error(err);
	else
		rc = run(&cli, &cfg, now);
out:
	cp_config_free(&cfg);
	cp_cli_free(&cli);
	return rc;
}

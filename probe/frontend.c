/* The shared pipeline of the programs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "bounds.h"
#include "buf.h"
#include "check.h"
#include "escape.h"
#include "frontend.h"
#include "keymatch.h"
#include "perms.h"
#include "renew.h"
#include "result.h"
#include "timeconv.h"
#include "tls.h"

#define DEFAULT_CONFIG SYSCONFDIR "/certprobe/certprobe.conf"

int
cp_fe_usage_error(const char *prog, const char *usage, const char *msg)
{
	char *shown = cp_escape_dup(msg, strlen(msg));

	fprintf(stderr, "%s: %s\nUsage: %s\nTry '%s --help' for more.\n",
	    prog, shown ? shown : msg, usage, prog);
	free(shown);
	return CP_EXIT_USAGE;
}

/* CERTPROBE_NOW where it is set and not empty, else NULL. */
static const char *
now_env(void)
{
	const char *env = getenv("CERTPROBE_NOW");

	return env != NULL && *env != '\0' ? env : NULL;
}

int
cp_fe_start(const char *prog, const struct cp_cli *cli, void (*help)(void),
    int64_t *now)
{
	const char *env = now_env();

	cp_tls_init(0);
	if (cli->help) {
		help();
		return 0;
	}
	if (cli->version) {
		printf("%s %s\n", prog, PACKAGE_VERSION);
		return 0;
	}
	if (cli->have_now) {
		*now = cli->now;
		return -1;
	}
	if (env != NULL) {
		if (cp_time_parse_when(env, now) == 0)
			return -1;
		fprintf(stderr, "%s: CERTPROBE_NOW: not @EPOCH or "
		    "YYYY-MM-DD[THH:MM:SS]Z (years 0000 to 9999)\n", prog);
		return CP_EXIT_USAGE;
	}
	*now = (int64_t)time(NULL);
	return -1;
}

/* Prints diagnostics to stderr, escaped, each with `lead` before it. */
static void
print_list(const char *prog, const struct cp_diag *list, size_t n,
    const char *lead, const char *tail)
{
	char *origin, *msg;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct cp_diag *d = &list[i];

		origin = d->origin ? cp_escape_dup(d->origin,
		    strlen(d->origin)) : NULL;
		msg = cp_escape_dup(d->msg, strlen(d->msg));
		fprintf(stderr, "%s: %s%s%s%s%s\n", prog, origin ? origin : "",
		    origin ? ": " : "", lead, msg ? msg : "(out of memory)",
		    tail);
		free(origin);
		free(msg);
	}
}

/* The configuration's errors. */
static void
print_diags(const char *prog, const struct cp_config *cfg, const char *tail)
{
	print_list(prog, cfg->diags, cfg->ndiags, "", tail);
}

/* Warns once of one password file, `what` naming the setting. */
static int
check_secret(struct cp_config *cfg, const char *origin, const char *what,
    const char *path)
{
	char why[CP_ERROR_MAX];

	if (!cp_perms_exposed(path, why, sizeof(why)))
		return 0;
	return cp_config_warn(cfg, origin, "%s %s is %s", what, path, why);
}

/*
 * Warns of every password file the checks and the mail settings name that
 * group or others can read, as the checks will use them (after the
 * command line's overrides). One named relative to a certificate is
 * examined where the target is a file. -1 when memory runs out.
 */
static int
check_secrets(struct cp_config *cfg)
{
	const char *last = NULL;
	char *beside;
	size_t i;
	int rc = 0;

	if (cfg->g.smtp_password_file != NULL)
		rc = check_secret(cfg, cfg->main_path, "smtp_password_file",
		    cfg->g.smtp_password_file);
	for (i = 0; i < cfg->nchecks && rc == 0; i++) {
		const struct cp_check *c = &cfg->checks[i];
		const char *pw = c->s.password_file;
		struct stat st;

		if (pw == NULL || (last != NULL && strcmp(pw, last) == 0 &&
		    pw[0] == '/'))
			continue;
		last = pw;
		if (pw[0] == '/') {
			rc = check_secret(cfg, c->origin, "password_file", pw);
			continue;
		}
		if (c->target.kind != CP_TARGET_PATH ||
		    stat(c->target.path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if ((beside = cp_path_beside(c->target.path, pw)) == NULL)
			return -1;
		rc = check_secret(cfg, c->origin, "password_file", beside);
		free(beside);
	}
	return rc;
}

/* checks.d beside the configuration file, when -D does not say. */
static char *
checks_dir_beside(const char *config)
{
	const char *slash = strrchr(config, '/');
	struct cp_buf b;

	cp_buf_init(&b, 1 << 16);
	if (slash != NULL)
		cp_buf_add(&b, config, (size_t)(slash - config) + 1);
	if (cp_buf_addstr(&b, "checks.d") == -1) {
		cp_buf_free(&b);
		return NULL;
	}
	return cp_buf_take(&b);
}

/* The configured checks give way to the command line's targets; the
 * configuration still supplies defaults and globals. */
static int
use_targets(const char *prog, const struct cp_cli *cli, struct cp_config *cfg)
{
	size_t before;
	char *shown;
	int i;

	print_diags(prog, cfg, " (ignored: targets given)");
	cp_config_drop_checks(cfg);
	for (i = 0; i < cli->ntargets; i++) {
		before = cfg->ndiags;
		if (cp_config_add_target(cfg, cli->targets[i],
		    "command line") == -1)
			return -1;
		if (cfg->ndiags > before) {
			shown = cp_escape_dup(cfg->diags[cfg->ndiags - 1].msg,
			    strlen(cfg->diags[cfg->ndiags - 1].msg));
			fprintf(stderr, "%s: %s\n", prog, shown ? shown : "?");
			free(shown);
			return CP_EXIT_USAGE;
		}
	}
	return 0;
}

/*
 * With no configuration anywhere, certprobe still shows a real report:
 * the trust store OpenSSL uses, with a long horizon.
 */
static int
use_builtin(const char *prog, struct cp_config *cfg)
{
	const struct cp_option *warn = cp_option_find("warn");
	const char *store = X509_get_default_cert_file();
	char err[CP_ERROR_MAX];
	struct cp_buf target;
	int rc = -1;

	cp_buf_init(&target, 1 << 16);
	if (cp_buf_printf(&target, "file:%s", store) == -1 ||
	    cp_option_set(warn, "365", &cfg->defaults, &cfg->g, err,
	    sizeof(err)) == -1 ||
	    cp_config_add_target(cfg, target.data, "built-in default") == -1)
		goto out;
	fprintf(stderr, "%s: no configuration at %s; checking the system's "
	    "trust store %s (warn=365) as an example\n", prog, cfg->main_path,
	    store);
	rc = 0;
out:
	cp_buf_free(&target);
	return rc;
}

int
cp_fe_load(const char *prog, const struct cp_cli *cli, int builtin,
    struct cp_config *cfg)
{
	struct cp_config_paths paths;
	const char *env = getenv("CERTPROBE_CONFIG");
	char *dir = NULL;
	int rc = -1;

	memset(&paths, 0, sizeof(paths));
	paths.main = DEFAULT_CONFIG;
	if (cli->config != NULL || (env != NULL && *env != '\0')) {
		paths.main = cli->config ? cli->config : env;
		paths.main_required = 1;
	}
	paths.checks_dir = cli->checks_dir;
	paths.dir_required = cli->checks_dir != NULL;
	if (paths.checks_dir == NULL &&
	    (paths.checks_dir = dir = checks_dir_beside(paths.main)) == NULL)
		goto out;
	if (cp_config_load(cfg, &paths) == -1)
		goto out;
	if (cli->ntargets > 0)
		rc = use_targets(prog, cli, cfg);
	else if (builtin && !cfg->found && !cli->check_config)
		rc = use_builtin(prog, cfg);
	else
		rc = 0;
	if (rc == 0 && (cp_config_override(cfg, &cli->ovr) == -1 ||
	    cp_fe_warn(prog, cfg) == -1))
		rc = -1;
	if (cli->jobs > 0)
		cfg->g.jobs = cli->jobs;
	/* Checking nothing must not look like "all is well" to cron. */
	if (rc == 0 && cfg->nchecks == 0 && cfg->ndiags == 0 &&
	    !cli->check_config) {
		fprintf(stderr, "%s: nothing to check: no target given, and no "
		    "check in the configuration (%s)\n", prog, cfg->main_path);
		rc = CP_EXIT_USAGE;
	}
out:
	free(dir);
	if (rc == -1)
		fprintf(stderr, "%s: out of memory\n", prog);
	return rc == -1 ? CP_EXIT_USAGE : rc;
}

int
cp_fe_warn(const char *prog, struct cp_config *cfg)
{
	if (check_secrets(cfg) == -1)
		return -1;
	print_list(prog, cfg->warns, cfg->nwarns, "warning: ", "");
	return 0;
}

int
cp_fe_check_config(const char *prog, const struct cp_config *cfg)
{
	print_diags(prog, cfg, "");
	if (!cfg->found) {
		printf("%s: no configuration at %s\n", prog, cfg->main_path);
		return cfg->ndiags > 0 ? CP_EXIT_USAGE : 0;
	}
	if (cfg->ndiags > 0) {
		printf("%s: %zu error%s; %zu valid check%s would run\n", prog,
		    cfg->ndiags, cfg->ndiags == 1 ? "" : "s", cfg->nchecks,
		    cfg->nchecks == 1 ? "" : "s");
		return CP_EXIT_USAGE;
	}
	printf("%s: configuration OK: %zu check%s\n", prog, cfg->nchecks,
	    cfg->nchecks == 1 ? "" : "s");
	return 0;
}

/* Writes the report in the chosen format. */
static int
format_report(FILE *f, enum cp_format format, const struct cp_report *rep,
    const struct cp_cli *cli)
{
	struct cp_output_opts o = { cli->quiet, cli->verbose };

	switch (format) {
	case CP_FMT_DIGEST:
		return cp_out_digest(f, rep, &o);
	case CP_FMT_LINES:
		return cp_out_lines(f, rep, &o);
	case CP_FMT_NAGIOS:
		return cp_out_nagios(f, rep, &o);
	case CP_FMT_JSON:
		return cp_out_json(f, rep, &o);
	case CP_FMT_PROMETHEUS:
		return cp_out_prometheus(f, rep, &o);
	default:
		return cp_out_text(f, rep, &o);
	}
}

/*
 * --output FILE: written beside it under a temporary name, then renamed
 * over it, so that a reader (node_exporter's textfile collector) sees the
 * old report or the new one, never half of one. The report is readable
 * by all, as the collector's user needs; the temporary stays mkstemp's
 * 0600 until it is whole, since no temporary file is others' to read.
 */
static int
write_file(const char *path, enum cp_format format,
    const struct cp_report *rep, const struct cp_cli *cli)
{
	struct cp_buf tmp;
	FILE *f = NULL;
	int fd = -1, made = 0, rc = -1, err;

	cp_buf_init(&tmp, 1 << 16);
	if (cp_buf_printf(&tmp, "%s.XXXXXX", path) == -1 ||
	    (fd = mkstemp(tmp.data)) == -1)
		goto out;
	made = 1;
	if ((f = fdopen(fd, "w")) == NULL)
		goto out;
	fd = -1;
	if (format_report(f, format, rep, cli) == -1 || fflush(f) == EOF ||
	    fsync(fileno(f)) == -1 || fchmod(fileno(f), 0644) == -1)
		goto out;
	rc = fclose(f) == 0 && rename(tmp.data, path) == 0 ? 0 : -1;
	f = NULL;
out:
	err = errno;            /* what the caller reports */
	if (rc == -1 && made)
		unlink(tmp.data);
	if (f != NULL)
		fclose(f);
	if (fd != -1)
		close(fd);
	cp_buf_free(&tmp);
	errno = err;
	return rc;
}

static int
write_report(enum cp_format format, const struct cp_report *rep,
    const struct cp_cli *cli)
{
	if (cli->output != NULL)
		return write_file(cli->output, format, rep, cli);
	if (format_report(stdout, format, rep, cli) == -1)
		return -1;
	return fflush(stdout) == EOF ? -1 : 0;
}

int
cp_fe_collect(const char *prog, const struct cp_cli *cli,
    const struct cp_config *cfg, unsigned want, struct cp_report *rep)
{
	/* Designated: a field added later is zero here, never garbage. */
	struct cp_run_params params = { .now = rep->now, .want = want,
	    .now_frozen = cli->have_now || now_env() != NULL };

	if ((cli->ntargets == 0 && cp_report_config_errors(rep, cfg) == -1) ||
	    cp_run(cfg, &params, rep) == -1 || (cli->renew &&
	    cp_renew(cfg, &params, rep, cli->dry_run, stderr) == -1)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return CP_EXIT_USAGE;
	}
	return 0;
}

int
cp_fe_report(const char *prog, const struct cp_cli *cli,
    enum cp_format format, const struct cp_report *rep)
{
	if (write_report(format, rep, cli) == -1) {
		fprintf(stderr, "%s: cannot write the report%s%s: %s\n", prog,
		    cli->output ? " to " : "", cli->output ? cli->output : "",
		    strerror(errno));
		return CP_EXIT_USAGE;
	}
	return (int)rep->state;
}

int
cp_fe_run(const char *prog, const struct cp_cli *cli,
    const struct cp_config *cfg, enum cp_format format, int64_t now)
{
	struct cp_report rep;
	int rc;

	cp_report_init(&rep, now);
	if ((rc = cp_fe_collect(prog, cli, cfg, cp_format_wants(format),
	    &rep)) == 0)
		rc = cp_fe_report(prog, cli, format, &rep);
	cp_report_free(&rep);
	return rc;
}

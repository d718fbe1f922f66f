/* Renewal hooks and the re-check after them (see renew.h). */
#define _GNU_SOURCE     /* asprintf */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bounds.h"
#include "check.h"
#include "config.h"
#include "escape.h"
#include "hook.h"
#include "output.h"
#include "proto.h"
#include "renew.h"
#include "result.h"
#include "timeconv.h"

/* One distinct command and the results that asked for it. */
struct plan {
	const char *command;
	size_t first;              /* the most urgent result, by index */
	size_t count;
	struct cp_hook_result run;
};

/* The certificate that makes a result due by its dates, or NULL. */
static const struct cp_cert *
due_cert(const struct cp_result *r)
{
	const struct cp_cert *c = cp_dated_cert(r);

	if (r->check == NULL || r->check->s.renew == NULL || c == NULL ||
	    !cp_dates_due(c->v.dates))
		return NULL;
	return c;
}

/* Groups the due results by command, the soonest first in each. */
static struct plan *
make_plan(const struct cp_report *rep, size_t *n)
{
	struct plan *p = calloc(rep->n + 1, sizeof(*p));
	const struct cp_cert *c;
	size_t i, k;

	*n = 0;
	for (i = 0; p != NULL && i < rep->n; i++) {
		if ((c = due_cert(&rep->results[i])) == NULL)
			continue;
		for (k = 0; k < *n; k++)
			if (strcmp(p[k].command,
			    rep->results[i].check->s.renew) == 0)
				break;
		if (k == *n) {
			p[(*n)++].command = rep->results[i].check->s.renew;
			p[k].first = i;
		} else if (c->v.not_after <
		    cp_dated_cert(&rep->results[p[k].first])->v.not_after)
			p[k].first = i;
		p[k].count++;
	}
	return p;
}

/* "NAME=value", the value escaped: it may come from a certificate. */
static char *
variable(const char *name, const char *value)
{
	char *shown = cp_escape_dup(value ? value : "", value ?
	    strlen(value) : 0), *v = NULL;

	if (shown != NULL && asprintf(&v, "%s=%s", name, shown) == -1)
		v = NULL;
	free(shown);
	return v;
}

/* The command's whole environment: a plain one, and the values of the
 * result that asked first. */
static char **
environment(const struct cp_result *r)
{
	const struct cp_check *k = r->check;
	const struct cp_cert *c = cp_dated_cert(r);
	const struct passwd *pw = getpwuid(getuid());
	int endpoint = k->target.kind == CP_TARGET_ENDPOINT;
	char date[CP_TIME_TEXT_MAX], days[24], port[16];
	char **env = calloc(17, sizeof(*env));
	size_t i = 0;

	if (env == NULL)
		return NULL;
	cp_time_format_rfc3339(c->v.not_after, date);
	snprintf(days, sizeof(days), "%lld", (long long)c->v.days_left);
	snprintf(port, sizeof(port), "%u", endpoint ? k->target.port : 0);
	env[i++] = variable("PATH", "/usr/local/sbin:/usr/local/bin:"
	    "/usr/sbin:/usr/bin:/sbin:/bin");
	env[i++] = variable("HOME", pw ? pw->pw_dir : "/");
	env[i++] = variable("LOGNAME", pw ? pw->pw_name : "");
	env[i++] = variable("USER", pw ? pw->pw_name : "");
	env[i++] = variable("SHELL", "/bin/sh");
	env[i++] = variable("LANG", "C.UTF-8");
	env[i++] = variable("CERTPROBE_TARGET", k->text);
	env[i++] = variable("CERTPROBE_NAME", k->s.name);
	env[i++] = variable("CERTPROBE_FILE", endpoint ? "" : r->target);
	env[i++] = variable("CERTPROBE_HOST", endpoint ? k->target.host : "");
	env[i++] = variable("CERTPROBE_PORT", endpoint ? port : "");
	env[i++] = variable("CERTPROBE_PROTOCOL", endpoint ?
	    k->target.proto->name : "");
	env[i++] = variable("CERTPROBE_SUBJECT", c->subject);
	env[i++] = variable("CERTPROBE_NOT_AFTER", date);
	env[i++] = variable("CERTPROBE_DAYS_LEFT", days);
	env[i++] = variable("CERTPROBE_STATE", cp_state_name(r->state));
	for (i = 0; i < 16; i++)
		if (env[i] == NULL)
			goto fail;
	return env;
fail:
	for (i = 0; i < 16; i++)
		free(env[i]);
	free(env);
	return NULL;
}

/* Runs a command once, with the values of its most urgent result. */
static int
run_plan(const struct cp_report *rep, struct plan *p)
{
	const struct cp_result *r = &rep->results[p->first];
	char **env = environment(r);
	size_t i;

	if (env == NULL)
		return -1;
	cp_hook_run(p->command, env, r->check->s.renew_timeout_ms, &p->run);
	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
	return 0;
}

static int
succeeded(const struct plan *p)
{
	return p->run.started && !p->run.timed_out && p->run.exited &&
	    p->run.code == 0;
}

/* "renew 'CMD' exited 1: the last line of its output". */
static void
failure_text(const struct plan *p, int64_t timeout_ms, char *msg,
    size_t len)
{
	const struct cp_hook_result *h = &p->run;
	const char *tail = h->tail, *end;
	char secs[32];
	size_t used;

	if (!h->started)
		snprintf(msg, len, "renew '%s' could not start: %s", p->command,
		    strerror(h->err));
	else if (h->timed_out)
		snprintf(msg, len, "renew '%s' timed out after %s", p->command,
		    cp_seconds_text(timeout_ms, secs, sizeof(secs)));
	else
		snprintf(msg, len, "renew '%s' %s %d", p->command, h->exited ?
		    "exited" : "was ended by signal", h->code);
	while ((end = strchr(tail, '\n')) != NULL && end[1] != '\0')
		tail = end + 1;
	used = strlen(msg);
	if (*tail != '\0')
		snprintf(msg + used, len - used, ": %.*s",
		    (int)strcspn(tail, "\n"), tail);
}

/* The result says its command failed; a failure it had stays first. */
static int
note_failure(struct cp_report *rep, struct cp_result *r, const struct plan *p)
{
	char msg[CP_ERROR_MAX];

	failure_text(p, r->check->s.renew_timeout_ms, msg, sizeof(msg));
	if ((r->fail == CP_FAIL_NONE ? cp_result_fail(r, CP_FAIL_RENEW, "%s",
	    msg) : cp_result_append(r, "; %s", msg)) == -1)
		return -1;
	r->state = cp_state_worst(r->state,
	    cp_fail_state(CP_FAIL_RENEW, CP_UNKNOWN));
	rep->state = cp_state_worst(rep->state, r->state);
	return 0;
}

/* The checks that asked for a command that worked: run again. Those
 * whose command failed say why. */
static int
settle_plans(const struct cp_config *cfg, struct cp_report *rep,
    const struct plan *plans, unsigned char *again)
{
	size_t i, k;

	for (i = 0; i < rep->n; i++) {
		struct cp_result *r = &rep->results[i];

		if (due_cert(r) == NULL)
			continue;
		for (k = 0; strcmp(plans[k].command, r->check->s.renew); k++)
			;
		if (succeeded(&plans[k]))
			again[r->check - cfg->checks] = 1;
		else if (note_failure(rep, r, &plans[k]) == -1)
			return -1;
	}
	return 0;
}

/* The report with each re-checked check's new results in the place of
 * its old ones; `rep` takes the merged results. */
static int
merge(const struct cp_config *cfg, struct cp_report *rep,
    struct cp_report *fresh, const unsigned char *again)
{
	struct cp_report out;
	size_t i, k;
	int rc = -1;

	cp_report_init(&out, rep->now);
	for (i = 0; i < rep->n; i++) {
		struct cp_result *r = &rep->results[i];
		const struct cp_check *c = r->check;

		if (c == NULL || !again[c - cfg->checks]) {
			if (cp_report_adopt(&out, r) == NULL)
				goto out;
			continue;
		}
		/* The first old result of the check brings all new ones. */
		for (k = 0; k < fresh->n; k++)
			if (fresh->results[k].check == c &&
			    cp_report_adopt(&out, &fresh->results[k]) == NULL)
				goto out;
	}
	for (i = 0; i < out.n; i++)
		out.state = cp_state_worst(out.state, out.results[i].state);
	cp_report_free(rep);
	*rep = out;
	memset(&out, 0, sizeof(out));
	rc = 0;
out:
	cp_report_free(&out);
	return rc;
}

/* --dry-run: what would run, and for what. */
static void
say_plan(FILE *say, const struct cp_report *rep, const struct plan *p)
{
	const struct cp_result *r = &rep->results[p->first];
	char *target = cp_escape_dup(r->target, strlen(r->target));

	fprintf(say, "certprobe: --dry-run: would run '%s' for %zu check%s "
	    "(the first: %s, %s, %lld days)\n", p->command, p->count,
	    p->count == 1 ? "" : "s", target ? target : "?",
	    cp_state_name(r->state),
	    (long long)cp_dated_cert(r)->v.days_left);
	free(target);
}

int
cp_renew(const struct cp_config *cfg, const struct cp_run_params *params,
    struct cp_report *rep, int dry_run, FILE *say)
{
	struct cp_run_params again_params = *params;
	struct cp_report fresh;
	unsigned char *again = NULL;
	struct plan *plans;
	size_t i, n;
	int rc = -1, any = 0;

	cp_report_init(&fresh, rep->now);
	if ((plans = make_plan(rep, &n)) == NULL ||
	    (again = calloc(cfg->nchecks + 1, 1)) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if (dry_run)
			say_plan(say, rep, &plans[i]);
		else if (run_plan(rep, &plans[i]) == -1)
			goto out;
	if (dry_run)
		goto done;
	if (settle_plans(cfg, rep, plans, again) == -1)
		goto out;
	for (i = 0; i < cfg->nchecks; i++)
		any |= again[i];
	again_params.only = again;
	/* Judged when it is checked again: a certificate issued a moment
	 * ago (notBefore now, as a private CA writes it) is valid, not "not
	 * yet valid" at the run's start. A frozen --now stays frozen. */
	if (!params->now_frozen)
		again_params.now = fresh.now = (int64_t)time(NULL);
	if (any && (cp_run(cfg, &again_params, &fresh) == -1 ||
	    merge(cfg, rep, &fresh, again) == -1))
		goto out;
done:
	rc = 0;
out:
	cp_report_free(&fresh);
	free(again);
	free(plans);
	return rc;
}

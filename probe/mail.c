/* --mail: the digest's way to a relay (see mail.h). */
#define _GNU_SOURCE     /* open_memstream, explicit_bzero */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounds.h"
#include "buf.h"
#include "config.h"
#include "escape.h"
#include "hook.h"
#include "mail.h"
#include "mail_msg.h"
#include "output.h"
#include "readfile.h"
#include "result.h"
#include "smtp_send.h"

#define DEFAULT_RELAY "localhost:25"

/* What the child that talks to the relay gets. */
struct send_job {
	struct cp_relay relay;
	const char *message;
};

/*
 * In the child: the relay's dialog. It says how it went on its output,
 * which the parent keeps the last CP_HOOK_TAIL bytes of: the reason; or
 * how it went, then a line with a warning, if any.
 */
static int
send_child(void *arg)
{
	const struct send_job *job = arg;
	char info[128], err[CP_HOOK_TAIL - 128];

	/* A relay that closes while we write must not end us unheard. */
	signal(SIGPIPE, SIG_IGN);
	if (cp_smtp_send(&job->relay, job->message, info, sizeof(info), err,
	    sizeof(err)) == -1) {
		fputs(err, stderr);
		return 1;
	}
	printf("%s\n%s", info, err);
	return 0;
}

/* The digest, or (mail_always, nothing due) the whole table. */
static int
render_body(const struct cp_report *rep, int news, char **body, size_t *len)
{
	struct cp_output_opts o = { 0, 0 };
	FILE *f = open_memstream(body, len);
	int rc;

	if (f == NULL)
		return -1;
	rc = news ? cp_out_digest(f, rep, &o) : cp_out_text(f, rep, &o);
	return fclose(f) == 0 ? rc : -1;
}

/* The first line of smtp_password_file. */
static char *
read_password(const char *path, char *err, size_t errlen)
{
	struct cp_load_error le = { CP_FAIL_NONE, "" };
	char *shown = cp_escape_dup(path, strlen(path)), *pw = NULL;
	struct cp_buf b;
	size_t n;

	cp_buf_init(&b, CP_PASSWORD_MAX + 1);
	if (cp_read_file(path, &b, CP_PASSWORD_MAX, &le) == -1)
		snprintf(err, errlen, "smtp_password_file %s: %s",
		    shown ? shown : "?", le.msg);
	else if ((n = strcspn(b.data ? b.data : "", "\r\n")) == 0)
		snprintf(err, errlen, "smtp_password_file %s: no password on "
		    "its first line", shown ? shown : "?");
	else if ((pw = strndup(b.data, n)) == NULL)
		snprintf(err, errlen, "out of memory");
	if (b.data != NULL)
		explicit_bzero(b.data, b.len);
	cp_buf_free(&b);
	free(shown);
	return pw;
}

/* The settings, checked before any connection. 0, or -1 with why. */
static int
check_settings(const struct cp_globals *g, char *err, size_t errlen)
{
	if (g->mail_to == NULL)
		snprintf(err, errlen, "no mail_to: set where the digest goes "
		    "(set mail_to=ops@example.com in certprobe.conf)");
	else if (g->smtp_user != NULL && g->smtp_starttls == CP_STARTTLS_OFF)
		snprintf(err, errlen, "smtp_user is set with smtp_starttls=off: "
		    "a password is only ever sent over TLS");
	else if (g->smtp_user != NULL && g->smtp_password_file == NULL)
		snprintf(err, errlen, "smtp_user is set without "
		    "smtp_password_file");
	else
		return 0;
	return -1;
}

/* Runs the dialog in a child bounded as a whole: libesmtp bounds each
 * reply, not the sum, nor connecting. 0 with how in `info` and a warning
 * or nothing in `err`; -1 with the reason in `err`. */
static int
deliver(const struct send_job *job, char *info, size_t infolen, char *err,
    size_t errlen)
{
	int64_t bound = 3 * job->relay.wait_ms;
	struct cp_hook_result res;
	size_t n;

	cp_hook_call(send_child, (void *)job, bound, &res);
	n = strlen(res.tail);
	while (n > 0 && (res.tail[n - 1] == '\n' || res.tail[n - 1] == '\r'))
		res.tail[--n] = '\0';
	if (!res.started)
		snprintf(err, errlen, "cannot start the mail's process: %s",
		    strerror(res.err));
	else if (res.timed_out)
		snprintf(err, errlen, "%s: no end to the dialog within %lld s",
		    job->relay.relay, (long long)(bound / 1000));
	else if (!res.exited)
		snprintf(err, errlen, "the mail's process ended by signal %d",
		    res.code);
	else if (res.code != 0)
		snprintf(err, errlen, "%s", n > 0 ? res.tail : "failed");
	else {
		char *nl = strchr(res.tail, '\n');

		if (nl != NULL)
			*nl = '\0';
		snprintf(info, infolen, "%s", res.tail);
		snprintf(err, errlen, "%s", nl ? nl + 1 : "");
		return 0;
	}
	return -1;
}

/* Headers and body, then the relay. */
static int
send_report(const struct cp_config *cfg, const struct cp_report *rep,
    const char *body, size_t len, char *info, size_t infolen, char *err,
    size_t errlen)
{
	const struct cp_globals *g = &cfg->g;
	struct cp_buf subject, msg, from;
	char host[256], *password = NULL;
	struct cp_mail_head h;
	struct send_job job;
	int rc = -1;

	cp_buf_init(&subject, 4096);
	cp_buf_init(&msg, 64u << 20);
	cp_buf_init(&from, 512);
	cp_mail_hostname(host, sizeof(host));
	snprintf(err, errlen, "out of memory");
	if (g->smtp_user != NULL && (password = read_password(
	    g->smtp_password_file, err, errlen)) == NULL)
		goto out;
	if (cp_buf_printf(&from, "certprobe@%s", host) == -1 ||
	    cp_mail_subject(&subject, host, rep) == -1)
		goto out;
	h = (struct cp_mail_head){ .host = host, .to = g->mail_to,
	    .from = g->mail_from ? g->mail_from : from.data,
	    .subject = subject.data, .date = time(NULL) };
	if (cp_mail_message(&msg, &h, body, len) == -1)
		goto out;
	job = (struct send_job){ .message = msg.data, .relay = {
	    .relay = g->smtp_relay ? g->smtp_relay : DEFAULT_RELAY,
	    .starttls = g->smtp_starttls, .user = g->smtp_user,
	    .password = password, .helo = host, .from = h.from, .to = h.to,
	    .wait_ms = cfg->defaults.timeout_ms } };
	rc = deliver(&job, info, infolen, err, errlen);
out:
	if (password != NULL)
		explicit_bzero(password, strlen(password));
	free(password);
	cp_buf_free(&subject);
	cp_buf_free(&msg);
	cp_buf_free(&from);
	return rc;
}

int
cp_mail_report(const char *prog, const struct cp_config *cfg,
    const struct cp_report *rep, int verbose, int fallback)
{
	char info[CP_HOOK_TAIL + 1] = "", err[CP_HOOK_TAIL + 64] = "";
	int news = cp_digest_has_news(rep), rc = -1;
	char *body = NULL;
	size_t len = 0;

	/* Settings first, even on a quiet night: a mail_to left out shows
	 * the day it is left out, not the day something is due. */
	if (check_settings(&cfg->g, err, sizeof(err)) == -1)
		goto out;
	if (!news && !cfg->g.mail_always)
		return 0;
	snprintf(err, sizeof(err), "out of memory");
	if (render_body(rep, news, &body, &len) == -1 ||
	    send_report(cfg, rep, body, len, info, sizeof(info), err,
	    sizeof(err)) == -1)
		goto out;
	if (verbose)
		fprintf(stderr, "%s: mailed the %s to %s through %s (%s)\n",
		    prog, news ? "digest" : "report", cfg->g.mail_to,
		    cfg->g.smtp_relay ? cfg->g.smtp_relay : DEFAULT_RELAY, info);
	if (err[0] != '\0')
		fprintf(stderr, "%s: warning: %s\n", prog, err);
	rc = 0;
out:
	if (rc == -1) {
		fprintf(stderr, "%s: mail not sent: %s\n", prog, err);
		if (fallback && (body != NULL ||
		    render_body(rep, news, &body, &len) == 0))
			fwrite(body, 1, len, stdout);
		fflush(stdout);
	}
	free(body);
	return rc;
}

/* File checks: expand the target, read each file, judge each certificate. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "certfile.h"
#include "check.h"
#include "config.h"
#include "keymatch.h"
#include "result.h"
#include "walk.h"

/* State of one check's walk over its files. */
struct file_check {
	struct cp_run_ctx *ctx;
	const struct cp_check *check;
	struct cp_limits lim;       /* now, warn and crit of this check */
	struct cp_result *r;        /* the file being read */
	const char *path;           /* its name */
	int oom;                    /* memory ran out: stop */
};

/* Each certificate of the file: judge it; the first one also meets key=. */
static int
on_cert(void *arg, const struct cp_der_cert *d, size_t index, size_t total)
{
	struct file_check *fc = arg;
	struct cp_load_error kerr = { CP_FAIL_NONE, "" };
	unsigned want = fc->ctx->params->want;
	struct cp_cert *c;
	char *key;

	/* A due certificate's subject is news only inside a bundle. */
	if (total == 1)
		want &= ~(unsigned)CP_WANT_SUBJECT_IF_DUE;
	if ((c = cp_result_new_cert(fc->r)) == NULL ||
	    cp_cert_build(d, &fc->lim, want, c) == -1)
		return -1;
	c->position = CP_POS_FILE;
	if (index != 0 || fc->check->s.key == NULL)
		return 0;
	if ((key = cp_path_beside(fc->path, fc->check->s.key)) == NULL)
		return -1;
	if (cp_key_matches(d, key, &kerr) != 1)
		cp_result_fail(fc->r, kerr.fail, "%s", kerr.msg);
	free(key);
	return 0;
}

/*
 * Whether a file found by a search is named like a certificate: emptied
 * by a failed renewal, it is reported, where other files that hold no
 * certificate (keys, READMEs) are passed over.
 */
static int
cert_named(const char *path)
{
	static const char *const like[] = { "*.pem", "*.crt", "*.cer",
	    "*.der", "cert*", "fullchain*", "chain*" };
	const char *base = strrchr(path, '/');
	size_t i;

	base = base != NULL ? base + 1 : path;
	for (i = 0; i < sizeof(like) / sizeof(like[0]); i++)
		if (fnmatch(like[i], base, 0) == 0)
			return 1;
	return 0;
}

/* Reads one file into the current result; 1 if the result is to be
 * dropped (a file without certificates found by a directory search,
 * unless it is an empty one named like a certificate). */
static int
read_one(struct file_check *fc, int fd, const struct stat *st, int named)
{
	struct cp_load_error err = { CP_FAIL_NONE, "" };
	char *pwfile = NULL;
	size_t n;

	if (fc->check->s.password_file != NULL &&
	    (pwfile = cp_path_beside(fc->path,
	    fc->check->s.password_file)) == NULL)
		return -1;
	n = cp_certfile_read(fc->ctx->loader, fd, st, pwfile, on_cert, fc,
	    &err);
	free(pwfile);
	if (err.fail == CP_FAIL_INTERNAL)
		return -1;
	if (n == 0 && err.fail == CP_FAIL_NOCERT && !named &&
	    !(st->st_size == 0 && cert_named(fc->path)))
		return 1;
	if (err.fail != CP_FAIL_NONE && cp_result_fail(fc->r, err.fail, "%s",
	    err.msg) == -1)
		return -1;
	return 0;
}

static int
on_path(void *arg, const char *path, int fd, const struct stat *st,
    int named, const char *error)
{
	struct file_check *fc = arg;
	struct cp_report *rep = fc->ctx->rep;
	struct cp_result *r;
	int rc = 0;

	if ((r = cp_report_new(rep, fc->check, path)) == NULL)
		goto oom;
	fc->r = r;
	fc->path = path;
	r->one_of_many = !named || fc->check->target.kind == CP_TARGET_GLOB;
	if (error != NULL)
		rc = cp_result_fail(r, CP_FAIL_FILE, "%s", error);
	else
		rc = read_one(fc, fd, st, named);
	if (rc == -1)
		goto oom;
	if (rc == 1) {
		/* Not a certificate file: a search passes over it. */
		cp_report_drop_last(rep);
		return 0;
	}
	cp_report_settle(rep, r, CP_UNKNOWN);
	return 0;
oom:
	fc->oom = 1;
	return -1;
}

int
cp_check_files(const struct cp_check *check, struct cp_run_ctx *ctx)
{
	struct file_check fc;
	size_t before = ctx->rep->n;
	struct cp_result *r;

	memset(&fc, 0, sizeof(fc));
	fc.ctx = ctx;
	fc.check = check;
	fc.lim.now = ctx->params->now;
	fc.lim.warn = check->s.warn;
	fc.lim.crit = check->s.crit;
	if (cp_walk(&check->target, on_path, &fc) == -1 && fc.oom)
		return -1;
	if (ctx->rep->n > before)
		return 0;
	/* A search that found nothing says so: nothing is silently lost. */
	if ((r = cp_report_new(ctx->rep, check, check->target.path)) == NULL ||
	    cp_result_fail(r, CP_FAIL_NOCERT, "no certificate file found "
	    "here") == -1)
		return -1;
	cp_report_settle(ctx->rep, r, CP_UNKNOWN);
	return 0;
}

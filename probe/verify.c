/* Chain and name verification (see verify.h). */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "resolve.h"
#include "verify.h"

struct trust_entry {
	char *cafile;          /* NULL: the system's store */
	X509_STORE *store;     /* NULL when it could not be loaded */
	char error[CP_ERROR_MAX];
};

struct cp_trust {
	struct trust_entry *e;
	size_t n;
};

struct cp_trust *
cp_trust_new(void)
{
	return calloc(1, sizeof(struct cp_trust));
}

void
cp_trust_free(struct cp_trust *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		X509_STORE_free(t->e[i].store);
		free(t->e[i].cafile);
	}
	free(t->e);
	free(t);
}

/* Loads a store into `e`; a failure is kept as its error. */
/* The error to show: an errno where OpenSSL has one (it names every
 * one "system lib"), else its last reason. */
static const char *
load_error(void)
{
	unsigned long e, last = 0;

	while ((e = ERR_get_error()) != 0) {
		if (ERR_GET_LIB(e) == ERR_LIB_SYS)
			return strerror(ERR_GET_REASON(e));
		last = e;
	}
	return last ? ERR_reason_error_string(last) : "out of memory";
}

/* Whether a directory of certificates is hashed (c_rehash, Debian's
 * update-ca-certificates): it holds a name like "3513523f.0". */
static int
hashed(const char *dir)
{
	struct dirent *d;
	DIR *dp;
	int found = 0;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	while (!found && (d = readdir(dp)) != NULL)
		found = strlen(d->d_name) == 10 && d->d_name[8] == '.' &&
		    strspn(d->d_name, "0123456789abcdef") == 8 &&
		    isdigit((unsigned char)d->d_name[9]);
	closedir(dp);
	return found;
}

/*
 * The system's store, as OpenSSL finds it, but looked up lazily: from a
 * hashed directory, verification reads the one or two certificates it
 * needs by subject, where loading the whole bundle first cost every run
 * 20 ms (a plugin pays that on every check). SSL_CERT_FILE, named on
 * purpose, is loaded too; without either, OpenSSL's defaults.
 */
static int
system_store(X509_STORE *st)
{
	const char *dir = getenv(X509_get_default_cert_dir_env());
	const char *file = getenv(X509_get_default_cert_file_env());
	int named = file != NULL && *file != '\0';
	char first[4096];

	if (named && X509_STORE_load_file(st, file) != 1)
		return 0;
	if (dir == NULL || *dir == '\0')
		dir = X509_get_default_cert_dir();
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(dir, ":"), dir);
	if (hashed(first))
		return X509_STORE_load_path(st, dir);
	return named ? 1 : X509_STORE_set_default_paths(st);
}

static void
trust_load(struct trust_entry *e)
{
	ERR_clear_error();
	if ((e->store = X509_STORE_new()) != NULL && (e->cafile != NULL ?
	    X509_STORE_load_file(e->store, e->cafile) :
	    system_store(e->store)) == 1)
		return;
	snprintf(e->error, sizeof(e->error), "cannot load the trusted "
	    "certificates%s%s%s: %s", e->cafile ? " of cafile '" : "",
	    e->cafile ? e->cafile : "", e->cafile ? "'" : "", load_error());
	X509_STORE_free(e->store);
	e->store = NULL;
}

X509_STORE *
cp_trust_get(struct cp_trust *t, const char *cafile, char *err,
    size_t errlen)
{
	struct trust_entry *e;
	size_t i;

	for (i = 0; i < t->n; i++) {
		e = &t->e[i];
		if (cafile == NULL ? e->cafile == NULL :
		    e->cafile != NULL && strcmp(e->cafile, cafile) == 0)
			goto found;
	}
	if ((e = realloc(t->e, (t->n + 1) * sizeof(*e))) == NULL)
		goto oom;
	t->e = e;
	e = &t->e[t->n];
	memset(e, 0, sizeof(*e));
	if (cafile != NULL && (e->cafile = strdup(cafile)) == NULL)
		goto oom;
	t->n++;
found:
	/* A failure may pass (descriptors run out): try again next time. */
	if (e->store == NULL)
		trust_load(e);
	if (e->store == NULL)
		snprintf(err, errlen, "%s", e->error);
	return e->store;
oom:
	snprintf(err, errlen, "out of memory");
	return NULL;
}

/* Appends one reason to the verdict, once. */
static void
add_reason(struct cp_verdict *v, const char *reason)
{
	size_t len = strlen(v->error);

	v->ok = 0;
	if (strstr(v->error, reason) != NULL)
		return;
	snprintf(v->error + len, sizeof(v->error) - len, "%s%s",
	    len ? "; " : "", reason);
}

/*
 * Called for each problem verification finds: notes it and goes on, so
 * that one run says everything that is wrong. Dates are not its business:
 * the expiry rules judge them with the check's thresholds.
 */
static int
note_problem(int ok, X509_STORE_CTX *xs)
{
	struct cp_verdict *v = X509_STORE_CTX_get_app_data(xs);
	int e = X509_STORE_CTX_get_error(xs);
	char reason[160];

	if (ok || e == X509_V_ERR_CERT_HAS_EXPIRED ||
	    e == X509_V_ERR_CERT_NOT_YET_VALID ||
	    e == X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD ||
	    e == X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD)
		return 1;
	snprintf(reason, sizeof(reason), "%s (certificate %d)",
	    X509_verify_cert_error_string(e),
	    X509_STORE_CTX_get_error_depth(xs) + 1);
	add_reason(v, reason);
	return 1;
}

static int
name_matches(X509 *leaf, const char *name)
{
	if (cp_is_address(name))
		return X509_check_ip_asc(leaf, name, 0) == 1;
	/* As browsers and curl: "w*.example.com" matches nothing. */
	return X509_check_host(leaf, name, strlen(name),
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
}

int
cp_verify(X509_STORE *store, STACK_OF(X509) *served, const char *name,
    int64_t now, struct cp_verdict *v)
{
	X509_STORE_CTX *xs;
	X509 *leaf = sk_X509_value(served, 0);
	char reason[CP_ERROR_MAX];
	int rc = -1;

	memset(v, 0, sizeof(*v));
	v->ok = 1;
	if ((xs = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(xs, store, leaf, served))
		goto out;
	X509_STORE_CTX_set_default(xs, "ssl_server");
	X509_STORE_CTX_set_time(xs, 0, (time_t)now);
	X509_STORE_CTX_set_verify_cb(xs, note_problem);
	X509_STORE_CTX_set_app_data(xs, v);
	if (X509_verify_cert(xs) != 1 && v->ok)
		add_reason(v, X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(xs)));
	v->chain = X509_STORE_CTX_get1_chain(xs);
	if (name != NULL && !name_matches(leaf, name)) {
		snprintf(reason, sizeof(reason), "not valid for the name '%s'",
		    name);
		add_reason(v, reason);
	}
	rc = 0;
out:
	X509_STORE_CTX_free(xs);
	ERR_clear_error();
	return rc;
}

void
cp_verdict_clear(struct cp_verdict *v)
{
	sk_X509_pop_free(v->chain, X509_free);
	v->chain = NULL;
}

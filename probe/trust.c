/*
 * Trust stores (see trust.h): each loaded once a run. The system's is
 * looked up lazily in its hashed directory; where that misses, OpenSSL's
 * whole default store answers.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "readfile.h"
#include "trust.h"

struct trust_entry {
	char *cafile;          /* NULL: the system's store */
	X509_STORE *store;     /* NULL when it could not be loaded */
	int partial;           /* the system's, from its hashed directory
	                          alone: `whole` may know more */
	X509_STORE *whole;     /* OpenSSL's whole default store, once asked */
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
		X509_STORE_free(t->e[i].whole);
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
 * The system's store as OpenSSL finds it (SSL_CERT_FILE or its default
 * bundle, SSL_CERT_DIR or its default directory), but where the
 * directory is hashed, the bundle is left out: verification then reads
 * the one or two certificates it needs by subject, where loading the
 * whole bundle first cost every run 20 ms (a plugin pays that on every
 * check). A chain that does not reach a trusted certificate is tried
 * again against the whole store (cp_trust_whole). As OpenSSL does, a
 * bundle that cannot be read is passed over.
 */
static int
system_store(X509_STORE *st, int *partial)
{
	const char *dir = getenv(X509_get_default_cert_dir_env());
	const char *file = getenv(X509_get_default_cert_file_env());
	char first[4096];

	if (dir == NULL || *dir == '\0')
		dir = X509_get_default_cert_dir();
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(dir, ":"), dir);
	*partial = hashed(first);
	if (!*partial)
		return X509_STORE_set_default_paths(st);
	if (file != NULL && *file != '\0' && X509_STORE_load_file(st, file) != 1)
		ERR_clear_error();
	else if (file != NULL && *file != '\0')
		*partial = 0;
	return X509_STORE_load_path(st, dir);
}

/*
 * cafile=: read the way every other file is (never a FIFO or a device,
 * within the size bound), then given to OpenSSL from memory, which
 * X509_STORE_load_file would open with fopen and block on a FIFO.
 * Its certificates and CRLs in PEM, as OpenSSL's own loader takes.
 */
static int
load_cafile(X509_STORE *st, const char *file, char *why, size_t len)
{
	struct cp_load_error err = { CP_FAIL_NONE, "" };
	STACK_OF(X509_INFO) *infos = NULL;
	struct cp_buf b;
	BIO *bio = NULL;
	int i, n = 0, rc = 0;

	cp_buf_init(&b, 4096);
	if (cp_read_file(file, &b, CP_FILE_MAX, &err) == -1) {
		snprintf(why, len, "%s", err.msg);
		goto out;
	}
	if (b.len == 0) {
		snprintf(why, len, "no certificate or CRL in it (empty)");
		goto out;
	}
	if ((bio = BIO_new_mem_buf(b.data, (int)b.len)) == NULL ||
	    (infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL)) == NULL)
		goto fail;
	for (i = 0; i < sk_X509_INFO_num(infos); i++) {
		X509_INFO *xi = sk_X509_INFO_value(infos, i);

		if ((xi->x509 != NULL && !X509_STORE_add_cert(st, xi->x509)) ||
		    (xi->crl != NULL && !X509_STORE_add_crl(st, xi->crl)))
			goto fail;
		n += xi->x509 != NULL || xi->crl != NULL;
	}
	if (n == 0) {
		snprintf(why, len, "no certificate or CRL in it");
		goto out;
	}
	rc = 1;
	goto out;
fail:
	snprintf(why, len, "%s", load_error());
out:
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	BIO_free(bio);
	cp_buf_free(&b);
	return rc;
}

static void
trust_load(struct trust_entry *e)
{
	char why[CP_ERROR_MAX] = "";

	ERR_clear_error();
	if ((e->store = X509_STORE_new()) != NULL && (e->cafile != NULL ?
	    load_cafile(e->store, e->cafile, why, sizeof(why)) :
	    system_store(e->store, &e->partial)) == 1)
		return;
	snprintf(e->error, sizeof(e->error), "cannot load the trusted "
	    "certificates%s%s%s: %s", e->cafile ? " of cafile '" : "",
	    e->cafile ? e->cafile : "", e->cafile ? "'" : "",
	    *why ? why : load_error());
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

X509_STORE *
cp_trust_whole(struct cp_trust *t, const char *cafile)
{
	size_t i;

	if (cafile != NULL)
		return NULL;
	for (i = 0; i < t->n; i++) {
		struct trust_entry *e = &t->e[i];

		if (e->cafile != NULL || !e->partial)
			continue;
		if (e->whole == NULL && (e->whole = X509_STORE_new()) != NULL &&
		    X509_STORE_set_default_paths(e->whole) != 1) {
			X509_STORE_free(e->whole);
			e->whole = NULL;
		}
		ERR_clear_error();
		return e->whole;
	}
	return NULL;
}

/* The served chain as certificates of a result (see chain.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "bounds.h"
#include "cert.h"
#include "certfile.h"
#include "chain.h"
#include "options.h"
#include "result.h"

static int
in_chain(STACK_OF(X509) *chain, X509 *x)
{
	int i;

	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++)
		if (X509_cmp(sk_X509_value(chain, i), x) == 0)
			return i;
	return -1;
}

/* Whether a served certificate counts toward the result's state. */
static int
served_counts(X509 *x, int index, STACK_OF(X509) *verified, int chain)
{
	int at;

	if (index == 0 || chain == CP_CHAIN_ALL)
		return 1;
	if (chain == CP_CHAIN_LEAF)
		return 0;
	if (chain == CP_CHAIN_VERIFIED && verified != NULL) {
		at = in_chain(verified, x);
		return at >= 0 && at < sk_X509_num(verified) - 1;
	}
	/* served, or verified without a verified chain */
	return !X509_self_signed(x, 0);
}

static int
add_cert(struct cp_result *r, X509 *x, enum cp_position pos, int counted,
    const struct cp_limits *lim, unsigned want)
{
	unsigned char *der = NULL;
	struct cp_der_cert d;
	struct cp_cert *c;
	int len, rc = -1;

	if ((len = i2d_X509(x, &der)) <= 0)
		return -1;
	if (cp_der_scan(der, (size_t)len, &d) == -1) {
		rc = cp_result_fail(r, CP_FAIL_BADCERT, "certificate %zu "
		    "cannot be decoded", r->ncerts + 1);
		goto out;
	}
	if ((c = cp_result_new_cert(r)) == NULL ||
	    cp_cert_build(&d, lim, want, c) == -1)
		goto out;
	c->position = pos;
	c->counted = counted;
	rc = 0;
out:
	OPENSSL_free(der);
	return rc;
}

int
cp_chain_fill(struct cp_result *r, STACK_OF(X509) *served,
    STACK_OF(X509) *verified, int chain, const struct cp_limits *lim,
    unsigned want)
{
	int i, n = sk_X509_num(served), last = sk_X509_num(verified) - 1;
	enum cp_position pos;
	X509 *x;

	if (n + (verified ? last + 1 : 0) <= 1)
		want &= ~(unsigned)CP_WANT_SUBJECT_IF_DUE;
	for (i = 0; i < n; i++) {
		x = sk_X509_value(served, i);
		pos = i == 0 ? CP_POS_LEAF : X509_self_signed(x, 0) ?
		    CP_POS_ROOT : CP_POS_INTERMEDIATE;
		if (add_cert(r, x, pos, served_counts(x, i, verified, chain),
		    lim, want) == -1)
			return -1;
	}
	for (i = 1; verified != NULL && i <= last; i++) {
		x = sk_X509_value(verified, i);
		if (in_chain(served, x) >= 0 ||
		    (i == last && chain != CP_CHAIN_ALL))
			continue;
		/* Not served: it counts where the verified chain does. */
		if (add_cert(r, x, i == last ? CP_POS_ROOT :
		    CP_POS_INTERMEDIATE, chain == CP_CHAIN_VERIFIED ||
		    chain == CP_CHAIN_ALL, lim, want) == -1)
			return -1;
	}
	return 0;
}

/* Keeps a copy of the file's first certificate. */
static int
first_cert(void *arg, const struct cp_der_cert *d, size_t index,
    size_t total)
{
	struct cp_expected *x = arg;

	(void)total;
	if (index != 0)
		return 0;
	if ((x->der = malloc((size_t)d->whole.len)) == NULL)
		return -1;
	memcpy(x->der, d->whole.p, (size_t)d->whole.len);
	x->len = (size_t)d->whole.len;
	return 0;
}

int
cp_chain_expected(const char *path, struct cp_expected *x)
{
	struct cp_load_error lerr = { CP_FAIL_NONE, "" };
	struct cp_loader *loader = NULL;
	struct stat st;
	int fd = -1, rc = -1;

	memset(x, 0, sizeof(*x));
	if ((fd = cp_open_file(AT_FDCWD, path, &st, &lerr)) == -1) {
		snprintf(x->error, sizeof(x->error), "expect=%s: %s", path,
		    lerr.msg);
		goto out;
	}
	if ((loader = cp_loader_new(CP_FILE_MAX)) == NULL) {
		snprintf(x->error, sizeof(x->error), "out of memory");
		goto out;
	}
	if (cp_certfile_read(loader, fd, &st, NULL, first_cert, x,
	    &lerr) == 0 || x->der == NULL) {
		snprintf(x->error, sizeof(x->error), "expect=%s: %s", path,
		    lerr.msg[0] ? lerr.msg : "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	cp_loader_free(loader);
	return rc;
}

int
cp_chain_leaf_is(X509 *leaf, const struct cp_expected *x)
{
	unsigned char *der = NULL;
	int len, same;

	if ((len = i2d_X509(leaf, &der)) <= 0)
		return -1;
	same = (size_t)len == x->len && memcmp(der, x->der, x->len) == 0;
	OPENSSL_free(der);
	return same;
}

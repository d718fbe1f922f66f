/* Chain and name verification (see verify.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "resolve.h"
#include "verify.h"

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
	if (e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
	    e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	    e == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE ||
	    e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
	    e == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN)
		v->untrusted = 1;
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

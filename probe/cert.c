/* Certificate records: the dates always, other fields on demand. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cert.h"

const char *
cp_position_name(enum cp_position p)
{
	switch (p) {
	case CP_POS_FILE:
		return "file";
	case CP_POS_LEAF:
		return "leaf";
	case CP_POS_INTERMEDIATE:
		return "intermediate";
	case CP_POS_ROOT:
		return "root";
	}
	return "file";
}

void
cp_cert_clear(struct cp_cert *c)
{
	free(c->subject);
	free(c->issuer);
	free(c->serial);
	free(c->bad_time);
	c->subject = c->issuer = c->serial = c->bad_time = NULL;
}

/* Copies `len` bytes as a NUL-terminated string. */
static char *
dupmem(const void *p, size_t len)
{
	char *s;

	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

/*
 * A Name as one line, "CN = example.com, O = Example", in UTF-8 and
 * otherwise raw: control characters and bad bytes are the outputs' to
 * escape, each in its own way. A Name that does not decode is shown as
 * such: one odd certificate must not end the run. -1 when out of memory.
 */
static int
name_text(const struct cp_der_span *span, char **out, size_t *outlen)
{
	const unsigned long flags = (XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB &
	    ~ASN1_STRFLGS_ESC_CTRL) | ASN1_STRFLGS_UTF8_CONVERT;
	static const char undecodable[] = "(name cannot be decoded)";
	const unsigned char *p = span->p;
	X509_NAME *name = NULL;
	BIO *bio = NULL;
	char *data;
	long n;
	int rc = -1;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	if ((name = d2i_X509_NAME(NULL, &p, span->len)) == NULL ||
	    X509_NAME_print_ex(bio, name, 0, flags) < 0) {
		BIO_reset(bio);
		BIO_write(bio, undecodable, (int)sizeof(undecodable) - 1);
	}
	n = BIO_get_mem_data(bio, &data);
	*outlen = n > 0 ? (size_t)n : 0;
	if ((*out = dupmem(data, *outlen)) != NULL)
		rc = 0;
out:
	BIO_free(bio);
	X509_NAME_free(name);
	return rc;
}

/* The serial in hex, as `openssl x509 -serial` prints it. */
static char *
serial_text(const struct cp_der_span *span)
{
	const unsigned char *p = span->p;
	ASN1_INTEGER *i = NULL;
	BIGNUM *bn = NULL;
	char *hex = NULL, *s = NULL;

	if ((i = d2i_ASN1_INTEGER(NULL, &p, span->len)) == NULL ||
	    (bn = ASN1_INTEGER_to_BN(i, NULL)) == NULL ||
	    (hex = BN_bn2hex(bn)) == NULL)
		goto out;
	s = strdup(hex);
out:
	OPENSSL_free(hex);
	BN_free(bn);
	ASN1_INTEGER_free(i);
	return s;
}

static int
fill_wanted(const struct cp_der_cert *d, unsigned want, struct cp_cert *c)
{
	unsigned int mdlen = 0;

	if ((want & CP_WANT_SUBJECT) &&
	    name_text(&d->subject, &c->subject, &c->subject_len) == -1)
		return -1;
	if ((want & CP_WANT_ISSUER) &&
	    name_text(&d->issuer, &c->issuer, &c->issuer_len) == -1)
		return -1;
	if ((want & CP_WANT_SERIAL) &&
	    (c->serial = serial_text(&d->serial)) == NULL &&
	    (c->serial = strdup("?")) == NULL)
		return -1;
	if (want & CP_WANT_SHA256) {
		if (EVP_Digest(d->whole.p, (size_t)d->whole.len, c->sha256,
		    &mdlen, EVP_sha256(), NULL) == 0 || mdlen != 32)
			return -1;
		c->has_sha256 = 1;
	}
	return 0;
}

int
cp_cert_build(const struct cp_der_cert *d, const struct cp_limits *lim,
    unsigned want, struct cp_cert *c)
{
	memset(c, 0, sizeof(*c));
	c->counted = 1;
	cp_expiry_eval(&d->not_before, &d->not_after, lim, &c->v);
	if (c->v.dates == CP_DATES_UNREADABLE) {
		/* Name the unreadable time: the one OpenSSL refused. */
		const ASN1_TIME *t = c->v.bad == CP_BAD_NOT_BEFORE ?
		    &d->not_before : &d->not_after;

		if ((c->bad_time = dupmem(t->data, (size_t)t->length)) == NULL)
			return -1;
	}
	if ((want & CP_WANT_SUBJECT_IF_DUE) && cp_dates_due(c->v.dates))
		want |= CP_WANT_SUBJECT;
	return fill_wanted(d, want, c);
}

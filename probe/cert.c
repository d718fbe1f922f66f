/* Certificate records: the dates always, other fields on demand. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cert.h"
#include "timeconv.h"

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
 * escape, so that each output escapes in its own way.
 */
static char *
name_text(const struct cp_der_span *span)
{
	const unsigned long flags = (XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB &
	    ~ASN1_STRFLGS_ESC_CTRL) | ASN1_STRFLGS_UTF8_CONVERT;
	const unsigned char *p = span->p;
	X509_NAME *name = NULL;
	BIO *bio = NULL;
	char *data, *s = NULL;
	long n;

	if ((name = d2i_X509_NAME(NULL, &p, span->len)) == NULL ||
	    (bio = BIO_new(BIO_s_mem())) == NULL ||
	    X509_NAME_print_ex(bio, name, 0, flags) < 0)
		goto out;
	n = BIO_get_mem_data(bio, &data);
	s = dupmem(data, n > 0 ? (size_t)n : 0);
out:
	BIO_free(bio);
	X509_NAME_free(name);
	return s;
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
	    (c->subject = name_text(&d->subject)) == NULL)
		return -1;
	if ((want & CP_WANT_ISSUER) &&
	    (c->issuer = name_text(&d->issuer)) == NULL)
		return -1;
	if ((want & CP_WANT_SERIAL) &&
	    (c->serial = serial_text(&d->serial)) == NULL)
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
		/* Name the unreadable time: whichever OpenSSL refuses. */
		int64_t ignored;
		const ASN1_TIME *t = cp_time_from_asn1(&d->not_after,
		    &ignored) == -1 ? &d->not_after : &d->not_before;

		if ((c->bad_time = dupmem(t->data, (size_t)t->length)) == NULL)
			return -1;
	}
	if ((want & CP_WANT_SUBJECT_IF_DUE) && cp_dates_due(c->v.dates))
		want |= CP_WANT_SUBJECT;
	return fill_wanted(d, want, c);
}

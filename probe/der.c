/* A walk over a certificate's TLVs with ASN1_get_object. */
#include <limits.h>
#include <string.h>

#include "der.h"

/* One TLV read from [*pp, end): its span, tag, class and content. */
struct tlv {
	struct cp_der_span span;
	const unsigned char *content;
	long content_len;
	int tag;
	int cls;
	int constructed;
};

/*
 * Reads the next TLV and moves *pp past it. Indefinite lengths (BER) and
 * lengths past `end` are refused: ASN1_get_object flags both.
 */
static int
next(const unsigned char **pp, const unsigned char *end, struct tlv *t)
{
	const unsigned char *start = *pp, *q = *pp;
	long avail = end - start;
	int ret;

	if (avail <= 0)
		return -1;
	ret = ASN1_get_object(&q, &t->content_len, &t->tag, &t->cls, avail);
	if ((ret & 0x80) || (ret & 0x01))
		return -1;
	if (t->content_len > end - q)
		return -1;
	t->constructed = (ret & V_ASN1_CONSTRUCTED) != 0;
	t->content = q;
	t->span.p = start;
	t->span.len = (q - start) + t->content_len;
	*pp = q + t->content_len;
	return 0;
}

/* Reads the next TLV and insists on a universal tag. */
static int
expect(const unsigned char **pp, const unsigned char *end, int tag,
    struct tlv *t)
{
	if (next(pp, end, t) == -1)
		return -1;
	return (t->cls == V_ASN1_UNIVERSAL && t->tag == tag) ? 0 : -1;
}

static int
read_time(const unsigned char **pp, const unsigned char *end, ASN1_TIME *out)
{
	struct tlv t;

	if (next(pp, end, &t) == -1 || t.cls != V_ASN1_UNIVERSAL ||
	    t.constructed ||
	    (t.tag != V_ASN1_UTCTIME && t.tag != V_ASN1_GENERALIZEDTIME))
		return -1;
	out->type = t.tag;
	out->length = (int)t.content_len;
	out->data = (unsigned char *)t.content;
	out->flags = 0;
	return 0;
}

/* Inside the TBSCertificate: version, serial, algorithm, issuer, validity,
 * subject, public key; extensions and unique IDs are left alone. */
static int
scan_tbs(const unsigned char *p, const unsigned char *end,
    struct cp_der_cert *c)
{
	const unsigned char *v, *save = p;
	struct tlv t;

	if (next(&p, end, &t) == -1)
		return -1;
	if (t.cls == V_ASN1_CONTEXT_SPECIFIC && t.tag == 0)
		save = p;          /* explicit version: skip it */
	p = save;
	if (expect(&p, end, V_ASN1_INTEGER, &t) == -1)
		return -1;
	c->serial = t.span;
	if (expect(&p, end, V_ASN1_SEQUENCE, &t) == -1 ||   /* signature */
	    expect(&p, end, V_ASN1_SEQUENCE, &t) == -1)     /* issuer */
		return -1;
	c->issuer = t.span;
	if (expect(&p, end, V_ASN1_SEQUENCE, &t) == -1)     /* validity */
		return -1;
	v = t.content;
	if (read_time(&v, t.content + t.content_len, &c->not_before) == -1 ||
	    read_time(&v, t.content + t.content_len, &c->not_after) == -1 ||
	    v != t.content + t.content_len)
		return -1;
	if (expect(&p, end, V_ASN1_SEQUENCE, &t) == -1)     /* subject */
		return -1;
	c->subject = t.span;
	if (expect(&p, end, V_ASN1_SEQUENCE, &t) == -1)     /* public key */
		return -1;
	c->spki = t.span;
	return 0;
}

int
cp_der_scan(const unsigned char *p, size_t len, struct cp_der_cert *c)
{
	const unsigned char *end, *inner, *inner_end;
	struct tlv cert, tbs, t;

	memset(c, 0, sizeof(*c));
	if (len > LONG_MAX)
		return -1;
	end = p + len;
	if (expect(&p, end, V_ASN1_SEQUENCE, &cert) == -1)
		return -1;
	inner = cert.content;
	inner_end = cert.content + cert.content_len;
	if (expect(&inner, inner_end, V_ASN1_SEQUENCE, &tbs) == -1 ||
	    expect(&inner, inner_end, V_ASN1_SEQUENCE, &t) == -1 ||
	    expect(&inner, inner_end, V_ASN1_BIT_STRING, &t) == -1 ||
	    inner != inner_end)
		return -1;
	if (scan_tbs(tbs.content, tbs.content + tbs.content_len, c) == -1)
		return -1;
	c->whole = cert.span;
	return 0;
}

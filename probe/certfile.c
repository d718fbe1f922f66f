/* Certificate files: PEM, DER, PKCS#7 and PKCS#12, with a size ceiling. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "buf.h"
#include "certfile.h"
#include "pkcs12.h"
#include "readfile.h"

struct cp_loader {
	struct cp_buf file;        /* the bytes of the current file */
	struct cp_buf der;         /* one decoded PEM block or re-encoded cert */
	unsigned char b64[256];    /* base64 character values (b64_value) */
	OSSL_PROVIDER *legacy;     /* for old PKCS#12 ciphers, loaded on need */
	size_t file_max;           /* refuse files larger than this */
};

/* What a PEM block's label makes it. */
enum block_kind { BLOCK_CERT, BLOCK_PKCS7, BLOCK_KEY, BLOCK_OTHER };

/* State of one file's reading, passed down the helpers. */
struct reading {
	struct cp_loader *ld;
	const char *password_file;
	cp_cert_cb cb;
	void *arg;
	struct cp_load_error *err;
	size_t count;              /* certificates handed over */
	size_t total;              /* certificates the file holds; 0: unknown */
	int saw_key;               /* a private key block was present */
	int secret;                /* the bytes held key material */
	char other[64];            /* label of the first other block */
};

/*
 * The value of each base64 character; 64 for '=', 65 for white space,
 * 66 for anything else. A table, because EVP_DecodeUpdate costs about
 * twenty instructions a character and ten thousand files add up.
 */
static unsigned char
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (unsigned char)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (unsigned char)(c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (unsigned char)(c - '0' + 52);
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	if (c == '=')
		return 64;
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return 65;
	return 66;
}

struct cp_loader *
cp_loader_new(size_t file_max)
{
	struct cp_loader *ld;
	int i;

	if ((ld = calloc(1, sizeof(*ld))) == NULL)
		return NULL;
	cp_buf_init(&ld->file, file_max + 1);   /* +1: to see a file too big */
	cp_buf_init(&ld->der, file_max);
	ld->file_max = file_max;
	for (i = 0; i < 256; i++)
		ld->b64[i] = b64_value((unsigned char)i);
	return ld;
}

void
cp_loader_free(struct cp_loader *ld)
{
	if (ld == NULL)
		return;
	cp_buf_free(&ld->file);
	cp_buf_free(&ld->der);
	if (ld->legacy != NULL)
		OSSL_PROVIDER_unload(ld->legacy);
	free(ld);
}

/* Hands one DER certificate to the callback: 0, 1 if the bytes are not
 * a certificate (the caller says where), -1 to stop. */
static int
emit_der(struct reading *r, const unsigned char *der, size_t len)
{
	struct cp_der_cert c;

	if (cp_der_scan(der, len, &c) == -1)
		return 1;
	if (r->cb(r->arg, &c, r->count, r->total) == -1) {
		cp_load_fail(r->err, CP_FAIL_INTERNAL, "out of memory");
		return -1;
	}
	r->count++;
	return 0;
}

/* Hands over certificates that OpenSSL already decoded (PKCS#7, #12). */
static int
emit_stack(struct reading *r, STACK_OF(X509) *certs, const char *what)
{
	unsigned char *p;
	int i, n, rc;

	r->total = (size_t)sk_X509_num(certs);
	for (i = 0; i < sk_X509_num(certs); i++) {
		if ((n = i2d_X509(sk_X509_value(certs, i), NULL)) <= 0 ||
		    cp_buf_reserve(&r->ld->der, (size_t)n) == -1) {
			cp_load_fail(r->err, CP_FAIL_INTERNAL, "cannot re-encode a "
			    "certificate of the %s", what);
			return -1;
		}
		cp_buf_reset(&r->ld->der);
		p = (unsigned char *)r->ld->der.data;
		i2d_X509(sk_X509_value(certs, i), &p);
		if ((rc = emit_der(r, (unsigned char *)r->ld->der.data,
		    (size_t)n)) == -1)
			return -1;
		if (rc == 1)
			cp_load_fail(r->err, CP_FAIL_BADCERT, "certificate %d of "
			    "the %s is not valid", i + 1, what);
	}
	return 0;
}

/* Certificates of a PKCS#7 (or CMS) SignedData in DER: 0 when read,
 * 1 when the bytes are not PKCS#7, -1 to stop. */
static int
read_pkcs7(struct reading *r, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	STACK_OF(X509) *certs = NULL;
	PKCS7 *p7;
	int rc = -1;

	if ((p7 = d2i_PKCS7(NULL, &p, (long)len)) == NULL)
		return 1;
	if (PKCS7_type_is_signed(p7) && p7->d.sign != NULL)
		certs = p7->d.sign->cert;
	else if (PKCS7_type_is_signedAndEnveloped(p7) &&
	    p7->d.signed_and_enveloped != NULL)
		certs = p7->d.signed_and_enveloped->cert;
	if (sk_X509_num(certs) <= 0)
		cp_load_fail(r->err, CP_FAIL_NOCERT, "PKCS#7 file holds no certificate");
	else if (emit_stack(r, certs, "PKCS#7 bundle") == -1)
		goto out;
	rc = 0;
out:
	PKCS7_free(p7);
	return rc;
}

/* Certificates of a PKCS#12 file (pkcs12.c): 0 when read (or failed
 * with a reason), 1 when the bytes are not PKCS#12, -1 to stop. */
static int
read_pkcs12(struct reading *r, const unsigned char *der, size_t len)
{
	STACK_OF(X509) *certs = NULL;
	int rc;

	rc = cp_pkcs12_read(der, len, r->password_file, &r->ld->legacy,
	    &certs, r->err);
	if (rc != 1)
		r->secret = 1;
	if (rc == 0 && certs != NULL && emit_stack(r, certs,
	    "PKCS#12 file") == -1)
		rc = -1;
	sk_X509_pop_free(certs, X509_free);
	return rc;
}

static enum block_kind
classify(const char *label, size_t n)
{
	static const char *const certs[] = { "CERTIFICATE", "X509 CERTIFICATE",
	    "TRUSTED CERTIFICATE", NULL };
	static const char *const pkcs7[] = { "PKCS7", "PKCS #7 SIGNED DATA",
	    "CMS", NULL };
	size_t i;

	for (i = 0; certs[i] != NULL; i++)
		if (strlen(certs[i]) == n && memcmp(label, certs[i], n) == 0)
			return BLOCK_CERT;
	for (i = 0; pkcs7[i] != NULL; i++)
		if (strlen(pkcs7[i]) == n && memcmp(label, pkcs7[i], n) == 0)
			return BLOCK_PKCS7;
	if (n >= 11 && memcmp(label + n - 11, "PRIVATE KEY", 11) == 0)
		return BLOCK_KEY;
	return BLOCK_OTHER;
}

/* Base64 body of a PEM block into ld->der; -1 if it is not base64. */
static int
decode_body(struct cp_loader *ld, const char *body, size_t len)
{
	unsigned char *out, v;
	unsigned long acc = 0;
	size_t i, n = 0, pad = 0, quads = 0;

	cp_buf_reset(&ld->der);
	if (cp_buf_reserve(&ld->der, len / 4 * 3 + 3) == -1)
		return -1;
	out = (unsigned char *)ld->der.data;
	for (i = 0; i < len; i++) {
		v = ld->b64[(unsigned char)body[i]];
		if (v < 64 && pad == 0) {
			acc = (acc << 6) | v;
			if (++n == 4) {
				out[ld->der.len++] = (unsigned char)(acc >> 16);
				out[ld->der.len++] = (unsigned char)(acc >> 8);
				out[ld->der.len++] = (unsigned char)acc;
				n = 0;
				acc = 0;
				quads++;
			}
		} else if (v == 64 && ++pad <= 2) {
			/* '=' pads the last quad only. */
			acc <<= 6;
			if (++n == 4) {
				out[ld->der.len++] = (unsigned char)(acc >> 16);
				out[ld->der.len++] = (unsigned char)(acc >> 8);
				out[ld->der.len++] = (unsigned char)acc;
				n = 0;
				quads++;
			}
		} else if (v != 65)
			return -1;
	}
	if (n != 0 || quads == 0)
		return -1;
	ld->der.len -= pad;
	return 0;
}

/* Offset of the next "-----BEGIN " that starts a line, at or after
 * `off`; `len` if there is none. */
static size_t
next_begin(const char *buf, size_t len, size_t off)
{
	const char *hit;

	while (off < len &&
	    (hit = memmem(buf + off, len - off, "-----BEGIN ", 11)) != NULL) {
		off = (size_t)(hit - buf);
		if (off == 0 || buf[off - 1] == '\n')
			return off;
		off += 11;
	}
	return len;
}

/* "certificate at line N" for a block at `begin`: counted only when a
 * message needs it, so that a file of many blocks stays linear. */
static void
block_where(const char *buf, size_t begin, enum block_kind kind, char *out,
    size_t outlen)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < begin; i++)
		line += buf[i] == '\n';
	snprintf(out, outlen, "%s at line %u", kind == BLOCK_CERT ?
	    "certificate" : "PEM block", line);
}

/* Records a problem of the block at `begin`, naming where it is. */
static void
block_fail(struct reading *r, const char *buf, size_t begin,
    enum block_kind kind, const char *what)
{
	char where[64];

	if (r->err->fail != CP_FAIL_NONE)
		return;
	block_where(buf, begin, kind, where, sizeof(where));
	cp_load_fail(r->err, CP_FAIL_BADCERT, "%s %s", where, what);
}

/* Decodes a certificate or PKCS#7 block's body and hands it over. */
static int
decode_block(struct reading *r, const char *buf, size_t begin,
    enum block_kind kind, const char *body, size_t len)
{
	unsigned char *der;
	int rc;

	if (decode_body(r->ld, body, len) == -1) {
		block_fail(r, buf, begin, kind, "is not valid base64");
		return 0;
	}
	der = (unsigned char *)r->ld->der.data;
	if (kind == BLOCK_PKCS7) {
		if ((rc = read_pkcs7(r, der, r->ld->der.len)) == 1)
			block_fail(r, buf, begin, kind, "is not valid PKCS#7");
		return rc == -1 ? -1 : 0;
	}
	if ((rc = emit_der(r, der, r->ld->der.len)) == 1)
		block_fail(r, buf, begin, kind, "is not a valid certificate");
	return rc == -1 ? -1 : 0;
}

/*
 * One PEM block whose BEGIN line starts at `begin`. Its END line is
 * looked for only up to the next BEGIN, so a truncated block neither
 * swallows the next one nor stops the file. Returns where to go on, or
 * `len` + 1 to stop (memory ran out).
 */
static size_t
read_block(struct reading *r, const char *buf, size_t len, size_t begin)
{
	const char *label = buf + begin + 11, *eol, *end, *dashes;
	size_t n, stop, rest = len - (begin + 11);
	char endmark[96];
	enum block_kind kind;

	eol = memchr(label, '\n', rest);
	dashes = memmem(label, eol ? (size_t)(eol - label) : rest, "-----", 5);
	if (eol == NULL || dashes == NULL || (n = (size_t)(dashes - label)) >= 64)
		return next_begin(buf, len, begin + 11);
	kind = classify(label, n);
	snprintf(endmark, sizeof(endmark), "-----END %.*s-----", (int)n, label);
	stop = next_begin(buf, len, (size_t)(eol - buf));
	end = memmem(eol, (size_t)(buf + stop - eol), endmark, strlen(endmark));
	if (kind == BLOCK_KEY)
		r->saw_key = r->secret = 1;
	else if (kind == BLOCK_OTHER && r->other[0] == '\0')
		snprintf(r->other, sizeof(r->other), "%.*s", (int)n, label);
	if (end == NULL) {
		if (kind == BLOCK_CERT || kind == BLOCK_PKCS7) {
			char what[128];

			snprintf(what, sizeof(what), "is truncated: no '%s' line",
			    endmark);
			block_fail(r, buf, begin, kind, what);
		}
		return stop;
	}
	if ((kind == BLOCK_CERT || kind == BLOCK_PKCS7) && decode_block(r, buf,
	    begin, kind, eol + 1, (size_t)(end - eol - 1)) == -1)
		return len + 1;
	return next_begin(buf, len, (size_t)(end - buf) + strlen(endmark));
}

/* How many certificates a PEM file holds, 0 if a PKCS#7 block makes it
 * unknowable before decoding. Cheap: the labels alone. */
static size_t
count_pem(const char *buf, size_t len)
{
	const char *label, *end;
	size_t off, n = 0;

	for (off = next_begin(buf, len, 0); off < len;
	    off = next_begin(buf, len, off + 11)) {
		label = buf + off + 11;
		if ((end = memmem(label, len - off - 11, "-----", 5)) == NULL)
			break;
		switch (classify(label, (size_t)(end - label))) {
		case BLOCK_CERT:
			n++;
			break;
		case BLOCK_PKCS7:
			return 0;
		default:
			break;
		}
	}
	return n;
}

/* Every block of a PEM file, in order. */
static void
read_pem(struct reading *r, const char *buf, size_t len)
{
	size_t off;

	r->total = count_pem(buf, len);
	for (off = next_begin(buf, len, 0); off < len;
	    off = read_block(r, buf, len, off))
		;
	if (r->count > 0 || r->err->fail != CP_FAIL_NONE)
		return;
	if (r->saw_key)
		cp_load_fail(r->err, CP_FAIL_NOCERT, "holds a private key but no "
		    "certificate");
	else if (r->other[0] != '\0')
		cp_load_fail(r->err, CP_FAIL_NOCERT, "holds a PEM '%s' block but "
		    "no certificate", r->other);
	else
		cp_load_fail(r->err, CP_FAIL_NOCERT, "no certificate found");
}

/* Whether the bytes begin as DER (a SEQUENCE) that the file ends before:
 * a certificate, PKCS#7 or PKCS#12 cut short by a failed copy or
 * renewal, which is reported as broken wherever it is found. */
static int
cut_der(const unsigned char *buf, size_t len, struct cp_load_error *err)
{
	const unsigned char *p = buf;
	long body;
	int tag, cls;

	if (len < 2 || buf[0] != 0x30 || len > LONG_MAX)
		return 0;
	/* A header read whole, whose length runs past the end: OpenSSL
	 * flags that as an error (0x80) on a constructed object. */
	if (ASN1_get_object(&p, &body, &tag, &cls, (long)len) !=
	    (0x80 | V_ASN1_CONSTRUCTED) || tag != V_ASN1_SEQUENCE) {
		ERR_clear_error();
		return 0;
	}
	ERR_clear_error();
	cp_load_fail(err, CP_FAIL_BADCERT, "truncated: its DER encoding "
	    "needs %ld bytes, the file holds %zu", body + (long)(p - buf), len);
	return 1;
}

/* A binary file: one DER certificate (trailing bytes allowed, as openssl
 * allows them), PKCS#7 or PKCS#12. */
static void
read_binary(struct reading *r, const unsigned char *buf, size_t len)
{
	int rc;

	r->total = 1;
	if ((rc = emit_der(r, buf, len)) != 1)
		return;
	r->total = 0;
	if ((rc = read_pkcs7(r, buf, len)) != 1)
		return;
	if ((rc = read_pkcs12(r, buf, len)) != 1)
		return;
	if (cut_der(buf, len, r->err))
		return;
	cp_load_fail(r->err, CP_FAIL_NOCERT, "no certificate found (not PEM, "
	    "DER, PKCS#7 or PKCS#12)");
}

size_t
cp_certfile_read(struct cp_loader *ld, int fd, const struct stat *st,
    const char *password_file, cp_cert_cb cb, void *arg,
    struct cp_load_error *err)
{
	struct reading r;
	const char *buf;
	size_t len;

	memset(&r, 0, sizeof(r));
	r.ld = ld;
	r.password_file = password_file;
	r.cb = cb;
	r.arg = arg;
	r.err = err;
	err->fail = CP_FAIL_NONE;
	err->msg[0] = '\0';
	if (cp_read_fd(fd, st, &ld->file, ld->file_max, err) == -1)
		return 0;
	buf = ld->file.data;
	len = ld->file.len;
	if (len == 0)
		cp_load_fail(err, CP_FAIL_NOCERT, "holds no certificate (empty)");
	else if (next_begin(buf, len, 0) < len)
		read_pem(&r, buf, len);
	/* Binary, or binary that happens to hold a BEGIN line: DER always
	 * has NUL bytes (every BIT STRING starts with one), PEM never. */
	if (len > 0 && r.count == 0 && (err->fail == CP_FAIL_NONE ||
	    err->fail == CP_FAIL_NOCERT) && (next_begin(buf, len, 0) == len ||
	    memchr(buf, '\0', len) != NULL)) {
		err->fail = CP_FAIL_NONE;
		read_binary(&r, (const unsigned char *)buf, len);
	}
	/* Private keys and PKCS#12 secrets do not linger in our memory. */
	if (r.secret)
		OPENSSL_cleanse(ld->file.data, ld->file.len);
	ERR_clear_error();
	return r.count;
}

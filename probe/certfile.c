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
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "buf.h"
#include "certfile.h"
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

static unsigned char b64_value(unsigned char);

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

/* 1-based line number of offset `off`, for messages. */
static unsigned
line_of(const char *buf, size_t off)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		line += buf[i] == '\n';
	return line;
}

/* Hands one DER certificate (from `der`, `len` bytes) to the callback. */
static int
emit_der(struct reading *r, const unsigned char *der, size_t len,
    const char *where)
{
	struct cp_der_cert c;

	if (cp_der_scan(der, len, &c) == -1) {
		cp_load_fail(r->err, CP_FAIL_BADCERT, "%s is not a valid certificate",
		    where);
		return 0;
	}
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
	char where[64];
	int i, n;

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
		snprintf(where, sizeof(where), "certificate %d of the %s",
		    i + 1, what);
		if (emit_der(r, (unsigned char *)r->ld->der.data, (size_t)n,
		    where) == -1)
			return -1;
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

/*
 * PKCS12_parse with the password, retrying once with OpenSSL's legacy
 * provider: files exported by older tools use RC2 and 3DES, which
 * OpenSSL 3 keeps there.
 */
static int
parse_pkcs12(struct cp_loader *ld, PKCS12 *p12, const char *pass,
    X509 **cert, STACK_OF(X509) **ca)
{
	EVP_PKEY *key = NULL;
	int ok;

	ok = PKCS12_parse(p12, pass, &key, cert, ca);
	if (!ok && ld->legacy == NULL &&
	    (ld->legacy = OSSL_PROVIDER_try_load(NULL, "legacy", 1)) != NULL) {
		ERR_clear_error();
		ok = PKCS12_parse(p12, pass, &key, cert, ca);
	}
	/* The key is not ours to look at. */
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}

/* Certificates of a PKCS#12 file: 0 when read (or failed with a reason),
 * 1 when the bytes are not PKCS#12, -1 to stop. */
static int
read_pkcs12(struct reading *r, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	STACK_OF(X509) *all = NULL, *ca = NULL;
	struct cp_load_error perr = { CP_FAIL_NONE, "" };
	char password[CP_PASSWORD_MAX];
	X509 *cert = NULL;
	PKCS12 *p12;
	int rc = -1;

	if ((p12 = d2i_PKCS12(NULL, &p, (long)len)) == NULL)
		return 1;
	r->secret = 1;
	if (r->password_file != NULL && cp_read_secret(r->password_file,
	    password, sizeof(password), &perr) == -1) {
		cp_load_fail(r->err, perr.fail, "password_file %s: %s",
		    r->password_file, perr.msg);
		rc = 0;
		goto out;
	}
	if (r->password_file == NULL && !PKCS12_verify_mac(p12, NULL, 0) &&
	    !PKCS12_verify_mac(p12, "", 0)) {
		cp_load_fail(r->err, CP_FAIL_BADCERT, "PKCS#12 file is protected by a "
		    "password: give it with password_file=");
		rc = 0;
		goto out;
	}
	if (parse_pkcs12(r->ld, p12, r->password_file ? password : NULL,
	    &cert, &ca) == -1) {
		cp_load_fail(r->err, CP_FAIL_BADCERT, "PKCS#12 file cannot be "
		    "opened%s", r->password_file != NULL ?
		    " (wrong password in password_file?)" : "");
		rc = 0;
		goto out;
	}
	/* The certificate that matches the key first, then the others. */
	if ((all = sk_X509_new_null()) == NULL ||
	    (cert != NULL && !sk_X509_push(all, cert)))
		goto out;
	while (sk_X509_num(ca) > 0 && sk_X509_push(all, sk_X509_value(ca, 0)))
		(void)sk_X509_delete(ca, 0);
	if (sk_X509_num(all) == 0)
		cp_load_fail(r->err, CP_FAIL_NOCERT, "PKCS#12 file holds no certificate");
	else if (emit_stack(r, all, "PKCS#12 file") == -1)
		goto out;
	rc = 0;
out:
	/* `all` owns what was moved into it, `ca` what was not. */
	if (all != NULL)
		sk_X509_pop_free(all, X509_free);
	else
		X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	PKCS12_free(p12);
	OPENSSL_cleanse(password, sizeof(password));
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

/* One PEM block whose BEGIN line starts at `begin`; returns the offset
 * to go on from, or 0 to stop the file. */
static size_t
read_block(struct reading *r, const char *buf, size_t len, size_t begin)
{
	const char *label = buf + begin + 11, *eol, *end, *lend;
	char endmark[96], where[64];
	enum block_kind kind;
	size_t n;

	if ((lend = memmem(label, len - (size_t)(label - buf), "-----", 5)) ==
	    NULL || (n = (size_t)(lend - label)) >= 64 ||
	    (eol = memchr(label, '\n', len - (size_t)(label - buf))) == NULL ||
	    lend > eol)
		return begin + 11;
	kind = classify(label, n);
	snprintf(endmark, sizeof(endmark), "-----END %.*s-----", (int)n, label);
	snprintf(where, sizeof(where), "%s at line %u",
	    kind == BLOCK_CERT ? "certificate" : "PEM block",
	    line_of(buf, begin));
	if ((end = memmem(eol, len - (size_t)(eol - buf), endmark,
	    strlen(endmark))) == NULL) {
		if (kind == BLOCK_CERT || kind == BLOCK_PKCS7)
			cp_load_fail(r->err, CP_FAIL_BADCERT, "%s is truncated: no "
			    "'%s' line", where, endmark);
		return 0;
	}
	if (kind == BLOCK_KEY)
		r->saw_key = r->secret = 1;
	else if (kind == BLOCK_OTHER && r->other[0] == '\0')
		snprintf(r->other, sizeof(r->other), "%.*s", (int)n, label);
	if (kind != BLOCK_CERT && kind != BLOCK_PKCS7)
		return (size_t)(end - buf) + strlen(endmark);
	if (decode_body(r->ld, eol + 1, (size_t)(end - eol - 1)) == -1)
		cp_load_fail(r->err, CP_FAIL_BADCERT, "%s is not valid base64", where);
	else if (kind == BLOCK_CERT) {
		if (emit_der(r, (unsigned char *)r->ld->der.data,
		    r->ld->der.len, where) == -1)
			return 0;
	} else if (read_pkcs7(r, (unsigned char *)r->ld->der.data,
	    r->ld->der.len) == 1)
		cp_load_fail(r->err, CP_FAIL_BADCERT, "%s is not valid PKCS#7", where);
	return (size_t)(end - buf) + strlen(endmark);
}

/* How many certificates a PEM file holds, 0 if a PKCS#7 block makes it
 * unknowable before decoding. Cheap: the labels alone. */
static size_t
count_pem(const char *buf, size_t len)
{
	const char *hit, *label, *end;
	size_t off = 0, n = 0;

	while ((hit = memmem(buf + off, len - off, "-----BEGIN ", 11)) != NULL) {
		off = (size_t)(hit - buf) + 11;
		label = hit + 11;
		if ((end = memmem(label, len - off, "-----", 5)) == NULL)
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

/* Every "-----BEGIN " at the start of a line, in order. */
static void
read_pem(struct reading *r, const char *buf, size_t len)
{
	const char *hit;
	size_t off = 0;

	r->total = count_pem(buf, len);
	while (off < len &&
	    (hit = memmem(buf + off, len - off, "-----BEGIN ", 11)) != NULL) {
		off = (size_t)(hit - buf);
		if (off > 0 && buf[off - 1] != '\n') {
			off += 11;
			continue;
		}
		if ((off = read_block(r, buf, len, off)) == 0)
			break;
	}
	if (r->count > 0 || r->err->fail != CP_FAIL_NONE)
		return;
	if (r->saw_key)
		cp_load_fail(r->err, CP_FAIL_NOCERT, "holds a private key but no "
		    "certificate");
	else if (r->other[0] != '\0')
		cp_load_fail(r->err, CP_FAIL_NOCERT, "holds a PEM '%s' block but no "
		    "certificate", r->other);
	else
		cp_load_fail(r->err, CP_FAIL_NOCERT, "no certificate found");
}

/* A binary file: one DER certificate, PKCS#7 or PKCS#12. */
static void
read_binary(struct reading *r, const unsigned char *buf, size_t len)
{
	struct cp_der_cert c;
	int rc;

	if (cp_der_scan(buf, len, &c) == 0 && (size_t)c.whole.len == len) {
		r->total = 1;
		(void)emit_der(r, buf, len, "certificate");
		return;
	}
	if ((rc = read_pkcs7(r, buf, len)) != 1)
		return;
	if ((rc = read_pkcs12(r, buf, len)) != 1)
		return;
	cp_load_fail(r->err, CP_FAIL_NOCERT, "no certificate found (not PEM, DER, "
	    "PKCS#7 or PKCS#12)");
}

size_t
cp_certfile_read(struct cp_loader *ld, int fd, const struct stat *st,
    const char *password_file, cp_cert_cb cb, void *arg,
    struct cp_load_error *err)
{
	struct reading r;

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
	if (ld->file.len == 0)
		cp_load_fail(err, CP_FAIL_NOCERT, "empty file");
	else if (memmem(ld->file.data, ld->file.len, "-----BEGIN ", 11) != NULL)
		read_pem(&r, ld->file.data, ld->file.len);
	else
		read_binary(&r, (unsigned char *)ld->file.data, ld->file.len);
	/* Private keys and PKCS#12 secrets do not linger in our memory. */
	if (r.secret)
		OPENSSL_cleanse(ld->file.data, ld->file.len);
	ERR_clear_error();
	return r.count;
}

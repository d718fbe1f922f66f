/* Matching a private key file with a certificate's public key. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "keymatch.h"

char *
cp_path_beside(const char *file, const char *rel)
{
	const char *slash;
	struct cp_buf b;

	if (rel[0] == '/' || (slash = strrchr(file, '/')) == NULL)
		return strdup(rel);
	cp_buf_init(&b, 1 << 16);
	if (cp_buf_add(&b, file, (size_t)(slash - file) + 1) == -1 ||
	    cp_buf_addstr(&b, rel) == -1) {
		cp_buf_free(&b);
		return NULL;
	}
	return cp_buf_take(&b);
}

/* A passphrase callback that never asks: cron has no one to answer. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The private key in `b`: PEM first, then DER. */
static EVP_PKEY *
decode_key(const struct cp_buf *b)
{
	const unsigned char *p = (const unsigned char *)b->data;
	EVP_PKEY *key = NULL;
	BIO *bio;

	if ((bio = BIO_new_mem_buf(b->data, (int)b->len)) != NULL) {
		key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
		BIO_free(bio);
	}
	if (key == NULL)
		key = d2i_AutoPrivateKey(NULL, &p, (long)b->len);
	return key;
}

int
cp_key_matches(const struct cp_der_cert *cert, const char *key_path,
    struct cp_load_error *err)
{
	const unsigned char *p = cert->spki.p;
	struct cp_load_error rd = { CP_FAIL_NONE, "" };
	EVP_PKEY *key = NULL, *pub = NULL;
	struct cp_buf b;
	int rc = -1;

	cp_buf_init(&b, CP_FILE_MAX + 1);
	if (access(key_path, F_OK) == -1 && errno == ENOENT) {
		cp_load_fail(err, CP_FAIL_KEY, "key %s does not exist", key_path);
		rc = 0;
		goto out;
	}
	if (cp_read_file(key_path, &b, CP_FILE_MAX, &rd) == -1) {
		cp_load_fail(err, rd.fail, "key %s: %s", key_path, rd.msg);
		goto out;
	}
	if ((key = decode_key(&b)) == NULL) {
		/* An encrypted key may be fine (the server has its
		 * passphrase); one that does not decode will not load. */
		if (memmem(b.data, b.len, "ENCRYPTED", 9) != NULL)
			cp_load_fail(err, CP_FAIL_FILE, "key %s is encrypted: "
			    "cannot check it without its passphrase", key_path);
		else {
			cp_load_fail(err, CP_FAIL_KEY, "key %s holds no usable "
			    "private key", key_path);
			rc = 0;
		}
		goto out;
	}
	if ((pub = d2i_PUBKEY(NULL, &p, cert->spki.len)) == NULL) {
		cp_load_fail(err, CP_FAIL_BADCERT, "the certificate's public "
		    "key cannot be decoded");
		goto out;
	}
	if (EVP_PKEY_eq(pub, key) == 1)
		rc = 1;
	else {
		cp_load_fail(err, CP_FAIL_KEY, "key %s does not match the "
		    "certificate", key_path);
		rc = 0;
	}
out:
	EVP_PKEY_free(pub);
	EVP_PKEY_free(key);
	if (b.data != NULL)
		OPENSSL_cleanse(b.data, b.cap);
	cp_buf_free(&b);
	ERR_clear_error();
	return rc;
}

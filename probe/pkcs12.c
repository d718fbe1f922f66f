/* PKCS#12 files: their certificates, within one work budget a file
 * (see pkcs12.h). */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "bounds.h"
#include "pkcs12.h"

/* What the helpers of one file's reading share. */
struct p12 {
	struct cp_load_error *err;  /* the first problem */
	OSSL_PROVIDER **legacy;     /* the legacy provider, loaded on need */
};

/*
 * The work of PKCS#12 key derivation, counted from the file's own
 * parameters before any is done (its iteration counts are the file's to
 * choose, and a directory search tries every binary file it meets). A
 * round is one iteration producing one digest block: a key longer than
 * the digest takes several blocks, each with all the iterations.
 */

/* `iter` rounds for each of `blocks` blocks, clamped just past the
 * budget so that no sum overflows; -1 for a count below one. */
static long
weigh(long iter, long blocks)
{
	if (iter <= 0)
		return -1;
	if (blocks < 1)
		blocks = 1;
	if (iter > CP_PKCS12_ROUNDS_MAX / blocks)
		return CP_PKCS12_ROUNDS_MAX + 1L;
	return iter * blocks;
}

/* Blocks of the digest `md` that make `len` bytes; a digest of blocks
 * of 128 bytes or more (SHA-512, SHA-3) counts twice, or more, as it
 * takes about twice as long a round. */
static long
blocks_of(int len, const EVP_MD *md)
{
	int size = EVP_MD_get_size(md), weight = EVP_MD_get_block_size(md) / 64;

	if (len <= 0 || size <= 0)
		return 0;
	return ((long)len + size - 1) / size * (weight > 1 ? weight : 1);
}

/* The digest `nid` from the providers (the legacy name tables may not be
 * loaded: check_cert_expiry runs lean); NULL if unknown. */
static EVP_MD *
fetch_md(int nid)
{
	const char *name = OBJ_nid2sn(nid);

	return name != NULL ? EVP_MD_fetch(NULL, name, NULL) : NULL;
}

/* The cipher `nid` from the providers, loading OpenSSL's legacy one (the
 * RC2 and DES of older exports) when it is not to be had without it:
 * before decrypting, so that no key is derived for a decryption bound
 * to fail. NULL if unknown. */
static EVP_CIPHER *
fetch_cipher(OSSL_PROVIDER **legacy, int nid)
{
	const char *name = OBJ_nid2sn(nid);
	EVP_CIPHER *c = NULL;

	if (name != NULL && (c = EVP_CIPHER_fetch(NULL, name, NULL)) == NULL &&
	    *legacy == NULL &&
	    (*legacy = OSSL_PROVIDER_try_load(NULL, "legacy", 1)) != NULL)
		c = EVP_CIPHER_fetch(NULL, name, NULL);
	return c;
}

/* PBES2 with PBKDF2 (what OpenSSL 3 writes): the cipher's key, in blocks
 * of the PRF's digest. -1 for another key function or an unknown name. */
static long
pbes2_rounds(OSSL_PROVIDER **legacy, const ASN1_TYPE *param)
{
	PBE2PARAM *pbe2 = NULL;
	PBKDF2PARAM *kdf = NULL;
	EVP_CIPHER *c = NULL;
	EVP_MD *md = NULL;
	int prf = NID_hmacWithSHA1, mdnid;
	long rounds = -1;

	if ((pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM),
	    param)) == NULL ||
	    OBJ_obj2nid(pbe2->keyfunc->algorithm) != NID_id_pbkdf2 ||
	    (kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM),
	    pbe2->keyfunc->parameter)) == NULL)
		goto out;
	if (kdf->prf != NULL)
		prf = OBJ_obj2nid(kdf->prf->algorithm);
	if (!EVP_PBE_find(EVP_PBE_TYPE_PRF, prf, NULL, &mdnid, NULL) ||
	    (md = fetch_md(mdnid)) == NULL ||
	    (c = fetch_cipher(legacy, OBJ_obj2nid(pbe2->encryption->algorithm))) ==
	    NULL)
		goto out;
	rounds = weigh(ASN1_INTEGER_get(kdf->iter),
	    blocks_of(EVP_CIPHER_get_key_length(c), md));
out:
	EVP_CIPHER_free(c);
	EVP_MD_free(md);
	PBE2PARAM_free(pbe2);
	PBKDF2PARAM_free(kdf);
	return rounds;
}

/* The PKCS#12 schemes of older exports (and PKCS#5 v1.5): the key and
 * the IV are derived apart, each in blocks of the digest. */
static long
pbe1_rounds(OSSL_PROVIDER **legacy, int nid, const ASN1_TYPE *param)
{
	PBEPARAM *pbe = NULL;
	EVP_CIPHER *c = NULL;
	EVP_MD *md = NULL;
	int cnid, mdnid;
	long rounds = -1;

	if ((pbe = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM),
	    param)) == NULL ||
	    !EVP_PBE_find(EVP_PBE_TYPE_OUTER, nid, &cnid, &mdnid, NULL) ||
	    (md = fetch_md(mdnid)) == NULL ||
	    (c = fetch_cipher(legacy, cnid)) == NULL)
		goto out;
	rounds = weigh(ASN1_INTEGER_get(pbe->iter),
	    blocks_of(EVP_CIPHER_get_key_length(c), md) +
	    blocks_of(EVP_CIPHER_get_iv_length(c), md));
out:
	EVP_CIPHER_free(c);
	EVP_MD_free(md);
	PBEPARAM_free(pbe);
	return rounds;
}

/* Rounds of the encryption of one safe, -1 if its scheme is unknown. */
static long
safe_rounds(OSSL_PROVIDER **legacy, const PKCS7 *p7)
{
	const X509_ALGOR *alg;

	if (p7->d.encrypted == NULL || p7->d.encrypted->enc_data == NULL)
		return -1;
	alg = p7->d.encrypted->enc_data->algorithm;
	if (OBJ_obj2nid(alg->algorithm) == NID_pbes2)
		return pbes2_rounds(legacy, alg->parameter);
	return pbe1_rounds(legacy, OBJ_obj2nid(alg->algorithm), alg->parameter);
}

/* Rounds of the MAC's key, which is one digest long: 0 without a MAC,
 * -1 when its digest is unknown. */
static long
mac_rounds(const PKCS12 *p12)
{
	const ASN1_INTEGER *iter = NULL;
	const ASN1_OBJECT *obj = NULL;
	const X509_ALGOR *alg = NULL;
	EVP_MD *md = NULL;
	long rounds = -1;

	if (!PKCS12_mac_present(p12))
		return 0;
	PKCS12_get0_mac(NULL, &alg, NULL, &iter, p12);
	if (alg != NULL)
		X509_ALGOR_get0(&obj, NULL, NULL, alg);
	if (obj != NULL && (md = fetch_md(OBJ_obj2nid(obj))) != NULL)
		rounds = weigh(iter != NULL ? ASN1_INTEGER_get(iter) : 1,
		    blocks_of(EVP_MD_get_size(md), md));
	EVP_MD_free(md);
	return rounds;
}

/*
 * The file's budget, spent on paper before any key is derived: the MAC
 * once for each password to try (`tries`) and every encrypted safe once.
 * Key bags are never decrypted, so they cost nothing. A file over the
 * budget or of too many safes is refused whole, at the cost of its
 * parsing. 0, or -1 after recording why.
 */
static int
plan_work(struct p12 *r, const PKCS12 *p12, STACK_OF(PKCS7) *safes,
    int tries)
{
	long cost, total;
	int i, rc = -1;

	if (sk_PKCS7_num(safes) > CP_PKCS12_SAFES_MAX) {
		cp_load_fail(r->err, CP_FAIL_BADCERT, "PKCS#12 file holds %d "
		    "safes, more than %d: refused", sk_PKCS7_num(safes),
		    CP_PKCS12_SAFES_MAX);
		goto out;
	}
	if ((total = mac_rounds(p12)) == -1) {
		cp_load_fail(r->err, CP_FAIL_BADCERT, "PKCS#12 MAC uses an "
		    "unknown digest: refused");
		goto out;
	}
	total *= tries;
	for (i = 0; i < sk_PKCS7_num(safes) && total <= CP_PKCS12_ROUNDS_MAX;
	    i++) {
		if (OBJ_obj2nid(sk_PKCS7_value(safes, i)->type) !=
		    NID_pkcs7_encrypted)
			continue;
		if ((cost = safe_rounds(r->legacy, sk_PKCS7_value(safes, i))) == -1) {
			cp_load_fail(r->err, CP_FAIL_BADCERT, "PKCS#12 encryption "
			    "uses an unknown scheme or invalid parameters: refused");
			goto out;
		}
		total += cost;
	}
	if (total > CP_PKCS12_ROUNDS_MAX) {
		cp_load_fail(r->err, CP_FAIL_BADCERT, "PKCS#12 file asks for more "
		    "than %ld key-derivation rounds (MAC and safes together): "
		    "refused", CP_PKCS12_ROUNDS_MAX);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* The MAC, if any, checked once with each password it may take: the
 * given one, or the empty one and then none (openssl writes the first,
 * some Windows exports the second; plan_work counted both). Sets *pass
 * to the one that works. 0, or -1 after recording why. */
static int
check_mac(struct p12 *r, PKCS12 *p12, const char *given, const char **pass)
{
	int rc = -1;

	*pass = given;
	if (!PKCS12_mac_present(p12))
		rc = 0;
	else if (given != NULL) {
		if (PKCS12_verify_mac(p12, given, -1))
			rc = 0;
		else
			cp_load_fail(r->err, CP_FAIL_BADCERT, "PKCS#12 file cannot "
			    "be opened (wrong password in password_file?)");
	} else if (PKCS12_verify_mac(p12, "", 0)) {
		*pass = "";
		rc = 0;
	} else if (PKCS12_verify_mac(p12, NULL, 0))
		rc = 0;
	else
		cp_load_fail(r->err, CP_FAIL_BADCERT, "PKCS#12 file is protected "
		    "by a password: give it with --password-file or "
		    "password_file=");
	return rc;
}

/*
 * The bags of one AuthenticatedSafe element: plain, or encrypted with
 * the password, once (plan_work weighed it and loaded its cipher).
 * NULL after recording why.
 */
static STACK_OF(PKCS12_SAFEBAG) *
unpack_bags(struct p12 *r, PKCS7 *p7, const char *pass)
{
	STACK_OF(PKCS12_SAFEBAG) *bags = NULL;

	if (OBJ_obj2nid(p7->type) == NID_pkcs7_data) {
		if ((bags = PKCS12_unpack_p7data(p7)) == NULL)
			cp_load_fail(r->err, CP_FAIL_BADCERT, "PKCS#12 contents "
			    "cannot be decoded");
	} else if (OBJ_obj2nid(p7->type) != NID_pkcs7_encrypted) {
		bags = sk_PKCS12_SAFEBAG_new_null();   /* nothing of ours */
	} else if ((bags = PKCS12_unpack_p7encdata(p7, pass,
	    pass != NULL ? -1 : 0)) == NULL)
		cp_load_fail(r->err, CP_FAIL_BADCERT, "PKCS#12 certificates "
		    "cannot be decrypted%s", pass != NULL && *pass != '\0' ?
		    " (wrong password in password_file?)" : "");
	return bags;
}

/* Moves the certificates of `bags` into `leaf` (those with a key ID: the
 * key's own certificate) or `rest`. Key bags are never decrypted. */
static int
take_certs(STACK_OF(PKCS12_SAFEBAG) *bags, STACK_OF(X509) *leaf,
    STACK_OF(X509) *rest)
{
	const PKCS12_SAFEBAG *bag;
	X509 *x;
	int i;

	for (i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
		bag = sk_PKCS12_SAFEBAG_value(bags, i);
		if (PKCS12_SAFEBAG_get_nid(bag) != NID_certBag ||
		    PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate)
			continue;
		if ((x = PKCS12_SAFEBAG_get1_cert(bag)) == NULL)
			continue;
		if (!sk_X509_push(PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID) ?
		    leaf : rest, x)) {
			X509_free(x);
			return -1;
		}
	}
	return 0;
}

/* The certificates of every safe into `leaf`, the key's own first.
 * 0, 1 after recording why they cannot be read, -1 to stop. */
static int
collect_certs(struct p12 *r, STACK_OF(PKCS7) *safes, const char *pass,
    STACK_OF(X509) *leaf)
{
	STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
	STACK_OF(X509) *rest = NULL;
	int i, rc = -1;

	if ((rest = sk_X509_new_null()) == NULL)
		goto nomem;
	for (i = 0; i < sk_PKCS7_num(safes); i++) {
		if ((bags = unpack_bags(r, sk_PKCS7_value(safes, i), pass)) == NULL) {
			rc = 1;
			goto out;
		}
		if (take_certs(bags, leaf, rest) == -1)
			goto nomem;
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
		bags = NULL;
	}
	while (sk_X509_num(rest) > 0) {
		if (!sk_X509_push(leaf, sk_X509_value(rest, 0)))
			goto nomem;
		(void)sk_X509_delete(rest, 0);
	}
	rc = 0;
	goto out;
nomem:
	cp_load_fail(r->err, CP_FAIL_INTERNAL, "out of memory");
out:
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	sk_X509_pop_free(rest, X509_free);
	return rc;
}

int
cp_pkcs12_read(const unsigned char *der, size_t len, const char *password_file,
    OSSL_PROVIDER **legacy, STACK_OF(X509) **certs, struct cp_load_error *err)
{
	struct cp_load_error perr = { CP_FAIL_NONE, "" };
	struct p12 r = { err, legacy };
	STACK_OF(PKCS7) *safes = NULL;
	STACK_OF(X509) *leaf = NULL;
	const unsigned char *p = der;
	char password[CP_PASSWORD_MAX];
	const char *given = NULL, *pass = NULL;
	PKCS12 *p12;
	int got, rc = 0;

	*certs = NULL;
	if (len > LONG_MAX || (p12 = d2i_PKCS12(NULL, &p, (long)len)) == NULL)
		return 1;
	if (password_file != NULL) {
		if (cp_read_secret(password_file, password, sizeof(password),
		    &perr) == -1) {
			cp_load_fail(err, perr.fail, "password_file %s: %s",
			    password_file, perr.msg);
			goto out;
		}
		given = password;
	}
	if ((safes = PKCS12_unpack_authsafes(p12)) == NULL) {
		cp_load_fail(err, CP_FAIL_BADCERT, "PKCS#12 contents cannot "
		    "be decoded");
		goto out;
	}
	/* Without a password, the MAC may be tried twice ("" and none). */
	if (plan_work(&r, p12, safes, given != NULL ? 1 : 2) == -1 ||
	    check_mac(&r, p12, given, &pass) == -1)
		goto out;
	if ((leaf = sk_X509_new_null()) == NULL) {
		cp_load_fail(err, CP_FAIL_INTERNAL, "out of memory");
		rc = -1;
	} else if ((got = collect_certs(&r, safes, pass, leaf)) == -1)
		rc = -1;
	else if (got == 0 && sk_X509_num(leaf) == 0)
		cp_load_fail(err, CP_FAIL_NOCERT, "PKCS#12 file holds no "
		    "certificate");
	else if (got == 0) {
		*certs = leaf;
		leaf = NULL;
	}
out:
	sk_X509_pop_free(leaf, X509_free);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
	OPENSSL_cleanse(password, sizeof(password));
	return rc;
}

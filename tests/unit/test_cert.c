/* Certificate records from DER: what a hostile encoding must not do. */
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cert.h"
#include "der.h"
#include "tap.h"

/* A real self-signed certificate, CN=test, valid for 90 days from now. */
static unsigned char *
make_cert(int *len, int64_t now)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	unsigned char *der = NULL;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"test", -1, -1, 0);
	X509_set_issuer_name(x, name);
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(now - 86400));
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(now + 90 * 86400));
	X509_set_pubkey(x, key);
	X509_sign(x, key, EVP_sha256());
	*len = i2d_X509(x, &der);
	X509_free(x);
	EVP_PKEY_free(key);
	return der;
}

int
main(void)
{
	const int64_t now = 1780000000;
	struct cp_limits lim = { now, cp_threshold_days(30),
	    cp_threshold_days(14) };
	struct cp_der_cert d;
	struct cp_cert c;
	unsigned char *der;
	int len, i, rejected = 0;

	der = make_cert(&len, now);
	tap_ok(cp_der_scan(der, (size_t)len, &d) == 0 && d.whole.len == len,
	    "a real certificate scans, end to end");
	tap_ok(cp_cert_build(&d, &lim, CP_WANT_SUBJECT | CP_WANT_SERIAL |
	    CP_WANT_SHA256, &c) == 0 && c.v.state == CP_OK &&
	    c.v.days_left == 90, "and is OK with 90 days left");
	TAP_STREQ(c.subject, "CN = test", "its subject");
	TAP_STREQ(c.serial, "01", "its serial");
	cp_cert_clear(&c);

	/* Every truncation is refused, none is read past its end. */
	for (i = 0; i < len; i++) {
		unsigned char *cut = malloc((size_t)i + 1);

		memcpy(cut, der, (size_t)i);
		rejected += cp_der_scan(cut, (size_t)i, &d) == -1;
		free(cut);
	}
	tap_ok(rejected == len, "all %d truncations are refused", len);

	/* A subject that is a SEQUENCE but not a Name: the SET inside it
	 * becomes an INTEGER of the same length. The dates still decide,
	 * and the name says it cannot be decoded: no error ends the run. */
	cp_der_scan(der, (size_t)len, &d);
	((unsigned char *)d.subject.p)[2] = 0x02;
	tap_ok(cp_cert_build(&d, &lim, CP_WANT_SUBJECT, &c) == 0,
	    "an undecodable subject is not a fatal error");
	TAP_STREQ(c.subject, "(name cannot be decoded)", "and says so");
	tap_ok(c.v.state == CP_OK, "the dates still decide the state");
	cp_cert_clear(&c);
	OPENSSL_free(der);
	return tap_done();
}

/*
 * Locating the fields of a DER certificate without decoding it.
 *
 * A full d2i_X509 costs about 100 us in OpenSSL 3, most of it decoding the
 * public key; deciding expiry needs only the validity. This walks the
 * TLVs of the TBSCertificate with OpenSSL's ASN1_get_object and points
 * into the caller's bytes, so nothing is allocated. The frame is checked
 * end to end (certificate, signature algorithm, signature, exact length);
 * the fields themselves are decoded later, and only when reported.
 */
#ifndef CP_DER_H
#define CP_DER_H

#include <stddef.h>

#include <openssl/asn1.h>

/* A TLV inside the caller's buffer. */
struct cp_der_span {
	const unsigned char *p;  /* first byte of the tag */
	long len;                /* tag, length and content */
};

struct cp_der_cert {
	struct cp_der_span whole;      /* the Certificate */
	struct cp_der_span serial;     /* INTEGER */
	struct cp_der_span issuer;     /* Name */
	struct cp_der_span subject;    /* Name */
	struct cp_der_span spki;       /* SubjectPublicKeyInfo */
	ASN1_TIME not_before;          /* views into the buffer: data points */
	ASN1_TIME not_after;           /* at the time's content bytes */
};

/*
 * Scans the certificate at the start of `p` (at most `len` bytes). Bytes
 * after it are allowed (TRUSTED CERTIFICATE blocks append auxiliary data);
 * `out->whole.len` says where it ends. 0 on success, -1 if the bytes are
 * not a certificate.
 */
int cp_der_scan(const unsigned char *p, size_t len, struct cp_der_cert *out);

#endif

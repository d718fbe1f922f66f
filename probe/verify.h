/*
 * Verifying what a server sent: the chain against the system's trust
 * store or a cafile=, and the leaf against the name the client asked
 * for. Done after the handshake, so it judges every protocol alike.
 */
#ifndef CP_VERIFY_H
#define CP_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "bounds.h"

struct cp_verdict {
	int ok;                   /* chain and name verify */
	int untrusted;            /* the chain reaches no trusted certificate */
	STACK_OF(X509) *chain;    /* as verification built it, leaf first,
	                             the trust anchor last when ok */
	char error[CP_ERROR_MAX]; /* why not, when not ok */
};

/*
 * Verifies `served` (leaf first) against `store` at time `now`, and the
 * leaf against `name` (a host name or an IP address literal; NULL: no
 * name check). Dates are left out: the expiry rules judge those. -1
 * only when memory runs out; free with cp_verdict_clear.
 */
int cp_verify(X509_STORE *, STACK_OF(X509) *served, const char *name,
    int64_t now, struct cp_verdict *);
void cp_verdict_clear(struct cp_verdict *);

#endif

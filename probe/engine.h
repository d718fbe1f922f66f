/*
 * The endpoint engine: many addresses checked at once, each connection a
 * small state machine (connect, the plaintext dialog, the handshake)
 * driven by one poll loop, every wait bounded by the address's deadline.
 * HTTPS through a proxy goes through libcurl, in the same loop.
 */
#ifndef CP_ENGINE_H
#define CP_ENGINE_H

#include <stdint.h>

#include <openssl/x509.h>

#include "bounds.h"
#include "resolve.h"
#include "state.h"
#include "tls.h"

struct cp_proto;

/* One address to check: what to do, and what happened. */
struct cp_probe {
	/* in */
	const struct cp_proto *proto;
	const char *host;          /* as the target names it */
	unsigned port;
	const char *sni;           /* sent in the ClientHello; NULL: none */
	const char *url_path;      /* https: the path, or NULL */
	struct cp_addr addr;       /* where to connect */
	int has_addr;              /* 0: let libcurl resolve (a proxy) */
	int64_t budget_ms;         /* what is left of the timeout */
	int64_t deadline_ms;       /* cp_clock_ms() past which it may not
	                              run, whatever its budget; 0: none */
	int64_t timeout_ms;        /* the check's timeout, for messages */
	/* out */
	enum cp_fail fail;         /* CP_FAIL_NONE when a chain was read */
	char error[CP_ERROR_MAX];
	struct cp_tls_seen seen;   /* the chain sent, leaf first, and more */
	char via[INET6_ADDRSTRLEN + 16];  /* https: "proxy 192.0.2.1" */
	/* called once the probe is over, so that its chain can be judged
	 * and freed at once rather than held until the end of the run */
	void (*done)(struct cp_probe *);
};

/* Checks every probe, `jobs` at once. -1 when memory runs out or the
 * TLS library cannot be set up; every other problem is in a probe. */
int cp_engine_run(struct cp_probe **, size_t n, int jobs);

/* Milliseconds on the monotonic clock. */
int64_t cp_clock_ms(void);

#endif

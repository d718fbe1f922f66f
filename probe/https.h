/*
 * HTTPS through a proxy, by libcurl, so that https_proxy, all_proxy and
 * no_proxy work as curl users expect. libcurl connects through the proxy
 * and does the handshake; no request is sent. The served chain is taken
 * from its TLS session (tls.c). Where no proxy applies, HTTPS is TLS at
 * once and the engine does it, as for every other protocol.
 */
#ifndef CP_HTTPS_H
#define CP_HTTPS_H

#include <curl/curl.h>

struct cp_probe;

/*
 * Adds a transfer for `p` to *multi (made on first use) and returns it
 * in *easy; `owner` is handed back when it is done. 0; 1 when libcurl
 * cannot be loaded (the probe says why); -1 when out of memory.
 */
int cp_https_add(CURLM **multi, struct cp_probe *p, CURL **easy,
    void *owner);

/* Lets libcurl work; fills the probe of each finished transfer and calls
 * done(owner, arg), which must free it with cp_https_free. */
int cp_https_perform(CURLM *, void (*done)(void *owner, void *arg),
    void *arg);

/* Waits for libcurl's sockets and `fds`, at most `ms`; -1 on error. */
int cp_https_poll(CURLM *, struct curl_waitfd *fds, unsigned n, int ms);

/* Takes the transfer out of `multi` (if not NULL) and frees it. */
void cp_https_free(CURLM *multi, CURL *);
void cp_https_end(CURLM *);

/* Whether curl's environment sends `host` through a proxy (https_proxy,
 * all_proxy, no_proxy), so that the name is the proxy's to resolve. */
int cp_https_proxied(const char *host);

#endif

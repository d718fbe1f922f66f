/*
 * HTTPS through a proxy, by libcurl (see https.h).
 *
 * libcurl is loaded when the first HTTPS endpoint is checked, not when a
 * program starts: its dependencies (Kerberos, LDAP, SSH, HTTP/2, IDN)
 * doubled the start-up time of a checkssl run over files, and a Nagios
 * plugin pays its start-up on every check.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine.h"
#include "https.h"
#include "resolve.h"
#include "timeconv.h"
#include "tls.h"

#ifndef CP_LIBCURL
#define CP_LIBCURL "libcurl.so.4"   /* configure says which */
#endif

/* The part of libcurl's API the probe uses, filled by dlopen once: the
 * one piece of state of a run that is not passed around, since the
 * library is loaded once a process. */
static struct {
	void *handle;
	CURLcode (*global_init)(long);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned, int,
	    int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	curl_version_info_data *(*version_info)(CURLversion);
} lc;

#define SYM(field, name) \
	((*(void **)&lc.field = dlsym(lc.handle, name)) != NULL)

/* Loads libcurl once; 0, or -1 with the reason in `err`. */
static int
load_curl(char *err, size_t errlen)
{
	curl_version_info_data *v;

	if (lc.handle != NULL)
		return 0;
	if ((lc.handle = dlopen(CP_LIBCURL, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(err, errlen, "https needs libcurl: %s", dlerror());
		return -1;
	}
	if (!SYM(global_init, "curl_global_init") ||
	    !SYM(multi_init, "curl_multi_init") ||
	    !SYM(multi_cleanup, "curl_multi_cleanup") ||
	    !SYM(multi_add_handle, "curl_multi_add_handle") ||
	    !SYM(multi_remove_handle, "curl_multi_remove_handle") ||
	    !SYM(multi_perform, "curl_multi_perform") ||
	    !SYM(multi_poll, "curl_multi_poll") ||
	    !SYM(multi_info_read, "curl_multi_info_read") ||
	    !SYM(easy_init, "curl_easy_init") ||
	    !SYM(easy_cleanup, "curl_easy_cleanup") ||
	    !SYM(easy_setopt, "curl_easy_setopt") ||
	    !SYM(easy_getinfo, "curl_easy_getinfo") ||
	    !SYM(easy_strerror, "curl_easy_strerror") ||
	    !SYM(slist_append, "curl_slist_append") ||
	    !SYM(slist_free_all, "curl_slist_free_all") ||
	    !SYM(version_info, "curl_version_info")) {
		snprintf(err, errlen, "https needs a newer libcurl (%s)",
		    CP_LIBCURL);
		goto fail;
	}
	/* The served chain comes from OpenSSL's context: no other TLS. */
	v = lc.version_info(CURLVERSION_NOW);
	if (v == NULL || v->ssl_version == NULL ||
	    strncmp(v->ssl_version, "OpenSSL", 7) != 0) {
		snprintf(err, errlen, "https needs libcurl built with OpenSSL "
		    "(%s uses %s)", CP_LIBCURL, v && v->ssl_version ?
		    v->ssl_version : "no TLS");
		goto fail;
	}
	return 0;
fail:
	dlclose(lc.handle);
	lc.handle = NULL;
	return -1;
}

struct xfer {
	struct cp_probe *p;
	void *owner;
	struct curl_slist *pin;        /* RESOLVE or CONNECT_TO entry */
	char errbuf[CURL_ERROR_SIZE];
};

static const char *
env(const char *lower, const char *upper)
{
	const char *v = getenv(lower);

	if (v == NULL || *v == '\0')
		v = getenv(upper);
	return v != NULL && *v != '\0' ? v : NULL;
}

/* Whether one no_proxy entry covers `host`: the name or a parent. */
static int
no_proxy_covers(const char *entry, size_t len, const char *host)
{
	size_t hlen = strlen(host);

	while (len > 0 && *entry == '.')
		entry++, len--;
	if (len == 1 && *entry == '*')
		return 1;
	if (len == 0 || len > hlen || strncasecmp(host + hlen - len, entry,
	    len) != 0)
		return 0;
	return hlen == len || host[hlen - len - 1] == '.';
}

int
cp_https_proxied(const char *host)
{
	const char *np, *p;
	size_t n;

	if (env("https_proxy", "HTTPS_PROXY") == NULL &&
	    env("all_proxy", "ALL_PROXY") == NULL)
		return 0;
	if ((np = env("no_proxy", "NO_PROXY")) == NULL)
		return 1;
	for (p = np; *p != '\0'; p += n) {
		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n > 0 && no_proxy_covers(p, n, host))
			return 0;
	}
	return 1;
}

/* libcurl's fresh TLS context: take the served chain from it. */
static CURLcode
prepare_ctx(CURL *easy, void *sslctx, void *arg)
{
	struct xfer *x = arg;

	(void)easy;
	cp_tls_ctx_prepare(sslctx, &x->p->seen);
	return CURLE_OK;
}

/*
 * The URL names the SNI name (libcurl sends the URL's host); where that
 * is not the target's host (sni=), CONNECT_TO sends the proxy's CONNECT
 * to the target all the same.
 */
static int
set_target(CURL *easy, struct xfer *x)
{
	const struct cp_probe *p = x->p;
	const char *name = p->sni != NULL ? p->sni : p->host;
	int v6 = strchr(name, ':') != NULL, hv6 = strchr(p->host, ':') != NULL;
	char url[1024], to[600];

	snprintf(url, sizeof(url), "https://%s%s%s:%u%s", v6 ? "[" : "",
	    name, v6 ? "]" : "", p->port, p->url_path ? p->url_path : "/");
	if (lc.easy_setopt(easy, CURLOPT_URL, url) != CURLE_OK)
		return -1;
	if (!cp_is_address(name))
		x->p->seen.expect_sni = name;
	if (name == p->host)
		return 0;
	snprintf(to, sizeof(to), "%s:%u:%s%s%s:%u", name, p->port,
	    hv6 ? "[" : "", p->host, hv6 ? "]" : "", p->port);
	if ((x->pin = lc.slist_append(NULL, to)) == NULL)
		return -1;
	return lc.easy_setopt(easy, CURLOPT_CONNECT_TO, x->pin) != CURLE_OK ?
	    -1 : 0;
}

static int
set_options(CURL *easy, struct xfer *x)
{
	int64_t left = x->p->deadline_ms - cp_clock_ms();
	long ms = (long)x->p->budget_ms;

	if (x->p->deadline_ms > 0 && left < ms)
		ms = left > 1 ? (long)left : 1;

	/* A resolver thread of libcurl's that hangs (the proxy's name) must
	 * not hold the run: libcurl 7.87 and later; older ones refuse it. */
	lc.easy_setopt(easy, CURLOPT_QUICK_EXIT, 1L);
	return set_target(easy, x) == -1 ||
	    lc.easy_setopt(easy, CURLOPT_ERRORBUFFER, x->errbuf) ||
	    lc.easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https") ||
	    lc.easy_setopt(easy, CURLOPT_CONNECT_ONLY, 1L) ||
	    lc.easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L) ||
	    lc.easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L) ||
	    lc.easy_setopt(easy, CURLOPT_SSL_SESSIONID_CACHE, 0L) ||
	    lc.easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, prepare_ctx) ||
	    lc.easy_setopt(easy, CURLOPT_SSL_CTX_DATA, x) ||
	    lc.easy_setopt(easy, CURLOPT_TIMEOUT_MS, ms) ||
	    lc.easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, ms) ||
	    lc.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) ? -1 : 0;
}

int
cp_https_add(CURLM **multi, struct cp_probe *p, CURL **easy, void *owner)
{
	struct xfer *x;
	int rc;

	if (load_curl(p->error, sizeof(p->error)) == -1) {
		p->fail = CP_FAIL_UNSUPPORTED;
		return 1;
	}
	if (*multi == NULL && (lc.global_init(CURL_GLOBAL_DEFAULT) !=
	    CURLE_OK || (*multi = lc.multi_init()) == NULL))
		return -1;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	x->p = p;
	x->owner = owner;
	if ((*easy = lc.easy_init()) == NULL) {
		free(x);
		return -1;
	}
	lc.easy_setopt(*easy, CURLOPT_PRIVATE, x);
	if (set_options(*easy, x) == -1) {
		p->fail = CP_FAIL_UNSUPPORTED;
		snprintf(p->error, sizeof(p->error), "this libcurl refuses an "
		    "option the probe needs (it needs libcurl 7.85 or later)");
		rc = 1;
	} else if (lc.multi_add_handle(*multi, *easy) != CURLM_OK)
		rc = -1;
	else
		return 0;
	cp_https_free(NULL, *easy);
	*easy = NULL;
	return rc;
}

void
cp_https_free(CURLM *multi, CURL *easy)
{
	struct xfer *x = NULL;

	if (multi != NULL)
		lc.multi_remove_handle(multi, easy);
	lc.easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
	lc.easy_cleanup(easy);
	if (x != NULL) {
		lc.slist_free_all(x->pin);
		free(x);
	}
}

void
cp_https_end(CURLM *multi)
{
	if (multi != NULL)
		lc.multi_cleanup(multi);
}

/* libcurl's words for a failed handshake, in the engine's. */
static void
handshake_text(const char *errbuf, char *out, size_t len)
{
	const char *r = strrchr(errbuf, ':');

	if (strstr(errbuf, "SSL_ERROR_SYSCALL") != NULL ||
	    strstr(errbuf, "unexpected eof") != NULL)
		snprintf(out, len, "the server closed the connection during "
		    "the TLS handshake");
	else
		snprintf(out, len, "TLS handshake failed: %s",
		    r != NULL && r[1] != '\0' ? r + 1 : errbuf);
}

/* What a failed transfer means, in the classes every protocol uses. */
static void
failed(CURL *easy, CURLcode code, struct xfer *x)
{
	struct cp_probe *p = x->p;
	const char *why = x->errbuf[0] ? x->errbuf : lc.easy_strerror(code);
	char secs[32];
	long oserr = 0;

	switch (code) {
	case CURLE_OK:
		p->fail = CP_FAIL_PROTOCOL;
		snprintf(p->error, sizeof(p->error), "the server sent no "
		    "certificate");
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		p->fail = CP_FAIL_RESOLVE;
		snprintf(p->error, sizeof(p->error), "%s", why);
		break;
	case CURLE_COULDNT_CONNECT:
		lc.easy_getinfo(easy, CURLINFO_OS_ERRNO, &oserr);
		p->fail = CP_FAIL_CONNECT;
		snprintf(p->error, sizeof(p->error), "cannot connect through "
		    "the proxy: %s", oserr == ECONNREFUSED ?
		    "connection refused" : why);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		p->fail = CP_FAIL_TIMEOUT;
		snprintf(p->error, sizeof(p->error), "timed out after %s (%s)",
		    cp_seconds_text(p->timeout_ms, secs, sizeof(secs)), why);
		break;
	case CURLE_SSL_CONNECT_ERROR:
		p->fail = CP_FAIL_HANDSHAKE;
		handshake_text(why, p->error, sizeof(p->error));
		if (cp_tls_salvage(&p->seen) == CP_TLS_UNPROVEN) {
			char err[sizeof(p->error)];

			memcpy(err, p->error, sizeof(err));
			p->fail = CP_FAIL_KEY;
			cp_tls_unproven_text(err, p->error, sizeof(p->error));
		}
		break;
	default:
		p->fail = CP_FAIL_PROTOCOL;
		snprintf(p->error, sizeof(p->error), "%s", why);
		break;
	}
}

/* A transfer ended: the chain was read, or why not. */
static void
finish(CURL *easy, CURLcode code, struct xfer *x)
{
	struct cp_probe *p = x->p;
	char *ip = NULL;

	/* Read: a finished handshake with a chain, or one the server ended
	 * for want of a client certificate after sending its own. */
	if (code == CURLE_OK ? p->seen.served == NULL ||
	    sk_X509_num(p->seen.served) == 0 :
	    cp_tls_salvage(&p->seen) != CP_TLS_READ) {
		failed(easy, code, x);
		return;
	}
	/* The proxy connected for us: the address is its own. */
	lc.easy_getinfo(easy, CURLINFO_PRIMARY_IP, &ip);
	snprintf(p->via, sizeof(p->via), "proxy%s%s", ip && *ip ? " " : "",
	    ip && *ip ? ip : "");
}

int
cp_https_poll(CURLM *multi, struct curl_waitfd *fds, unsigned n, int ms)
{
	return lc.multi_poll(multi, fds, n, ms, NULL) == CURLM_OK ? 0 : -1;
}

int
cp_https_perform(CURLM *multi, void (*done)(void *, void *), void *arg)
{
	struct xfer *x;
	CURLMsg *msg;
	int running, left;

	if (lc.multi_perform(multi, &running) != CURLM_OK)
		return -1;
	while ((msg = lc.multi_info_read(multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		x = NULL;
		lc.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&x);
		finish(msg->easy_handle, msg->data.result, x);
		done(x->owner, arg);
	}
	return 0;
}

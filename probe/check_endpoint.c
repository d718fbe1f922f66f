/*
 * Endpoint checks: resolve each name, probe every address through the
 * engine, and judge what each served: verification, chain= and expect=.
 * Results are made as each address finishes (so a run over a thousand
 * endpoints never holds a thousand chains) and reported in the order of
 * the configuration.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "check.h"
#include "config.h"
#include "engine.h"
#include "https.h"
#include "proto.h"
#include "resolve.h"
#include "result.h"
#include "timeconv.h"
#include "trust.h"
#include "verify.h"

/* One address of an endpoint; `probe` first, so the engine's pointer
 * leads back here. */
struct address {
	struct cp_probe probe;
	struct cp_result r;          /* judged once the probe is over */
	struct endpoint *ep;
};

enum ep_phase { EP_WAITING, EP_RESOLVING, EP_RESOLVED };

/* One endpoint check. */
struct endpoint {
	const struct cp_check *check;
	enum ep_phase phase;
	struct cp_endpoints *all;
	struct cp_resolve *res;      /* while resolving */
	int64_t started;             /* when resolving began */
	int64_t resolved;            /* and ended: the rest of the timeout is
	                                the addresses' */
	struct cp_addr *addrs;
	size_t naddrs;
	int proxied;                 /* libcurl resolves, through a proxy */
	enum cp_fail fail;           /* resolving failed */
	char error[CP_ERROR_MAX];
	struct address *first;       /* its addresses among all->addr */
	struct cp_expected expect;   /* expect=, read at the first address */
	int expect_read;
};

struct cp_endpoints {
	const struct cp_run_params *params;
	struct endpoint *eps;
	size_t n;
	struct address *addr;
	size_t naddr;
	struct cp_trust *trust;
	size_t cursor;               /* where the report is */
	int oom;
};

/* The name a client asks for: sni=, else the host unless a literal. */
static const char *
sni_name(const struct cp_check *c)
{
	if (c->s.sni != NULL)
		return c->s.sni;
	return cp_is_address(c->target.host) ? NULL : c->target.host;
}

static void
resolve_start(struct endpoint *ep)
{
	const struct cp_check *c = ep->check;
	const struct cp_target *t = &c->target;

	const char *url_host = c->s.sni != NULL ? c->s.sni : t->host;

	ep->started = ep->resolved = cp_clock_ms();
	/* Through a proxy, the name is the proxy's to resolve, and libcurl
	 * makes the connection. It decides on the URL's host (the SNI
	 * name): so do we. */
	if (c->s.addr == NULL && t->proto->http &&
	    cp_https_proxied(url_host)) {
		ep->proxied = 1;
		return;
	}
	if ((ep->res = cp_resolve_start(c->s.addr ? c->s.addr : t->host,
	    t->port, c->s.addr ? 0 : c->s.family)) == NULL)
		ep->all->oom = 1;
}

/* 1 when the endpoint's name is resolved (or failed), 0 if pending. */
static int
resolve_poll(struct endpoint *ep, int64_t now)
{
	char secs[32];
	int rc;

	if (ep->res == NULL)
		return 1;
	rc = cp_resolve_check(ep->res, &ep->addrs, &ep->naddrs, ep->error,
	    sizeof(ep->error));
	if (rc == 0 && now - ep->started < ep->check->s.timeout_ms)
		return 0;
	ep->resolved = now;
	if (rc == 0)
		snprintf(ep->error, sizeof(ep->error), "timed out after %s "
		    "resolving '%s'", cp_seconds_text(ep->check->s.timeout_ms,
		    secs, sizeof(secs)), ep->check->target.host);
	if (rc != 1)
		ep->fail = rc == 0 ? CP_FAIL_TIMEOUT : CP_FAIL_RESOLVE;
	cp_resolve_end(ep->res);
	ep->res = NULL;
	return 1;
}

/* Resolves every endpoint's name, `jobs` at once. */
static void
resolve_all(struct cp_endpoints *all, size_t jobs)
{
	size_t i, active = 0, pending;
	int64_t now;
	int nap = 1;

	for (;;) {
		now = cp_clock_ms();
		for (i = 0, pending = 0; i < all->n && !all->oom; i++) {
			struct endpoint *ep = &all->eps[i];

			if (ep->phase == EP_WAITING && active < jobs) {
				resolve_start(ep);
				ep->phase = EP_RESOLVING;
				active++;
			}
			if (ep->phase == EP_RESOLVING && resolve_poll(ep, now)) {
				ep->phase = EP_RESOLVED;
				active--;
			}
			pending += ep->phase != EP_RESOLVED;
		}
		if (pending == 0 || all->oom)
			return;
		/* getaddrinfo_a tells no descriptor: look again soon. */
		poll(NULL, 0, nap);
		nap = nap < 16 ? nap * 2 : 20;
	}
}

/* Verifies the chain; the verified one, or NULL (off or failed). */
static STACK_OF(X509) *
verify(struct address *a, struct cp_verdict *v)
{
	const struct cp_check *c = a->ep->check;
	const char *name = sni_name(c);
	char err[CP_ERROR_MAX];
	X509_STORE *store;

	if (!c->s.verify)
		return NULL;
	if ((store = cp_trust_get(a->ep->all->trust, c->s.cafile, err,
	    sizeof(err))) == NULL) {
		cp_result_fail(&a->r, CP_FAIL_CONFIG, "%s", err);
		return NULL;
	}
	if (cp_verify(store, a->probe.seen.served, name ? name : c->target.host,
	    a->ep->all->params->now, v) == -1)
		goto oom;
	/* Not trusted by the hashed directory: the bundle may know more. */
	if (!v->ok && v->untrusted && (store = cp_trust_whole(
	    a->ep->all->trust, c->s.cafile)) != NULL) {
		cp_verdict_clear(v);
		if (cp_verify(store, a->probe.seen.served, name ? name :
		    c->target.host, a->ep->all->params->now, v) == -1)
			goto oom;
	}
	if (v->ok)
		return v->chain;
	cp_result_fail(&a->r, CP_FAIL_VERIFY, "certificate does not verify: "
	    "%s", v->error);
	return NULL;
oom:
	a->ep->all->oom = 1;
	return NULL;
}

/* expect=: the renewed certificate must be the one served. The file is
 * read once for all the addresses of the check. */
static void
compare_expected(struct address *a)
{
	struct endpoint *ep = a->ep;
	const char *path = ep->check->s.expect;
	int rc;

	if (!ep->expect_read) {
		cp_chain_expected(path, &ep->expect);
		ep->expect_read = 1;
	}
	if (ep->expect.der == NULL) {
		cp_result_fail(&a->r, CP_FAIL_FILE, "%s", ep->expect.error);
		return;
	}
	if ((rc = cp_chain_leaf_is(sk_X509_value(a->probe.seen.served, 0),
	    &ep->expect)) == 1)
		return;
	if (rc == -1)
		ep->all->oom = 1;
	else if (a->r.fail == CP_FAIL_NONE)
		cp_result_fail(&a->r, CP_FAIL_DRIFT, "serves a different "
		    "certificate than %s", path);
	else if (cp_result_append(&a->r, "; and serves a different "
	    "certificate than %s", path) == -1)
		a->ep->all->oom = 1;
	/* At least WARNING, whatever else went wrong (SPEC section 8). */
	else if (cp_fail_state(a->r.fail, CP_WARNING) == CP_UNKNOWN)
		a->r.fail = CP_FAIL_DRIFT;
}

/* The engine is done with an address: judge what it served, at once. */
static void
judge(struct cp_probe *p)
{
	struct address *a = (struct address *)p;
	const struct cp_check *c = a->ep->check;
	struct cp_limits lim = { a->ep->all->params->now, c->s.warn, c->s.crit };
	struct cp_verdict v = { 0, 0, NULL, "" };
	STACK_OF(X509) *verified;

	if (p->fail == CP_FAIL_NONE && (p->seen.served == NULL ||
	    sk_X509_num(p->seen.served) == 0)) {
		p->fail = CP_FAIL_INTERNAL;     /* a run cut short */
		snprintf(p->error, sizeof(p->error), "no certificate was read");
	}
	if (p->fail != CP_FAIL_NONE) {
		if (cp_result_fail(&a->r, p->fail, "%s", p->error) == -1)
			a->ep->all->oom = 1;
		goto out;
	}
	if (p->via[0] != '\0') {
		free(a->r.address);
		if ((a->r.address = strdup(p->via)) == NULL)
			a->ep->all->oom = 1;
	}
	verified = verify(a, &v);
	if (cp_chain_fill(&a->r, p->seen.served, verified, c->s.chain, &lim,
	    a->ep->all->params->want) == -1)
		a->ep->all->oom = 1;
	if (c->s.expect != NULL)
		compare_expected(a);
	cp_verdict_clear(&v);
out:
	sk_X509_pop_free(p->seen.served, X509_free);
	p->seen.served = NULL;
}

static int
address_init(struct address *a, struct endpoint *ep, const struct cp_addr *ad)
{
	const struct cp_check *c = ep->check;
	struct cp_probe *p = &a->probe;
	int64_t spent = ep->resolved - ep->started;

	a->ep = ep;
	p->proto = c->target.proto;
	p->host = c->target.host;
	p->port = c->target.port;
	p->sni = sni_name(c);
	p->url_path = c->target.url_path;
	p->budget_ms = c->s.timeout_ms - spent > 1 ? c->s.timeout_ms - spent : 1;
	p->timeout_ms = c->s.timeout_ms;
	p->deadline_ms = ep->all->params->deadline_ms;
	p->done = judge;
	a->r.check = c;
	a->r.state = CP_OK;
	a->r.one_of_many = ep->naddrs > 1;
	if (ad != NULL) {
		p->addr = *ad;
		p->has_addr = 1;
	}
	if ((a->r.target = strdup(c->text)) == NULL ||
	    (a->r.address = strdup(ad ? ad->text : "proxy")) == NULL)
		return -1;
	return 0;
}

/* One probe per address of every resolved endpoint. */
static int
make_probes(struct cp_endpoints *all)
{
	size_t i, j, n = 0;

	for (i = 0; i < all->n; i++)
		n += all->eps[i].proxied ? 1 : all->eps[i].naddrs;
	if ((all->addr = calloc(n ? n : 1, sizeof(*all->addr))) == NULL)
		return -1;
	for (i = 0; i < all->n; i++) {
		struct endpoint *ep = &all->eps[i];

		ep->first = &all->addr[all->naddr];
		if (ep->proxied && address_init(&all->addr[all->naddr++], ep,
		    NULL) == -1)
			return -1;
		for (j = 0; j < ep->naddrs; j++)
			if (address_init(&all->addr[all->naddr++], ep,
			    &ep->addrs[j]) == -1)
				return -1;
	}
	return 0;
}

struct cp_endpoints *
cp_endpoints_check(const struct cp_config *cfg,
    const struct cp_run_params *params)
{
	struct cp_endpoints *all;
	struct cp_probe **probes = NULL;
	size_t i, n = 0, jobs = cfg->g.jobs > 0 ? (size_t)cfg->g.jobs : 1;

	if ((all = calloc(1, sizeof(*all))) == NULL)
		return NULL;
	all->params = params;
	for (i = 0; i < cfg->nchecks; i++)
		n += !cp_target_is_file(&cfg->checks[i].target) &&
		    (params->only == NULL || params->only[i]);
	if ((all->eps = calloc(n ? n : 1, sizeof(*all->eps))) == NULL ||
	    (all->trust = cp_trust_new()) == NULL)
		goto fail;
	for (i = 0; i < cfg->nchecks; i++) {
		if (cp_target_is_file(&cfg->checks[i].target) ||
		    (params->only != NULL && !params->only[i]))
			continue;
		all->eps[all->n].check = &cfg->checks[i];
		all->eps[all->n++].all = all;
	}
	resolve_all(all, jobs);
	if (all->oom || make_probes(all) == -1)
		goto fail;
	if ((probes = calloc(all->naddr + 1, sizeof(*probes))) == NULL)
		goto fail;
	for (i = 0; i < all->naddr; i++)
		probes[i] = &all->addr[i].probe;
	if (cp_engine_run(probes, all->naddr, (int)jobs) == -1 || all->oom)
		goto fail;
	free(probes);
	return all;
fail:
	free(probes);
	cp_endpoints_free(all);
	return NULL;
}

/* The endpoint of `check`: the next in order, as the run asks. */
static struct endpoint *
find(struct cp_endpoints *all, const struct cp_check *check)
{
	size_t i;

	for (i = 0; i < all->n; i++) {
		size_t k = (all->cursor + i) % all->n;

		if (all->eps[k].check == check) {
			all->cursor = k + 1;
			return &all->eps[k];
		}
	}
	return NULL;
}

int
cp_endpoints_report(struct cp_endpoints *all, const struct cp_check *check,
    struct cp_report *rep)
{
	struct endpoint *ep = find(all, check);
	struct cp_result *r;
	size_t i, n;

	if (ep == NULL)
		return 0;
	if (ep->fail != CP_FAIL_NONE) {
		if ((r = cp_report_new(rep, check, check->text)) == NULL ||
		    cp_result_fail(r, ep->fail, "%s", ep->error) == -1)
			return -1;
		cp_report_settle(rep, r, check->s.unreachable);
		return 0;
	}
	n = ep->proxied ? 1 : ep->naddrs;
	for (i = 0; i < n; i++) {
		if ((r = cp_report_adopt(rep, &ep->first[i].r)) == NULL)
			return -1;
		cp_report_settle(rep, r, check->s.unreachable);
	}
	return 0;
}

void
cp_endpoints_free(struct cp_endpoints *all)
{
	size_t i;

	if (all == NULL)
		return;
	for (i = 0; i < all->naddr; i++) {
		cp_result_clear(&all->addr[i].r);
		sk_X509_pop_free(all->addr[i].probe.seen.served, X509_free);
	}
	for (i = 0; i < all->n; i++) {
		cp_resolve_end(all->eps[i].res);
		free(all->eps[i].addrs);
		free(all->eps[i].expect.der);
	}
	cp_trust_free(all->trust);
	free(all->addr);
	free(all->eps);
	free(all);
}

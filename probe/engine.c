/* The endpoint engine (see engine.h). */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/err.h>

#include "dialog.h"
#include "engine.h"
#include "https.h"
#include "proto.h"
#include "timeconv.h"
#include "tls.h"

enum phase { IDLE, CONNECTING, DIALOG, HANDSHAKE, CURLING };

/* How long past its deadline a libcurl transfer may run before the
 * engine ends it: libcurl's own timeout should come first. */
#define CURL_GRACE_MS 1000

struct conn {
	struct cp_probe *p;
	enum phase phase;
	int fd;
	short events;              /* what the connection waits for */
	int64_t deadline;
	SSL *ssl;
	CURL *easy;
	struct cp_dialog d;
};

struct engine {
	SSL_CTX *ctx;
	CURLM *multi;              /* made on the first https probe */
	struct conn *conns;        /* `jobs` slots */
	struct pollfd *pfd;
	struct curl_waitfd *wfd;   /* the same, as libcurl takes them */
	size_t jobs, active;
	int64_t now;
};

int64_t
cp_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
conn_close(struct engine *e, struct conn *c)
{
	struct cp_probe *p = c->p;

	if (c->ssl != NULL) {
		/* A close_notify after a finished handshake, never waited on. */
		if (SSL_is_init_finished(c->ssl))
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		ERR_clear_error();
	}
	if (c->fd != -1)
		close(c->fd);
	if (c->easy != NULL)
		cp_https_free(e->multi, c->easy);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	e->active--;
	/* Judged once its descriptor is free again: verification may need
	 * to open a cafile. */
	if (p != NULL && p->done != NULL)
		p->done(p);
}

static void
conn_fail(struct engine *e, struct conn *c, enum cp_fail f, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
conn_fail(struct engine *e, struct conn *c, enum cp_fail f, const char *fmt,
    ...)
{
	va_list ap;

	c->p->fail = f;
	va_start(ap, fmt);
	vsnprintf(c->p->error, sizeof(c->p->error), fmt, ap);
	va_end(ap);
	conn_close(e, c);
}

/* A connect() or send() that failed, in the words every protocol uses. */
static void
connect_failed(struct engine *e, struct conn *c, int err)
{
	conn_fail(e, c, CP_FAIL_CONNECT, "cannot connect: %s",
	    err == ECONNREFUSED ? "connection refused" : strerror(err));
}

static void
send_failed(struct engine *e, struct conn *c, int err)
{
	conn_fail(e, c, CP_FAIL_CONNECT, "cannot send: %s", strerror(err));
}

/* Our own address as an SMTP address literal, for EHLO (RFC 5321 4.1.3). */
static void
local_literal(int fd, char *buf, size_t len)
{
	struct cp_addr me;
	char host[INET6_ADDRSTRLEN];

	me.len = sizeof(me.sa);
	if (getsockname(fd, (struct sockaddr *)&me.sa, &me.len) == -1 ||
	    getnameinfo((struct sockaddr *)&me.sa, me.len, host, sizeof(host),
	    NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(buf, len, "localhost");
	else
		snprintf(buf, len, "[%s%s]", me.sa.ss_family == AF_INET6 ?
		    "IPv6:" : "", host);
}

/*
 * The TLS context, made once. It costs 8M instructions (OpenSSL 3 loads
 * its ciphers): made while the first connections are on their way, it
 * takes none of their time; a run of files or of proxied endpoints alone
 * never makes one. A connection reaches its handshake only after this
 * has run while it was connecting.
 */
static int
make_ctx(struct engine *e)
{
	size_t i;

	for (i = 0; e->ctx == NULL && i < e->jobs; i++)
		if (e->conns[i].phase == CONNECTING &&
		    (e->ctx = cp_tls_ctx_new()) == NULL)
			return -1;
	return 0;
}

static void
start_handshake(struct engine *e, struct conn *c)
{
	c->phase = HANDSHAKE;
	c->events = POLLOUT;
	if ((c->ssl = cp_tls_new(e->ctx, c->fd, c->p->sni,
	    &c->p->seen)) == NULL)
		conn_fail(e, c, CP_FAIL_INTERNAL, "out of memory");
}

/* Sends what the dialog queued; what the socket cannot take waits. */
static int
flush_dialog(struct conn *c)
{
	struct cp_dialog *d = &c->d;
	ssize_t n;

	while (d->outoff < d->outlen) {
		n = send(c->fd, d->out + d->outoff, d->outlen - d->outoff,
		    MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n == -1)
			return -1;
		d->outoff += (size_t)n;
	}
	if (d->outoff == d->outlen)
		d->outoff = d->outlen = 0;
	c->events = POLLIN | (d->outlen > 0 ? POLLOUT : 0);
	return 0;
}

static void
connected(struct engine *e, struct conn *c)
{
	char helo[64];
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		connect_failed(e, c, err);
		return;
	}
	local_literal(c->fd, helo, sizeof(helo));
	c->phase = DIALOG;
	/* XMPP's to= names the service: the SNI name where there is one. */
	switch (cp_dialog_init(&c->d, c->p->proto->dialect,
	    c->p->sni ? c->p->sni : c->p->host, helo)) {
	case CP_DIALOG_TLS:
		start_handshake(e, c);
		return;
	case CP_DIALOG_FAIL:
		conn_fail(e, c, c->d.fail, "%s", c->d.error);
		return;
	}
	if (flush_dialog(c) == -1)
		send_failed(e, c, errno);
}

static void
dialog_io(struct engine *e, struct conn *c, short revents)
{
	char buf[4096];
	ssize_t n;
	int rc = CP_DIALOG_MORE;

	if ((revents & POLLOUT) && flush_dialog(c) == -1) {
		send_failed(e, c, errno);
		return;
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	n = recv(c->fd, buf, sizeof(buf), 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == -1) {
		conn_fail(e, c, CP_FAIL_CONNECT, "%s", errno == ECONNRESET ?
		    "connection reset by the server" : strerror(errno));
		return;
	}
	rc = n == 0 ? cp_dialog_eof(&c->d) :
	    cp_dialog_feed(&c->d, buf, (size_t)n);
	if (rc == CP_DIALOG_FAIL)
		conn_fail(e, c, c->d.fail, "%s", c->d.error);
	else if (rc == CP_DIALOG_TLS)
		start_handshake(e, c);
	else if (flush_dialog(c) == -1)
		send_failed(e, c, errno);
}

/* A server that wants a client certificate ends the handshake after it
 * sent its own: that one is still checked, if the server proved it
 * holds its key. */
static void
handshake_failed(struct engine *e, struct conn *c, const char *err)
{
	char why[CP_ERROR_MAX];

	switch (cp_tls_salvage(&c->p->seen)) {
	case CP_TLS_READ:
		conn_close(e, c);
		break;
	case CP_TLS_UNPROVEN:
		cp_tls_unproven_text(err, why, sizeof(why));
		conn_fail(e, c, CP_FAIL_KEY, "%s", why);
		break;
	case CP_TLS_LOST:
		conn_fail(e, c, CP_FAIL_HANDSHAKE, "%s", err);
		break;
	}
}

static void
handshake_io(struct engine *e, struct conn *c)
{
	char err[CP_ERROR_MAX];

	switch (cp_tls_step(c->ssl, &c->events, err, sizeof(err))) {
	case 1:
		if (c->p->seen.served == NULL ||
		    sk_X509_num(c->p->seen.served) == 0)
			conn_fail(e, c, CP_FAIL_HANDSHAKE, "the server sent no "
			    "certificate");
		else
			conn_close(e, c);
		break;
	case -1:
		handshake_failed(e, c, err);
		break;
	}
}

static void
conn_io(struct engine *e, struct conn *c, short revents)
{
	switch (c->phase) {
	case CONNECTING:
		connected(e, c);
		break;
	case DIALOG:
		dialog_io(e, c, revents);
		break;
	case HANDSHAKE:
		handshake_io(e, c);
		break;
	default:
		break;
	}
}

static void
timed_out(struct engine *e, struct conn *c)
{
	char phase[96], secs[32];

	if (c->phase == CONNECTING)
		snprintf(phase, sizeof(phase), "connecting");
	else if (c->phase == CURLING)
		snprintf(phase, sizeof(phase), "through the proxy");
	else if (c->phase == HANDSHAKE)
		snprintf(phase, sizeof(phase), "in the TLS handshake");
	else
		cp_dialog_phase(&c->d, phase, sizeof(phase));
	conn_fail(e, c, CP_FAIL_TIMEOUT, "timed out after %s %s",
	    cp_seconds_text(c->p->timeout_ms, secs, sizeof(secs)), phase);
}

/* 1: started; 0: no descriptor free now, try later; -1: out of memory. */
static int
conn_start(struct engine *e, struct conn *c, struct cp_probe *p)
{
	int fd = -1, err = 0;

	if (!(p->proto->http && !p->has_addr)) {
		fd = socket(p->addr.sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		err = errno;
		/* Out of descriptors: wait for one of ours to close. */
		if (fd == -1 && (err == EMFILE || err == ENFILE) &&
		    e->active > 0)
			return 0;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->p = p;
	c->deadline = e->now + p->budget_ms;
	if (p->deadline_ms > 0 && p->deadline_ms < c->deadline)
		c->deadline = p->deadline_ms;
	e->active++;
	if (p->proto->http && !p->has_addr) {
		c->phase = CURLING;
		switch (cp_https_add(&e->multi, p, &c->easy, c)) {
		case -1:
			return -1;
		case 1:
			conn_close(e, c);   /* no libcurl: the probe says so */
			break;
		}
		return 1;
	}
	c->phase = CONNECTING;
	c->events = POLLOUT;
	if (fd == -1)
		conn_fail(e, c, CP_FAIL_CONNECT, "cannot open a socket: %s",
		    strerror(err));
	else if (connect(fd, (struct sockaddr *)&p->addr.sa,
	    p->addr.len) == -1 && errno != EINPROGRESS)
		connect_failed(e, c, errno);
	return 1;
}

/* libcurl finished a transfer: the probe is filled, the slot freed. */
static void
curl_done(void *owner, void *arg)
{
	conn_close(arg, owner);
}

/* Waits for the connections' events, libcurl's among them, until the
 * nearest deadline (at most a second). */
static int
wait_events(struct engine *e, size_t n, int64_t wait)
{
	struct curl_waitfd *w = e->wfd;
	int timeout = wait < 0 ? 0 : wait > 1000 ? 1000 : (int)wait;
	size_t i;

	if (e->multi == NULL)
		return poll(e->pfd, n, timeout) == -1 && errno != EINTR ? -1 : 0;
	for (i = 0; i < n; i++) {
		w[i].fd = e->pfd[i].fd;
		w[i].events = (short)((e->pfd[i].events & POLLIN ?
		    CURL_WAIT_POLLIN : 0) | (e->pfd[i].events & POLLOUT ?
		    CURL_WAIT_POLLOUT : 0));
		w[i].revents = 0;
	}
	if (cp_https_poll(e->multi, w, (unsigned)n, timeout) == -1)
		return -1;
	for (i = 0; i < n; i++)
		e->pfd[i].revents = (short)((w[i].revents & CURL_WAIT_POLLIN ?
		    POLLIN : 0) | (w[i].revents & CURL_WAIT_POLLOUT ?
		    POLLOUT : 0));
	return 0;
}

/* One round: wait, then move every connection that can move. */
static int
round_trip(struct engine *e, size_t *map)
{
	int64_t wait = INT64_MAX;
	size_t i, n = 0;

	for (i = 0; i < e->jobs; i++) {
		struct conn *c = &e->conns[i];

		if (c->phase == IDLE)
			continue;
		if (c->deadline - e->now < wait)
			wait = c->deadline - e->now;
		if (c->phase == CURLING)
			continue;
		e->pfd[n].fd = c->fd;
		e->pfd[n].events = c->events;
		e->pfd[n].revents = 0;
		map[n++] = i;
	}
	if (wait_events(e, n, wait) == -1)
		return -1;
	e->now = cp_clock_ms();
	for (i = 0; i < n; i++) {
		struct conn *c = &e->conns[map[i]];

		if (e->pfd[i].revents != 0)
			conn_io(e, c, e->pfd[i].revents);
		if (c->phase != IDLE && e->now >= c->deadline)
			timed_out(e, c);
	}
	/* libcurl keeps its own time; this is the backstop if it does not. */
	for (i = 0; i < e->jobs; i++)
		if (e->conns[i].phase == CURLING &&
		    e->now >= e->conns[i].deadline + CURL_GRACE_MS)
			timed_out(e, &e->conns[i]);
	if (e->multi != NULL)
		return cp_https_perform(e->multi, curl_done, e);
	return 0;
}

/* Starts probes while slots are free; the index of the next one. */
static int
fill_slots(struct engine *e, struct cp_probe **p, size_t n, size_t *next)
{
	size_t i;
	int rc;

	for (i = 0; i < e->jobs && *next < n; i++) {
		if (e->conns[i].phase != IDLE)
			continue;
		if ((rc = conn_start(e, &e->conns[i], p[*next])) == -1)
			return -1;
		if (rc == 0)
			break;  /* no descriptor: wait for one to close */
		(*next)++;
	}
	return 0;
}

static int
engine_loop(struct engine *e, struct cp_probe **p, size_t n)
{
	size_t next = 0, *map;
	int rc = -1;

	if ((map = calloc(e->jobs, sizeof(*map))) == NULL)
		return -1;
	e->now = cp_clock_ms();
	while (next < n || e->active > 0) {
		if (fill_slots(e, p, n, &next) == -1 || make_ctx(e) == -1 ||
		    round_trip(e, map) == -1)
			goto out;
	}
	rc = 0;
out:
	free(map);
	return rc;
}

/* Lets the run use every descriptor it may: each connection needs one. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
cp_engine_run(struct cp_probe **p, size_t n, int jobs)
{
	struct engine e;
	struct sigaction ign, old;
	size_t i;
	int rc = -1;

	if (n == 0)
		return 0;
	memset(&e, 0, sizeof(e));
	e.jobs = jobs < 1 ? 1 : (size_t)jobs;
	if (e.jobs > n)
		e.jobs = n;
	/* A server that closes while we write must not kill the run. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	raise_fd_limit();
	if ((e.conns = calloc(e.jobs, sizeof(*e.conns))) == NULL ||
	    (e.pfd = calloc(e.jobs, sizeof(*e.pfd))) == NULL ||
	    (e.wfd = calloc(e.jobs, sizeof(*e.wfd))) == NULL)
		goto out;
	for (i = 0; i < e.jobs; i++)
		e.conns[i].fd = -1;
	rc = engine_loop(&e, p, n);
out:
	for (i = 0; e.conns != NULL && i < e.jobs; i++)
		if (e.conns[i].phase != IDLE)
			conn_close(&e, &e.conns[i]);
	cp_https_end(e.multi);
	free(e.pfd);
	free(e.wfd);
	free(e.conns);
	SSL_CTX_free(e.ctx);
	sigaction(SIGPIPE, &old, NULL);
	return rc;
}

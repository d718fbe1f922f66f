/*
 * miniserver - a small TCP server for the test suite: hostile servers,
 * and the server side of STARTTLS-style protocols the tests have no
 * real daemon for.
 *
 *     miniserver [-6 | -a ADDR] -p PORT [--port-file FILE]
 *                [--cert CHAIN.pem --key KEY.pem] [--log FILE] MODE [ARG...]
 *
 * Listens on ADDR (default 127.0.0.1, -6: ::1) and PORT (0: any), forks
 * one child per connection, and runs until SIGTERM or SIGINT.  See
 * usage() for the modes.  Prints nothing on stdout.
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -O2 -o miniserver miniserver.c \
 *            -lssl -lcrypto
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#define LINE_MAX_BYTES	8192		/* longest line a client may send */
#define IDLE_MS		30000		/* silence before giving up on a client */
#define TLS_READ_MS	10000		/* reading after the handshake */
#define MAX_CHILDREN	1024
#define LOG_MAX		2048

/* ------------------------------------------------------------------ */
/* Usage */

static const char usage_text[] =
"Usage: miniserver [-6 | -a ADDR] -p PORT [--port-file FILE]\n"
"                  [--cert CHAIN.pem --key KEY.pem] [--log FILE] MODE [ARG...]\n"
"\n"
"Test server: listens on ADDR (default 127.0.0.1; -6: ::1) and PORT (0: any),\n"
"one child process per connection, until SIGTERM/SIGINT (then exits 0).\n"
"\n"
"  -a ADDR            numeric IPv4 or IPv6 address to listen on\n"
"  -6                 listen on ::1\n"
"  -p PORT            port, 0 = any free port (required)\n"
"  --port-file FILE   once listening, write the port and a newline to FILE\n"
"  --cert FILE        PEM certificate chain, leaf first\n"
"  --key FILE         PEM private key of the leaf\n"
"  --log FILE         append one line per connection saying what happened\n"
"\n"
"PROTO is one of: smtp lmtp nntp imap pop3 ftp sieve\n"
"\n"
"Hostile modes:\n"
"  silent                  accept, never send, wait for the client to close\n"
"  banner-silent PROTO     send PROTO's greeting, then nothing\n"
"  starttls-refuse PROTO LINE\n"
"                          offer STARTTLS, answer it with LINE\n"
"  no-starttls PROTO       capabilities without STARTTLS\n"
"  endless                 send \"220 \" then 'A' forever, no newline\n"
"  drip PROTO              send the greeting one byte per second, then wait\n"
"  close                   accept and close at once\n"
"  garbage                 send a plaintext HTTP 400 response, then close\n"
"  tls-silent              TLS handshake, then silence (needs --cert/--key)\n"
"  trailing                SMTP; STARTTLS answered with \"220 ...\" and a\n"
"                          plaintext \"250 injected\" line in one write\n"
"  longline PROTO          a 5000-byte greeting line\n"
"  badcode                 SMTP greeting \"2x0 hello\"\n"
"\n"
"Protocol modes (need --cert/--key): the server side of the dialog, then TLS:\n"
"  tls smtp lmtp nntp imap pop3 ftp sieve xmpp ldap postgres\n"
"  ldap-refuse             LDAP StartTLS answered protocolError, no TLS\n"
"  postgres-refuse         SSLRequest answered 'N', then close\n"
"  connect-proxy           HTTP CONNECT proxy (for https_proxy)\n";

static void
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("miniserver: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	fputs(usage_text, stderr);
	exit(2);
}

/* ------------------------------------------------------------------ */
/* Time */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until `deadline` (-1: none), for poll(). */
static int
left_ms(long long deadline)
{
	long long d;

	if (deadline < 0)
		return -1;
	d = deadline - now_ms();
	if (d < 0)
		return 0;
	return d > 1000000000 ? 1000000000 : (int)d;
}

/* poll() one fd for `events` until `deadline`: 1 ready, 0 timeout, -1 error */
static int
wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p;
	int n;

	for (;;) {
		p.fd = fd;
		p.events = events;
		p.revents = 0;
		n = poll(&p, 1, left_ms(deadline));
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* ------------------------------------------------------------------ */
/* Per-connection log: one line, written once with one write() */

static int g_logfd = -1;
static char g_log[LOG_MAX];
static volatile size_t g_loglen;	/* g_log[g_loglen] is always '\n' */
static int g_log_events;
static volatile sig_atomic_t g_logged;

static void
log_flush(void)
{
	sigset_t all, old;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (!g_logged && g_logfd >= 0 && g_loglen > 0) {
		ssize_t r = write(g_logfd, g_log, g_loglen + 1);
		(void)r;
	}
	g_logged = 1;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void
log_append(const char *s, size_t n)
{
	size_t len = g_loglen;

	if (n > sizeof(g_log) - 1 - len)
		n = sizeof(g_log) - 1 - len;
	memcpy(g_log + len, s, n);
	len += n;
	g_log[len] = '\n';
	g_loglen = len;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Adds an event to this connection's log line. */
static void
note(const char *fmt, ...)
{
	char buf[1024];
	sigset_t all, old;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (g_log_events++ > 0)
		log_append("; ", 2);
	else
		log_append(" ", 1);
	log_append(buf, (size_t)n);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void
log_begin(const char *prefix)
{
	g_loglen = 0;
	g_log_events = 0;
	log_append(prefix, strlen(prefix));
	log_append(":", 1);
}

/* Client bytes made printable for the log, at most `max` of them. */
static const char *
printable(const char *s, size_t n, size_t max)
{
	static char out[4][256];
	static int which;
	char *o = out[which++ & 3];
	size_t i, j = 0;

	if (max > sizeof(out[0]) - 4)
		max = sizeof(out[0]) - 4;
	for (i = 0; i < n && j < max; i++)
		o[j++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (i < n) {
		memcpy(o + j, "...", 3);
		j += 3;
	}
	o[j] = '\0';
	return o;
}

/* ------------------------------------------------------------------ */
/* Connection I/O */

struct conn {
	int fd;
	SSL *ssl;
	size_t inlen;
	char in[LINE_MAX_BYTES];
};

enum { RL_EOF = -1, RL_TIMEOUT = -2, RL_LONG = -3, RL_ERR = -4 };

static SSL_CTX *g_ctx;

/* Sends all of buf (plaintext): 0, or -1 when the client left. */
static int
send_all(struct conn *c, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
send_str(struct conn *c, const char *s)
{
	return send_all(c, s, strlen(s));
}

/* Reads more client bytes into c->in (up to a full buffer). */
static int
fill(struct conn *c, long long deadline)
{
	ssize_t n;
	int r;

	if (c->inlen >= sizeof(c->in))
		return RL_LONG;
	r = wait_fd(c->fd, POLLIN, deadline);
	if (r == 0)
		return RL_TIMEOUT;
	if (r < 0)
		return RL_ERR;
	do
		n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return RL_EOF;
	if (n < 0)
		return errno == ECONNRESET ? RL_EOF : RL_ERR;
	c->inlen += (size_t)n;
	return (int)n;
}

/*
 * Reads one line (CRLF or LF, stripped) into line[LINE_MAX_BYTES + 1],
 * NUL-terminated; its length, or RL_*.  Gives up after IDLE_MS of silence.
 */
static int
read_line(struct conn *c, char *line)
{
	for (;;) {
		char *nl = memchr(c->in, '\n', c->inlen);
		int r;

		if (nl != NULL) {
			size_t len = (size_t)(nl - c->in), used = len + 1;

			if (len > 0 && c->in[len - 1] == '\r')
				len--;
			memcpy(line, c->in, len);
			line[len] = '\0';
			memmove(c->in, c->in + used, c->inlen - used);
			c->inlen -= used;
			return (int)len;
		}
		r = fill(c, now_ms() + IDLE_MS);
		if (r < 0)
			return r;
	}
}

static const char *
rl_reason(int r)
{
	switch (r) {
	case RL_EOF:	 return "client closed";
	case RL_TIMEOUT: return "gave up after 30 s of silence";
	case RL_LONG:	 return "client line longer than 8 KiB, closing";
	default:	 return "read error";
	}
}

/* Discards client input until EOF or `timeout_ms` (-1: forever). */
static void
wait_close(struct conn *c, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	unsigned long long total = c->inlen;
	char buf[4096];

	c->inlen = 0;
	for (;;) {
		ssize_t n;
		int r = wait_fd(c->fd, POLLIN, deadline);

		if (r == 0) {
			note("%d s passed, closing (%llu bytes received)",
			    timeout_ms / 1000, total);
			return;
		}
		if (r < 0) {
			note("poll error");
			return;
		}
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			note("client closed (%llu bytes received)", total);
			return;
		}
		total += (unsigned long long)n;
	}
}

static void
set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK));
}

static const char *
ssl_errstr(void)
{
	static char buf[256];
	unsigned long e = ERR_get_error();

	if (e == 0)
		return "connection closed or reset";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

/* Waits for the fd as SSL wants: 1 go on, 0 stop (note written). */
static int
ssl_wait(struct conn *c, int ret, long long deadline, const char *what)
{
	int err = SSL_get_error(c->ssl, ret), r;

	if (err == SSL_ERROR_WANT_READ)
		r = wait_fd(c->fd, POLLIN, deadline);
	else if (err == SSL_ERROR_WANT_WRITE)
		r = wait_fd(c->fd, POLLOUT, deadline);
	else {
		if (err == SSL_ERROR_ZERO_RETURN)
			note("%s: client sent close_notify", what);
		else
			note("%s failed: %s", what, ssl_errstr());
		return 0;
	}
	if (r == 0) {
		note("%s: timed out", what);
		return 0;
	}
	return r > 0;
}

/* Completes a TLS handshake as server: 0 ok, -1 failed (noted). */
static int
tls_accept(struct conn *c)
{
	long long deadline = now_ms() + IDLE_MS;
	const char *sni;
	int r;

	if (c->inlen > 0) {
		note("%zu plaintext bytes pipelined before TLS discarded",
		    c->inlen);
		c->inlen = 0;
	}
	if ((c->ssl = SSL_new(g_ctx)) == NULL || !SSL_set_fd(c->ssl, c->fd)) {
		note("SSL_new failed");
		return -1;
	}
	set_nonblock(c->fd, 1);
	while ((r = SSL_accept(c->ssl)) != 1)
		if (!ssl_wait(c, r, deadline, "TLS handshake"))
			return -1;
	sni = SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
	note("TLS handshake done (%s, SNI %s)", SSL_get_version(c->ssl),
	    sni ? printable(sni, strlen(sni), 100) : "none");
	return 0;
}

/* Reads TLS data until the client closes or `timeout_ms` pass. */
static void
tls_drain(struct conn *c, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	unsigned long long total = 0;
	char buf[4096];
	int r;

	for (;;) {
		r = SSL_read(c->ssl, buf, sizeof(buf));
		if (r > 0) {
			total += (unsigned)r;
			continue;
		}
		if (SSL_get_error(c->ssl, r) == SSL_ERROR_ZERO_RETURN) {
			note("client closed TLS (%llu bytes received)", total);
			break;
		}
		if (SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_READ ||
		    SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_WRITE) {
			short ev = SSL_get_error(c->ssl, r) ==
			    SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
			int w = wait_fd(c->fd, ev, deadline);

			if (w == 0) {
				note("%d s passed, closing (%llu bytes "
				    "received)", timeout_ms / 1000, total);
				break;
			}
			if (w > 0)
				continue;
		}
		note("client closed (%llu bytes received)", total);
		ERR_clear_error();
		return;
	}
	SSL_shutdown(c->ssl);
}

/* TLS handshake, then read until close or 10 s. */
static void
tls_phase(struct conn *c)
{
	if (tls_accept(c) == 0)
		tls_drain(c, TLS_READ_MS);
}

/* ------------------------------------------------------------------ */
/* Line protocols */

struct reply {
	const char *pre;	/* whole lines, CRLF included; may be NULL */
	const char *fin;	/* last line without CRLF; tagged in IMAP */
};

struct lproto {
	const char *name;
	const char *greeting;	/* when STARTTLS is offered */
	const char *banner;	/* when it is not (and banner-silent, drip) */
	const char *long_pre, *long_suf;	/* longline */
	int tagged;		/* IMAP tags */
	const char *cap_cmd;
	struct reply cap_tls, cap_notls;
	const char *stls_cmd;
	struct reply stls_ok;
	const char *quit_cmd;
	struct reply quit;
	struct reply unknown;
	const char *wrong_cmd;	/* LMTP: EHLO/HELO */
	struct reply wrong;
};

#define SIEVE_CAPS1 "\"IMPLEMENTATION\" \"mini\"\r\n\"SIEVE\" \"fileinto\"\r\n"
#define SIEVE_CAPS2 "\"VERSION\" \"1.0\"\r\n"

static const struct lproto lprotos[] = {
	{ "smtp", "220 mini ESMTP\r\n", "220 mini ESMTP\r\n", "220 ", "\r\n", 0,
	  "EHLO", { "250-mini\r\n250-PIPELINING\r\n", "250 STARTTLS" },
	  { "250-mini\r\n", "250 PIPELINING" },
	  "STARTTLS", { NULL, "220 2.0.0 Ready" },
	  "QUIT", { NULL, "221 bye" }, { NULL, "500 unknown" },
	  "LHLO", { NULL, "500 unknown" } },
	{ "lmtp", "220 mini LMTP\r\n", "220 mini LMTP\r\n", "220 ", "\r\n", 0,
	  "LHLO", { "250-mini\r\n250-PIPELINING\r\n", "250 STARTTLS" },
	  { "250-mini\r\n", "250 PIPELINING" },
	  "STARTTLS", { NULL, "220 2.0.0 Ready" },
	  "QUIT", { NULL, "221 bye" }, { NULL, "500 unknown" },
	  "EHLO", { NULL, "500 5.5.1 use LHLO" } },
	{ "nntp", "200 mini\r\n", "200 mini ready\r\n", "200 ", "\r\n", 0,
	  "CAPABILITIES",
	  { "101 Capability list:\r\nVERSION 2\r\nREADER\r\nSTARTTLS\r\n", "." },
	  { "101 Capability list:\r\nVERSION 2\r\nREADER\r\n", "." },
	  "STARTTLS", { NULL, "382 Continue with TLS negotiation" },
	  "QUIT", { NULL, "205 bye" }, { NULL, "500 unknown" },
	  NULL, { NULL, NULL } },
	{ "imap", "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n",
	  "* OK mini ready\r\n", "* OK ", "\r\n", 1,
	  "CAPABILITY", { "* CAPABILITY IMAP4rev1 STARTTLS\r\n", "OK done" },
	  { "* CAPABILITY IMAP4rev1\r\n", "OK done" },
	  "STARTTLS", { NULL, "OK Begin TLS" },
	  "LOGOUT", { "* BYE bye\r\n", "OK done" }, { NULL, "BAD unknown" },
	  NULL, { NULL, NULL } },
	{ "pop3", "+OK mini\r\n", "+OK mini\r\n", "+OK ", "\r\n", 0,
	  "CAPA", { "+OK\r\nSTLS\r\nUSER\r\n", "." }, { "+OK\r\nUSER\r\n", "." },
	  "STLS", { NULL, "+OK Begin TLS" },
	  "QUIT", { NULL, "+OK bye" }, { NULL, "-ERR unknown" },
	  NULL, { NULL, NULL } },
	{ "ftp", "220 mini FTP\r\n", "220 mini\r\n", "220 ", "\r\n", 0,
	  "FEAT", { "211-Features:\r\n AUTH TLS\r\n", "211 End" },
	  { "211-Features:\r\n UTF8\r\n", "211 End" },
	  "AUTH TLS", { NULL, "234 AUTH TLS successful" },
	  "QUIT", { NULL, "221 bye" }, { NULL, "500 unknown" },
	  NULL, { NULL, NULL } },
	{ "sieve", SIEVE_CAPS1 "\"STARTTLS\"\r\n" SIEVE_CAPS2 "OK \"ready\"\r\n",
	  SIEVE_CAPS1 SIEVE_CAPS2 "OK \"ready\"\r\n",
	  "\"IMPLEMENTATION\" \"", "\"\r\n", 0,
	  "CAPABILITY", { SIEVE_CAPS1 "\"STARTTLS\"\r\n" SIEVE_CAPS2, "OK \"ready\"" },
	  { SIEVE_CAPS1 SIEVE_CAPS2, "OK \"ready\"" },
	  "STARTTLS", { NULL, "OK \"Begin TLS negotiation now\"" },
	  "LOGOUT", { NULL, "OK \"bye\"" }, { NULL, "NO \"unknown command\"" },
	  NULL, { NULL, NULL } },
};

static const struct lproto *
find_lproto(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(lprotos) / sizeof(lprotos[0]); i++)
		if (strcmp(lprotos[i].name, name) == 0)
			return &lprotos[i];
	return NULL;
}

/* Sends a reply, the last line tagged when the protocol has tags. */
static int
send_reply(struct conn *c, const struct lproto *p, const char *tag,
    const char *pre, const char *fin)
{
	char buf[LINE_MAX_BYTES + 1024];
	int n;

	if (p->tagged)
		n = snprintf(buf, sizeof(buf), "%s%s %s\r\n", pre ? pre : "",
		    tag, fin);
	else
		n = snprintf(buf, sizeof(buf), "%s%s\r\n", pre ? pre : "", fin);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = (int)strlen(buf);
	return send_all(c, buf, (size_t)n);
}

/* Does command `cmd` (its first word, or all of it if it has a space)
 * match `want`, case-insensitively? */
static int
cmd_is(const char *cmd, const char *want)
{
	size_t n = strlen(want);

	if (want == NULL)
		return 0;
	if (strncasecmp(cmd, want, n) != 0)
		return 0;
	if (strchr(want, ' ') != NULL) {
		while (cmd[n] == ' ' || cmd[n] == '\t')
			n++;
		return cmd[n] == '\0';
	}
	return cmd[n] == '\0' || cmd[n] == ' ';
}

enum stls { OFFER, REFUSE, NOTLS, TRAILING };

/*
 * Plays the server side of `p`'s command dialog after the greeting.
 * Returns 1 when TLS is to start now, 0 when the dialog ended (noted).
 */
static int
line_dialog(struct conn *c, const struct lproto *p, enum stls how,
    const char *refusal)
{
	static char line[LINE_MAX_BYTES + 1];
	int r, offered = how != NOTLS, unknown = 0;

	for (;;) {
		const char *tag = "", *cmd = line;
		char tagbuf[64];

		if ((r = read_line(c, line)) < 0) {
			note("%s", rl_reason(r));
			return 0;
		}
		if (p->tagged) {
			size_t tl = strcspn(line, " ");

			if (tl == 0 || tl >= sizeof(tagbuf) || line[tl] != ' ') {
				if (send_str(c, "* BAD missing tag\r\n") < 0)
					goto left;
				continue;
			}
			memcpy(tagbuf, line, tl);
			tagbuf[tl] = '\0';
			tag = tagbuf;
			cmd = line + tl + 1;
		}
		if (cmd_is(cmd, p->cap_cmd)) {
			const struct reply *rp = offered ? &p->cap_tls : &p->cap_notls;

			note("%s", printable(cmd, strlen(cmd), 80));
			r = send_reply(c, p, tag, rp->pre, rp->fin);
		} else if (offered && cmd_is(cmd, p->stls_cmd)) {
			if (how == OFFER) {
				note("%s answered", p->stls_cmd);
				if (send_reply(c, p, tag, NULL, p->stls_ok.fin) < 0)
					goto left;
				return 1;
			}
			if (how == TRAILING) {
				note("STARTTLS answered 220 plus injected "
				    "plaintext \"250 injected\"");
				if (send_str(c, "220 2.0.0 Ready to start TLS\r\n"
				    "250 injected\r\n") < 0)
					goto left;
				return 1;
			}
			note("%s answered %s", p->stls_cmd,
			    printable(refusal, strcspn(refusal, " "), 20));
			r = send_reply(c, p, tag, NULL, refusal);
		} else if (cmd_is(cmd, p->quit_cmd)) {
			note("%s", p->quit_cmd);
			send_reply(c, p, tag, p->quit.pre, p->quit.fin);
			return 0;
		} else if (p->wrong_cmd && (cmd_is(cmd, p->wrong_cmd) ||
		    (strcmp(p->wrong_cmd, "EHLO") == 0 && cmd_is(cmd, "HELO")))) {
			note("%s refused", printable(cmd, strcspn(cmd, " "), 20));
			r = send_reply(c, p, tag, p->wrong.pre, p->wrong.fin);
		} else {
			if (++unknown <= 3)
				note("unknown command %s",
				    printable(cmd, strlen(cmd), 40));
			else if (unknown == 4)
				note("more unknown commands");
			r = send_reply(c, p, tag, p->unknown.pre, p->unknown.fin);
		}
		if (r < 0)
			goto left;
	}
left:
	note("client left");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Modes */

struct mode {
	const char *name;
	int nargs;		/* exact number of arguments */
	int cert;		/* 1: needs --cert/--key, 2: uses them if given */
	int proto;		/* 1: first argument is a PROTO */
	void (*run)(struct conn *, char **);
};

static int g_have_cert;

static void
m_silent(struct conn *c, char **av)
{
	(void)av;
	note("accepted, silent");
	wait_close(c, -1);
}

static void
m_banner_silent(struct conn *c, char **av)
{
	const struct lproto *p = find_lproto(av[0]);

	if (send_str(c, p->banner) < 0) {
		note("client left");
		return;
	}
	note("greeting sent, silent");
	wait_close(c, -1);
}

static void
m_starttls_refuse(struct conn *c, char **av)
{
	const struct lproto *p = find_lproto(av[0]);

	if (send_str(c, p->greeting) < 0) {
		note("client left");
		return;
	}
	line_dialog(c, p, REFUSE, av[1]);
}

static void
m_no_starttls(struct conn *c, char **av)
{
	const struct lproto *p = find_lproto(av[0]);

	if (send_str(c, p->banner) < 0) {
		note("client left");
		return;
	}
	note("STARTTLS not offered");
	line_dialog(c, p, NOTLS, NULL);
}

static void
m_endless(struct conn *c, char **av)
{
	static char buf[65536];
	unsigned long long total = 4;

	(void)av;
	memset(buf, 'A', sizeof(buf));
	if (send_str(c, "220 ") == 0)
		while (send_all(c, buf, sizeof(buf)) == 0)
			total += sizeof(buf);
	note("endless line stopped after about %llu bytes: %s", total,
	    errno == EAGAIN ? "client stopped reading for 30 s" :
	    "client left");
}

static void
m_drip(struct conn *c, char **av)
{
	const struct lproto *p = find_lproto(av[0]);
	const char *s = p->banner;
	char buf[4096];

	for (; *s; s++) {
		long long deadline = now_ms() + 1000;

		if (send_all(c, s, 1) < 0) {
			note("client left after %zu greeting bytes",
			    (size_t)(s - p->banner));
			return;
		}
		while (s[1] && wait_fd(c->fd, POLLIN, deadline) > 0) {
			ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

			if (n == 0 || (n < 0 && errno != EINTR)) {
				note("client closed after %zu greeting bytes",
				    (size_t)(s + 1 - p->banner));
				return;
			}
		}
	}
	note("greeting dripped, waiting");
	wait_close(c, -1);
}

static void
m_close(struct conn *c, char **av)
{
	(void)c;
	(void)av;
	note("closed at once");
}

static void
m_garbage(struct conn *c, char **av)
{
	int got;

	(void)av;
	/* Give the client a moment to speak first (a TLS ClientHello). */
	got = wait_fd(c->fd, POLLIN, now_ms() + 2000) > 0;
	if (send_str(c, "HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n"
	    "\r\n") < 0) {
		note("client left");
		return;
	}
	note("sent plaintext HTTP 400 %s", got ? "after client data" :
	    "after 2 s of silence");
	/* Lingering close, so the client reads the reply, not a reset. */
	shutdown(c->fd, SHUT_WR);
	wait_close(c, 2000);
}

static void
m_tls_silent(struct conn *c, char **av)
{
	(void)av;
	if (tls_accept(c) == 0) {
		note("silent");
		tls_drain(c, -1);
	}
}

static void
m_trailing(struct conn *c, char **av)
{
	(void)av;
	if (send_str(c, lprotos[0].greeting) < 0) {
		note("client left");
		return;
	}
	if (line_dialog(c, &lprotos[0], TRAILING, NULL) != 1)
		return;
	if (g_have_cert) {
		if (tls_accept(c) == 0) {
			note("client went on with TLS after injected plaintext");
			tls_drain(c, TLS_READ_MS);
		}
	} else {
		wait_close(c, IDLE_MS);
	}
}

static void
m_longline(struct conn *c, char **av)
{
	const struct lproto *p = find_lproto(av[0]);
	char buf[5001];
	size_t pl = strlen(p->long_pre), sl = strlen(p->long_suf);

	memcpy(buf, p->long_pre, pl);
	memset(buf + pl, 'A', 5000 - pl - sl);
	memcpy(buf + 5000 - sl, p->long_suf, sl);
	if (send_all(c, buf, 5000) < 0) {
		note("client left");
		return;
	}
	note("5000-byte greeting sent");
	line_dialog(c, p, NOTLS, NULL);
}

static void
m_badcode(struct conn *c, char **av)
{
	(void)av;
	if (send_str(c, "2x0 hello\r\n") < 0) {
		note("client left");
		return;
	}
	note("greeting 2x0 sent");
	line_dialog(c, &lprotos[0], NOTLS, NULL);
}

static void
m_tls(struct conn *c, char **av)
{
	(void)av;
	tls_phase(c);
}

/* smtp lmtp nntp imap pop3 ftp sieve: the mode name is the protocol. */
static const char *g_mode_name;

static void
m_lproto(struct conn *c, char **av)
{
	const struct lproto *p = find_lproto(g_mode_name);

	(void)av;
	if (send_str(c, p->greeting) < 0) {
		note("client left");
		return;
	}
	if (line_dialog(c, p, OFFER, NULL) == 1)
		tls_phase(c);
}

/* ------------------------------------------------------------------ */
/* XMPP (RFC 6120) */

/* Copies a host name from client XML, harmless in a quoted attribute. */
static void
clean_host(char *dst, size_t cap, const char *src, size_t n)
{
	size_t i;

	if (n > cap - 1)
		n = cap - 1;
	for (i = 0; i < n; i++)
		dst[i] = (isalnum((unsigned char)src[i]) || strchr(".-_:[]",
		    src[i]) != NULL) && src[i] != '\0' ? src[i] : '_';
	dst[n] = '\0';
}

/* Consumes the first `n` buffered bytes. */
static void
consume(struct conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
}

static void
m_xmpp(struct conn *c, char **av)
{
	static const char tag[] = "<stream:stream";
	char host[256] = "", reply[1024];
	size_t start = 0, end = 0, i;
	int r, n;

	(void)av;
	for (;;) {		/* the stream header, up to its '>' */
		const char *s = memmem(c->in, c->inlen, tag, sizeof(tag) - 1);

		if (s != NULL) {
			char q = 0;

			start = (size_t)(s - c->in);
			for (i = start + sizeof(tag) - 1; i < c->inlen; i++) {
				if (q != 0) {
					if (c->in[i] == q)
						q = 0;
				} else if (c->in[i] == '\'' || c->in[i] == '"')
					q = c->in[i];
				else if (c->in[i] == '>')
					break;
			}
			if (i < c->inlen) {
				end = i + 1;
				break;
			}
		}
		if ((r = fill(c, now_ms() + IDLE_MS)) < 0) {
			note("no stream header: %s", rl_reason(r));
			return;
		}
	}
	for (i = start; i + 4 < end; i++) {	/* to='HOST' */
		if (strchr(" \t\r\n", c->in[i]) != NULL &&
		    strncmp(c->in + i + 1, "to=", 3) == 0 &&
		    (c->in[i + 4] == '\'' || c->in[i + 4] == '"')) {
			const char *v = c->in + i + 5;
			const char *e = memchr(v, c->in[i + 4],
			    (size_t)(c->in + end - v));

			if (e != NULL)
				clean_host(host, sizeof(host), v,
				    (size_t)(e - v));
			break;
		}
	}
	note("stream header to='%s'", host);
	consume(c, end);
	n = snprintf(reply, sizeof(reply), "<?xml version='1.0'?>"
	    "<stream:stream xmlns='jabber:client' xmlns:stream="
	    "'http://etherx.jabber.org/streams' id='x'%s%s%s version='1.0'>"
	    "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:"
	    "xmpp-tls'><required/></starttls></stream:features>",
	    host[0] ? " from='" : "", host, host[0] ? "'" : "");
	if (send_all(c, reply, (size_t)n) < 0) {
		note("client left");
		return;
	}
	for (;;) {		/* <starttls .../> or <starttls ...></starttls> */
		const char *s = memmem(c->in, c->inlen, "<starttls", 9);

		if (s != NULL) {
			size_t off = (size_t)(s - c->in);
			const char *e1 = memmem(s, c->inlen - off, "/>", 2);
			const char *e2 = memmem(s, c->inlen - off,
			    "</starttls>", 11);
			const char *e = e1 != NULL ? e1 + 2 : NULL;

			if (e2 != NULL && (e == NULL || e2 + 11 < e))
				e = e2 + 11;
			if (e != NULL) {
				consume(c, (size_t)(e - c->in));
				break;
			}
		}
		if (memmem(c->in, c->inlen, "</stream:stream>", 16) != NULL) {
			note("client closed the stream without starttls");
			return;
		}
		if ((r = fill(c, now_ms() + IDLE_MS)) < 0) {
			note("no starttls: %s", rl_reason(r));
			return;
		}
	}
	note("starttls answered proceed");
	if (send_str(c, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
	    < 0) {
		note("client left");
		return;
	}
	tls_phase(c);
}

/* ------------------------------------------------------------------ */
/* LDAP StartTLS (RFC 4511 4.14) */

#define LDAP_STARTTLS_OID "1.3.6.1.4.1.1466.20037"
#define BER_MAX 65536

/*
 * Parses a BER tag and definite length at p[0..n): 1 and *hdr, *len set;
 * 0 incomplete; -1 malformed or longer than BER_MAX.
 */
static int
ber_head(const unsigned char *p, size_t n, size_t *hdr, size_t *len)
{
	size_t i, k, v = 0;

	if (n < 2)
		return 0;
	if ((p[0] & 0x1f) == 0x1f)	/* multi-byte tags: not in LDAP */
		return -1;
	if (p[1] < 0x80) {
		*hdr = 2;
		*len = p[1];
		return 1;
	}
	k = p[1] & 0x7f;
	if (k == 0 || k > 3)		/* indefinite, or too long */
		return -1;
	if (n < 2 + k)
		return 0;
	for (i = 0; i < k; i++)
		v = v << 8 | p[2 + i];
	if (v > BER_MAX)
		return -1;
	*hdr = 2 + k;
	*len = v;
	return 1;
}

/* Reads one whole BER element into buf: its size, or -1 (noted). */
static ssize_t
read_ber(struct conn *c, unsigned char *buf, size_t cap)
{
	size_t have = 0, hdr = 0, len = 0, want = 2;
	int r;

	for (;;) {
		ssize_t n;

		if (have >= 2) {
			r = ber_head(buf, have, &hdr, &len);
			if (r < 0) {
				note("malformed BER element");
				return -1;
			}
			want = r ? hdr + len : have + 1;
			if (want > cap) {
				note("BER element too long");
				return -1;
			}
			if (have >= want)
				return (ssize_t)want;
		}
		r = wait_fd(c->fd, POLLIN, now_ms() + IDLE_MS);
		if (r <= 0) {
			note("%s", r == 0 ? rl_reason(RL_TIMEOUT) : "poll error");
			return -1;
		}
		n = recv(c->fd, buf + have, want - have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			note("client closed");
			return -1;
		}
		have += (size_t)n;
	}
}

static void
ldap_common(struct conn *c, int refuse)
{
	static unsigned char buf[BER_MAX + 8];
	static const char oid[] = LDAP_STARTTLS_OID;
	static const char diag[] = "StartTLS not supported";
	unsigned char out[256];
	size_t hdr, len, pos, idpos, idlen, oplen, o = 0, inner;
	ssize_t n = read_ber(c, buf, sizeof(buf));

	if (n < 0)
		return;
	if (buf[0] != 0x30 || ber_head(buf, (size_t)n, &hdr, &len) != 1)
		goto bad;
	pos = hdr;
	if (ber_head(buf + pos, (size_t)n - pos, &hdr, &idlen) != 1 ||
	    buf[pos] != 0x02 || idlen < 1 || idlen > 4 ||
	    pos + hdr + idlen > (size_t)n)
		goto bad;
	idpos = pos + hdr;
	pos = idpos + idlen;
	if (ber_head(buf + pos, (size_t)n - pos, &hdr, &oplen) != 1 ||
	    pos + hdr + oplen > (size_t)n)
		goto bad;
	if (buf[pos] != 0x77) {
		note("not an ExtendedRequest (tag 0x%02x)", buf[pos]);
		return;
	}
	pos += hdr;
	if (ber_head(buf + pos, (size_t)n - pos, &hdr, &len) != 1 ||
	    buf[pos] != 0x80 || pos + hdr + len > (size_t)n)
		goto bad;
	if (len != sizeof(oid) - 1 || memcmp(buf + pos + hdr, oid, len) != 0) {
		note("ExtendedRequest %s, not StartTLS",
		    printable((const char *)buf + pos + hdr, len, 60));
		return;
	}
	note("StartTLS request, messageID of %zu byte%s", idlen,
	    idlen == 1 ? "" : "s");

	inner = 3 + 2 + 2 + (refuse ? sizeof(diag) - 1 : 0) + 2 +
	    sizeof(oid) - 1;
	out[o++] = 0x30;
	out[o++] = (unsigned char)(2 + idlen + 2 + inner);
	out[o++] = 0x02;
	out[o++] = (unsigned char)idlen;
	memcpy(out + o, buf + idpos, idlen);
	o += idlen;
	out[o++] = 0x78;
	out[o++] = (unsigned char)inner;
	out[o++] = 0x0a;			/* resultCode */
	out[o++] = 0x01;
	out[o++] = refuse ? 0x02 : 0x00;
	out[o++] = 0x04;			/* matchedDN */
	out[o++] = 0x00;
	out[o++] = 0x04;			/* diagnosticMessage */
	if (refuse) {
		out[o++] = sizeof(diag) - 1;
		memcpy(out + o, diag, sizeof(diag) - 1);
		o += sizeof(diag) - 1;
	} else
		out[o++] = 0x00;
	out[o++] = 0x8a;			/* responseName */
	out[o++] = sizeof(oid) - 1;
	memcpy(out + o, oid, sizeof(oid) - 1);
	o += sizeof(oid) - 1;
	if (send_all(c, out, o) < 0) {
		note("client left");
		return;
	}
	if (refuse) {
		note("answered protocolError");
		wait_close(c, IDLE_MS);
		return;
	}
	note("answered success");
	tls_phase(c);
	return;
bad:
	note("malformed LDAPMessage");
}

static void
m_ldap(struct conn *c, char **av)
{
	(void)av;
	ldap_common(c, 0);
}

static void
m_ldap_refuse(struct conn *c, char **av)
{
	(void)av;
	ldap_common(c, 1);
}

/* ------------------------------------------------------------------ */
/* PostgreSQL SSLRequest */

static void
postgres_common(struct conn *c, int refuse)
{
	static const unsigned char sslreq[8] = { 0, 0, 0, 8, 0x04, 0xd2,
	    0x16, 0x2f };
	static const unsigned char gssreq[8] = { 0, 0, 0, 8, 0x04, 0xd2,
	    0x16, 0x30 };
	int tries, r;

	for (tries = 0; tries < 2; tries++) {
		while (c->inlen < 8)
			if ((r = fill(c, now_ms() + IDLE_MS)) < 0) {
				note("no SSLRequest: %s", rl_reason(r));
				return;
			}
		if (memcmp(c->in, gssreq, 8) == 0) {
			consume(c, 8);
			note("GSSENCRequest answered N");
			if (send_all(c, "N", 1) < 0) {
				note("client left");
				return;
			}
			continue;
		}
		if (memcmp(c->in, sslreq, 8) != 0) {
			note("not an SSLRequest (%02x %02x %02x %02x %02x %02x "
			    "%02x %02x)", (unsigned char)c->in[0],
			    (unsigned char)c->in[1], (unsigned char)c->in[2],
			    (unsigned char)c->in[3], (unsigned char)c->in[4],
			    (unsigned char)c->in[5], (unsigned char)c->in[6],
			    (unsigned char)c->in[7]);
			return;
		}
		consume(c, 8);
		note("SSLRequest answered %c", refuse ? 'N' : 'S');
		if (send_all(c, refuse ? "N" : "S", 1) < 0) {
			note("client left");
			return;
		}
		if (!refuse)
			tls_phase(c);
		return;
	}
	note("no SSLRequest after GSSENCRequest");
}

static void
m_postgres(struct conn *c, char **av)
{
	(void)av;
	postgres_common(c, 0);
}

static void
m_postgres_refuse(struct conn *c, char **av)
{
	(void)av;
	postgres_common(c, 1);
}

/* ------------------------------------------------------------------ */
/* HTTP CONNECT proxy */

/* Connects to host:port within 10 s: the socket, or -1 (noted). */
static int
dial(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		note("cannot resolve %s: %s", host, gai_strerror(e));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		int err = 0;
		socklen_t el = sizeof(err);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0)
			continue;
		set_nonblock(fd, 1);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS &&
		    wait_fd(fd, POLLOUT, now_ms() + 10000) > 0 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 &&
		    err == 0)) {
			set_nonblock(fd, 0);
			break;
		}
		note("connect to %s port %s: %s", host, port,
		    strerror(err ? err : errno == EINPROGRESS ? ETIMEDOUT :
		    errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Writes all of buf to fd: 0, or -1. */
static int
write_fd(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
m_connect_proxy(struct conn *c, char **av)
{
	static char line[LINE_MAX_BYTES + 1], req[LINE_MAX_BYTES + 1];
	static char buf[16384];
	char *method, *target, *version, *host, *port, *sp;
	unsigned long long up = 0, down = 0;
	int r, nlines = 0, ufd;

	(void)av;
	do {			/* request line, skipping leading empty lines */
		if ((r = read_line(c, req)) < 0) {
			note("no request: %s", rl_reason(r));
			return;
		}
	} while (r == 0 && ++nlines < 4);
	note("%s", printable(req, (size_t)r, 200));
	for (nlines = 0;; nlines++) {	/* headers, to the empty line */
		if (nlines >= 100) {
			note("too many header lines");
			goto forbidden;
		}
		if ((r = read_line(c, line)) < 0) {
			note("headers: %s", rl_reason(r));
			if (r != RL_LONG)
				return;
			goto forbidden;
		}
		if (r == 0)
			break;
	}
	method = strtok_r(req, " ", &sp);
	target = strtok_r(NULL, " ", &sp);
	version = strtok_r(NULL, " ", &sp);
	if (method == NULL || target == NULL || version == NULL ||
	    strtok_r(NULL, " ", &sp) != NULL || strcmp(method, "CONNECT") != 0 ||
	    strncmp(version, "HTTP/1.", 7) != 0)
		goto forbidden;
	if (target[0] == '[') {
		char *e = strchr(target, ']');

		if (e == NULL || e[1] != ':')
			goto forbidden;
		*e = '\0';
		host = target + 1;
		port = e + 2;
	} else {
		char *e = strrchr(target, ':');

		if (e == NULL)
			goto forbidden;
		*e = '\0';
		host = target;
		port = e + 1;
	}
	if (host[0] == '\0' || port[0] == '\0' || strlen(port) > 5 ||
	    strspn(port, "0123456789") != strlen(port) || atoi(port) < 1 ||
	    atoi(port) > 65535)
		goto forbidden;
	if ((ufd = dial(host, port)) < 0) {
		send_str(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n");
		note("answered 502");
		return;
	}
	if (send_str(c, "HTTP/1.1 200 Connection established\r\n\r\n") < 0) {
		note("client left");
		close(ufd);
		return;
	}
	note("tunnel open");
	if (c->inlen > 0) {		/* sent early by the client */
		if (write_fd(ufd, c->in, c->inlen) < 0)
			goto done;
		up += c->inlen;
		c->inlen = 0;
	}
	for (;;) {
		struct pollfd p[2] = { { c->fd, POLLIN, 0 }, { ufd, POLLIN, 0 } };
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			n = recv(c->fd, buf, sizeof(buf), 0);
			if (n <= 0 || write_fd(ufd, buf, (size_t)n) < 0) {
				note("client side closed");
				break;
			}
			up += (unsigned long long)n;
		}
		if (p[1].revents) {
			n = recv(ufd, buf, sizeof(buf), 0);
			if (n <= 0 || write_fd(c->fd, buf, (size_t)n) < 0) {
				note("server side closed");
				break;
			}
			down += (unsigned long long)n;
		}
	}
done:
	note("relayed %llu bytes up, %llu down", up, down);
	close(ufd);
	return;
forbidden:
	note("answered 403");
	send_str(c, "HTTP/1.1 403 Forbidden\r\n\r\n");
}

/* ------------------------------------------------------------------ */
/* keyless: a public chain replayed by a server that holds no key */

#define HS_MAX (1 << 20)	/* the whole flight, chain included */

/* Appends a big-endian integer of `n` bytes. */
static void
put_be(unsigned char *b, size_t *len, unsigned long v, int n)
{
	while (n-- > 0)
		b[(*len)++] = (unsigned char)(v >> (8 * n));
}

/* Appends one handshake message of `type` around body[0..blen). */
static int
put_hs(unsigned char *b, size_t *len, int type, const unsigned char *body,
    size_t blen)
{
	if (*len + 4 + blen > HS_MAX)
		return -1;
	b[(*len)++] = (unsigned char)type;
	put_be(b, len, blen, 3);
	if (blen > 0)
		memcpy(b + *len, body, blen);
	*len += blen;
	return 0;
}

/* The Certificate message's body: every certificate of `file`, DER. */
static int
chain_body(const char *file, unsigned char *b, size_t *len)
{
	FILE *f = fopen(file, "r");
	X509 *x;
	size_t start = *len;
	int rc = -1;

	if (f == NULL)
		return -1;
	*len += 3;
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		int n = i2d_X509(x, NULL);
		unsigned char *p = b + *len + 3;

		if (n <= 0 || *len + 3 + (size_t)n > HS_MAX / 2) {
			X509_free(x);
			goto out;
		}
		put_be(b, len, (unsigned long)n, 3);
		i2d_X509(x, &p);
		*len += (size_t)n;
		X509_free(x);
	}
	ERR_clear_error();
	b[start] = (unsigned char)((*len - start - 3) >> 16);
	b[start + 1] = (unsigned char)((*len - start - 3) >> 8);
	b[start + 2] = (unsigned char)(*len - start - 3);
	rc = *len - start > 3 ? 0 : -1;
out:
	fclose(f);
	return rc;
}

/* ServerHello (TLS 1.2, TLS_RSA_WITH_AES_128_GCM_SHA256, no session id,
 * no extensions), Certificate, CertificateRequest, ServerHelloDone. */
static int
keyless_flight(const char *file, unsigned char *out, size_t *olen)
{
	static unsigned char body[HS_MAX / 2];
	static const unsigned char req[] = {
		1, 1,			/* certificate types: rsa_sign */
		0, 6, 4, 1, 8, 4, 4, 3,	/* rsa_pkcs1_sha256, rsa_pss_rsae_sha256,
					   ecdsa_secp256r1_sha256 */
		0, 0			/* no CA names */
	};
	size_t blen = 0;

	*olen = 0;
	put_be(body, &blen, 0x0303, 2);
	if (RAND_bytes(body + blen, 32) != 1)
		return -1;
	blen += 32;
	put_be(body, &blen, 0, 1);
	put_be(body, &blen, 0x009c, 2);
	put_be(body, &blen, 0, 1);
	if (put_hs(out, olen, 2, body, blen) < 0)
		return -1;
	blen = 0;
	if (chain_body(file, body, &blen) < 0 ||
	    put_hs(out, olen, 11, body, blen) < 0 ||
	    put_hs(out, olen, 13, req, sizeof(req)) < 0 ||
	    put_hs(out, olen, 14, NULL, 0) < 0)
		return -1;
	return 0;
}

/* Sends the flight as handshake records of at most 16 KiB each. */
static int
send_records(struct conn *c, const unsigned char *b, size_t len)
{
	unsigned char hdr[5];

	while (len > 0) {
		size_t n = len > 16384 ? 16384 : len, h = 0;

		put_be(hdr, &h, 22, 1);
		put_be(hdr, &h, 0x0303, 2);
		put_be(hdr, &h, n, 2);
		if (send_all(c, hdr, sizeof(hdr)) < 0 || send_all(c, b, n) < 0)
			return -1;
		b += n;
		len -= n;
	}
	return 0;
}

static void
m_keyless(struct conn *c, char **av)
{
	static unsigned char flight[HS_MAX];
	long long deadline = now_ms() + IDLE_MS;
	size_t len;

	/* The ClientHello: one record is all this server needs to see. */
	while (c->inlen < 5 || c->inlen < 5 + (((size_t)(unsigned char)
	    c->in[3] << 8) | (unsigned char)c->in[4]))
		if (fill(c, deadline) < 0) {
			note("no ClientHello");
			return;
		}
	if (keyless_flight(av[0], flight, &len) < 0) {
		note("cannot read the chain %s", av[0]);
		return;
	}
	if (send_records(c, flight, len) < 0) {
		note("client left");
		return;
	}
	note("sent a chain it holds no key for, RSA key exchange");
	/* The client's flight (its empty Certificate, the key exchange it
	 * encrypted to a key this server does not have, Finished): then
	 * the impostor gives up. */
	c->inlen = 0;
	if (fill(c, now_ms() + 5000) > 0)
		note("client sent its flight; closing");
}

static const struct mode modes[] = {
	{ "silent",		0, 0, 0, m_silent },
	{ "banner-silent",	1, 0, 1, m_banner_silent },
	{ "starttls-refuse",	2, 0, 1, m_starttls_refuse },
	{ "no-starttls",	1, 0, 1, m_no_starttls },
	{ "endless",		0, 0, 0, m_endless },
	{ "drip",		1, 0, 1, m_drip },
	{ "close",		0, 0, 0, m_close },
	{ "garbage",		0, 0, 0, m_garbage },
	{ "tls-silent",		0, 1, 0, m_tls_silent },
	{ "trailing",		0, 2, 0, m_trailing },
	{ "longline",		1, 0, 1, m_longline },
	{ "badcode",		0, 0, 0, m_badcode },
	{ "tls",		0, 1, 0, m_tls },
	{ "smtp",		0, 1, 0, m_lproto },
	{ "lmtp",		0, 1, 0, m_lproto },
	{ "nntp",		0, 1, 0, m_lproto },
	{ "imap",		0, 1, 0, m_lproto },
	{ "pop3",		0, 1, 0, m_lproto },
	{ "ftp",		0, 1, 0, m_lproto },
	{ "sieve",		0, 1, 0, m_lproto },
	{ "xmpp",		0, 1, 0, m_xmpp },
	{ "ldap",		0, 1, 0, m_ldap },
	{ "ldap-refuse",	0, 0, 0, m_ldap_refuse },
	{ "postgres",		0, 1, 0, m_postgres },
	{ "postgres-refuse",	0, 0, 0, m_postgres_refuse },
	{ "connect-proxy",	0, 0, 0, m_connect_proxy },
	{ "keyless",		1, 0, 0, m_keyless },
};

/* ------------------------------------------------------------------ */
/* Server */

static volatile sig_atomic_t g_stop, g_chld;
static pid_t g_children[MAX_CHILDREN];
static int g_nchildren;

static void
on_stop(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void
on_chld(int sig)
{
	(void)sig;
	g_chld = 1;
}

static void
child_on_term(int sig)
{
	(void)sig;
	log_flush();
	_exit(0);
}

static void
reap(void)
{
	pid_t pid;
	int st, i;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (i = 0; i < g_nchildren; i++)
			if (g_children[i] == pid) {
				g_children[i] = g_children[--g_nchildren];
				break;
			}
}

static void
kill_children(void)
{
	long long deadline = now_ms() + 1000;
	int i;

	for (i = 0; i < g_nchildren; i++)
		kill(g_children[i], SIGTERM);
	while (g_nchildren > 0 && now_ms() < deadline) {
		struct timespec ts = { 0, 10 * 1000000 };

		reap();
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < g_nchildren; i++)
		kill(g_children[i], SIGKILL);
	while (g_nchildren > 0) {
		pid_t pid = waitpid(-1, NULL, 0);

		if (pid < 0 && errno != EINTR)
			break;
		for (i = 0; i < g_nchildren; i++)
			if (g_children[i] == pid) {
				g_children[i] = g_children[--g_nchildren];
				break;
			}
	}
}

static void
child_main(int fd, pid_t parent, const struct mode *m, char **av,
    const char *prefix)
{
	static struct conn c;
	struct sigaction sa;
	struct timeval tv = { IDLE_MS / 1000, 0 };
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = child_on_term;
	sigfillset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	c.fd = fd;
	log_begin(prefix);
	m->run(&c, av);
	if (c.ssl != NULL)
		SSL_free(c.ssl);
	close(fd);
	log_flush();
	_exit(0);
}

static void
write_port_file(const char *file, unsigned port)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", file) >= (int)sizeof(tmp)) {
		fprintf(stderr, "miniserver: --port-file name too long\n");
		exit(1);
	}
	if ((f = fopen(tmp, "w")) == NULL || fprintf(f, "%u\n", port) < 0 ||
	    fclose(f) != 0 || rename(tmp, file) != 0) {
		fprintf(stderr, "miniserver: %s: %s\n", file, strerror(errno));
		exit(1);
	}
}

static SSL_CTX *
make_ctx(const char *cert, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		fprintf(stderr, "miniserver: SSL_CTX_new failed\n");
		exit(1);
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		usage_error("--cert %s: cannot load certificate chain: %s",
		    cert, ssl_errstr());
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		usage_error("--key %s: cannot load private key: %s", key,
		    ssl_errstr());
	if (SSL_CTX_check_private_key(ctx) != 1)
		usage_error("--key %s does not match --cert %s", key, cert);
	return ctx;
}

static int
listen_on(const char *addr, unsigned port, unsigned *bound)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)port);
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)port);
		len = sizeof(*in6);
	} else
		usage_error("-a %s: not a numeric IPv4 or IPv6 address", addr);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 128) < 0)
		goto fail;
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		goto fail;
	*bound = ntohs(ss.ss_family == AF_INET ? in4->sin_port : in6->sin6_port);
	return fd;
fail:
	fprintf(stderr, "miniserver: listen on %s port %u: %s\n", addr, port,
	    strerror(errno));
	exit(1);
}

int
main(int argc, char **argv)
{
	const char *addr = NULL, *port_s = NULL, *port_file = NULL;
	const char *cert = NULL, *key = NULL, *logfile = NULL, *prefix;
	const struct mode *m = NULL;
	struct sigaction sa;
	sigset_t block, orig;
	unsigned port, bound;
	char **margs;
	int i, lfd, nargs, six = 0;
	size_t k;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (strcmp(a, "-6") == 0) {
			six = 1;
			continue;
		}
		if (a[0] != '-')
			break;
		if (strcmp(a, "-a") != 0 && strcmp(a, "-p") != 0 &&
		    strcmp(a, "--port-file") != 0 && strcmp(a, "--cert") != 0 &&
		    strcmp(a, "--key") != 0 && strcmp(a, "--log") != 0)
			usage_error("unknown option %s", a);
		if (i + 1 >= argc)
			usage_error("option %s needs an argument", a);
		if (strcmp(a, "-a") == 0)
			addr = argv[++i];
		else if (strcmp(a, "-p") == 0)
			port_s = argv[++i];
		else if (strcmp(a, "--port-file") == 0)
			port_file = argv[++i];
		else if (strcmp(a, "--cert") == 0)
			cert = argv[++i];
		else if (strcmp(a, "--key") == 0)
			key = argv[++i];
		else
			logfile = argv[++i];
	}
	if (six && addr != NULL)
		usage_error("-6 and -a are exclusive");
	if (addr == NULL)
		addr = six ? "::1" : "127.0.0.1";
	if (port_s == NULL)
		usage_error("-p PORT is required");
	{
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(port_s, &end, 10);
		if (!isdigit((unsigned char)port_s[0]) || *end != '\0' ||
		    errno != 0 || v > 65535)
			usage_error("-p %s: not a port number (0-65535)", port_s);
		port = (unsigned)v;
	}
	if (i >= argc)
		usage_error("MODE is missing");
	for (k = 0; k < sizeof(modes) / sizeof(modes[0]); k++)
		if (strcmp(modes[k].name, argv[i]) == 0)
			m = &modes[k];
	if (m == NULL)
		usage_error("unknown mode %s", argv[i]);
	g_mode_name = m->name;
	margs = argv + i + 1;
	nargs = argc - i - 1;
	if (nargs != m->nargs)
		usage_error("mode %s takes %d argument%s, got %d", m->name,
		    m->nargs, m->nargs == 1 ? "" : "s", nargs);
	prefix = m->name;
	if (m->proto) {
		if (find_lproto(margs[0]) == NULL)
			usage_error("mode %s: unknown PROTO %s", m->name,
			    margs[0]);
		prefix = margs[0];
	}
	if ((cert == NULL) != (key == NULL))
		usage_error("--cert and --key go together");
	if (m->cert == 1 && cert == NULL)
		usage_error("mode %s needs --cert and --key", m->name);
	if (cert != NULL) {
		g_ctx = make_ctx(cert, key);
		g_have_cert = 1;
	}
	if (logfile != NULL && (g_logfd = open(logfile,
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		fprintf(stderr, "miniserver: --log %s: %s\n", logfile,
		    strerror(errno));
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_chld;
	sigaction(SIGCHLD, &sa, NULL);

	lfd = listen_on(addr, port, &bound);
	if (port_file != NULL)
		write_port_file(port_file, bound);

	{
		sigset_t waitmask = orig;
		pid_t me = getpid();

		sigdelset(&waitmask, SIGTERM);
		sigdelset(&waitmask, SIGINT);
		sigdelset(&waitmask, SIGCHLD);
		while (!g_stop) {
			struct pollfd p = { lfd, POLLIN, 0 };
			int n = ppoll(&p, 1, NULL, &waitmask), fd;
			pid_t pid;

			if (g_chld) {
				g_chld = 0;
				reap();
			}
			if (g_stop)
				break;
			if (n <= 0 || !(p.revents & POLLIN))
				continue;
			fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			if (g_nchildren >= MAX_CHILDREN) {
				close(fd);
				continue;
			}
			pid = fork();
			if (pid == 0) {
				close(lfd);
				child_main(fd, me, m, margs, prefix);
			}
			if (pid > 0)
				g_children[g_nchildren++] = pid;
			close(fd);
		}
	}
	close(lfd);
	kill_children();
	if (g_ctx != NULL)
		SSL_CTX_free(g_ctx);
	return 0;
}

/*
 * The plaintext dialog before TLS (SPEC section 2): what a client says
 * and expects on each protocol until the server agrees to start TLS.
 *
 * It is pure: bytes from the server go in, bytes for the server come
 * out, and it ends with TLS or a failure in words. It never touches a
 * socket, so the engine can drive many at once and a fuzzer can feed it.
 */
#ifndef CP_DIALOG_H
#define CP_DIALOG_H

#include <stddef.h>

#include "bounds.h"
#include "state.h"

enum cp_dialog_rc {
	CP_DIALOG_MORE,   /* wait for more input (and send what is queued) */
	CP_DIALOG_TLS,    /* the server agreed: start the handshake now */
	CP_DIALOG_FAIL,   /* d->fail and d->error say why */
};

struct cp_dialog;

/* One protocol's client side. */
struct cp_dialect {
	const char *name;      /* upper case, for messages: "SMTP" */
	/* Queues what the client says first (if it speaks first). */
	int (*start)(struct cp_dialog *);
	/* One complete line from the server, without its CRLF. */
	int (*line)(struct cp_dialog *, const char *, size_t);
	/* Instead of `line`: a binary reply, read from d->in; sets d->used. */
	int (*raw)(struct cp_dialog *);
};

/* Capabilities the server announced. */
#define CP_CAP_STARTTLS 0x1u

struct cp_dialog {
	const struct cp_dialect *dialect;
	const char *host;          /* the name we talk to (XMPP's to=) */
	char helo[64];             /* our name in EHLO/LHLO */
	int step;                  /* where the dialect is */
	int code;                  /* a multi-line reply's code, 0 if none */
	unsigned caps;             /* CP_CAP_*, forgotten when TLS starts */
	int greeted;               /* the server has said something */
	char in[CP_LINE_MAX + 2];  /* received, not consumed: a line and CRLF */
	size_t inlen, used;        /* `used`: consumed by a raw dialect */
	size_t total;              /* bytes received in all */
	char out[512];             /* queued for the server */
	size_t outlen, outoff;
	enum cp_fail fail;
	char error[CP_ERROR_MAX];
};

/*
 * Prepares a dialog for `dialect` (NULL: TLS at once) with the server
 * `host`; `helo` is our name for EHLO. Returns what start() returned:
 * CP_DIALOG_TLS at once for a NULL dialect.
 */
int cp_dialog_init(struct cp_dialog *, const struct cp_dialect *,
    const char *host, const char *helo);

/* Feeds bytes from the server. */
int cp_dialog_feed(struct cp_dialog *, const void *data, size_t len);

/* The server closed the connection. Always CP_DIALOG_FAIL. */
int cp_dialog_eof(struct cp_dialog *);

/* Where the dialog stands, for a timeout message: "waiting for the SMTP
 * greeting", "in the SMTP dialog". */
const char *cp_dialog_phase(const struct cp_dialog *, char *buf, size_t);

/* For the dialects: queue a command, fail with a reason. */
int cp_dialog_send(struct cp_dialog *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int cp_dialog_sendraw(struct cp_dialog *, const void *, size_t);
int cp_dialog_failf(struct cp_dialog *, enum cp_fail, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * For the dialects: a reply line "NNN text" or "NNN-text" (SMTP, NNTP,
 * FTP). Sets *code and *more (a continuation follows) and points *text
 * after the separator. -1 when the line is not of that shape.
 */
int cp_reply_parse(const char *line, size_t len, int *code, int *more,
    const char **text);

/* Whether `line` starts with the keyword `kw` as a whole word. */
int cp_keyword(const char *line, size_t len, const char *kw);

/* The server's line made printable, cut short, for an error message. */
const char *cp_dialog_quote(const char *line, size_t len, char *buf,
    size_t buflen);

#endif

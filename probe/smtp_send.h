/*
 * Handing one message to a mail relay through libesmtp: STARTTLS
 * required (the relay's certificate verified against the system's store
 * and its name), opportunistic (encrypted when offered, not verified) or
 * off; AUTH only after STARTTLS, to a relay whose certificate verified.
 */
#ifndef CP_SMTP_SEND_H
#define CP_SMTP_SEND_H

#include <stddef.h>
#include <stdint.h>

struct cp_relay {
	const char *relay;      /* host[:port], validated; port 25 by default */
	int starttls;           /* enum cp_starttls */
	const char *user;       /* NULL: no AUTH */
	const char *password;
	const char *helo;       /* our name in EHLO */
	const char *from;       /* envelope sender */
	const char *to;         /* recipients, comma-separated */
	int64_t wait_ms;        /* bound on each reply */
};

/*
 * Sends `message` (CRLF lines). 0 when the relay took it for every
 * recipient, with how in `info` ("STARTTLS, TLSv1.2, AUTH") and in `err`
 * a warning or nothing (a login that smtp_user asked for and that did
 * not happen); else -1 with the reason in `err`. What the relay said is
 * escaped.
 */
int cp_smtp_send(const struct cp_relay *, const char *message, char *info,
    size_t infolen, char *err, size_t errlen);

#endif

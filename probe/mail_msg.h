/*
 * The mail the digest goes out in (SPEC section 6): an RFC 5322 message
 * with MIME headers and a UTF-8 body, lines ending in CRLF. Every header
 * is made of our own words and of settings that were validated when read;
 * nothing from a certificate or a server reaches one. The body is text
 * the outputs have already escaped.
 */
#ifndef CP_MAIL_MSG_H
#define CP_MAIL_MSG_H

#include <stddef.h>
#include <time.h>

struct cp_buf;
struct cp_report;

struct cp_mail_head {
	const char *host;     /* this host, for Subject and Message-ID */
	const char *from;     /* a validated mailbox */
	const char *to;       /* validated mailboxes, comma-separated */
	const char *subject;
	time_t date;
};

/* This host's name where it is fit for a header and an EHLO, else
 * "localhost". */
void cp_mail_hostname(char *buf, size_t len);

/* "certprobe on HOST: 1 CRITICAL, 2 WARNING, 9 OK" (or "all 12 OK"). */
int cp_mail_subject(struct cp_buf *, const char *host,
    const struct cp_report *);

/*
 * The whole message: headers, a blank line, then `body` (lines ending in
 * '\n'), sent as 7bit where it can be, else quoted-printable. 0, or -1
 * when the buffer is full.
 */
int cp_mail_message(struct cp_buf *, const struct cp_mail_head *,
    const char *body, size_t len);

#endif

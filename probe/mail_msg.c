/* The digest's mail, as bytes (see mail_msg.h). */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "buf.h"
#include "mail_msg.h"
#include "options.h"
#include "result.h"

/* RFC 5322's limit on a line, and the length a folded header keeps to. */
#define LINE_MAX_OCTETS 998
#define FOLD_AT 76

void
cp_mail_hostname(char *buf, size_t len)
{
	if (gethostname(buf, len) == -1 || memchr(buf, '\0', len) == NULL ||
	    !cp_valid_host(buf))
		snprintf(buf, len, "localhost");
}

int
cp_mail_subject(struct cp_buf *b, const char *host,
    const struct cp_report *rep)
{
	static const enum cp_state order[] = { CP_CRITICAL, CP_WARNING,
	    CP_UNKNOWN, CP_OK };
	size_t count[4] = { 0 }, i;
	const char *sep = "";

	for (i = 0; i < rep->n; i++)
		count[rep->results[i].state]++;
	if (cp_buf_printf(b, "certprobe on %s: ", host) == -1)
		return -1;
	if (count[CP_OK] == rep->n)
		return cp_buf_printf(b, "all %zu OK", rep->n);
	for (i = 0; i < 4; i++) {
		if (count[order[i]] == 0)
			continue;
		if (cp_buf_printf(b, "%s%zu %s", sep, count[order[i]],
		    cp_state_name(order[i])) == -1)
			return -1;
		sep = ", ";
	}
	return 0;
}

/* To: with a fold after a comma where the line would grow long. */
static int
to_header(struct cp_buf *b, const char *to)
{
	size_t col = 4, n;
	const char *m;

	if (cp_buf_addstr(b, "To: ") == -1)
		return -1;
	while ((m = cp_mailbox_next(&to, &n)) != NULL) {
		if (col > 4 && col + n + 2 > FOLD_AT) {
			if (cp_buf_addstr(b, ",\r\n ") == -1)
				return -1;
			col = 1;
		} else if (col > 4 && cp_buf_addstr(b, ", ") == -1)
			return -1;
		if (cp_buf_add(b, m, n) == -1)
			return -1;
		col += n + 2;
	}
	return cp_buf_addstr(b, "\r\n");
}

/* <TIME.PID.RANDOM@HOST>: unique without any state kept between runs. */
static int
message_id(struct cp_buf *b, const struct cp_mail_head *h)
{
	unsigned char r[8];
	size_t i;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	if (cp_buf_printf(b, "Message-ID: <%lld.%ld.", (long long)h->date,
	    (long)getpid()) == -1)
		return -1;
	for (i = 0; i < sizeof(r); i++)
		if (cp_buf_printf(b, "%02x", r[i]) == -1)
			return -1;
	return cp_buf_printf(b, "@%s>\r\n", h->host);
}

static int
headers(struct cp_buf *b, const struct cp_mail_head *h, int qp)
{
	char date[64];
	struct tm tm;

	/* The C locale's names, as RFC 5322 wants: nothing calls setlocale. */
	if (localtime_r(&h->date, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
		return -1;
	if (cp_buf_printf(b, "Date: %s\r\nFrom: certprobe <%s>\r\n", date,
	    h->from) == -1 || to_header(b, h->to) == -1 ||
	    cp_buf_printf(b, "Subject: %s\r\n", h->subject) == -1 ||
	    message_id(b, h) == -1)
		return -1;
	/* Auto-Submitted (RFC 3834): no vacation notice answers a probe. */
	return cp_buf_printf(b, "Auto-Submitted: auto-generated\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: %s\r\n\r\n",
	    qp ? "quoted-printable" : "7bit");
}

/* Whether the body can go as it is: ASCII text in lines SMTP carries. */
static int
is_7bit(const char *s, size_t len)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n') {
			col = 0;
			continue;
		}
		if (c >= 0x7f || (c < ' ' && c != '\t') ||
		    ++col > LINE_MAX_OCTETS)
			return 0;
	}
	return 1;
}

/* One line of the body, quoted-printable (RFC 2045 6.7), soft breaks
 * keeping each encoded line within 76 characters. */
static int
qp_line(struct cp_buf *b, const unsigned char *s, size_t n)
{
	char tok[4];
	size_t i, col = 0, t;

	for (i = 0; i < n; i++) {
		int plain = s[i] >= 33 && s[i] <= 126 && s[i] != '=';

		/* Space and tab survive transport except at a line's end. */
		if ((s[i] == ' ' || s[i] == '\t') && i + 1 < n)
			plain = 1;
		if (plain) {
			tok[0] = (char)s[i];
			t = 1;
		} else
			t = (size_t)snprintf(tok, sizeof(tok), "=%02X", s[i]);
		if (col + t > 75) {
			if (cp_buf_addstr(b, "=\r\n") == -1)
				return -1;
			col = 0;
		}
		if (cp_buf_add(b, tok, t) == -1)
			return -1;
		col += t;
	}
	return cp_buf_addstr(b, "\r\n");
}

int
cp_mail_message(struct cp_buf *b, const struct cp_mail_head *h,
    const char *body, size_t len)
{
	int qp = !is_7bit(body, len);
	const char *nl;
	size_t n;

	if (headers(b, h, qp) == -1)
		return -1;
	while (len > 0) {
		nl = memchr(body, '\n', len);
		n = nl ? (size_t)(nl - body) : len;
		if (qp ? qp_line(b, (const unsigned char *)body, n) == -1 :
		    cp_buf_add(b, body, n) == -1 || cp_buf_addstr(b, "\r\n") == -1)
			return -1;
		n += nl != NULL;
		body += n;
		len -= n;
	}
	return 0;
}

/* The digest's mail as bytes: headers, subject, 7bit and quoted-printable. */
#include <ctype.h>
#include <stdlib.h>

#include "buf.h"
#include "mail_msg.h"
#include "result.h"
#include "tap.h"

/* The header section of a message, and where its body starts. */
static const char *
body_of(const char *msg)
{
	const char *p = strstr(msg, "\r\n\r\n");

	return p ? p + 4 : NULL;
}

/* Every line ends in CRLF, none is longer than `max`, none has a bare CR
 * or LF, and no byte is outside 7-bit ASCII. */
static int
lines_ok(const char *s, size_t max)
{
	size_t col = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\r') {
			if (s[1] != '\n')
				return 0;
			s++;
			col = 0;
		} else if (*s == '\n' || (unsigned char)*s >= 0x80 ||
		    ++col > max)
			return 0;
	}
	return col == 0;
}

/* Decodes quoted-printable (CRLF lines) back into '\n' lines. */
static char *
qp_decode(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	while (*s != '\0') {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n')
			s += 3;
		else if (s[0] == '=' && isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2])) {
			char hex[3] = { s[1], s[2], 0 };

			*o++ = (char)strtol(hex, NULL, 16);
			s += 3;
		} else if (s[0] == '\r' && s[1] == '\n') {
			*o++ = '\n';
			s += 2;
		} else
			*o++ = *s++;
	}
	*o = '\0';
	return out;
}

/* The number of folds in the header at `h`, or -1 if one does not
 * follow a comma. */
static int
folds_after_commas(const char *h)
{
	const char *end = strstr(h, "\r\nSubject: "), *p = h;
	int n = 0;

	while ((p = strstr(p, "\r\n ")) != NULL && p < end) {
		if (p[-1] != ',')
			return -1;
		n++;
		p += 3;
	}
	return n;
}

static char *
message(const char *to, const char *body)
{
	struct cp_mail_head h = { .host = "mx.example.test",
	    .from = "certprobe@mx.example.test", .to = to,
	    .subject = "certprobe on mx.example.test: 1 CRITICAL",
	    .date = 1795305600 };
	struct cp_buf b;

	cp_buf_init(&b, 1 << 20);
	if (cp_mail_message(&b, &h, body, strlen(body)) == -1) {
		cp_buf_free(&b);
		return NULL;
	}
	return cp_buf_take(&b);
}

static void
test_headers(void)
{
	char *m = message("ops@example.test", "line one\n.dot\n");
	const char *body = m ? body_of(m) : NULL;

	tap_ok(m != NULL && strncmp(m, "Date: ", 6) == 0,
	    "the message starts with Date:");
	tap_ok(m != NULL && strstr(m, "\r\nFrom: certprobe "
	    "<certprobe@mx.example.test>\r\nTo: ops@example.test\r\n"
	    "Subject: certprobe on mx.example.test: 1 CRITICAL\r\n"
	    "Message-ID: <1795305600.") != NULL,
	    "From:, To:, Subject: and Message-ID: in order");
	tap_ok(m != NULL && strstr(m, "@mx.example.test>\r\nAuto-Submitted: "
	    "auto-generated\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n") != NULL,
	    "MIME headers, 7bit for ASCII text");
	TAP_STREQ(body, "line one\r\n.dot\r\n",
	    "the body's lines end in CRLF (dots are libesmtp's to double)");
	tap_ok(m != NULL && lines_ok(m, 998), "every line within 998 octets");
	free(m);
}

static void
test_to_folded(void)
{
	char to[2048] = "", *m, *p;
	int i, longest = 0, col = 0;

	for (i = 0; i < 40; i++)
		snprintf(to + strlen(to), sizeof(to) - strlen(to),
		    "%sops%02d@example.test", i ? ", " : "", i);
	m = message(to, "x\n");
	p = m ? strstr(m, "To: ") : NULL;
	for (; p != NULL && *p != '\0' && strncmp(p, "\r\nSubject", 9); p++) {
		if (*p == '\r') {
			longest = col > longest ? col : longest;
			col = -1;
		} else
			col++;
	}
	tap_ok(m != NULL && longest > 0 && longest <= 78,
	    "To: with 40 recipients is folded within 78 columns (%d)",
	    longest);
	tap_ok(m != NULL && (p = strstr(m, "To: ")) != NULL &&
	    folds_after_commas(p) > 0 &&
	    strstr(p, "ops39@example.test\r\nSubject: ") != NULL,
	    "it folds only after commas, and the list ends the header");
	free(m);
}

static void
test_qp(void)
{
	char longline[1300], body[1500], *m, *dec;
	const char *b;

	memset(longline, 'a', 1200);
	longline[1200] = '\0';
	snprintf(body, sizeof(body), "Stra\xc3\x9f" "e \xe2\x80\x93 5 days \n"
	    "a=b\n%s\n", longline);
	m = message("ops@example.test", body);
	b = m ? body_of(m) : NULL;
	tap_ok(m != NULL && strstr(m, "Content-Transfer-Encoding: "
	    "quoted-printable\r\n") != NULL,
	    "UTF-8 or a long line: quoted-printable");
	tap_ok(b != NULL && lines_ok(b, 76),
	    "quoted-printable lines are ASCII within 76 characters");
	tap_ok(b != NULL && strncmp(b, "Stra=C3=9Fe =E2=80=93 5 days=20\r\n"
	    "a=3Db\r\n", 33) == 0,
	    "UTF-8 as =XX, a space at a line's end as =20, '=' as =3D");
	dec = b ? qp_decode(b) : NULL;
	TAP_STREQ(dec, body, "it decodes to the body exactly");
	free(dec);
	free(m);
}

static void
test_subject(void)
{
	struct cp_result r[5];
	struct cp_report rep;
	struct cp_buf b;
	static const enum cp_state st[] = { CP_OK, CP_CRITICAL, CP_UNKNOWN,
	    CP_CRITICAL, CP_OK };
	size_t i;

	memset(r, 0, sizeof(r));
	for (i = 0; i < 5; i++)
		r[i].state = st[i];
	memset(&rep, 0, sizeof(rep));
	rep.results = r;
	rep.n = 5;
	cp_buf_init(&b, 4096);
	cp_mail_subject(&b, "mx", &rep);
	TAP_STREQ(b.data, "certprobe on mx: 2 CRITICAL, 1 UNKNOWN, 2 OK",
	    "the subject counts states, worst first, none that is zero");
	cp_buf_reset(&b);
	r[1].state = r[2].state = r[3].state = CP_OK;
	cp_mail_subject(&b, "mx", &rep);
	TAP_STREQ(b.data, "certprobe on mx: all 5 OK", "all well: all N OK");
	cp_buf_free(&b);
}

int
main(void)
{
	test_headers();
	test_to_folded();
	test_qp();
	test_subject();
	return tap_done();
}

/* The escaping policy: what passes, what becomes \xNN. */
#include <stdlib.h>

#include "buf.h"
#include "escape.h"
#include "tap.h"

static const struct {
	const char *in;
	size_t len;     /* 0: strlen */
	const char *out;
	const char *what;
} cases[] = {
	{ "example.com", 0, "example.com", "plain ASCII passes" },
	{ "E-Tu\xc4\x9fra A.\xc5\x9e.", 0, "E-Tu\xc4\x9fra A.\xc5\x9e.",
	  "valid UTF-8 passes" },
	{ "\xf0\x9f\x94\x92 lock", 0, "\xf0\x9f\x94\x92 lock",
	  "4-byte UTF-8 passes" },
	{ "\x1b[31mred\x1b[0m", 0, "\\x1b[31mred\\x1b[0m",
	  "escape sequences are defused" },
	{ "\x1b]0;title\x07", 0, "\\x1b]0;title\\x07", "OSC and BEL escaped" },
	{ "a\r\nBcc: x", 0, "a\\x0d\\x0aBcc: x", "CR LF escaped" },
	{ "tab\there", 0, "tab\\x09here", "tab escaped" },
	{ "del\x7f", 0, "del\\x7f", "DEL escaped" },
	{ "csi\xc2\x9b" "2J", 0, "csi\\xc2\\x9b2J", "C1 CSI (U+009B) escaped" },
	{ "caf\xe9.pem", 0, "caf\\xe9.pem", "Latin-1 byte escaped" },
	{ "\xc0\xaf", 0, "\\xc0\\xaf", "overlong form escaped" },
	{ "\xed\xa0\x80", 0, "\\xed\\xa0\\x80", "surrogate escaped" },
	{ "\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80",
	  "past U+10FFFF escaped" },
	{ "cut\xe2\x82", 0, "cut\\xe2\\x82", "truncated sequence escaped" },
	{ "back\\slash", 0, "back\\\\slash", "backslash doubled" },
	{ "nul\0byte", 8, "nul\\x00byte", "NUL escaped" },
	{ "", 0, "", "empty stays empty" },
	{ "abc\xe2\x80\xae" "fed", 0, "abc\\xe2\\x80\\xaefed",
	  "right-to-left override (U+202E) escaped" },
	{ "a\xe2\x81\xa6" "b", 0, "a\\xe2\\x81\\xa6b", "bidi isolate escaped" },
	{ "one\xe2\x80\xa8two", 0, "one\\xe2\\x80\\xa8two",
	  "line separator (U+2028) escaped" },
	{ "\xe2\x82\xac 5", 0, "\xe2\x82\xac 5", "euro sign passes" },
};

/* cp_escape_json and cp_escape_label: the value itself, escaped once by
 * each format's rules. */
static const struct {
	const char *in, *json, *label, *what;
} quoted[] = {
	{ "plain", "plain", "plain", "plain text as is" },
	{ "a\"b", "a\\\"b", "a\\\"b", "a quote after a backslash" },
	{ "c\\d", "c\\\\d", "c\\\\d", "a backslash escaped once, not doubled first" },
	{ "\x1b[1m\n", "\\u001b[1m\\u000a", "\\\\x1b[1m\\n",
	  "controls: JSON's \\u, a label's \\n and \\xNN text" },
	{ "caf\xe9", "caf\\\\xe9", "caf\\\\xe9", "a byte that is not UTF-8: the \\xNN text" },
	{ "\xe2\x80\xae" "evil", "\\u202eevil", "\\\\xe2\\\\x80\\\\xaeevil",
	  "a right-to-left override: escaped" },
	{ "\xe2\x82\xac", "\xe2\x82\xac", "\xe2\x82\xac", "valid UTF-8 passes" },
};

static void
test_quoted(void)
{
	struct cp_buf b;
	size_t i;

	for (i = 0; i < sizeof(quoted) / sizeof(quoted[0]); i++) {
		cp_buf_init(&b, 1 << 10);
		if (cp_escape_json(&b, quoted[i].in, strlen(quoted[i].in)) == -1)
			cp_buf_reset(&b);
		TAP_STREQ(b.data ? b.data : "", quoted[i].json, "json: %s",
		    quoted[i].what);
		cp_buf_reset(&b);
		if (cp_escape_label(&b, quoted[i].in, strlen(quoted[i].in)) == -1)
			cp_buf_reset(&b);
		TAP_STREQ(b.data ? b.data : "", quoted[i].label, "label: %s",
		    quoted[i].what);
		cp_buf_free(&b);
	}
}

int
main(void)
{
	size_t i, len;
	char *out;

	test_quoted();

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		out = cp_escape_dup(cases[i].in, len);
		TAP_STREQ(out, cases[i].out, "%s", cases[i].what);
		free(out);
	}
	return tap_done();
}

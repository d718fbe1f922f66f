/* One escaping policy for every byte that comes from outside. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"

/*
 * Length of the valid UTF-8 sequence at `p` (at most `n` bytes
 * available), its code point in *cp; 0 if it is not valid. Overlong
 * forms, surrogates and code points past U+10FFFF are invalid.
 */
static size_t
utf8_len(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, *cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, *cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, *cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
		return 0;
	return len;
}

/* Whether a code point must not reach a terminal as it is: C0 and C1
 * controls (some terminals take U+009B as CSI), and what can make a line
 * look other than it is: bidirectional overrides and isolates, line and
 * paragraph separators. */
static int
unsafe(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x200e || cp == 0x200f ||
	    cp == 0x061c;
}

/* Length of the valid, printable UTF-8 sequence at `p`, or 0 if the byte
 * at `p` must be escaped for a terminal (a backslash too, since it
 * starts our escapes). */
static size_t
printable_len(const unsigned char *p, size_t n)
{
	uint32_t cp;
	size_t len = utf8_len(p, n, &cp);

	return len > 0 && !unsafe(cp) && cp != '\\' ? len : 0;
}

int
cp_escape(struct cp_buf *out, const char *in, size_t len)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, n;
	char hex[5];

	while (i < len) {
		n = printable_len(p + i, len - i);
		if (n > 0) {
			if (cp_buf_add(out, p + i, n) == -1)
				return -1;
			i += n;
			continue;
		}
		if (p[i] == '\\')
			memcpy(hex, "\\\\", 3);
		else
			snprintf(hex, sizeof(hex), "\\x%02x", p[i]);
		if (cp_buf_addstr(out, hex) == -1)
			return -1;
		i++;
	}
	return 0;
}

char *
cp_escape_dup(const char *in, size_t len)
{
	struct cp_buf b;

	cp_buf_init(&b, (size_t)-1 / 8);
	if (cp_escape(&b, in, len) == -1) {
		cp_buf_free(&b);
		return NULL;
	}
	return cp_buf_take(&b);
}

/*
 * The body of a JSON string (`json`) or of a Prometheus label value: the
 * value itself, escaped once by that format's rules. Valid UTF-8 passes;
 * '"' and '\\' go after a backslash. What must not reach a terminal
 * goes as JSON's \\u escape (the value, still), or in a label, which has
 * no such escape but for a newline, as our \\xNN text; a byte that is
 * not UTF-8, which neither format can hold, as that text in both.
 */
static int
escape_for(struct cp_buf *out, const char *in, size_t len, int json)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, n;
	uint32_t cp;
	char esc[16];

	while (i < len) {
		n = utf8_len(p + i, len - i, &cp);
		if (n > 0 && (cp == '"' || cp == '\\'))
			snprintf(esc, sizeof(esc), "\\%c", (char)cp);
		else if (n > 0 && !unsafe(cp)) {
			if (cp_buf_add(out, p + i, n) == -1)
				return -1;
			i += n;
			continue;
		} else if (n > 0 && json)
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
		else if (n > 0 && cp == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else {
			snprintf(esc, sizeof(esc), "\\\\x%02x", p[i]);
			n = 1;
		}
		if (cp_buf_addstr(out, esc) == -1)
			return -1;
		i += n;
	}
	return 0;
}

int
cp_escape_json(struct cp_buf *out, const char *in, size_t len)
{
	return escape_for(out, in, len, 1);
}

int
cp_escape_label(struct cp_buf *out, const char *in, size_t len)
{
	return escape_for(out, in, len, 0);
}

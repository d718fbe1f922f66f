/*
 * Escaping of text that comes from outside (certificate fields, file
 * names, server replies) before it reaches a terminal, a mail or a label.
 *
 * Valid UTF-8 passes through, except control characters (C0, DEL and
 * C1, which terminals act on), the characters that change how a line
 * reads (bidirectional marks, overrides and isolates; line and paragraph
 * separators) and the backslash; those and every byte of invalid UTF-8
 * become \xNN, and the backslash becomes \\, so the output is
 * unambiguous and shows what the bytes are.
 */
#ifndef CP_ESCAPE_H
#define CP_ESCAPE_H

#include <stddef.h>

struct cp_buf;

/* Appends the escaped form of `len` bytes to `out`; 0, or -1 when full. */
int cp_escape(struct cp_buf *out, const char *in, size_t len);

/*
 * The body of a JSON string, or of a Prometheus label value: the value
 * itself, escaped once by that format's rules ('"' and '\' after a
 * backslash; in JSON, controls and look-alike code points as \u; in a
 * label, a newline as \n and other controls as the text \xNN; a byte
 * that is not UTF-8 as the text \xNN in both). 0, or -1 when full.
 */
int cp_escape_json(struct cp_buf *out, const char *in, size_t len);
int cp_escape_label(struct cp_buf *out, const char *in, size_t len);

/* The escaped form as a new string; NULL when out of memory. */
char *cp_escape_dup(const char *in, size_t len);

#endif

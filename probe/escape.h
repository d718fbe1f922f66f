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

/* The escaped form with '"' and '\' each after a backslash: the body
 * of a JSON string or of a Prometheus label value. 0, or -1 when full. */
int cp_escape_quoted(struct cp_buf *out, const char *in, size_t len);

/* The escaped form as a new string; NULL when out of memory. */
char *cp_escape_dup(const char *in, size_t len);

#endif

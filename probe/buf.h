/*
 * A growable byte buffer with a ceiling.
 *
 * Everything read from outside (files, servers) and everything built for
 * output goes through one of these, so no input can make the probe grow
 * without bound: past `max` an append fails and the caller reports why.
 * The content is always NUL-terminated for convenience.
 */
#ifndef CP_BUF_H
#define CP_BUF_H

#include <stddef.h>

struct cp_buf {
	char *data;   /* NUL-terminated content, NULL until the first append */
	size_t len;   /* bytes used, not counting the NUL */
	size_t cap;   /* bytes allocated */
	size_t max;   /* ceiling on len; appends that would pass it fail */
};

/* An empty buffer that may hold up to `max` bytes. */
void cp_buf_init(struct cp_buf *, size_t max);
/* Frees the content; the buffer is empty and reusable afterwards. */
void cp_buf_free(struct cp_buf *);
/* Empties the buffer but keeps its memory for reuse. */
void cp_buf_reset(struct cp_buf *);

/* Appends; 0 on success, -1 if the ceiling or memory runs out. */
int cp_buf_add(struct cp_buf *, const void *, size_t);
int cp_buf_addstr(struct cp_buf *, const char *);
int cp_buf_addc(struct cp_buf *, char);
int cp_buf_printf(struct cp_buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Makes room for `extra` more bytes without adding them. */
int cp_buf_reserve(struct cp_buf *, size_t extra);

/* Hands the content over as a malloc'ed string ("" if empty); the buffer
 * is left empty. NULL only when out of memory. */
char *cp_buf_take(struct cp_buf *);

#endif

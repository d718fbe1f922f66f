/*
 * "Did you mean ...?" for misspelt names in configuration and usage.
 */
#ifndef CP_SUGGEST_H
#define CP_SUGGEST_H

#include <stddef.h>

/*
 * The candidate closest to `word` by edit distance, if it is close enough
 * to be a plausible typo (at most 2 edits, and fewer than half the word);
 * NULL otherwise. `candidates` holds `n` strings, `stride` bytes apart,
 * so that a table of structs whose first member is the name can be passed.
 */
const char *cp_suggest(const char *word, const void *candidates, size_t n,
    size_t stride);

#endif

/* Closest-name suggestions by Levenshtein distance. */
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "suggest.h"

#define WORD_MAX 32

/* Edit distance, case-insensitive; words longer than WORD_MAX are too far. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[WORD_MAX + 1], diag, up, cost;

	if (la > WORD_MAX || lb > WORD_MAX)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			row[j] = diag + cost;
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

const char *
cp_suggest(const char *word, const void *candidates, size_t n, size_t stride)
{
	const char *best = NULL, *name;
	size_t i, d, best_d = (size_t)-1, len = strlen(word);

	for (i = 0; i < n; i++) {
		name = *(const char *const *)((const char *)candidates + i * stride);
		if (name == NULL)
			continue;
		d = distance(word, name);
		if (d < best_d) {
			best_d = d;
			best = name;
		}
	}
	if (best == NULL || best_d > 2 || best_d * 2 >= len + 1)
		return NULL;
	return best;
}

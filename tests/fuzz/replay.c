/*
 * Replays inputs through a fuzz target without libFuzzer: each file named
 * is one input. tests/fuzz.sh runs the seed corpora and every crasher the
 * fuzzers found this way, in the plain and the sanitizer builds: a target
 * that crashes, traps or leaks on one fails its point.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int rc = -1;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)len + 1)) == NULL ||
	    fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto out;
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	rc = 0;
out:
	if (rc == -1)
		fprintf(stderr, "replay: cannot read %s\n", path);
	if (f != NULL)
		fclose(f);
	free(buf);
	return rc;
}

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (replay(argv[i]) == -1)
			return 2;
	return 0;
}

/*
 * libFuzzer target: a certificate file's bytes, whatever they hold (PEM
 * bundles with keys, DER, PKCS#7, PKCS#12), read as a check reads a file
 * (from a descriptor) and each certificate found built into the record a
 * report prints.
 */
#define _GNU_SOURCE     /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cert.h"
#include "certfile.h"
#include "expiry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cp_loader *loader;

static int
on_cert(void *arg, const struct cp_der_cert *d, size_t index, size_t total)
{
	struct cp_limits lim = { .now = 1795305600 };
	struct cp_cert c = { 0 };
	int rc;

	(void)arg;
	(void)index;
	(void)total;
	lim.warn = cp_threshold_days(30);
	lim.crit = cp_threshold_days(14);
	rc = cp_cert_build(d, &lim, ~0u, &c);
	cp_cert_clear(&c);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cp_load_error err = { CP_FAIL_NONE, "" };
	struct stat st;
	int fd;

	if (loader == NULL && (loader = cp_loader_new(16u << 20)) == NULL)
		return 0;
	if ((fd = memfd_create("fuzz", MFD_CLOEXEC)) == -1)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0 &&
	    fstat(fd, &st) == 0)
		(void)cp_certfile_read(loader, fd, &st, NULL, on_cert, NULL, &err);
	close(fd);
	return 0;
}

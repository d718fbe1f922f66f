/*
 * libFuzzer target: the configuration grammar (SPEC section 8), as the
 * main file and as a checks.d file. Every error must name its origin and
 * leave the configuration usable.
 */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cp_config cfg;
	size_t i;

	cp_config_init(&cfg);
	if (cp_config_parse(&cfg, "certprobe.conf", (const char *)data, size,
	    size % 2) == 0)
		for (i = 0; i < cfg.ndiags; i++)
			if (cfg.diags[i].msg == NULL)
				__builtin_trap();
	cp_config_free(&cfg);
	return 0;
}

/*
 * libFuzzer target: every protocol's plaintext dialog fed a server's byte
 * stream. The first byte picks the dialect, the second how the rest is
 * cut into reads (as a network would), the rest is what the server says.
 * The client's queued words are taken as the engine would send them.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dialog.h"
#include "starttls.h"

static const struct cp_dialect *const dialects[] = {
	&cp_dialect_smtp, &cp_dialect_lmtp, &cp_dialect_ftp, &cp_dialect_nntp,
	&cp_dialect_imap, &cp_dialect_pop3, &cp_dialect_sieve,
	&cp_dialect_xmpp, &cp_dialect_ldap, &cp_dialect_postgres,
};
#define NDIALECTS (sizeof(dialects) / sizeof(dialects[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cp_dialog d;
	size_t cut, n;
	int rc;

	if (size < 2)
		return 0;
	rc = cp_dialog_init(&d, dialects[data[0] % NDIALECTS], "example.test",
	    "[127.0.0.1]");
	cut = (size_t)data[1] % 64 + 1;
	data += 2;
	size -= 2;
	while (rc == CP_DIALOG_MORE && size > 0) {
		d.outlen = d.outoff = 0;      /* sent */
		n = size < cut ? size : cut;
		rc = cp_dialog_feed(&d, data, n);
		data += n;
		size -= n;
	}
	if (rc == CP_DIALOG_MORE)
		rc = cp_dialog_eof(&d);
	/* What a report would print must be a string within its buffer. */
	if (rc == CP_DIALOG_FAIL && memchr(d.error, '\0', sizeof(d.error)) == NULL)
		__builtin_trap();
	return 0;
}

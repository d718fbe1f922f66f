/* The protocol table (SPEC section 2). */
#include <string.h>
#include <strings.h>

#include "proto.h"

const struct cp_proto cp_protos[] = {
	{ "https", 443, CP_TLS_IMPLICIT, 1 },
	{ "smtp", 25, CP_TLS_SMTP, 0 },
	{ "submission", 587, CP_TLS_SMTP, 0 },
	{ "smtps", 465, CP_TLS_IMPLICIT, 0 },
	{ "lmtp", 24, CP_TLS_LMTP, 0 },
	{ "nntp", 119, CP_TLS_NNTP, 0 },
	{ "nntps", 563, CP_TLS_IMPLICIT, 0 },
	{ "imap", 143, CP_TLS_IMAP, 0 },
	{ "imaps", 993, CP_TLS_IMPLICIT, 0 },
	{ "pop3", 110, CP_TLS_POP3, 0 },
	{ "pop3s", 995, CP_TLS_IMPLICIT, 0 },
	{ "ftp", 21, CP_TLS_FTP, 0 },
	{ "ldap", 389, CP_TLS_LDAP, 0 },
	{ "ldaps", 636, CP_TLS_IMPLICIT, 0 },
	{ "xmpp", 5222, CP_TLS_XMPP, 0 },
	{ "sieve", 4190, CP_TLS_SIEVE, 0 },
	{ "postgres", 5432, CP_TLS_POSTGRES, 0 },
	{ "tls", 0, CP_TLS_IMPLICIT, 0 },
	{ NULL, 0, CP_TLS_IMPLICIT, 0 },
};

const struct cp_proto *
cp_proto_find(const char *name, size_t len)
{
	const struct cp_proto *p;

	for (p = cp_protos; p->name != NULL; p++) {
		if (strlen(p->name) == len && strncasecmp(p->name, name, len) == 0)
			return p;
	}
	return NULL;
}

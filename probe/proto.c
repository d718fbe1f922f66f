/* The protocol table (SPEC section 2). */
#include <string.h>
#include <strings.h>

#include "proto.h"
#include "suggest.h"
#include "starttls.h"

const struct cp_proto cp_protos[] = {
	{ "https", 443, NULL, 1 },
	{ "smtp", 25, &cp_dialect_smtp, 0 },
	{ "submission", 587, &cp_dialect_smtp, 0 },
	{ "smtps", 465, NULL, 0 },
	{ "lmtp", 24, &cp_dialect_lmtp, 0 },
	{ "nntp", 119, &cp_dialect_nntp, 0 },
	{ "nntps", 563, NULL, 0 },
	{ "imap", 143, &cp_dialect_imap, 0 },
	{ "imaps", 993, NULL, 0 },
	{ "pop3", 110, &cp_dialect_pop3, 0 },
	{ "pop3s", 995, NULL, 0 },
	{ "ftp", 21, &cp_dialect_ftp, 0 },
	{ "ldap", 389, &cp_dialect_ldap, 0 },
	{ "ldaps", 636, NULL, 0 },
	{ "xmpp", 5222, &cp_dialect_xmpp, 0 },
	{ "sieve", 4190, &cp_dialect_sieve, 0 },
	{ "postgres", 5432, &cp_dialect_postgres, 0 },
	{ "tls", 0, NULL, 0 },
	{ NULL, 0, NULL, 0 },
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

void
cp_protos_print(FILE *f)
{
	const struct cp_proto *p;

	for (p = cp_protos; p->name != NULL; p++)
		fprintf(f, " %s", p->name);
}

const struct cp_proto *
cp_proto_lookup(const char *name, size_t len, char *err, size_t errlen)
{
	const struct cp_proto *p = cp_proto_find(name, len);
	const char *hint;
	char word[32];
	size_t n;

	if (p != NULL)
		return p;
	for (n = 0; cp_protos[n].name != NULL; n++)
		;
	snprintf(word, sizeof(word), "%.*s", (int)len, name);
	hint = cp_suggest(word, cp_protos, n, sizeof(cp_protos[0]));
	snprintf(err, errlen, "unknown protocol '%s'%s%s%s", word,
	    hint ? " (did you mean '" : "", hint ? hint : "",
	    hint ? "'?)" : "");
	return NULL;
}

/*
 * The protocols of SPEC section 2, one row each.
 *
 * This table is the only place that knows a scheme's name, default port
 * and how TLS starts on it; target parsing, the endpoint engine and the
 * documentation all read it.
 */
#ifndef CP_PROTO_H
#define CP_PROTO_H

/* How TLS begins once connected. */
enum cp_tls_start {
	CP_TLS_IMPLICIT,     /* TLS at once */
	CP_TLS_SMTP,         /* EHLO, STARTTLS */
	CP_TLS_LMTP,         /* LHLO, STARTTLS */
	CP_TLS_NNTP,         /* CAPABILITIES, STARTTLS */
	CP_TLS_IMAP,         /* CAPABILITY, STARTTLS */
	CP_TLS_POP3,         /* CAPA, STLS */
	CP_TLS_FTP,          /* AUTH TLS */
	CP_TLS_LDAP,         /* StartTLS extended operation */
	CP_TLS_XMPP,         /* stream, starttls */
	CP_TLS_POSTGRES,     /* SSLRequest */
	CP_TLS_SIEVE,        /* STARTTLS */
};

struct cp_proto {
	const char *name;          /* scheme, lower case: "smtp" */
	unsigned default_port;     /* 0: the target must give one */
	enum cp_tls_start start;   /* how TLS begins */
	int http;                  /* checked through libcurl */
};

/* The row for a scheme (case-insensitive), or NULL. */
const struct cp_proto *cp_proto_find(const char *name, size_t len);

/* Every row, for listing and "did you mean"; ends with a NULL name. */
extern const struct cp_proto cp_protos[];

#endif

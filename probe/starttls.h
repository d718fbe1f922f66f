/*
 * The client side of each protocol's way to TLS, one dialect each. The
 * protocol table (proto.c) points at these; NULL there means TLS at once.
 */
#ifndef CP_STARTTLS_H
#define CP_STARTTLS_H

#include "dialog.h"

/* Line-based (starttls.c). */
extern const struct cp_dialect cp_dialect_smtp;
extern const struct cp_dialect cp_dialect_lmtp;
extern const struct cp_dialect cp_dialect_ftp;
extern const struct cp_dialect cp_dialect_nntp;
extern const struct cp_dialect cp_dialect_imap;
extern const struct cp_dialect cp_dialect_pop3;
extern const struct cp_dialect cp_dialect_sieve;

/* Without lines (starttls_stream.c). */
extern const struct cp_dialect cp_dialect_xmpp;
extern const struct cp_dialect cp_dialect_ldap;
extern const struct cp_dialect cp_dialect_postgres;

#endif

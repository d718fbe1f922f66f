/*
 * The plaintext dialogs, fed a server's byte stream turn by turn: what
 * the client says, whether it gets to TLS, and the reason it gives when
 * it does not. Cases that do not depend on how bytes are split are fed
 * again one byte at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "starttls.h"
#include "tap.h"

struct chunk {
	const char *p;
	size_t len;
};

#define S(lit) { (lit), sizeof(lit) - 1 }
#define MAXTURNS 4

struct dcase {
	const char *name;
	const struct cp_dialect *dialect;
	struct chunk turn[MAXTURNS];  /* what the server sends, turn by turn */
	int rc;                       /* how the dialog ends */
	const char *client;           /* all the client sent (NULL: unchecked) */
	const char *error;            /* a part of the reason; NULL for TLS */
	int split_ok;                 /* the same when fed a byte at a time */
};

static const struct dcase cases[] = {
	{ "SMTP: greeting, EHLO, STARTTLS", &cp_dialect_smtp,
	  { S("220 mx.example ESMTP\r\n"),
	    S("250-mx.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n"),
	    S("220 2.0.0 Ready to start TLS\r\n") },
	  CP_DIALOG_TLS, "EHLO [127.0.0.1]\r\nSTARTTLS\r\n", NULL, 1 },
	{ "SMTP: multi-line greeting", &cp_dialect_smtp,
	  { S("220-mx.example\r\n220 ESMTP\r\n"), S("250 STARTTLS\r\n"),
	    S("220 go\r\n") },
	  CP_DIALOG_TLS, NULL, NULL, 1 },
	{ "SMTP: 454 to STARTTLS", &cp_dialect_smtp,
	  { S("220 mx\r\n"), S("250-mx\r\n250 STARTTLS\r\n"),
	    S("454 4.7.0 TLS not available due to local problem\r\n") },
	  CP_DIALOG_FAIL, NULL, "STARTTLS refused: 454 4.7.0 TLS not "
	  "available due to local problem", 1 },
	{ "SMTP: STARTTLS not offered", &cp_dialect_smtp,
	  { S("220 mx\r\n"), S("250-mx\r\n250 8BITMIME\r\n") },
	  CP_DIALOG_FAIL, "EHLO [127.0.0.1]\r\n",
	  "the SMTP server does not offer STARTTLS", 1 },
	{ "SMTP: session refused", &cp_dialect_smtp,
	  { S("554 5.3.2 go away\r\n") },
	  CP_DIALOG_FAIL, "", "unexpected SMTP reply to the connection: 554", 1 },
	{ "SMTP: malformed reply code", &cp_dialect_smtp,
	  { S("2x0 hello\r\n") },
	  CP_DIALOG_FAIL, NULL, "malformed SMTP reply: 2x0 hello", 1 },
	{ "SMTP: a reply that changes its code", &cp_dialect_smtp,
	  { S("220 mx\r\n"), S("250-mx\r\n251 STARTTLS\r\n") },
	  CP_DIALOG_FAIL, NULL, "changed its code", 1 },
	{ "SMTP: plaintext after 220 to STARTTLS is refused", &cp_dialect_smtp,
	  { S("220 mx\r\n"), S("250 STARTTLS\r\n"),
	    S("220 Ready\r\n250 injected\r\n") },
	  CP_DIALOG_FAIL, NULL, "14 bytes of plaintext after the SMTP server "
	  "agreed to start TLS", 0 },
	{ "LMTP: LHLO", &cp_dialect_lmtp,
	  { S("220 lmtp\r\n"), S("250-lmtp\r\n250 STARTTLS\r\n"),
	    S("220 go\r\n") },
	  CP_DIALOG_TLS, "LHLO [127.0.0.1]\r\nSTARTTLS\r\n", NULL, 1 },
	{ "NNTP: CAPABILITIES, STARTTLS, 382", &cp_dialect_nntp,
	  { S("200 news.example InterNetNews NNRP server INN 2.7.1 ready\r\n"),
	    S("101 Capability list:\r\nVERSION 2\r\nREADER\r\nSTARTTLS\r\n"
	      ".\r\n"),
	    S("382 Continue with TLS negotiation\r\n") },
	  CP_DIALOG_TLS, "CAPABILITIES\r\nSTARTTLS\r\n", NULL, 1 },
	{ "NNTP: 580 to STARTTLS", &cp_dialect_nntp,
	  { S("200 news\r\n"), S("101 caps\r\nSTARTTLS\r\n.\r\n"),
	    S("580 Can not initiate TLS negotiation\r\n") },
	  CP_DIALOG_FAIL, NULL, "STARTTLS refused: 580 Can not initiate TLS "
	  "negotiation", 1 },
	{ "NNTP: a server without CAPABILITIES is asked all the same",
	  &cp_dialect_nntp,
	  { S("201 news\r\n"), S("500 What?\r\n"), S("382 go\r\n") },
	  CP_DIALOG_TLS, "CAPABILITIES\r\nSTARTTLS\r\n", NULL, 1 },
	{ "NNTP: STARTTLS not in the list", &cp_dialect_nntp,
	  { S("200 news\r\n"), S("101 caps\r\nVERSION 2\r\n.\r\n") },
	  CP_DIALOG_FAIL, NULL, "the NNTP server does not offer STARTTLS", 1 },
	{ "NNTP: 400 unavailable", &cp_dialect_nntp,
	  { S("400 NNTP server unavailable\r\n") },
	  CP_DIALOG_FAIL, NULL, "unexpected NNTP reply to the connection: 400 "
	  "NNTP server unavailable", 1 },
	{ "IMAP: CAPABILITY, STARTTLS", &cp_dialect_imap,
	  { S("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n"),
	    S("* CAPABILITY IMAP4rev1 STARTTLS\r\nC1 OK done\r\n"),
	    S("C2 OK Begin TLS negotiation now\r\n") },
	  CP_DIALOG_TLS, "C1 CAPABILITY\r\nC2 STARTTLS\r\n", NULL, 1 },
	{ "IMAP: STARTTLS answered NO", &cp_dialect_imap,
	  { S("* OK hi\r\n"), S("* CAPABILITY IMAP4rev1 STARTTLS\r\nC1 OK\r\n"),
	    S("C2 NO not now\r\n") },
	  CP_DIALOG_FAIL, NULL, "STARTTLS refused: C2 NO not now", 1 },
	{ "IMAP: STARTTLS not offered", &cp_dialect_imap,
	  { S("* OK hi\r\n"), S("* CAPABILITY IMAP4rev1 STARTTLSX\r\nC1 OK\r\n") },
	  CP_DIALOG_FAIL, NULL, "does not offer STARTTLS", 1 },
	{ "IMAP: BYE", &cp_dialect_imap,
	  { S("* BYE too busy\r\n") },
	  CP_DIALOG_FAIL, NULL, "unexpected IMAP reply to the connection", 1 },
	{ "POP3: CAPA, STLS", &cp_dialect_pop3,
	  { S("+OK Dovecot ready.\r\n"), S("+OK\r\nCAPA\r\nSTLS\r\nUSER\r\n.\r\n"),
	    S("+OK Begin TLS negotiation now.\r\n") },
	  CP_DIALOG_TLS, "CAPA\r\nSTLS\r\n", NULL, 1 },
	{ "POP3: -ERR to CAPA, STLS all the same", &cp_dialect_pop3,
	  { S("+OK\r\n"), S("-ERR unknown\r\n"), S("+OK go\r\n") },
	  CP_DIALOG_TLS, "CAPA\r\nSTLS\r\n", NULL, 1 },
	{ "POP3: STLS refused", &cp_dialect_pop3,
	  { S("+OK\r\n"), S("+OK\r\nSTLS\r\n.\r\n"), S("-ERR no\r\n") },
	  CP_DIALOG_FAIL, NULL, "STARTTLS refused: -ERR no", 1 },
	{ "FTP: multi-line greeting, AUTH TLS", &cp_dialect_ftp,
	  { S("220-Welcome\r\n to the test\r\n220 ready\r\n"),
	    S("234 AUTH TLS successful\r\n") },
	  CP_DIALOG_TLS, "AUTH TLS\r\n", NULL, 1 },
	{ "FTP: 120 then 220", &cp_dialect_ftp,
	  { S("120 wait 1 minute\r\n"), S("220 ready\r\n"), S("234 go\r\n") },
	  CP_DIALOG_TLS, "AUTH TLS\r\n", NULL, 1 },
	{ "FTP: AUTH TLS refused", &cp_dialect_ftp,
	  { S("220 ready\r\n"), S("530 Please login with USER and PASS\r\n") },
	  CP_DIALOG_FAIL, NULL, "STARTTLS refused: 530", 1 },
	{ "ManageSieve: capabilities, STARTTLS", &cp_dialect_sieve,
	  { S("\"IMPLEMENTATION\" \"Dovecot\"\r\n\"SIEVE\" \"fileinto\"\r\n"
	      "\"STARTTLS\"\r\nOK \"ready\"\r\n"),
	    S("OK \"Begin TLS negotiation now\"\r\n") },
	  CP_DIALOG_TLS, "STARTTLS\r\n", NULL, 1 },
	{ "ManageSieve: no STARTTLS", &cp_dialect_sieve,
	  { S("\"IMPLEMENTATION\" \"x\"\r\nOK\r\n") },
	  CP_DIALOG_FAIL, "", "does not offer STARTTLS", 1 },
	{ "XMPP: stream, features, proceed", &cp_dialect_xmpp,
	  { S("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
	      "xmlns:stream='http://etherx.jabber.org/streams' id='1' "
	      "from='example.test' version='1.0'><stream:features><starttls "
	      "xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
	      "</stream:features>"),
	    S("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>") },
	  CP_DIALOG_TLS, "<?xml version='1.0'?><stream:stream "
	  "to='example.test' xmlns='jabber:client' xmlns:stream='http://"
	  "etherx.jabber.org/streams' version='1.0'><starttls xmlns='urn:"
	  "ietf:params:xml:ns:xmpp-tls'/>", NULL, 1 },
	{ "XMPP: features and proceed in one read", &cp_dialect_xmpp,
	  { S("<stream:stream><stream:features><starttls/></stream:features>"
	      "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>") },
	  CP_DIALOG_TLS, NULL, NULL, 0 },
	{ "XMPP: failure", &cp_dialect_xmpp,
	  { S("<stream:stream><stream:features><starttls/></stream:features>"),
	    S("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>") },
	  CP_DIALOG_FAIL, NULL, "STARTTLS refused", 1 },
	{ "XMPP: no starttls feature", &cp_dialect_xmpp,
	  { S("<stream:stream><stream:features><mechanisms/>"
	      "</stream:features>") },
	  CP_DIALOG_FAIL, NULL, "does not offer STARTTLS", 1 },
	{ "XMPP: stream error", &cp_dialect_xmpp,
	  { S("<stream:stream><stream:error><host-unknown/></stream:error>") },
	  CP_DIALOG_FAIL, NULL, "stream error", 1 },
	{ "LDAP: extended response, success", &cp_dialect_ldap,
	  { S("\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00") },
	  CP_DIALOG_TLS, NULL, NULL, 1 },
	{ "LDAP: long-form lengths", &cp_dialect_ldap,
	  { S("\x30\x81\x0e\x02\x01\x01\x78\x82\x00\x07\x0a\x01\x00\x04\x00"
	      "\x04\x00") },
	  CP_DIALOG_TLS, NULL, NULL, 1 },
	{ "LDAP: protocolError", &cp_dialect_ldap,
	  { S("\x30\x22\x02\x01\x01\x78\x1d\x0a\x01\x02\x04\x00\x04\x16"
	      "StartTLS not supported") },
	  CP_DIALOG_FAIL, NULL, "STARTTLS refused: LDAP result code 2: "
	  "StartTLS not supported", 1 },
	{ "LDAP: not BER at all", &cp_dialect_ldap,
	  { S("HTTP/1.0 400 Bad Request\r\n\r\n") },
	  CP_DIALOG_FAIL, NULL, "malformed LDAP reply", 1 },
	{ "PostgreSQL: S", &cp_dialect_postgres,
	  { S("S") }, CP_DIALOG_TLS, NULL, NULL, 1 },
	{ "PostgreSQL: N", &cp_dialect_postgres,
	  { S("N") }, CP_DIALOG_FAIL, NULL, "does not accept TLS", 1 },
	{ "PostgreSQL: S and more is refused", &cp_dialect_postgres,
	  { S("SE") }, CP_DIALOG_FAIL, NULL, "1 byte of plaintext", 0 },
};

struct run {
	int rc;
	char client[2048];
	char error[CP_ERROR_MAX];
};

/* Takes what the client queued, as the engine would send it. */
static void
drain(struct cp_dialog *d, char *client)
{
	size_t len = strlen(client);

	if (len + d->outlen < 2048) {
		memcpy(client + len, d->out, d->outlen);
		client[len + d->outlen] = '\0';
	}
	d->outlen = 0;
}

static void
play(const struct dcase *c, int bytewise, struct run *out)
{
	struct cp_dialog d;
	size_t t, i;

	memset(out, 0, sizeof(*out));
	out->rc = cp_dialog_init(&d, c->dialect, "example.test", "[127.0.0.1]");
	drain(&d, out->client);
	for (t = 0; t < MAXTURNS && c->turn[t].p != NULL &&
	    out->rc == CP_DIALOG_MORE; t++) {
		if (!bytewise)
			out->rc = cp_dialog_feed(&d, c->turn[t].p,
			    c->turn[t].len);
		for (i = 0; bytewise && i < c->turn[t].len &&
		    out->rc == CP_DIALOG_MORE; i++)
			out->rc = cp_dialog_feed(&d, c->turn[t].p + i, 1);
		drain(&d, out->client);
	}
	if (out->rc == CP_DIALOG_MORE)
		out->rc = cp_dialog_eof(&d);
	strcpy(out->error, d.error);
}

static void
check_case(const struct dcase *c, int bytewise)
{
	const char *how = bytewise ? " (a byte at a time)" : "";
	struct run r;

	play(c, bytewise, &r);
	tap_ok(r.rc == c->rc, "%s%s: ends in %s", c->name, how,
	    c->rc == CP_DIALOG_TLS ? "TLS" : "a failure");
	if (r.rc != c->rc)
		printf("#   error: %s\n", r.error);
	if (c->client != NULL)
		TAP_STREQ(r.client, c->client, "%s%s: the client says the "
		    "right things", c->name, how);
	if (c->error != NULL) {
		tap_ok(strstr(r.error, c->error) != NULL, "%s%s: the reason "
		    "says '%s'", c->name, how, c->error);
		if (strstr(r.error, c->error) == NULL)
			printf("#   got: %s\n", r.error);
	}
}

/* Bounds: a line over 4 KiB, a dialog over 64 KiB, a silent close. */
static void
check_bounds(void)
{
	struct cp_dialog d;
	char *big;
	size_t i;
	int rc;

	big = malloc(CP_DIALOG_MAX + 16);
	memset(big, 'A', 5000);
	cp_dialog_init(&d, &cp_dialect_smtp, "x", "[127.0.0.1]");
	rc = cp_dialog_feed(&d, big, 5000);
	tap_ok(rc == CP_DIALOG_FAIL && strstr(d.error, "line longer than "
	    "4096 bytes") != NULL, "a 5000-byte line is refused: %s", d.error);

	memset(big, 'A', 4097);
	big[4097] = '\n';
	cp_dialog_init(&d, &cp_dialect_smtp, "x", "[127.0.0.1]");
	rc = cp_dialog_feed(&d, big, 4098);
	tap_ok(rc == CP_DIALOG_FAIL && strstr(d.error, "line longer than "
	    "4096 bytes") != NULL, "a 4097-byte line is refused: %s", d.error);
	memcpy(big, "220 ", 4);
	memcpy(big + 4096, "\r\n", 2);
	cp_dialog_init(&d, &cp_dialect_smtp, "x", "[127.0.0.1]");
	rc = cp_dialog_feed(&d, big, 4098);
	tap_ok(rc == CP_DIALOG_MORE, "a 4096-byte line and CRLF is taken");

	cp_dialog_init(&d, &cp_dialect_smtp, "x", "[127.0.0.1]");
	for (i = 0; i + 8 <= CP_DIALOG_MAX + 8; i += 8)
		memcpy(big + i, "250-xx\r\n", 8);
	rc = cp_dialog_feed(&d, "220 hi\r\n", 8);
	for (i = 0; rc == CP_DIALOG_MORE && i < CP_DIALOG_MAX + 8; i += 1024)
		rc = cp_dialog_feed(&d, big + i, 1024);
	tap_ok(rc == CP_DIALOG_FAIL && strstr(d.error, "dialog longer than 64 "
	    "KiB") != NULL, "a dialog over 64 KiB is refused: %s", d.error);

	cp_dialog_init(&d, &cp_dialect_smtp, "x", "[127.0.0.1]");
	rc = cp_dialog_eof(&d);
	tap_ok(rc == CP_DIALOG_FAIL && strstr(d.error, "closed the connection "
	    "before its SMTP greeting") != NULL, "a close before the greeting "
	    "is named: %s", d.error);

	cp_dialog_init(&d, &cp_dialect_smtp, "x", "[127.0.0.1]");
	cp_dialog_feed(&d, "220 hi\r\n", 8);
	rc = cp_dialog_eof(&d);
	tap_ok(rc == CP_DIALOG_FAIL && strstr(d.error, "during the SMTP "
	    "dialog") != NULL, "a close in the dialog is named: %s", d.error);

	tap_ok(cp_dialog_init(&d, NULL, "x", "y") == CP_DIALOG_TLS,
	    "TLS at once needs no dialog");
	free(big);
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_case(&cases[i], 0);
		if (cases[i].split_ok)
			check_case(&cases[i], 1);
	}
	check_bounds();
	return tap_done();
}

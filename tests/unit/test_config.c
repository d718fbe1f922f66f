/* The configuration grammar: what it accepts, what it refuses, and how. */
#include <stdlib.h>

#include "config.h"
#include "proto.h"
#include "state.h"
#include "tap.h"

/* Parses `text` as a main file (is_main) into a fresh configuration. */
static void
parse(struct cp_config *cfg, const char *text, int is_main)
{
	cp_config_init(cfg);
	if (cp_config_parse(cfg, "t.conf", text, strlen(text), is_main) == -1)
		abort();
}

/* The text of error i as the user sees it: "origin: msg". */
static const char *
diag(const struct cp_config *cfg, size_t i)
{
	static char buf[1024];

	if (i >= cfg->ndiags)
		return "(no such error)";
	snprintf(buf, sizeof(buf), "%s: %s", cfg->diags[i].origin,
	    cfg->diags[i].msg);
	return buf;
}

static void
test_accepts(void)
{
	struct cp_config cfg;
	const struct cp_check *c;

	parse(&cfg,
	    "# a comment\n"
	    "\n"
	    "   # indented comment\n"
	    "set warn=25 crit=7 timeout=2.5   # trailing comment\n"
	    "set mail_to=ops@example.com,root@example.org smtp_relay=mx.example.org:2525\n"
	    "/etc/letsencrypt/live/*/cert.pem   key=privkey.pem\n"
	    "smtp://mail.example.com warn=14 renew=\"/usr/local/sbin/refresh -x \\\"a b\\\" \\\\\"\n"
	    "https://[2001:db8::1]:8443/health name=\"www #1\" chain=leaf verify=off\n"
	    "\"/path with spaces/cert.pem\"\r\n"
	    "tls://127.0.0.1:5000 family=4 unreachable=warning\n"
	    "file:smtp://not-a-url.pem\n", 1);
	tap_ok(cfg.ndiags == 0, "a valid file has no errors (%s)", diag(&cfg, 0));
	tap_ok(cfg.nchecks == 6, "six checks read");
	if (cfg.nchecks != 6)
		goto out;
	c = &cfg.checks[0];
	tap_ok(c->target.kind == CP_TARGET_GLOB && c->s.warn.seconds ==
	    25 * 86400 && c->s.crit.seconds == 7 * 86400 &&
	    c->s.timeout_ms == 2500, "set lines are the defaults of later lines");
	TAP_STREQ(c->s.key, "privkey.pem", "key= on a file target");
	TAP_STREQ(c->origin, "t.conf:6", "a check knows its file and line");
	c = &cfg.checks[1];
	tap_ok(c->target.kind == CP_TARGET_ENDPOINT && c->target.port == 25 &&
	    c->s.warn.seconds == 14 * 86400 && c->s.crit.seconds == 7 * 86400,
	    "an option on the line overrides the default");
	TAP_STREQ(c->s.renew, "/usr/local/sbin/refresh -x \"a b\" \\",
	    "quoted value with \\\" and \\\\ escapes");
	TAP_STREQ(c->target.host, "mail.example.com", "endpoint host");
	c = &cfg.checks[2];
	TAP_STREQ(c->target.host, "2001:db8::1", "bracketed IPv6 literal");
	tap_ok(c->target.port == 8443 && c->s.chain == CP_CHAIN_LEAF &&
	    c->s.verify == 0, "port, chain= and verify= parsed");
	TAP_STREQ(c->target.url_path, "/health", "https keeps its path");
	TAP_STREQ(c->s.name, "www #1", "'#' inside quotes is not a comment");
	c = &cfg.checks[3];
	TAP_STREQ(c->target.path, "/path with spaces/cert.pem",
	    "a quoted target, CRLF line end");
	c = &cfg.checks[4];
	tap_ok(c->s.family == 4 && c->s.unreachable == CP_WARNING,
	    "family= and unreachable=");
	c = &cfg.checks[5];
	tap_ok(c->target.kind == CP_TARGET_PATH, "file: forces a path");
	TAP_STREQ(c->target.path, "smtp://not-a-url.pem", "file: is stripped");
	TAP_STREQ(cfg.g.mail_to, "ops@example.com,root@example.org",
	    "global mail_to");
	TAP_STREQ(cfg.g.smtp_relay, "mx.example.org:2525", "global smtp_relay");
out:
	cp_config_free(&cfg);
}

static const struct {
	const char *line;
	const char *error;    /* the whole message, after "t.conf:1: " */
} refusals[] = {
	{ "/a.pem wran=14", "unknown option 'wran' (did you mean 'warn'?)" },
	{ "/a.pem WARN=14", "unknown option 'WARN' (did you mean 'warn'?)" },
	{ "/a.pem frobnicate=1", "unknown option 'frobnicate'" },
	{ "/a.pem warn=14x", "warn: '14x' is not a threshold (days, e.g. 30 or "
	  "1.5, or with a unit: 36h, 90m, 600s, or a share of the lifetime: "
	  "33%)" },
	{ "/a.pem warn=120%", "warn: '120%' is not a percentage from 0 to 100" },
	{ "/a.pem warn=1 warn=2", "'warn' is given twice" },
	{ "/a.pem sni=example.com", "'sni' does not apply to certificate files" },
	{ "https://x key=k.pem", "'key' does not apply to live endpoints" },
	{ "/a.pem jobs=4", "'jobs' is a global option: give it on a 'set' line" },
	{ "/a.pem /b.pem", "'/b.pem' is not an option (key=value): one target "
	  "per line" },
	{ "warn=14", "option 'warn' needs a target before it, or 'set' to make "
	  "it a default" },
	{ "set", "'set' needs at least one option=value" },
	{ "set jobs=0", "jobs: '0' is not a whole number from 1 to 1024" },
	{ "set jobs=1025", "jobs: '1025' is not a whole number from 1 to 1024" },
	{ "set timeout=0", "timeout: '0' is out of range (1 ms to 3600 s)" },
	{ "set chain=verfied", "chain: 'verfied' is not allowed (did you mean "
	  "'verified'?)" },
	{ "set chain=xyz", "chain: 'xyz' is not one of verified, served, leaf, all" },
	{ "set family=5", "family: '5' is not one of any, 4, 6" },
	{ "set verify=maybe", "verify: 'maybe' is not on or off" },
	{ "set unreachable=fatal", "unreachable: 'fatal' is not ok, warning, "
	  "critical or unknown" },
	{ "set mail_to=ops", "mail_to: 'ops' is not a list of mail addresses "
	  "(user@example.com, ...)" },
	{ "set mail_from=a@b>", "mail_from: 'a@b>' is not a mail address "
	  "(user@example.com)" },
	{ "set smtp_relay=host:99999", "smtp_relay: 'host:99999' is not "
	  "host[:port] (a name or an IPv4 address: libesmtp takes no IPv6 "
	  "literal)" },
	{ "set smtp_relay=[::1]:25", "smtp_relay: '[::1]:25' is not "
	  "host[:port] (a name or an IPv4 address: libesmtp takes no IPv6 "
	  "literal)" },
	{ "set sni=bad_host!", "sni: 'bad_host!' is not a host name" },
	{ "set addr=1.2.3", "addr: '1.2.3' is not an IPv4 or IPv6 address" },
	{ "set name=", "name: '' must not be empty" },
	{ "/a.pem name=\"open", "a quote is not closed" },
	{ "/a.pem name=\"a\\nb\"", "only \\\" and \\\\ may follow a backslash in "
	  "quotes" },
	{ "htps://example.com", "htps://example.com: unknown protocol 'htps' "
	  "(did you mean 'https'?)" },
	{ "gopher://example.com", "gopher://example.com: unknown protocol "
	  "'gopher'" },
	{ "smtp://example.com:0", "smtp://example.com:0: '0' is not a port (1 "
	  "to 65535)" },
	{ "smtp://example.com:65536", "smtp://example.com:65536: '65536' is not "
	  "a port (1 to 65535)" },
	{ "smtp://2001:db8::1", "smtp://2001:db8::1: an IPv6 address must be in "
	  "brackets: [2001:db8::1]" },
	{ "tls://example.com", "tls://example.com: tls needs a port: "
	  "tls://HOST:PORT" },
	{ "smtp://ex ample.com", "'ample.com' is not an option (key=value): one "
	  "target per line" },
	{ "smtp://[::1", "smtp://[::1: missing ']' after IPv6 address" },
	{ "smtp://host/path", "smtp://host/path: smtp endpoints take no path" },
};

static void
test_refusals(void)
{
	struct cp_config cfg;
	char want[1024];
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		parse(&cfg, refusals[i].line, 1);
		snprintf(want, sizeof(want), "t.conf:1: %s", refusals[i].error);
		TAP_STREQ(diag(&cfg, 0), want, "refused: %s", refusals[i].line);
		tap_ok(cfg.nchecks == 0 && cfg.ndiags == 1, "one error, no check: "
		    "%s", refusals[i].line);
		cp_config_free(&cfg);
	}
}

static void
test_rest_still_runs(void)
{
	struct cp_config cfg;
	char longline[5000];

	parse(&cfg,
	    "/good/one.pem\n"
	    "/bad.pem wran=3\n"
	    "/good/two.pem warn=3\n"
	    "set warn=oops crit=3\n"
	    "/good/three.pem\n", 1);
	tap_ok(cfg.nchecks == 3 && cfg.ndiags == 2, "valid lines still become "
	    "checks around two bad ones");
	TAP_STREQ(diag(&cfg, 1), "t.conf:4: warn: 'oops' is not a threshold "
	    "(days, e.g. 30 or 1.5, or with a unit: 36h, 90m, 600s, or a share "
	    "of the lifetime: 33%)", "line number of the second error");
	tap_ok(cfg.nchecks == 3 && cfg.checks[2].s.crit.seconds == 3 * 86400 &&
	    cfg.checks[2].s.warn.seconds == 30 * 86400, "the valid half of a "
	    "bad set line applies");
	cp_config_free(&cfg);

	memset(longline, 'a', sizeof(longline) - 1);
	longline[0] = '/';
	longline[sizeof(longline) - 1] = '\0';
	parse(&cfg, longline, 1);
	TAP_STREQ(diag(&cfg, 0), "t.conf:1: line longer than 4096 bytes",
	    "an over-long line is refused");
	cp_config_free(&cfg);

	cp_config_init(&cfg);
	cp_config_parse(&cfg, "t.conf", "/a.pem\n/b\0.pem\n/c.pem\n", 21, 1);
	tap_ok(cfg.nchecks == 2 && cfg.ndiags == 1, "a NUL byte spoils only "
	    "its line");
	TAP_STREQ(diag(&cfg, 0), "t.conf:2: line holds a NUL byte",
	    "NUL byte reported with its line");
	cp_config_free(&cfg);
}

/* A checks.d file's `set` lasts to its end; the main file's for all. */
static void
test_set_scope(void)
{
	struct cp_config cfg;
	static const char *const text[] = { "set warn=20\n/m.pem\n",
	    "/a1.pem\nset warn=5\n/a2.pem\n", "/b.pem\n" };

	cp_config_init(&cfg);
	cp_config_parse(&cfg, "main.conf", text[0], strlen(text[0]), 1);
	cp_config_parse(&cfg, "a.conf", text[1], strlen(text[1]), 0);
	cp_config_parse(&cfg, "b.conf", text[2], strlen(text[2]), 0);
	tap_ok(cfg.nchecks == 4 && cfg.ndiags == 0, "four checks from three "
	    "files");
	if (cfg.nchecks == 4)
		tap_ok(cfg.checks[0].s.warn.seconds == 20 * 86400 &&
		    cfg.checks[1].s.warn.seconds == 20 * 86400 &&
		    cfg.checks[2].s.warn.seconds == 5 * 86400 &&
		    cfg.checks[3].s.warn.seconds == 20 * 86400,
		    "set in a checks.d file ends with that file");
	cp_config_free(&cfg);
}

static void
test_override(void)
{
	struct cp_config cfg;
	struct cp_settings ovr;
	char err[256];

	parse(&cfg, "/a.pem warn=10 crit=5 name=a\n", 1);
	cp_settings_init(&ovr);
	cp_option_set(cp_option_find("warn"), "40", &ovr, NULL, err, sizeof(err));
	cp_config_override(&cfg, &ovr);
	tap_ok(cfg.checks[0].s.warn.seconds == 40 * 86400 &&
	    cfg.checks[0].s.crit.seconds == 5 * 86400,
	    "the command line overrides what it gives, only that");
	TAP_STREQ(cfg.checks[0].s.name, "a", "strings survive an override");
	cp_settings_free(&ovr);
	cp_config_free(&cfg);
}

int
main(void)
{
	test_accepts();
	test_refusals();
	test_rest_still_runs();
	test_set_scope();
	test_override();
	return tap_done();
}

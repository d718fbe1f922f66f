/*
 * --mail (SPEC section 6): the digest, mailed when there is something to
 * say (mail_always=yes: every run). When it cannot go, nothing is lost:
 * the reason goes to standard error and the digest to standard output,
 * where cron mails it.
 */
#ifndef CP_MAIL_H
#define CP_MAIL_H

struct cp_config;
struct cp_report;

/*
 * 0 when mailed, or when there was nothing to say; -1 when not mailed
 * (said on stderr, and with `fallback` the digest printed: the caller
 * passes 0 when standard output carries a report anyway). `verbose`
 * says where it went.
 */
int cp_mail_report(const char *prog, const struct cp_config *,
    const struct cp_report *, int verbose, int fallback);

#endif

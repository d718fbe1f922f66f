/*
 * Conversions between ASN.1 times, Unix seconds and text.
 *
 * OpenSSL does the calendar work (ASN1_TIME_diff, OPENSSL_gmtime): no
 * hand-written date parser, no TZ, no locale. Seconds are 64-bit, so
 * 99991231235959Z is an ordinary date.
 */
#ifndef CP_TIMECONV_H
#define CP_TIMECONV_H

#include <stdint.h>

#include <openssl/asn1.h>

/* Room for either text form, NUL included. */
#define CP_TIME_TEXT_MAX 40

/* Unix seconds of an ASN.1 time; 0 on success, -1 if OpenSSL cannot read it. */
int cp_time_from_asn1(const ASN1_TIME *, int64_t *out);

/*
 * Parses --now / CERTPROBE_NOW: "@EPOCH", "YYYY-MM-DD" or
 * "YYYY-MM-DDTHH:MM:SS", each optionally ending in "Z" (always UTC), in
 * the years 0000 to 9999. 0 on success, -1 if the text is not one of
 * these or not a real date.
 */
int cp_time_parse_when(const char *text, int64_t *out);

/* "Dec 28 23:46:00 2016 GMT", as `openssl x509 -enddate` prints it. */
void cp_time_format_openssl(int64_t, char out[CP_TIME_TEXT_MAX]);

/* "2016-12-28T23:46:00Z" (RFC 3339, UTC). */
void cp_time_format_rfc3339(int64_t, char out[CP_TIME_TEXT_MAX]);

/* floor(a / b) for b > 0, as days_left needs for negative spans. */
int64_t cp_floor_div(int64_t a, int64_t b);

/* A duration for a message: "10 s", "2.5 s". Returns buf. */
const char *cp_seconds_text(int64_t ms, char *buf, size_t len);

#endif

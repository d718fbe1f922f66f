/*
 * States of a check and the named classes of failure.
 *
 * A check never decides an exit code itself: it records a state or a
 * failure class in its result, and these functions map and combine them
 * in one place (SPEC section 3).
 */
#ifndef CP_STATE_H
#define CP_STATE_H

/* Values are the Nagios exit codes. */
enum cp_state {
	CP_OK = 0,
	CP_WARNING = 1,
	CP_CRITICAL = 2,
	CP_UNKNOWN = 3,
};

/* Why a result has no (or no trustworthy) certificate. */
enum cp_fail {
	CP_FAIL_NONE = 0,
	CP_FAIL_CONFIG,      /* the configuration or usage is wrong */
	CP_FAIL_FILE,        /* a file or directory cannot be read */
	CP_FAIL_NOCERT,      /* a file holds no certificate */
	CP_FAIL_BADCERT,     /* a certificate cannot be decoded or its time read */
	CP_FAIL_KEY,         /* key= is missing, unusable or does not match */
	CP_FAIL_RESOLVE,     /* a name does not resolve */
	CP_FAIL_CONNECT,     /* connection refused or reset */
	CP_FAIL_TIMEOUT,     /* a bounded wait ran out */
	CP_FAIL_PROTOCOL,    /* the dialog before TLS broke */
	CP_FAIL_STARTTLS,    /* the server refused to start TLS */
	CP_FAIL_HANDSHAKE,   /* the TLS handshake failed */
	CP_FAIL_VERIFY,      /* chain or host name does not verify */
	CP_FAIL_DRIFT,       /* serves another certificate than expect= */
	CP_FAIL_RENEW,       /* its renew= command failed or timed out */
	CP_FAIL_UNSUPPORTED, /* asked for something this build cannot do */
	CP_FAIL_INTERNAL,    /* out of memory and the like */
};

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *cp_state_name(enum cp_state);

/* Parses a state name, case-insensitive; returns 0 on success, -1 if none. */
int cp_state_parse(const char *, enum cp_state *);

/* The worse of two: CRITICAL > WARNING > UNKNOWN > OK. */
enum cp_state cp_state_worst(enum cp_state, enum cp_state);

/*
 * The state a failure class stands for. Network failures take the
 * configured `unreachable` state; the others are fixed by the spec.
 */
enum cp_state cp_fail_state(enum cp_fail, enum cp_state unreachable);

/* A short noun for the class, for JSON and logs ("file", "timeout"). */
const char *cp_fail_name(enum cp_fail);

#endif

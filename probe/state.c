/* States and failure classes: the one place they are mapped. */
#include <strings.h>

#include "state.h"

static const char *const state_names[] = {
	[CP_OK] = "OK",
	[CP_WARNING] = "WARNING",
	[CP_CRITICAL] = "CRITICAL",
	[CP_UNKNOWN] = "UNKNOWN",
};

const char *
cp_state_name(enum cp_state s)
{
	if ((unsigned)s > CP_UNKNOWN)
		return "UNKNOWN";
	return state_names[s];
}

int
cp_state_parse(const char *text, enum cp_state *out)
{
	int i;

	for (i = CP_OK; i <= CP_UNKNOWN; i++) {
		if (strcasecmp(text, state_names[i]) == 0) {
			*out = (enum cp_state)i;
			return 0;
		}
	}
	return -1;
}

/* Rank for combining: UNKNOWN sits between OK and WARNING (SPEC 3). */
static int
rank(enum cp_state s)
{
	switch (s) {
	case CP_OK:
		return 0;
	case CP_UNKNOWN:
		return 1;
	case CP_WARNING:
		return 2;
	case CP_CRITICAL:
		return 3;
	}
	return 1;
}

enum cp_state
cp_state_worst(enum cp_state a, enum cp_state b)
{
	return rank(a) >= rank(b) ? a : b;
}

enum cp_state
cp_fail_state(enum cp_fail f, enum cp_state unreachable)
{
	switch (f) {
	case CP_FAIL_NONE:
		return CP_OK;
	case CP_FAIL_CONFIG:
	case CP_FAIL_FILE:
	case CP_FAIL_NOCERT:
	case CP_FAIL_BADCERT:
	case CP_FAIL_RESOLVE:
	case CP_FAIL_UNSUPPORTED:
	case CP_FAIL_INTERNAL:
		return CP_UNKNOWN;
	case CP_FAIL_KEY:
	case CP_FAIL_VERIFY:
		return CP_CRITICAL;
	case CP_FAIL_DRIFT:
	case CP_FAIL_RENEW:
		return CP_WARNING;
	case CP_FAIL_CONNECT:
	case CP_FAIL_TIMEOUT:
	case CP_FAIL_PROTOCOL:
	case CP_FAIL_STARTTLS:
	case CP_FAIL_HANDSHAKE:
		return unreachable;
	}
	return CP_UNKNOWN;
}

const char *
cp_fail_name(enum cp_fail f)
{
	static const char *const names[] = {
		[CP_FAIL_NONE] = "none",
		[CP_FAIL_CONFIG] = "config",
		[CP_FAIL_FILE] = "file",
		[CP_FAIL_NOCERT] = "no-certificate",
		[CP_FAIL_BADCERT] = "bad-certificate",
		[CP_FAIL_KEY] = "key",
		[CP_FAIL_RESOLVE] = "resolve",
		[CP_FAIL_CONNECT] = "connect",
		[CP_FAIL_TIMEOUT] = "timeout",
		[CP_FAIL_PROTOCOL] = "protocol",
		[CP_FAIL_STARTTLS] = "starttls",
		[CP_FAIL_HANDSHAKE] = "handshake",
		[CP_FAIL_VERIFY] = "verify",
		[CP_FAIL_DRIFT] = "drift",
		[CP_FAIL_RENEW] = "renew",
		[CP_FAIL_UNSUPPORTED] = "unsupported",
		[CP_FAIL_INTERNAL] = "internal",
	};

	if ((unsigned)f >= sizeof(names) / sizeof(names[0]))
		return "internal";
	return names[f];
}

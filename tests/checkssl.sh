#!/bin/sh
# checkssl as cron runs it: silent when nothing is due, DAYS from DAYS=N,
# else -d N, else the environment, else 7; the digest exactly as specified.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

NOW=1780000000
mkcert -o "$T/ten.pem" -s /CN=ten --not-before @$((NOW - 86400)) --not-after @$((NOW + 10 * 86400 + 60))
mkcert -o "$T/far.pem" -s /CN=far --not-before @$((NOW - 86400)) --not-after @$((NOW + 300 * 86400))
mkcert -o "$T/old.pem" -s /CN=old --not-before @$((NOW - 90 * 86400)) --not-after @$((NOW - 2 * 86400 - 60))
TEN=$(enddate "$T/ten.pem")

run "$CHECKSSL" --now @$NOW "$T/ten.pem" "$T/far.pem"
expect_silent "default DAYS=7: nothing due, nothing printed"
expect_rc 0 "nothing due exits 0"
run "$CHECKSSL" --now @$NOW DAYS=11 "$T/ten.pem" "$T/far.pem"
expect_rc 2 "DAYS=11 argument: due"
check "the digest, exactly" test "$out" = "Following certificate expiration dates:

$T/ten.pem: $TEN (10 days)"
run "$CHECKSSL" --now @$NOW "$T/ten.pem" DAYS=11
expect_out "$T/ten.pem: $TEN (10 days)" "DAYS=N after the targets works too"
run "$CHECKSSL" --now @$NOW -d 11 "$T/ten.pem"
expect_out "$T/ten.pem: $TEN (10 days)" "-d 11"
run env DAYS=11 "$CHECKSSL" --now @$NOW "$T/ten.pem"
expect_out "$T/ten.pem: $TEN (10 days)" "DAYS=11 in the environment (as cron sets it)"
run "$CHECKSSL" --now @$NOW DAYS=5 -d 11 "$T/ten.pem"
expect_silent "DAYS=N argument wins over -d"
run env DAYS=11 "$CHECKSSL" --now @$NOW -d 5 "$T/ten.pem"
expect_silent "-d wins over the environment"
run env DAYS=5 "$CHECKSSL" --now @$NOW DAYS=11 "$T/ten.pem"
expect_out "$T/ten.pem:" "DAYS=N argument wins over the environment"
run "$CHECKSSL" --now @$NOW DAYS=10.5 "$T/ten.pem"
expect_out "$T/ten.pem:" "DAYS with a decimal"
run "$CHECKSSL" --now @$NOW DAYS=240h "$T/ten.pem"
expect_silent "DAYS=240h: 10 days and a minute is beyond 240 hours"
run "$CHECKSSL" --now @$NOW DAYS=ten "$T/ten.pem"
expect_rc 3 "a bad DAYS is a usage error"
expect_err "DAYS=ten: not a number of days" "and names it"
run env DAYS=x "$CHECKSSL" --now @$NOW "$T/ten.pem"
expect_err "environment DAYS=x: not a number of days" "a bad DAYS in the environment names where it came from"

# Both sections, soonest first, failures after.
run "$CHECKSSL" --now @$NOW DAYS=25 "$T/far.pem" "$T/ten.pem" "$T/missing.pem" "$T/old.pem"
expect_rc 2 "expired and due: CRITICAL"
check "due and failed, exactly" test "$out" = "Following certificate expiration dates:

$T/old.pem: $(enddate "$T/old.pem") (expired 2 days ago)
$T/ten.pem: $TEN (10 days)

Could not check:

$T/missing.pem: no such file or directory (or a broken symbolic link)"

# Only a failure: the first section is left out.
run "$CHECKSSL" --now @$NOW "$T/far.pem" "$T/missing.pem"
check "only failures, exactly" test "$out" = "Could not check:

$T/missing.pem: no such file or directory (or a broken symbolic link)"
expect_rc 3 "only a failure: UNKNOWN"

# Without targets: the configuration, with name= labels.
cat >"$T/cron.conf" <<EOC
set warn=60 crit=3
$T/ten.pem name=mail-server
$T/far.pem name=www
EOC
run "$CHECKSSL" --now @$NOW -C "$T/cron.conf" DAYS=25
check "configured checks, labelled by name=" test "$out" = "Following certificate expiration dates:

mail-server: $TEN (10 days)"
expect_rc 1 "10 days under crit=3 is WARNING"
run "$CHECKSSL" --now @$NOW -C "$T/cron.conf"
expect_silent "DAYS defaults to 7, whatever warn= says in the configuration"

# No configuration and no targets: say so, do not pretend.
run env CERTPROBE_CONFIG= "$CHECKSSL" -C "$T/none.conf"
expect_rc 3 "a missing -C file is UNKNOWN"
expect_out "$T/none.conf: cannot read: no such file" "and is named in the digest"
run "$CHECKSSL" -h
expect_rc 0 "-h"
expect_out "Usage: checkssl [DAYS=N] [-d N]" "-h prints usage"
run "$CHECKSSL" -V
expect_out "checkssl 0." "-V prints the version"
run "$CHECKSSL" --frobnicate
expect_rc 3 "an unknown option exits 3"
expect_err "unknown option '--frobnicate'" "and names it"
expect_err "Usage: checkssl" "with the usage line"
run "$CHECKSSL" -w 5 "$T/ten.pem"
expect_err "unknown option '-w'" "checkssl takes DAYS, not -w"

done_testing

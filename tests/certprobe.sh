#!/bin/sh
# certprobe as an operator types it: the text table, its order and
# options, the digest format, usage errors, and the built-in default.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

NOW=1780000000
mkcert -o "$T/z-soon.pem" -s /CN=soon --not-before @$((NOW - 86400)) --not-after @$((NOW + 5 * 86400))
mkcert -o "$T/a-late.pem" -s /CN=late --not-before @$((NOW - 86400)) --not-after @$((NOW + 200 * 86400))
mkcert -o "$T/m-mid.pem" -s /CN=mid --not-before @$((NOW - 86400)) --not-after @$((NOW + 20 * 86400))

run "$CERTPROBE" --now @$NOW "$T/a-late.pem" "$T/m-mid.pem" "$T/z-soon.pem" "$T/missing.pem"
expect_rc 2 "the worst state is the exit status"
w=${#T}; w=$((w + 12))       # the longest target: $T/missing.pem
row() { printf '%-8s %6s  %-24s  %-*s  %s\n' "$1" "$2" "$3" "$w" "$4" "$5"; }
want=$(row STATE DAYS "NOT AFTER" TARGET "SUBJECT / PROBLEM"
row CRITICAL 5 "$(enddate "$T/z-soon.pem")" "$T/z-soon.pem" "CN = soon: within crit=14 days"
row WARNING 20 "$(enddate "$T/m-mid.pem")" "$T/m-mid.pem" "CN = mid: within warn=30 days"
row OK 200 "$(enddate "$T/a-late.pem")" "$T/a-late.pem" "CN = late"
row UNKNOWN - - "$T/missing.pem" "no such file or directory (or a broken symbolic link)"
echo "CRITICAL: 1 critical, 1 warning, 0 unknown, 1 ok of 3 certificates; 1 check failed")
if [ "$out" = "$want" ]; then ok "header, rows soonest first, failures last, summary"
else not_ok "header, rows soonest first, failures last, summary"; show; printf '%s\n' "$want" | sed 's/^/# want: /'; fi
# Every row that is not OK says why: the threshold it crossed, expired,
# or not valid before its date.
mkcert -o "$T/future.pem" -s /CN=future --not-before @$((NOW + 86400)) --not-after @$((NOW + 90 * 86400))
mkcert -o "$T/gone.pem" -s /CN=gone --not-before @$((NOW - 90 * 86400)) --not-after @$((NOW - 2 * 86400))
run "$CERTPROBE" --now @$NOW -w 98% "$T/future.pem" "$T/gone.pem" "$T/m-mid.pem"
expect_row "$T/future.pem" "CN = future: not valid before $(date -u -d @$((NOW + 86400)) '+%b %e %H:%M:%S %Y GMT')" "a certificate not yet valid says so, and from when"
expect_row "$T/gone.pem" "CN = gone: expired 2 days ago" "an expired one says so"
expect_row "$T/m-mid.pem" "CN = mid: within warn=98% (20.6 days)" "a share of the lifetime is named, with what it came to"

run "$CERTPROBE" --now @$NOW -q "$T/a-late.pem" "$T/m-mid.pem"
check "-q: only what is not OK" test "$(printf '%s\n' "$out" | grep -c "$T")" = 1
run "$CERTPROBE" --now @$NOW -q "$T/a-late.pem"
expect_silent "-q with everything OK prints nothing"
expect_rc 0 "and exits 0"

run "$CERTPROBE" --now @$NOW -w 3 -c 1 "$T/z-soon.pem"
expect_out "OK            5" "-w and -c"
run "$CERTPROBE" --now @$NOW -w 10% -c 1 "$T/z-soon.pem"
expect_out "OK            5" "-w 10%: 5 of 6 days left is beyond 10%"
run "$CERTPROBE" --now @$NOW -w 90% -c 1 "$T/z-soon.pem"
expect_out "WARNING       5" "-w 90%: within"
run "$CERTPROBE" --now 2026-06-01 "$T/z-soon.pem"
expect_out "CRITICAL      1" "--now as a date"
run "$CERTPROBE" --now @$NOW --format digest "$T/m-mid.pem" "$T/a-late.pem"
check "--format digest" test "$out" = "Following certificate expiration dates:

$T/m-mid.pem: $(enddate "$T/m-mid.pem") (20 days)"

# Usage errors exit 3 with a reason and the usage line.
for bad in "--format xml" "--format JSON" "--dry-run" "-w" "-w abc" \
    "--now tomorrow" "--jobs 0" "--timeout 0" "--bogus" "-Z"; do
    run "$CERTPROBE" $bad "$T/a-late.pem"
    if [ "$rc" = 3 ] && case "$err" in *"Usage: certprobe"*) true ;; *) false ;; esac; then
        ok "usage error: certprobe $bad"
    else
        not_ok "usage error: certprobe $bad (exit $rc)"; show
    fi
done
run "$CERTPROBE" --quiet -xq "$T/a-late.pem"
expect_err "unknown option '-x'" "an unknown letter in a cluster is named, not its neighbour"
run "$CERTPROBE" --warn
expect_err "missing argument to option '--warn'" "a long option missing its argument"
run "$CERTPROBE" -w
expect_err "missing argument to option '-w'" "a short option missing its argument"
run "$CERTPROBE" --now @9223372036854775807 "$T/a-late.pem"
expect_rc 3 "--now past the year 9999 is refused"
run "$CERTPROBE" -w 9223372036859 "$T/a-late.pem"
expect_rc 3 "a threshold that once overflowed is refused"
run "$CERTPROBE" --format yaml "$T/a-late.pem"
expect_err "--format: 'yaml' is not text, digest, nagios, json or prometheus" "an unknown format names the known ones"
run "$CERTPROBE" -C "$T/empty.conf"
expect_rc 3 "a configuration without checks is not 'all is well'"
expect_err "nothing to check: no target given, and no check in the configuration ($T/empty.conf)" "and says so"
run "$CHECKSSL" -C "$T/empty.conf"
expect_rc 3 "checkssl too: cron must hear of it"
run "$CERTPROBE" -w abc "$T/a-late.pem"
expect_err "warn: 'abc' is not a threshold" "a bad threshold names itself"
run "$CERTPROBE" -h
expect_rc 0 "-h exits 0"
for opt in --warn --crit --timeout --ipv4 --ipv6 --sni --cafile --no-verify --now \
    --format --config --checks-dir --check-config --jobs --quiet --mail --renew \
    --dry-run --verbose --help --version; do
    expect_out "$opt" "--help lists $opt"
done
run "$CERTPROBE" -V
expect_out "certprobe 0." "-V"

# A report that cannot be written is not a silent success.
if [ -w /dev/full ]; then
    "$CERTPROBE" --now @$NOW "$T/a-late.pem" >/dev/full 2>"$T/full.err"
    rc=$?
    check "writing to a full disk exits 3" test "$rc" = 3
    check "and says why" grep -q "cannot write the report" "$T/full.err"
else
    skip "no /dev/full"; skip "no /dev/full"
fi

# With no configuration at all, the built-in default: the trust store.
default_conf=$("$CERTPROBE" -h | sed -n 's/.*(default: \(.*certprobe.conf\)).*/\1/p')
if [ -e "$default_conf" ]; then
    skip "a configuration is installed at $default_conf"
    skip "a configuration is installed at $default_conf"
    skip "a configuration is installed at $default_conf"
else
    run env -u CERTPROBE_CONFIG "$CERTPROBE"
    expect_err "no configuration at $default_conf; checking the system's trust store" "built-in default says what it checks"
    store=$(openssl version -d | sed 's/^OPENSSLDIR: "\(.*\)"/\1/')/cert.pem
    n=$(grep -c 'BEGIN CERTIFICATE' "$store" 2>/dev/null || echo 0)
    check "one row per certificate of the trust store ($n)" test "$(count_out "$store")" = "$n"
    expect_out "of $n certificates" "with a summary"
    run env -u CERTPROBE_CONFIG "$CHECKSSL"
    :
fi
run env -u CERTPROBE_CONFIG "$CHECKSSL"
if [ -e "$default_conf" ]; then skip "a configuration is installed"; else
    expect_err "nothing to check: no target given, and no check in the configuration ($default_conf)" "checkssl with nothing to check says so"
fi

# Command-line mistakes get the help configuration mistakes get.
run "$CERTPROBE" --wran 3 "$T/a-late.pem"
expect_rc 3 "a misspelt option is a usage error"
expect_err "unknown option '--wran' (did you mean '--warn'?)" "and the option meant is suggested"
run "$top_builddir/plugins/check_cert_expiry" --wran 3 -f "$T/a-late.pem"
expect_out "unknown option '--wran' (did you mean '--warn'?)" "the plugin suggests it too"
run "$CHECK_REMOTE" smpt mail.example.com
expect_err "unknown protocol 'smpt' (did you mean 'smtp'?)" "check_remote: a misspelt protocol is suggested"
run "$CERTPROBE" smtp:/mail.example.com
expect_err "neither a file nor a URL (did you mean 'smtp://mail.example.com'?)" "one slash short of a URL: the URL is suggested, not 'no such file'"
run "$CHECK_REMOTE" smtp:/mail.example.com
expect_err "did you mean 'smtp://mail.example.com'?" "and by check_remote"
: >"$T/smtp:x"
cd "$T" && run "$CERTPROBE" --now @$NOW smtp:x; cd - >/dev/null
expect_out "holds no certificate (empty)" "a file of such a name that exists is still a file"

done_testing

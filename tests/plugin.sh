#!/bin/bash
# check_cert_expiry as a monitoring engine runs it: one process per check
# against a real nginx, its output parsed by tests/tools/plugout (the
# Monitoring Plugins guidelines' grammar: status line, long output,
# perfdata, labels of at most 19 characters), its exit code, its
# thresholds in range form, and -t bounding the whole run.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/daemons.sh"
daemons_trap

PLUGIN=$top_builddir/plugins/check_cert_expiry
PLUGOUT=$top_builddir/tests/tools/plugout
MINI=$top_builddir/tests/tools/miniserver
daemons_available nginx ||
    { echo "Bail out! nginx: $daemons_why (./bootstrap --test-deps installs it)"; exit 1; }

DAY=86400
NOW=$(date +%s)
CA=$T/root.pem
"$MKCERT" -o "$CA" -k "$T/root.key" -s "/CN=Test Root" --ca --not-after @$((NOW + 400 * DAY)) ||
    { echo "Bail out! mkcert"; exit 1; }
# leaf NAME DAYS [SUBJECT [DNSNAME]]: a server certificate for NAME (or
# DNSNAME), and NAME.chain. It ends half a day and a minute short of
# DAYS, so that nothing depends on when in the second the checks run:
# DAYS - 1 whole days left, DAYS - 0.5 days not quite; it began a day
# ago (a lifetime of DAYS + 0.5 days less a minute).
leaf() {
    mkcert -o "$T/$1.pem" -s "${3:-/CN=$1}" --san "DNS:${4:-$1}" --ca-key "$T/root.key" \
        --ca-cert "$CA" --not-before @$((NOW - DAY)) \
        --not-after @$((NOW + $2 * DAY - DAY / 2 - 60))
    cat "$T/$1.pem" "$CA" >"$T/$1.chain"
}
leaf ok.test 60
leaf warn.test 20
leaf crit.test 5
leaf pipe.test 60 "/CN=pipe.test/O=a|b"
leaf dual4.test 50 /CN=dual.test dual.test
leaf dual6.test 70 /CN=dual.test dual.test
set -- $(daemons_ports 3)
WEB=$1 DUAL=$2 CLOSED=$3
nginx_start "$T/nginx" \
    "127.0.0.1:$WEB,ok.test,$T/ok.test.chain,$KEY" \
    "127.0.0.1:$WEB,warn.test,$T/warn.test.chain,$KEY" \
    "127.0.0.1:$WEB,crit.test,$T/crit.test.chain,$KEY" \
    "127.0.0.1:$WEB,pipe.test,$T/pipe.test.chain,$KEY" \
    "127.0.0.1:$DUAL,dual.test,$T/dual4.test.chain,$KEY" \
    "[::1]:$DUAL,dual.test,$T/dual6.test.chain,$KEY" ||
    { echo "Bail out! nginx"; exit 1; }

# plug ARGS...: runs the plugin; $out, $err, $rc, and $parsed, what
# plugout reads in $out ($perr and $prc when it is not valid).
plug() {
    run "$PLUGIN" "$@"
    parse
}
parse() {
    parsed=$(printf '%s\n' "$out" | "$PLUGOUT" --status-re "CERT " --max-label 19 2>"$T/.perr")
    prc=$?
    perr=$(cat "$T/.perr")
}
# valid DESCRIPTION: the last output follows the guidelines, and its
# state word is the exit code's.
valid() {
    local word bad
    word=$(printf '%s\n' "$parsed" | sed -n 's/^state //p')
    bad=$(printf '%s\n' "$parsed" | awk '$1 == "perf" && $2 !~ /^[A-Za-z0-9_]+$/ { print $2 }')
    if [ "$prc" = 0 ] && [ "$word" = "$(state_of "$rc")" ] && [ -z "$bad" ]; then ok "$1"; else
        not_ok "$1"; echo "# plugout: $perr (state '$word', exit $rc, labels outside RRD's alphabet: $bad)"; show; fi
}
state_of() { case $1 in 0) echo OK ;; 1) echo WARNING ;; 2) echo CRITICAL ;; *) echo UNKNOWN ;; esac; }
# perf LABEL: "VALUE;WARN;CRIT" of a perfdata item, as plugout read it.
perf() { printf '%s\n' "$parsed" | awk -v l="$1" '$1 == "perf" && $2 == l { print $3 ";" $5 ";" $6 }'; }
# expect_perf LABEL WANT DESCRIPTION
expect_perf() {
    local got
    got=$(perf "$1")
    if [ "$got" = "$2" ]; then ok "$3"; else not_ok "$3"; echo "# $1: '$got', wanted '$2'"; show; fi
}
labels() { printf '%s\n' "$parsed" | awk '$1 == "perf" { printf "%s ", $2 }'; }

V="--cafile $CA -p $WEB"

# --- the three states, each as a monitoring engine sees it
plug -H 127.0.0.1 $V --sni ok.test
expect_rc 0 "59 days left is OK"
valid "the output follows the plugin guidelines"
expect_out "CERT OK - HTTPS 127.0.0.1:$WEB [127.0.0.1]: notAfter=$(enddate "$T/ok.test.pem") (59 days) | days_left=59;30:;14:" "the status line: state, where, the date openssl reads, perfdata in range form"
expect_out "
HTTPS 127.0.0.1:$WEB [127.0.0.1]: OK notAfter=" "long output: the line per address"
expect_perf days_left "59;30:;14:" "perfdata: days left, warn and crit as ranges"

plug -H 127.0.0.1 $V --sni warn.test
expect_rc 1 "19 days left is a WARNING"
valid "WARNING: valid output"
expect_perf days_left "19;30:;14:" "WARNING: its perfdata"

plug -H 127.0.0.1 $V --sni crit.test
expect_rc 2 "4 days left is CRITICAL"
valid "CRITICAL: valid output"
expect_out "CERT CRITICAL - HTTPS 127.0.0.1:$WEB [127.0.0.1]: notAfter=$(enddate "$T/crit.test.pem") (4 days)" "CRITICAL: the status line"

plug -H 127.0.0.1 $V --sni warn.test -w 10 -c 36h
expect_rc 0 "-w 10: 19 days is OK"
# (a threshold not in whole days: the value keeps four places, cut)
check "-c 36h is 1.5 days in the perfdata ($(perf days_left))" \
    awk -v p="$(perf days_left)" 'BEGIN { split(p, f, ";"); exit !(f[1] > 19.49 && f[1] < 19.5 && f[2] == "10:" && f[3] == "1.5:") }'
plug -H 127.0.0.1 $V --sni warn.test -w 19.5
expect_rc 1 "-w 19.5: 19.49 days left is a WARNING"
check "and the perfdata crosses 19.5 too: the value keeps four places ($(perf days_left))" \
    awk -v p="$(perf days_left)" 'BEGIN { split(p, f, ";"); exit !(f[1] < 19.5 && f[1] > 19.4 && f[2] == "19.5:") }'
plug -H 127.0.0.1 $V --sni ok.test -w 50% -c 10%
expect_rc 0 "-w 50%: 59 of 60.5 days left is OK"
# (50% and 10% of 60.5 days less a minute, raised to four places)
check "a share of the lifetime becomes days in the perfdata ($(perf days_left))" \
    awk -v p="$(perf days_left)" 'BEGIN { split(p, f, ";"); exit !(f[1] > 59.49 && f[1] < 59.5 && f[2] == "30.2497:" && f[3] == "6.05:") }'

plug -H 127.0.0.1 -p "$WEB" --sni ok.test
expect_rc 2 "the system's trust store does not know the test root: CRITICAL"
valid "a verification failure: valid output"
expect_out "certificate does not verify: self-signed certificate in certificate chain" "and the status line says why"
expect_perf days_left "59;30:;14:" "the date is still reported"
plug -H 127.0.0.1 -p "$WEB" --sni ok.test --no-verify
expect_rc 0 "--no-verify: the dates alone"

# The system's store is read from its hashed directory, one certificate
# as needed: a private hashed directory holding the test root verifies.
mkdir "$T/certs" && cp "$CA" "$T/certs/root.pem" && openssl rehash "$T/certs" 2>/dev/null
run env -u SSL_CERT_FILE SSL_CERT_DIR="$T/certs" "$PLUGIN" -H 127.0.0.1 -p "$WEB" --sni ok.test
expect_rc 0 "SSL_CERT_DIR: a hashed directory with the root verifies the chain"
run env -u SSL_CERT_DIR SSL_CERT_FILE="$CA" "$PLUGIN" -H 127.0.0.1 -p "$WEB" --sni ok.test
expect_rc 0 "SSL_CERT_FILE: that file is trusted"
run env SSL_CERT_DIR=/etc/ssl/certs SSL_CERT_FILE="$CA" "$PLUGIN" -H 127.0.0.1 -p "$WEB" --sni ok.test
expect_rc 0 "SSL_CERT_FILE with the system's directory: both are trusted"

run env -u SSL_CERT_FILE SSL_CERT_DIR="$T/nothing:$T/certs" "$PLUGIN" -H 127.0.0.1 -p "$WEB" --sni ok.test
expect_rc 0 "SSL_CERT_DIR with several directories: each is searched"
# A root in the system's bundle but not in its hashed directory (added by
# hand) is trusted all the same: the bundle is read when the directory
# does not know the issuer. (A private bundle, in a mount namespace.)
cat /etc/ssl/certs/ca-certificates.crt "$CA" >"$T/bundle.pem" 2>/dev/null
if unshare -m true 2>/dev/null && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    run env -u SSL_CERT_FILE -u SSL_CERT_DIR unshare -m sh -c \
        'mount --bind "$0" /etc/ssl/certs/ca-certificates.crt && exec "$@"' \
        "$T/bundle.pem" "$PLUGIN" -H 127.0.0.1 -p "$WEB" --sni ok.test
    expect_rc 0 "a root only the bundle knows is trusted, as OpenSSL trusts it"
else
    skip "no mount namespace here, or no system bundle"
fi

# --- unreachable, and --unreachable
plug -H 127.0.0.1 -p "$CLOSED" --sni ok.test
expect_rc 2 "a refused connection is CRITICAL"
valid "refused: valid output"
expect_out "CERT CRITICAL - HTTPS 127.0.0.1:$CLOSED [127.0.0.1]: cannot connect: connection refused | days_left=U" "refused: the reason, and U for the unknown value"
plug -H 127.0.0.1 -p "$CLOSED" --unreachable warning
expect_rc 1 "--unreachable warning"
plug -H 127.0.0.1 -p "$CLOSED" --unreachable bogus
expect_rc 3 "--unreachable with a bad state is a usage error"

# --- several addresses: a label each, days_left for the soonest
printf '127.0.0.1 dual.test\n::1 dual.test\n' >"$T/hosts"
if "$IN_NS" "$T/hosts" - true 2>/dev/null; then
    run "$IN_NS" "$T/hosts" - "$PLUGIN" -H dual.test -p "$DUAL" --cafile "$CA" -w 60
    parse
    expect_rc 1 "two addresses: the worse decides"
    valid "two addresses: valid output"
    expect_out "CERT WARNING - HTTPS dual.test:$DUAL [127.0.0.1]: notAfter=$(enddate "$T/dual4.test.pem") (49 days) (and 1 more: 1 OK)" "the status line names the worst address and counts the others"
    expect_perf days_left "49;60:;14:" "days_left is the soonest"
    expect_perf 127_0_0_1 "49;60:;14:" "a label per address (IPv4)"
    expect_perf __1 "69;60:;14:" "a label per address (IPv6)"
    check "a long output line per address" test "$(count_out "HTTPS dual.test:$DUAL [")" = 3
else
    for i in 1 2 3 4 5 6 7; do skip "no mount namespace here (unshare -m) for a private /etc/hosts"; done
fi

# --- files
mkdir -p "$T/live/a.example" "$T/live/b.example"
cp "$T/ok.test.pem" "$T/live/a.example/cert.pem"
cp "$T/warn.test.pem" "$T/live/b.example/cert.pem"
plug -f "$T/live/a.example/cert.pem" -f "$T/live/b.example/cert.pem"
expect_rc 1 "-f twice: the worse decides"
valid "files: valid output"
check "files: labels tell the letsencrypt directories apart ($(labels))" test "$(labels)" = "days_left a_example_cert b_example_cert "
plug -f "$T/live"
expect_rc 1 "-f DIR: every certificate in it"
plug -f "$T/ok.test.pem" -f "$T/missing.pem"
expect_rc 3 "a file that is not there is UNKNOWN"
valid "a missing file: valid output"
expect_perf missing "U;-;-" "its label, with U"
mkcert -o "$T/badtime.pem" --not-after raw:20261301000000Z
plug -f "$T/badtime.pem" -f "$T/warn.test.pem"
expect_perf days_left "19;30:;14:" "an unreadable date takes no part in days_left"
expect_perf badtime "U;-;-" "its own value is U"
openssl x509 -in "$T/ok.test.pem" -outform DER -out "$T/ok.der"
openssl crl2pkcs7 -nocrl -certfile "$T/ok.test.chain" -out "$T/ok.p7b"
openssl pkcs12 -export -in "$T/ok.test.pem" -inkey "$KEY" -passout pass: -out "$T/ok.p12" 2>/dev/null
plug -f "$T/ok.der" -f "$T/ok.p7b" -f "$T/ok.p12"
expect_rc 0 "DER, PKCS#7 and PKCS#12 (no password) files"
check "each one read" test "$(count_out ": OK notAfter=$(enddate "$T/ok.test.pem")")" -ge 3

# --- what comes from a certificate cannot start perfdata or a line
plug -H 127.0.0.1 $V --sni pipe.test -v
valid "a '|' in a subject (-v shows it) does not start perfdata"
expect_out 'O = a\x7cb' "it is shown as \\x7c"

# --- usage, as the guidelines want it: exit 3, on standard output
plug
expect_rc 3 "no -H and no -f: a usage error"
expect_out "CERT UNKNOWN - check_cert_expiry: give -H HOST or -f FILE" "said on standard output, where Nagios looks"
expect_out "Usage: check_cert_expiry -H HOST" "with the usage line"
check "nothing on standard error" test -z "$err"
valid "a usage error is a valid status line"
plug -H 127.0.0.1 --bogus
expect_rc 3 "an unknown option"
expect_out "unknown option '--bogus'" "is named"
valid "an unknown option: a valid status line (the usage line starts no perfdata)"
plug -H 'a|b'
valid "a '|' in an argument starts no perfdata"
plug -H localhost:8443
expect_out "-H 'localhost:8443': the port goes to -p" "a port in -H is refused"
plug -H 127.0.0.1 -P file
expect_out "unknown protocol 'file'" "-P is a protocol, never a file"
plug -H 127.0.0.1 extra
expect_rc 3 "an operand"
plug -p 443
expect_rc 3 "-p without -H"
plug -H https://www.example.com
expect_out "the protocol goes to -P" "a URL in -H is explained"
plug -H 127.0.0.1 -P gopher
expect_out "unknown protocol 'gopher'" "an unknown protocol"
plug -H 127.0.0.1 -w soon
expect_rc 3 "a bad threshold"
run "$PLUGIN" -h
expect_rc 0 "-h"
for opt in -H -p -P -f -w -c -t -4 -6 --sni --cafile --no-verify --expect --unreachable -v -h -V; do
    case "$out" in *"$opt"*) ;; *) missing_opt="$missing_opt $opt" ;; esac
done
check "-h describes every option (missing:${missing_opt:-none})" test -z "${missing_opt:-}"
run "$PLUGIN" -V
expect_out "check_cert_expiry $(sed -n 's/^AC_INIT(\[certprobe\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")" "-V prints the version"

# --- -t bounds the whole plugin
timeout 120 "$MINI" -p 0 --port-file "$T/silent.port" silent >/dev/null 2>&1 &
MINIPID=$!
for ((i = 0; i < 100; i++)); do [ -s "$T/silent.port" ] && break; sleep 0.05; done
SILENT=$(cat "$T/silent.port")
timed_run "$PLUGIN" -H 127.0.0.1 -p "$SILENT" -P smtp -t 1.5
parse
expect_rc 2 "a server that never speaks: CRITICAL"
expect_out "timed out after 1.5 s waiting for the SMTP server to speak" "with the reason"
check "within -t (1.5 s; took $ms ms)" test "$ms" -lt 2200
valid "a timeout: valid output"
# Resolving is inside -t too: a private resolv.conf (a mount namespace of
# our own) names a DNS-over-TCP server that never answers (on 127.0.0.3:
# hostile.sh, which may run at the same time, has 127.0.0.2).
printf '127.0.0.1 localhost\n' >"$T/hosts.dns"
printf 'nameserver 127.0.0.3\noptions use-vc timeout:5 attempts:1\n' >"$T/resolv.conf"
if "$IN_NS" "$T/hosts.dns" "$T/resolv.conf" true 2>/dev/null; then
    timeout 120 "$MINI" -a 127.0.0.3 -p 53 --port-file "$T/dns.port" silent >/dev/null 2>&1 &
    DNSPID=$!
    # Listening, before the resolver is asked.
    for ((i = 0; i < 100; i++)); do
        (exec 3<>/dev/tcp/127.0.0.3/53) 2>/dev/null && break
        sleep 0.05
    done
    timed_run "$IN_NS" "$T/hosts.dns" "$T/resolv.conf" "$PLUGIN" -H nowhere.test -t 1.5
    parse
    expect_out "CERT CRITICAL - HTTPS nowhere.test:443: timed out after 1.5 s resolving 'nowhere.test'" "a resolver that never answers: CRITICAL, said"
    case "$out" in *"timed out"*) ;; *)
        echo "# the silent DNS server: $(kill -0 "$DNSPID" 2>/dev/null && echo running || echo gone)," \
            "$( (exec 3<>/dev/tcp/127.0.0.3/53) 2>/dev/null && echo accepting || echo refusing)"
        ss -ltnp 2>/dev/null | grep ':53 ' | sed 's/^/#   /' ;;
    esac
    check "within -t, resolving included ($ms ms)" test "$ms" -lt 2200
    valid "a resolver timeout: valid output"
    kill "$DNSPID" 2>/dev/null
else
    for i in 1 2 3; do skip "no mount namespace here for a private resolv.conf"; done
fi
# The backstop: a plugin held up (here, stopped) past -t and a second
# ends UNKNOWN, saying so, as soon as it runs again.
# connected PORT: whether a connection to 127.0.0.1:PORT is established.
connected() {
    awk -v p=":$(printf '%04X' "$1")" '$3 ~ p "$" && $4 == "01" { f = 1 } END { exit !f }' /proc/net/tcp
}
"$PLUGIN" -H 127.0.0.1 -p "$SILENT" -P smtp -t 1 >"$T/stopped.out" 2>&1 &
pid=$!
# Stopped once connected: its timer is armed by then.
for ((i = 0; i < 200; i++)); do connected "$SILENT" && break; sleep 0.01; done
kill -STOP "$pid"
sleep 2.3
kill -CONT "$pid"
wait "$pid"
rc=$? out=$(cat "$T/stopped.out")
expect_rc 3 "held up past -t + 1 s: UNKNOWN"
expect_out "CERT UNKNOWN - no result 2.000 s after the start (-t 1.000)" "and says so"
kill "$MINIPID" 2>/dev/null

# --- certprobe --format nagios: the same output for a configuration
printf 'set cafile=%s\nhttps://127.0.0.1:%s sni=ok.test name=web\nhttps://127.0.0.1:%s sni=warn.test name=shop\n' \
    "$CA" "$WEB" "$WEB" >"$T/two.conf"
run "$CERTPROBE" -C "$T/two.conf" --format nagios
parse
expect_rc 1 "certprobe --format nagios: the worst"
valid "certprobe --format nagios: valid output"
check "labels by name= ($(labels))" test "$(labels)" = "days_left web shop "

done_testing

#!/bin/bash
# The outputs for machines (SPEC section 5): --format json, read field by
# field with jq and compared with what openssl says of the same
# certificates; --format prometheus, checked by promtool and compared the
# same way; --output FILE, replaced whole. Hostile certificate text stays
# data in both.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/daemons.sh"
daemons_trap

for tool in jq promtool; do
    command -v "$tool" >/dev/null ||
        { echo "Bail out! $tool is not installed (./bootstrap --test-deps installs it)"; exit 1; }
done
daemons_available nginx ||
    { echo "Bail out! nginx: $daemons_why (./bootstrap --test-deps installs it)"; exit 1; }

DAY=86400
NOW=$(date +%s)
CA=$T/root.pem
"$MKCERT" -o "$CA" -k "$T/root.key" -s "/CN=Test Root" --ca --not-after @$((NOW + 400 * DAY)) ||
    { echo "Bail out! mkcert"; exit 1; }
"$MKCERT" -o "$T/inter.pem" -k "$T/inter.key" -s "/CN=Test Inter" --ca --ca-key "$T/root.key" \
    --ca-cert "$CA" --not-after @$((NOW + 300 * DAY)) || exit 1
mkcert -o "$T/www.pem" -s /CN=www.test --san DNS:www.test --ca-key "$T/inter.key" \
    --ca-cert "$T/inter.pem" --not-after @$((NOW + 40 * DAY - DAY / 2))
cat "$T/www.pem" "$T/inter.pem" >"$T/www.chain"
# A subject made to cause trouble: a quote, a command substitution, a
# terminal escape, a CR LF and a header after it. (OpenSSL prints the
# quote as \", whose backslash our escaping doubles, as every backslash.)
mkcert -o "$T/evil.pem" -s "/CN=a\"b \$(touch pwned-by-certprobe) "$'\e[31m\r\nBcc: x@example.com' \
    --not-after @$((NOW + 10 * DAY - DAY / 2))

set -- $(daemons_ports 1)
WEB=$1
nginx_start "$T/nginx" "127.0.0.1:$WEB,www.test,$T/www.chain,$KEY" ||
    { echo "Bail out! nginx"; exit 1; }

# What openssl says: notAfter as RFC 3339 and as Unix time, the serial,
# the SHA-256 fingerprint, the subject.
rfc3339() { date -u -d "$(enddate "$1")" +%Y-%m-%dT%H:%M:%SZ; }
epoch() { date -u -d "$(enddate "$1")" +%s; }
serial() { openssl x509 -noout -serial -in "$1" | sed 's/^serial=//'; }
sha256() { openssl x509 -noout -fingerprint -sha256 -in "$1" | sed 's/^.*=//; s/://g' | tr A-F a-f; }
subject() { openssl x509 -noout -subject -in "$1" | sed 's/^subject=//'; }
startdate() { openssl x509 -noout -startdate -in "$1" | sed 's/^notBefore=//'; }

# jqv FILTER: a value of the last output.
jqv() { printf '%s\n' "$out" | jq -r "$1"; }
# expect_jq FILTER WANT DESCRIPTION
expect_jq() {
    local got
    got=$(jqv "$1" 2>&1)
    if [ "$got" = "$2" ]; then ok "$3"; else not_ok "$3"; echo "# $1: '$got', wanted '$2'"; fi
}

printf 'set cafile=%s\nhttps://127.0.0.1:%s sni=www.test name=web\n%s\n%s\n' \
    "$CA" "$WEB" "$T/www.pem" "$T/missing.pem" >"$T/all.conf"

# --- JSON
run "$CERTPROBE" -C "$T/all.conf" --format json
expect_rc 3 "json: the exit status is the worst, as with every format"
check "json: one valid document" sh -c 'jq -e . "$1" >/dev/null' _ "$T/.out"
expect_jq .state UNKNOWN "json: the overall state"
expect_jq '.results | length' 3 "json: a result per address and per file"
expect_jq '.results[0] | [.target, .name, .address, .state, .error] | @tsv' \
    "https://127.0.0.1:$WEB	web	127.0.0.1	OK	" "json: an endpoint's result (error null)"
expect_jq '.results[0].error' null "json: error is null when nothing went wrong"
expect_jq '.results[0].certificates | map(.position) | join(",")' "leaf,intermediate" "json: positions as served"
expect_jq '.results[0].certificates[0].not_after' "$(rfc3339 "$T/www.pem")" "json: not_after in RFC 3339, as openssl reads it"
expect_jq '.results[0].certificates[0].not_before' \
    "$(date -u -d "$(openssl x509 -noout -startdate -in "$T/www.pem" | sed 's/^notBefore=//')" +%Y-%m-%dT%H:%M:%SZ)" \
    "json: not_before too"
expect_jq '.results[0].certificates[0].serial' "$(serial "$T/www.pem")" "json: the serial in hex, as openssl prints it"
expect_jq '.results[0].certificates[0].sha256' "$(sha256 "$T/www.pem")" "json: the SHA-256 fingerprint of the DER"
expect_jq '.results[0].certificates[0].subject' "$(subject "$T/www.pem")" "json: the subject"
expect_jq '.results[0].certificates[0].issuer' "CN = Test Inter" "json: the issuer"
expect_jq '.results[0].certificates[0].days_left' 39 "json: days_left"
expect_jq '.results[0].certificates[0] | [.state, .counted] | @tsv' "OK	true" "json: the certificate's state, counted"
expect_jq '.results[1] | [.target, .address, .certificates[0].position] | @tsv' \
    "$T/www.pem		file" "json: a file: address null, position file"
expect_jq '.results[2] | [.state, .error, (.certificates | length)] | @tsv' \
    "UNKNOWN	no such file or directory (or a broken symbolic link)	0" "json: a file that is not there"

run "$CERTPROBE" --format json "$T/evil.pem"
check "json: a hostile subject leaves the document valid" sh -c 'jq -e . "$1" >/dev/null' _ "$T/.out"
expect_jq '.results[0].certificates[0].subject' \
    "$(printf 'CN = a\\"b $(touch pwned-by-certprobe) \033[31m\r\nBcc: x@example.com')" \
    "json: the subject is the value itself (as OpenSSL prints it), decoded"
check "json: its control characters travel as JSON's \\u escapes, never raw" \
    sh -c 'grep -qF "\\u001b[31m\\u000d\\u000aBcc" "$1" && ! grep -q "$(printf "\033")" "$1"' _ "$T/.out"
check "json: nothing was run" test ! -e pwned-by-certprobe
check "json: no raw control character in the output" test "$(tr -d '\n' <"$T/.out" | tr -d '[:print:]' | wc -c)" = 0

# name="c\\d" holds c\d: JSON and Prometheus carry that value, escaped
# once by their own rules, not the terminal's escape of it.
printf '%s\n' "$T/www.pem name=\"c\\\\d\"" >"$T/bs.conf"
run "$CERTPROBE" -C "$T/bs.conf" --format json
expect_jq '.results[0].name' 'c\d' "json: a backslash in name= is one backslash once decoded"
run "$CERTPROBE" -C "$T/bs.conf" --format prometheus
expect_out 'name="c\\d"' "prometheus: and one backslash escaped once in the label"

# --- Prometheus
run "$CERTPROBE" -C "$T/all.conf" --format prometheus
check "prometheus: promtool check metrics accepts it" sh -c 'promtool check metrics <"$1"' _ "$T/.out"
expect_out "certprobe_cert_not_after_seconds{target=\"https://127.0.0.1:$WEB\",name=\"web\",address=\"127.0.0.1\",subject=\"CN = www.test\",serial=\"$(serial "$T/www.pem")\",position=\"leaf\"} $(epoch "$T/www.pem")" \
    "prometheus: notAfter as Unix time, labelled with target, name, address, subject, serial, position"
expect_out "certprobe_check_state{target=\"$T/missing.pem\"} 3" "prometheus: a check's state"
expect_out "certprobe_cert_state{target=\"$T/www.pem\",subject=\"CN = www.test\",serial=\"$(serial "$T/www.pem")\",position=\"file\"} 0" \
    "prometheus: a certificate's state"
run "$CERTPROBE" --format prometheus "$T/www.pem" "$T/www.pem" "$T/evil.pem"
check "prometheus: the same file twice is one series" test "$(count_out "certprobe_cert_not_after_seconds{target=\"$T/www.pem\"")" = 1
check "prometheus: a hostile subject passes promtool" sh -c 'promtool check metrics <"$1"' _ "$T/.out"
expect_out 'subject="CN = a\\\"b $(touch pwned-by-certprobe) \\x1b[31m\\x0d\nBcc' "prometheus: the label is the value, escaped once: a quote and a backslash each after a backslash, a newline as \\n, other controls as \\xNN text"
check "prometheus: no raw control character in the output" test "$(tr -d '\n' <"$T/.out" | tr -d '[:print:]' | wc -c)" = 0

# --- A date OpenSSL cannot read is null in JSON and has no sample in
# Prometheus, never 1970 or 0; the date beside it is still shown.
mkcert -o "$T/badafter.pem" -s /CN=badafter --not-before @$((NOW - 5 * DAY)) \
    --not-after raw:99991399999999Z
mkcert -o "$T/badboth.pem" -s /CN=badboth --not-before raw:99991399999999Z \
    --not-after raw:99991399999999Z
check "openssl reads the notBefore beside the bad notAfter" test "$(startdate "$T/badafter.pem")" != ""
run "$CERTPROBE" --format json "$T/badafter.pem" "$T/badboth.pem"
expect_rc 3 "json: an unreadable date is UNKNOWN"
expect_jq '.results[0].certificates[0].not_before' \
    "$(date -u -d "$(startdate "$T/badafter.pem")" +%Y-%m-%dT%H:%M:%SZ)" \
    "json: notBefore as openssl reads it, beside an unreadable notAfter"
expect_jq '.results[0].certificates[0] | [.not_after, .days_left] | map(. == null) | all' true \
    "json: the unreadable notAfter and days_left are null"
expect_jq '.results[1].certificates[0] | [.not_before, .not_after, .days_left] | map(. == null) | all' true \
    "json: both dates unreadable: both null"
check "json: no date of 1970 anywhere" test "$(count_out 1970-01-01)" = 0
run "$CERTPROBE" --format prometheus "$T/badafter.pem" "$T/badboth.pem"
check "prometheus: unreadable dates pass promtool" sh -c 'promtool check metrics <"$1"' _ "$T/.out"
expect_out "certprobe_cert_not_before_seconds{target=\"$T/badafter.pem\",subject=\"CN = badafter\",serial=\"$(serial "$T/badafter.pem")\",position=\"file\"} $(date -u -d "$(startdate "$T/badafter.pem")" +%s)" \
    "prometheus: notBefore as Unix time, beside an unreadable notAfter"
check "prometheus: no notAfter sample for an unreadable notAfter" \
    test "$(count_out "certprobe_cert_not_after_seconds{target=\"$T/bad")" = 0
check "prometheus: no notBefore sample for an unreadable notBefore" \
    test "$(count_out "certprobe_cert_not_before_seconds{target=\"$T/badboth.pem\"")" = 0
check "prometheus: no date sample of 0" \
    test "$(printf '%s\n' "$out" | grep -c '^certprobe_cert_not_[a-z]*_seconds{.*} 0$')" = 0
expect_out "certprobe_cert_state{target=\"$T/badboth.pem\",subject=\"CN = badboth\",serial=\"$(serial "$T/badboth.pem")\",position=\"file\"} 3" \
    "prometheus: the certificate's state is there, UNKNOWN"

# --- --output FILE: replaced whole, readable by a collector
echo "old" >"$T/certs.prom"
run "$CERTPROBE" --format prometheus --output "$T/certs.prom" "$T/www.pem"
expect_rc 0 "--output: the exit status stays the report's"
check "--output: nothing on standard output" test -z "$out"
check "--output: the file holds the new report" grep -q "^certprobe_cert_not_after_seconds{target=\"$T/www.pem\"" "$T/certs.prom"
check "--output: readable by the collector's user (0644)" test "$(stat -c %a "$T/certs.prom")" = 644
check "--output: no temporary file left beside it" test "$(ls "$T" | grep -c '^certs\.prom\.')" = 0
run "$CERTPROBE" --format prometheus --output "$T/nowhere/certs.prom" "$T/www.pem"
expect_rc 3 "--output into a directory that is not there"
expect_err "cannot write the report to $T/nowhere/certs.prom: No such file or directory" "says where and why"

done_testing

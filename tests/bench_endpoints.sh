#!/bin/bash
# make bench, the endpoints: in one run, on the same nginx and postfix,
#  - 200 HTTPS endpoints (one nginx, 200 ports): the floor (TLS
#    handshakes verifying the chain, 8 at once: tests/tools/handshakes),
#    certprobe --jobs 8 over https:// and tls:// (its engine), and through
#    an HTTP CONNECT proxy (libcurl; tests/tools/miniserver's proxy, a
#    process per connection), a loop of
#    `openssl s_client | openssl x509 -enddate`, and a loop of
#    `check_http -C` (monitoring-plugins);
#  - one SMTP STARTTLS endpoint (postfix), 50 connections: certprobe,
#    an openssl s_client -starttls smtp loop and a check_smtp -S -D loop;
#  - peak RSS of certprobe over 1,000 endpoints at --jobs 256.
# Best of several runs for the fast ones, one run for the loops.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/daemons.sh"
daemons_trap

N=${BENCH_ENDPOINTS:-200}
BIG=${BENCH_BIG:-1000}
SMTPN=${BENCH_SMTP:-50}
RUNS=${BENCH_RUNS:-7}
PLUGINS=/usr/lib/nagios/plugins
HANDSHAKES=$top_builddir/tests/tools/handshakes
DAY=86400
NOW=$(date +%s)

"$MKCERT" -o "$T/ca.pem" -k "$T/ca.key" -s "/CN=Bench Root" --ca \
    --not-after @$((NOW + 400 * DAY)) || exit 1
mkcert -o "$T/leaf.pem" -s /CN=bench.test --san DNS:bench.test \
    --ca-key "$T/ca.key" --ca-cert "$T/ca.pem" --not-after @$((NOW + 60 * DAY))
cat "$T/leaf.pem" "$T/ca.pem" >"$T/chain.pem"

mapfile -t PORTS < <("$top_builddir/tests/tools/freeport" $((BIG + 1)))
SMTP=${PORTS[$BIG]}
unset 'PORTS[$BIG]'
nginx_start_many "$T/nginx" "$T/chain.pem" "$KEY" "${PORTS[@]}" || exit 1
set -- $(daemons_ports 2)
postfix_start "$T/postfix" "$T/chain.pem" "$KEY" "$SMTP" "$1" "$2" || exit 1

"$top_builddir/tests/tools/miniserver" -6 -p 0 --port-file "$T/proxy.port" connect-proxy &
PROXYPID=$!
for ((i = 0; i < 100; i++)); do [ -s "$T/proxy.port" ] && break; sleep 0.05; done
PROXY="http://[::1]:$(cat "$T/proxy.port")"

# conf FILE PROTO COUNT [PORT]: COUNT endpoints, on the nginx ports or
# all on PORT.
conf() {
    echo "set cafile=$T/ca.pem sni=bench.test" >"$1"
    for ((i = 0; i < $3; i++)); do
        echo "$2://127.0.0.1:${4:-${PORTS[$i]}}"
    done >>"$1"
}
conf "$T/https.conf" https "$N"
conf "$T/tls.conf" tls "$N"
conf "$T/big.conf" https "$BIG"
conf "$T/smtp.conf" smtp "$SMTPN" "$SMTP"

field() { sed "s/.*$1=\([0-9.]*\).*/\1/"; }
best() { "$RUNSTAT" -n "$RUNS" -w 1 -- "$@" | field min_s; }
once() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
row() { printf '%-44s %9.4f %9.2f %8.2fx\n' "$1" "$2" "$(echo "$2 * 1000 / $3" | bc -l)" "$(echo "$2 / $4" | bc -l)"; }

openssl_loop() {
    for ((i = 0; i < N; i++)); do
        openssl s_client -connect "127.0.0.1:${PORTS[$i]}" -servername bench.test \
            </dev/null 2>/dev/null | openssl x509 -noout -enddate
    done
}
check_http_loop() {
    for ((i = 0; i < N; i++)); do
        "$PLUGINS/check_http" -H bench.test -I 127.0.0.1 -p "${PORTS[$i]}" --sni -C 30,14
    done
}
smtp_openssl_loop() {
    for ((i = 0; i < SMTPN; i++)); do
        openssl s_client -connect "127.0.0.1:$SMTP" -starttls smtp -servername bench.test \
            </dev/null 2>/dev/null | openssl x509 -noout -enddate
    done
}
check_smtp_loop() {
    for ((i = 0; i < SMTPN; i++)); do
        "$PLUGINS/check_smtp" -H 127.0.0.1 -p "$SMTP" -S -D 30,14
    done
}

# The answers must agree before the times mean anything.
got=$("$CERTPROBE" -C "$T/https.conf" --jobs 8 | grep -c "$(enddate "$T/leaf.pem")")
echo "certprobe read $got of $N endpoints with openssl's notAfter=$(enddate "$T/leaf.pem")"

floor=$(best "$HANDSHAKES" -j 8 -C "$T/ca.pem" "${PORTS[@]:0:$N}")
https=$(best "$CERTPROBE" -C "$T/https.conf" --jobs 8)
tls=$(best "$CERTPROBE" -C "$T/tls.conf" --jobs 8)
proxied=$(best env https_proxy="$PROXY" "$CERTPROBE" -C "$T/https.conf" --jobs 8)
loop=$(once openssl_loop)
http=$(once check_http_loop)

printf '\n%d HTTPS endpoints (nginx on loopback), 8 at once\n' "$N"
printf '%-44s %9s %9s %9s\n' "" "total (s)" "ms each" "vs floor"
row "bare handshakes (the floor)" "$floor" "$N" "$floor"
row "certprobe https://" "$https" "$N" "$floor"
row "certprobe tls://" "$tls" "$N" "$floor"
row "certprobe https:// through a proxy (libcurl)" "$proxied" "$N" "$floor"
row "openssl s_client | openssl x509, a loop" "$loop" "$N" "$floor"
row "check_http -C, a loop" "$http" "$N" "$floor"
printf 'certprobe https:// is %.0fx faster than the openssl loop and %.0fx faster than check_http -C\n' \
    "$(echo "$loop / $https" | bc -l)" "$(echo "$http / $https" | bc -l)"
echo "target: within 1.1x of the floor"

smtp=$(best "$CERTPROBE" -C "$T/smtp.conf" --jobs 8)
sloop=$(once smtp_openssl_loop)
csmtp=$(once check_smtp_loop)
printf '\n%d SMTP STARTTLS connections to one postfix\n' "$SMTPN"
printf '%-44s %9s %9s %9s\n' "" "total (s)" "ms each" "vs ours"
row "certprobe smtp://, --jobs 8" "$smtp" "$SMTPN" "$smtp"
row "openssl s_client -starttls smtp, a loop" "$sloop" "$SMTPN" "$smtp"
row "check_smtp -S -D, a loop" "$csmtp" "$SMTPN" "$smtp"
echo "target: at most 2.5 ms a connection"

stat=$("$RUNSTAT" -n 3 -w 1 -- "$CERTPROBE" -C "$T/big.conf" --jobs 256)
printf '\n%d HTTPS endpoints at --jobs 256: %.3f s, peak RSS %.1f MiB (target: at most 64 MiB)\n' \
    "$BIG" "$(echo "$stat" | field min_s)" "$(echo "$(echo "$stat" | field max_rss_kib) / 1024" | bc -l)"
kill "$PROXYPID" 2>/dev/null

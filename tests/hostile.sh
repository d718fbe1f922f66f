#!/bin/sh
# Servers of our own (tests/tools/miniserver): those that misbehave, each
# of which must end within the timeout + 1 s with a reason a user
# understands; the protocols that have no real daemon in the suite (FTP,
# LMTP, ManageSieve, XMPP, LDAP, PostgreSQL); and an HTTP proxy for
# https_proxy.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

MINI=$top_builddir/tests/tools/miniserver
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; wait 2>/dev/null
      chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT

DAY=86400
NOW=$(date +%s)
mkcert -o "$T/ca.pem" -k "$T/cakey.pem" -s /CN=Mini-CA --ca --not-after @$((NOW + 400 * DAY))
mkcert -o "$T/leaf.pem" -k "$T/leafkey.pem" -s /CN=mini.test \
    --san DNS:mini.test,IP:127.0.0.1,IP:::1 --ca-key "$T/cakey.pem" --ca-cert "$T/ca.pem" \
    --not-after @$((NOW + 60 * DAY))
cat "$T/leaf.pem" "$T/ca.pem" >"$T/chain.pem"
LEAF_END=$(enddate "$T/leaf.pem")
VERIFY="--cafile $T/ca.pem --sni mini.test"

# mini [-6] MODE ARG...: a miniserver in the background; its port in $port.
n_mini=0
mini() {
    n_mini=$((n_mini + 1))
    pf=$T/port.$n_mini
    fam=
    if [ "$1" = -6 ]; then fam=-6; shift; fi
    "$MINI" $fam -p 0 --port-file "$pf" --cert "$T/chain.pem" \
        --key "$T/leafkey.pem" --log "$T/mini.log" "$@" &
    PIDS="$PIDS $!"
    i=0
    while [ ! -s "$pf" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    port=$(cat "$pf" 2>/dev/null) || { echo "Bail out! miniserver $*"; exit 1; }
}

# hostile PROTO REASON DESCRIPTION MODE [ARG...]: a 2 s timeout, a
# CRITICAL line with the reason, and an end within 3 s.
hostile() {
    proto=$1 reason=$2 desc=$3
    shift 3
    mini "$@"
    timed_run "$CHECK_REMOTE" -t 2 "$proto" "127.0.0.1:$port"
    line="$(echo "$proto" | tr a-z A-Z) 127.0.0.1:$port [127.0.0.1]: CRITICAL $reason"
    case "$out" in
    "$line"*) ok "$desc: $reason" ;;
    *) not_ok "$desc: $reason"; echo "# wanted: $line"; show ;;
    esac
    if [ "$rc" = 2 ] && [ "$ms" -lt 3000 ]; then ok "$desc: exit 2 within 3 s ($ms ms)"
    else not_ok "$desc: exit 2 within 3 s (exit $rc, $ms ms)"; fi
}

hostile tls "timed out after 2 s in the TLS handshake" \
    "a server that accepts and never speaks" silent
hostile smtp "timed out after 2 s waiting for the SMTP server to speak" \
    "an SMTP server that never greets" silent
hostile smtp "timed out after 2 s in the SMTP dialog" \
    "a banner, then silence" banner-silent smtp
hostile nntp "timed out after 2 s in the NNTP dialog" \
    "an NNTP banner, then silence" banner-silent nntp
hostile smtp "STARTTLS refused: 454 4.7.0 TLS not available due to local problem" \
    "454 in answer to STARTTLS" \
    starttls-refuse smtp "454 4.7.0 TLS not available due to local problem"
hostile nntp "STARTTLS refused: 580 Can not initiate TLS negotiation" \
    "580 in answer to STARTTLS" \
    starttls-refuse nntp "580 Can not initiate TLS negotiation"
hostile smtp "the SMTP server does not offer STARTTLS" \
    "an SMTP server without STARTTLS" no-starttls smtp
hostile nntp "the NNTP server does not offer STARTTLS" \
    "an NNTP server without STARTTLS" no-starttls nntp
hostile smtp "the SMTP server sent a line longer than 4096 bytes" \
    "an endless line with no newline" endless
hostile smtp "the SMTP server sent a line longer than 4096 bytes" \
    "a 5000-byte greeting" longline smtp
hostile smtp "timed out after 2 s in the SMTP dialog" \
    "a greeting at one byte a second" drip smtp
hostile smtp "the server closed the connection before its SMTP greeting" \
    "a close right after accept (SMTP)" close
hostile tls "the server closed the connection during the TLS handshake" \
    "a close right after accept (TLS)" close
hostile tls "TLS handshake failed:" \
    "garbage where the handshake should be" garbage
hostile https "TLS handshake failed:" \
    "garbage where the handshake should be (HTTPS)" garbage
hostile smtp "malformed SMTP reply: 2x0 hello" "a malformed reply code" badcode
hostile smtp "14 bytes of plaintext after the SMTP server agreed to start TLS: refused" \
    "plaintext injected after 220 to STARTTLS" trailing
hostile smtp "STARTTLS refused: 454 4.7.0 <\\x1b]0;owned\\x07>" \
    "a reply with terminal escapes is escaped" \
    starttls-refuse smtp "$(printf '454 4.7.0 <\033]0;owned\007>')"

# A finished handshake, then silence: the certificate is read all the same.
mini tls-silent
timed_run "$CHECK_REMOTE" -t 2 $VERIFY tls "127.0.0.1:$port"
expect_out "TLS 127.0.0.1:$port [127.0.0.1]: OK notAfter=$LEAF_END" "a handshake, then silence: checked"
check "and at once ($ms ms)" test "$ms" -lt 1500
mini tls-silent
timed_run "$CHECK_REMOTE" -t 2 $VERIFY https "127.0.0.1:$port"
expect_out "HTTPS 127.0.0.1:$port [127.0.0.1]: OK notAfter=$LEAF_END" "the same over HTTPS: no request is sent"
check "and at once ($ms ms)" test "$ms" -lt 1500

# A server that requires a client certificate and ends the handshake
# without one (openssl s_server -Verify): it has sent its own chain
# first, and proven it holds the key (TLS 1.2: a signed ECDHE key
# exchange; TLS 1.3: CertificateVerify before the client's turn), so
# that chain is checked.
for version in 1.2 1.3; do
    set -- $("$top_builddir/tests/tools/freeport")
    [ "$version" = 1.2 ] && CCPORT=$1
    openssl s_server -accept "127.0.0.1:$1" -cert "$T/leaf.pem" -key "$T/leafkey.pem" \
        -cert_chain "$T/ca.pem" -CAfile "$T/ca.pem" -Verify 1 "-tls$(echo $version | tr . _)" \
        -quiet </dev/null >/dev/null 2>&1 &
    PIDS="$PIDS $!"
    sleep 0.5
    for proto in tls https; do
        run "$CHECK_REMOTE" -t 3 $VERIFY "$proto" "127.0.0.1:$1"
        expect_out "$(echo "$proto" | tr a-z A-Z) 127.0.0.1:$1 [127.0.0.1]: OK notAfter=$LEAF_END" "$proto, TLS $version: a handshake refused for want of a client certificate still reads the server's"
    done
done

# An impostor: a public chain replayed by a server that holds no key
# (TLS 1.2 records written by hand: RSA key exchange, a
# CertificateRequest, then it gives up after the client's flight). It
# never proved it holds the key: CRITICAL, whatever the dates say.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/rsakey.pem" 2>/dev/null
mkcert -o "$T/rsaleaf.pem" -k "$T/rsakey.pem" -s /CN=mini.test \
    --san DNS:mini.test,IP:127.0.0.1 --ca-key "$T/cakey.pem" --ca-cert "$T/ca.pem" \
    --not-after @$((NOW + 89 * DAY))
cat "$T/rsaleaf.pem" "$T/ca.pem" >"$T/public-chain.pem"
rm -f "$T/rsakey.pem"
mini keyless "$T/public-chain.pem"
KEYLESS=$port
NOPROOF="the server did not prove it holds the key of the certificate it sent"
for proto in tls https; do
    run "$CHECK_REMOTE" -t 3 $VERIFY "$proto" "127.0.0.1:$port"
    expect_out "$(echo "$proto" | tr a-z A-Z) 127.0.0.1:$port [127.0.0.1]: CRITICAL $NOPROOF" "$proto: a replayed chain without the key is CRITICAL"
    expect_rc 2 "$proto: and check_remote exits 2"
done
run "$top_builddir/plugins/check_cert_expiry" -H 127.0.0.1 -p "$port" -P tls $VERIFY \
    --expect "$T/rsaleaf.pem"
expect_out "CERT CRITICAL - TLS 127.0.0.1:$port [127.0.0.1]: $NOPROOF" "check_cert_expiry: the impostor is CRITICAL, and --expect is not satisfied by it"
expect_rc 2 "check_cert_expiry: exit 2"
run "$CERTPROBE" --format json -t 3 --unreachable unknown $VERIFY "https://127.0.0.1:$port"
check "json: CRITICAL even with --unreachable unknown: no failure to reach it" \
    test "$(printf '%s' "$out" | jq -r '.results[0].state + ": " + .results[0].error')" = \
    "CRITICAL: $NOPROOF (a TLS 1.2 RSA key exchange, then: the server closed the connection during the TLS handshake)"

# Usage: a host needs a protocol.
run "$CHECK_REMOTE" mail.example.com
expect_rc 3 "check_remote: a host without a protocol is a usage error"
expect_err "'mail.example.com': give a protocol first (check_remote smtp mail.example.com) or a URL" "and says how"
run "$CHECK_REMOTE" smtp
expect_rc 3 "check_remote: a protocol without a host"
expect_err "'smtp' needs a host after it (check_remote smtp HOST[:PORT])" "and says so"
mini tls-silent
run "$CHECK_REMOTE" -t 2 --no-verify tls "127.0.0.1:$port" "127.0.0.1:$port"
check "a protocol, then hosts: a line for each" test "$(count_out "TLS 127.0.0.1:$port [127.0.0.1]: OK")" = 2
run "$CHECK_REMOTE" -t 1 smtp smtp
expect_out "SMTP smtp:25" "a host named like a protocol, after one, is a host"
run "$CHECK_REMOTE" gopher://example.com
expect_err "unknown protocol 'gopher'" "an unknown protocol is named"

# A cafile that cannot be read says why.
mini tls
run "$CHECK_REMOTE" -t 2 --cafile "$T/missing.pem" --sni mini.test tls "127.0.0.1:$port"
expect_out "cannot load the trusted certificates of cafile '$T/missing.pem': no such file or directory (or a broken symbolic link)" "a missing cafile is named, with the reason"

# A cafile that is a FIFO is refused, never opened for reading or
# waited on.
mkfifo "$T/ca.fifo"
timed_run "$CHECK_REMOTE" -t 2 --cafile "$T/ca.fifo" --sni mini.test tls "127.0.0.1:$port"
expect_out "cannot load the trusted certificates of cafile '$T/ca.fifo': not a regular file (a FIFO)" "a cafile that is a FIFO is refused ($ms ms)"
# expect= a FIFO: the same.
printf '%s\n' "tls://127.0.0.1:$port expect=$T/ca.fifo cafile=$T/ca.pem sni=mini.test" >"$T/fifo.conf"
timed_run "$CERTPROBE" -t 2 -C "$T/fifo.conf"
expect_out "expect=$T/ca.fifo: not a regular file (a FIFO)" "expect= a FIFO is refused at once ($ms ms)"

# Refused and unreachable.
set -- $("$top_builddir/tests/tools/freeport")
run "$CHECK_REMOTE" smtp "127.0.0.1:$1"
expect_out "SMTP 127.0.0.1:$1 [127.0.0.1]: CRITICAL cannot connect: connection refused" "a closed port"
printf 'set timeout=2\nsmtp://127.0.0.1:%s unreachable=warning\n' "$1" >"$T/unreach.conf"
run "$CERTPROBE" -C "$T/unreach.conf"
expect_rc 1 "unreachable=warning makes a refused endpoint a WARNING"
run "$CHECK_REMOTE" -6 tls 127.0.0.1:443
expect_rc 3 "-6 with an IPv4 literal"
expect_out "'127.0.0.1' has no IPv6 address" "says why"

# An IPv6 literal, through the engine and through libcurl.
mini -6 tls
run "$CHECK_REMOTE" -t 2 $VERIFY tls "[::1]:$port"
expect_out "TLS [::1]:$port [::1]: OK notAfter=$LEAF_END" "an IPv6 literal in brackets"
run "$CHECK_REMOTE" -t 2 --cafile "$T/ca.pem" https "[::1]:$port"
expect_out "HTTPS [::1]:$port [::1]: OK notAfter=$LEAF_END" "an IPv6 literal over HTTPS, its address verified"

# A server with no certificate at all (an anonymous cipher): a failure
# with its reason, never "OK".
set -- $("$top_builddir/tests/tools/freeport")
openssl s_server -accept "127.0.0.1:$1" -nocert -cipher 'aNULL:@SECLEVEL=0' -tls1_2 -quiet \
    </dev/null >/dev/null 2>&1 &
PIDS="$PIDS $!"
sleep 0.5
run "$CHECK_REMOTE" -t 2 --no-verify tls "127.0.0.1:$1"
expect_out "TLS 127.0.0.1:$1 [127.0.0.1]: CRITICAL TLS handshake failed" "a server without a certificate"

# A resolver that never answers is bounded by the timeout too: a private
# /etc/resolv.conf (in a mount namespace of our own) names a server that
# accepts DNS over TCP (use-vc) and never answers.
printf '127.0.0.1 localhost\n' >"$T/hosts"
printf 'nameserver 127.0.0.2\noptions use-vc timeout:5 attempts:1\n' >"$T/resolv.conf"
if "$IN_NS" "$T/hosts" "$T/resolv.conf" true 2>/dev/null &&
    "$MINI" -a 127.0.0.2 -p 53 --port-file "$T/dns.port" silent 2>/dev/null & then
    PIDS="$PIDS $!"
    sleep 0.3
    timed_run "$IN_NS" "$T/hosts" "$T/resolv.conf" "$CHECK_REMOTE" -t 2 smtp nowhere.test
    expect_out "SMTP nowhere.test:25: CRITICAL timed out after 2 s resolving 'nowhere.test'" "a resolver that never answers"
    check "ends within 3 s ($ms ms)" test "$ms" -lt 3000
    printf 'smtp://nowhere.test unreachable=warning\n' >"$T/dns.conf"
    timed_run "$IN_NS" "$T/hosts" "$T/resolv.conf" "$CERTPROBE" -t 2 -C "$T/dns.conf"
    expect_rc 1 "a resolver timeout is a network failure: unreachable= applies"
    mini tls
    printf 'smtp://nowhere.test\ntls://127.0.0.1:%s sni=mini.test cafile=%s\n' "$port" "$T/ca.pem" >"$T/dns2.conf"
    run "$IN_NS" "$T/hosts" "$T/resolv.conf" "$CERTPROBE" -t 2 -C "$T/dns2.conf"
    expect_out "OK           59  $LEAF_END  tls://127.0.0.1:$port [127.0.0.1]" "a hung name does not eat the others' time"
    timed_run "$IN_NS" "$T/hosts" "$T/resolv.conf" env https_proxy=http://proxy.test:3128 \
        "$CHECK_REMOTE" -t 2 https mini.test
    expect_out "HTTPS mini.test:443 [proxy]: CRITICAL" "a proxy whose name never resolves"
    check "ends within 3 s, libcurl's resolver or not ($ms ms)" test "$ms" -lt 3000
else
    for i in 1 2 3 4 5 6; do skip "no mount namespace here for a private resolv.conf"; done
fi

# Every hostile server at once: the run takes one timeout, not the sum.
: >"$T/all.conf"
for mode in silent "banner-silent smtp" drip\ smtp endless close; do
    # shellcheck disable=SC2086
    mini $mode
    echo "smtp://127.0.0.1:$port" >>"$T/all.conf"
done
timed_run "$CERTPROBE" -C "$T/all.conf" -t 2 --jobs 8
expect_rc 2 "five hostile servers at once"
check "end within 3 s in all ($ms ms)" test "$ms" -lt 3000
check "each has its line" test "$(count_out "smtp://127.0.0.1:")" = 5

# The protocols without a real daemon here: the server side of each
# dialog, then a real handshake.
for p in ftp lmtp sieve xmpp ldap postgres smtp nntp imap pop3; do
    mini "$p"
    run "$CHECK_REMOTE" -t 5 $VERIFY "$p" "127.0.0.1:$port"
    P=$(echo "$p" | tr a-z A-Z)
    expect_out "$P 127.0.0.1:$port [127.0.0.1]: OK notAfter=$LEAF_END (59 days)" "$p: STARTTLS dialog, handshake, dates as openssl reads them"
done
check "xmpp: the stream names the host" grep -q "to='mini.test'" "$T/mini.log"
mini ldap-refuse
run "$CHECK_REMOTE" -t 5 $VERIFY ldap "127.0.0.1:$port"
expect_out "CRITICAL STARTTLS refused: LDAP result code 2: StartTLS not supported" "ldap: a refused StartTLS"
mini postgres-refuse
run "$CHECK_REMOTE" -t 5 $VERIFY postgres "127.0.0.1:$port"
expect_out "CRITICAL STARTTLS refused: the PostgreSQL server does not accept TLS (answered N)" "postgres: N to SSLRequest"

# https_proxy: libcurl goes through the proxy, as curl users expect.
mini tls
tlsport=$port
mini -6 connect-proxy
proxy=$port
run env https_proxy="http://[::1]:$port" "$CHECK_REMOTE" -t 5 --cafile "$T/ca.pem" https "127.0.0.1:$tlsport"
expect_out "HTTPS 127.0.0.1:$tlsport [proxy ::1]: OK notAfter=$LEAF_END" "https_proxy: checked through the proxy, and said so"
check "the proxy was asked to connect" grep -q "CONNECT 127.0.0.1:$tlsport" "$T/mini.log"
run env https_proxy="http://[::1]:$port" no_proxy=127.0.0.1 "$CHECK_REMOTE" -t 5 --cafile "$T/ca.pem" https "127.0.0.1:$tlsport"
expect_out "HTTPS 127.0.0.1:$tlsport [127.0.0.1]: OK" "no_proxy: straight to the server"
# Through the proxy it is libcurl that connects: the same answers.
mini tls-silent
run env https_proxy="http://[::1]:$proxy" "$CHECK_REMOTE" -t 2 --cafile "$T/ca.pem" https "127.0.0.1:$port"
expect_out "HTTPS 127.0.0.1:$port [proxy ::1]: OK notAfter=$LEAF_END" "through the proxy: a handshake, then silence"
mini garbage
timed_run env https_proxy="http://[::1]:$proxy" "$CHECK_REMOTE" -t 2 --cafile "$T/ca.pem" https "127.0.0.1:$port"
expect_out "HTTPS 127.0.0.1:$port [proxy]: CRITICAL TLS handshake failed" "through the proxy: garbage instead of a handshake"
check "and within 3 s ($ms ms)" test "$ms" -lt 3000
mini silent
timed_run env https_proxy="http://[::1]:$proxy" "$CHECK_REMOTE" -t 2 --cafile "$T/ca.pem" https "127.0.0.1:$port"
expect_out "HTTPS 127.0.0.1:$port [proxy]: CRITICAL timed out after 2 s" "through the proxy: a server that never speaks"
check "and within 3 s ($ms ms)" test "$ms" -lt 3000
run env https_proxy="http://[::1]:$proxy" "$CHECK_REMOTE" -t 3 $VERIFY https "127.0.0.1:$CCPORT"
expect_out "HTTPS 127.0.0.1:$CCPORT [proxy ::1]: OK notAfter=$LEAF_END" "through the proxy: a handshake refused for want of a client certificate"
run env https_proxy="http://[::1]:$proxy" "$CHECK_REMOTE" -t 3 $VERIFY https "127.0.0.1:$KEYLESS"
expect_out "HTTPS 127.0.0.1:$KEYLESS [proxy]: CRITICAL $NOPROOF" "through the proxy (libcurl): the impostor without the key is CRITICAL too"

run env https_proxy="http://[::1]:$proxy" "$CHECK_REMOTE" -t 5 https "mini.test:$tlsport"
check "a name behind a proxy is the proxy's to resolve" grep -q "CONNECT mini.test:$tlsport" "$T/mini.log"
expect_out "HTTPS mini.test:$tlsport [proxy]: CRITICAL" "and the failure names the proxy"

done_testing

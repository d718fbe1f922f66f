#!/bin/bash
# Real daemons on loopback ports, with certificates made for this test:
# nginx (SNI virtual hosts, an intermediate that expires before the leaf,
# a leaf served without its intermediate, a server that demands a client
# certificate, a name on two addresses), postfix (smtp, submission,
# smtps), INN (nntp with STARTTLS, nntps) and dovecot (imap, imaps, pop3,
# pop3s). What the probe reads from each must be what openssl reads from
# the file.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/daemons.sh"
daemons_trap

for kind in nginx postfix inn dovecot; do
    daemons_available "$kind" ||
        { echo "Bail out! $kind: $daemons_why (./bootstrap --test-deps installs it)"; exit 1; }
done

DAY=86400
NOW=$(date +%s)
CA=$T/root.pem
"$MKCERT" -o "$CA" -k "$T/root.key" -s "/CN=Test Root" --ca --not-after @$((NOW + 400 * DAY)) ||
    { echo "Bail out! mkcert"; exit 1; }
# ca NAME DAYS: an intermediate under the root.
ca() {
    "$MKCERT" -o "$T/$1.pem" -k "$T/$1.key" -s "/CN=$1" --ca --ca-key "$T/root.key" \
        --ca-cert "$CA" --not-after @$((NOW + $2 * DAY)) || { echo "Bail out! mkcert"; exit 1; }
}
# leaf FILE NAME DAYS ISSUER: a server certificate, and FILE.chain with
# its issuer after it.
leaf() {
    mkcert -o "$T/$1.pem" -s "/CN=$2" --san "DNS:$2" --ca-key "$T/$4.key" \
        --ca-cert "$T/$4.pem" --not-after @$((NOW + $3 * DAY))
    cat "$T/$1.pem" "$T/$4.pem" >"$T/$1.chain"
}
ca inter 400
ca soon 20
leaf www www.test 60 inter
leaf short short.test 60 soon
leaf bare bare.test 60 inter
leaf client client.test 60 inter
leaf dual4 dual.test 50 inter
leaf dual6 dual.test 70 inter
leaf mail mail.test 20 inter
leaf news news.test 5 inter
leaf imap imap.test 90 inter
# The Let's Encrypt pattern of 2021: the chain still carries the root
# cross-signed by an older root, and that cross-sign has expired. Clients
# that trust the root itself never need it.
"$MKCERT" -o "$T/old.pem" -k "$T/old.key" -s "/CN=Old Root" --ca \
    --not-before @$((NOW - 900 * DAY)) --not-after @$((NOW + 100 * DAY)) || exit 1
"$MKCERT" -o "$T/cross.pem" -k "$T/root.key" -s "/CN=Test Root" --ca --ca-key "$T/old.key" \
    --ca-cert "$T/old.pem" --not-before @$((NOW - 400 * DAY)) --not-after @$((NOW - 10 * DAY)) || exit 1
leaf le le.test 60 inter
cat "$T/cross.pem" >>"$T/le.chain"
VER="--cafile $CA"

set -- $(daemons_ports 12)
WEB=$1 WEBCC=$2 DUAL=$3 SMTP=$4 SUBM=$5 SMTPS=$6 NNTP=$7 NNTPS=$8
IMAP=$9
shift 9
IMAPS=$1 POP3=$2 POP3S=$3

start() {
    "$@" || { echo "Bail out! cannot start: $*"; exit 1; }
}
start nginx_start "$T/nginx" \
    "127.0.0.1:$WEB,www.test,$T/www.chain,$KEY" \
    "127.0.0.1:$WEB,short.test,$T/short.chain,$KEY" \
    "127.0.0.1:$WEB,bare.test,$T/bare.pem,$KEY" \
    "127.0.0.1:$WEB,le.test,$T/le.chain,$KEY" \
    "127.0.0.1:$WEBCC,client.test,$T/client.chain,$KEY,verify=$CA" \
    "127.0.0.1:$DUAL,dual.test,$T/dual4.chain,$KEY" \
    "[::1]:$DUAL,dual.test,$T/dual6.chain,$KEY"
start postfix_start "$T/postfix" "$T/mail.chain" "$KEY" "$SMTP" "$SUBM" "$SMTPS"
start inn_start "$T/inn" "$T/news.chain" "$KEY" "$NNTP" "$NNTPS"
start dovecot_start "$T/dovecot" "$T/imap.chain" "$KEY" "$IMAP" "$IMAPS" "$POP3" "$POP3S"

# served NAME PORT [-starttls P]: notAfter as openssl's client reads it.
served() {
    name=$1 port=$2
    shift 2
    openssl s_client -connect "127.0.0.1:$port" -servername "$name" "$@" </dev/null 2>/dev/null |
        openssl x509 -noout -enddate | sed 's/^notAfter=//'
}

# --- HTTPS through libcurl, nginx
run "$CHECK_REMOTE" $VER --sni www.test https "127.0.0.1:$WEB"
expect_rc 0 "https: a valid chain, 59 days left"
expect_out "HTTPS 127.0.0.1:$WEB [127.0.0.1]: OK notAfter=$(enddate "$T/www.pem") (59 days)" "https: one line, in the spec's form"
check "https: the date is what openssl's client is served" test "$(served www.test "$WEB")" = "$(enddate "$T/www.pem")"

run "$CHECK_REMOTE" $VER --sni short.test -v "https://127.0.0.1:$WEB/"
expect_rc 1 "SNI picks the virtual host whose intermediate expires first"
expect_out "WARNING notAfter=$(enddate "$T/soon.pem") (19 days) for the intermediate certificate" "the intermediate decides, and is named"
expect_out "  0 leaf: notAfter=$(enddate "$T/short.pem") (59 days) subject=CN = short.test issuer=CN = soon" "-v: the leaf"
expect_out "  1 intermediate: notAfter=$(enddate "$T/soon.pem") (19 days) subject=CN = soon issuer=CN = Test Root" "-v: its intermediate"

cat >"$T/chain.conf" <<EOC
set cafile=$CA
https://127.0.0.1:$WEB sni=short.test chain=leaf name=leaf-only
https://127.0.0.1:$WEB sni=short.test chain=served name=served
https://127.0.0.1:$WEB sni=short.test chain=all name=all
EOC
run "$CERTPROBE" -C "$T/chain.conf"
expect_out "OK           59  $(enddate "$T/short.pem")  https://127.0.0.1:$WEB [127.0.0.1]" "chain=leaf: the leaf decides"
check "chain=leaf: the intermediate is shown, not counted" test "$(count_out "(not counted)")" -ge 1
expect_out "shown, not counted); 0 checks failed" "the summary keeps them apart"
expect_rc 1 "chain=served counts the served intermediate"
check "chain=all also shows the trust anchor" test "$(count_out "CN = Test Root")" -ge 1

run "$CHECK_REMOTE" $VER --sni le.test -v https "127.0.0.1:$WEB"
expect_rc 0 "an expired cross-sign that no client needs does not count (chain=verified)"
expect_out "  2 intermediate: notAfter=$(enddate "$T/cross.pem") (expired 10 days ago) subject=CN = Test Root issuer=CN = Old Root (not counted)" "it is shown, not counted"
printf 'https://127.0.0.1:%s sni=le.test cafile=%s chain=served\n' "$WEB" "$CA" >"$T/served.conf"
run "$CERTPROBE" -C "$T/served.conf"
expect_rc 2 "chain=served counts it: CRITICAL"

run "$CHECK_REMOTE" $VER --sni bare.test https "127.0.0.1:$WEB"
expect_rc 2 "a leaf served without its intermediate"
expect_out "CRITICAL notAfter=$(enddate "$T/bare.pem") (59 days); certificate does not verify: unable to get local issuer certificate" "says the chain does not verify, and still reads the date"
run "$CHECK_REMOTE" $VER --no-verify --sni bare.test https "127.0.0.1:$WEB"
expect_rc 0 "--no-verify: the dates alone"

run "$CHECK_REMOTE" --sni www.test https "127.0.0.1:$WEB"
expect_rc 2 "the system's trust store does not know the test root"
expect_out "certificate does not verify: unable to get local issuer certificate" "and says so"
run "$CHECK_REMOTE" $VER --sni nowhere.test https "127.0.0.1:$WEB"
expect_out "certificate does not verify: not valid for the name 'nowhere.test'" "a name the certificate does not cover"
run "$CHECK_REMOTE" $VER https "127.0.0.1:$WEB"
expect_out "not valid for the name '127.0.0.1'" "no SNI for an address: the address is the name checked"

run "$CHECK_REMOTE" $VER --sni client.test https "127.0.0.1:$WEBCC"
expect_rc 0 "https: a server that demands a client certificate is checked all the same"
run "$CHECK_REMOTE" $VER --sni client.test tls "127.0.0.1:$WEBCC"
expect_out "TLS 127.0.0.1:$WEBCC [127.0.0.1]: OK notAfter=$(enddate "$T/client.pem")" "tls: the same through the engine"

cat >"$T/expect.conf" <<EOC
set cafile=$CA
https://127.0.0.1:$WEB sni=www.test expect=$T/www.chain name=same
https://127.0.0.1:$WEB sni=www.test expect=$T/short.pem name=renewed
https://127.0.0.1:$WEB sni=www.test expect=$T/missing.pem name=missing
EOC
run "$CERTPROBE" -C "$T/expect.conf"
expect_rc 1 "expect=: a different certificate on disk is a WARNING"
expect_out "serves a different certificate than $T/short.pem" "and says which file"
check "the one that matches is not reported" test "$(count_out "serves a different")" = 1
expect_out "expect=$T/missing.pem: no such file or directory" "an expect= file that cannot be read is named"

# --- a name with two addresses, each serving its own certificate
# (a private /etc/hosts in a mount namespace of our own)
printf '127.0.0.1 dual.test\n::1 dual.test\n' >"$T/hosts"
if "$IN_NS" "$T/hosts" - true 2>/dev/null; then
    run "$IN_NS" "$T/hosts" - "$CHECK_REMOTE" $VER https "dual.test:$DUAL"
    expect_out "HTTPS dual.test:$DUAL [127.0.0.1]: OK notAfter=$(enddate "$T/dual4.pem") (49 days)" "two addresses: the IPv4 one"
    expect_out "HTTPS dual.test:$DUAL [::1]: OK notAfter=$(enddate "$T/dual6.pem") (69 days)" "two addresses: the IPv6 one, its own certificate"
    run "$IN_NS" "$T/hosts" - "$CHECK_REMOTE" $VER -6 https "dual.test:$DUAL"
    check "-6: the IPv6 address only" test "$(count_out "[::1]: OK")" = 1 -a "$(count_out "127.0.0.1")" = 0
    run "$IN_NS" "$T/hosts" - "$CHECK_REMOTE" $VER -4 tls "dual.test:$DUAL"
    check "-4: the IPv4 address only" test "$(count_out "[127.0.0.1]: OK")" = 1 -a "$(count_out "::1")" = 0
    printf 'https://dual.test:%s cafile=%s addr=::1\nhttps://dual.test:%s cafile=%s family=4 name=v4\n' \
        "$DUAL" "$CA" "$DUAL" "$CA" >"$T/dual.conf"
    run "$IN_NS" "$T/hosts" - "$CHECKSSL" -C "$T/dual.conf" DAYS=60
    expect_out "v4 [127.0.0.1]: $(enddate "$T/dual4.pem") (49 days)" "family=4 in the digest, labelled by name="
    expect_no_out "[::1]" "addr=::1 keeps the name for SNI and verification (OK, not listed)"
else
    for i in 1 2 3 4 5 6; do skip "no mount namespace here (unshare -m) for a private /etc/hosts"; done
fi

# --- mail: postfix
run "$CHECK_REMOTE" $VER --sni mail.test smtp "127.0.0.1:$SMTP" submission "127.0.0.1:$SUBM" smtps "127.0.0.1:$SMTPS"
M=$(enddate "$T/mail.pem")
expect_out "SMTP 127.0.0.1:$SMTP [127.0.0.1]: WARNING notAfter=$M (19 days)" "smtp: EHLO, STARTTLS"
expect_out "SUBMISSION 127.0.0.1:$SUBM [127.0.0.1]: WARNING notAfter=$M (19 days)" "submission: EHLO, STARTTLS"
expect_out "SMTPS 127.0.0.1:$SMTPS [127.0.0.1]: WARNING notAfter=$M (19 days)" "smtps: TLS at once"
expect_rc 1 "mail within 30 days is a WARNING"
check "smtp: the date is what openssl's client is served" test "$(served mail.test "$SMTP" -starttls smtp)" = "$M"

# --- news: INN's nnrpd
N=$(enddate "$T/news.pem")
run "$CHECK_REMOTE" $VER --sni news.test nntp "127.0.0.1:$NNTP" nntps "127.0.0.1:$NNTPS"
expect_out "NNTP 127.0.0.1:$NNTP [127.0.0.1]: CRITICAL notAfter=$N (4 days)" "nntp: CAPABILITIES, STARTTLS"
expect_out "NNTPS 127.0.0.1:$NNTPS [127.0.0.1]: CRITICAL notAfter=$N (4 days)" "nntps: TLS at once"
expect_rc 2 "within 14 days is CRITICAL"
check "nntp: the date is what openssl's client is served" test "$(served news.test "$NNTP" -starttls nntp)" = "$N"

# --- IMAP and POP3: dovecot
I=$(enddate "$T/imap.pem")
run "$CHECK_REMOTE" $VER --sni imap.test imap "127.0.0.1:$IMAP" imaps "127.0.0.1:$IMAPS" pop3 "127.0.0.1:$POP3" pop3s "127.0.0.1:$POP3S"
for p in "IMAP $IMAP" "IMAPS $IMAPS" "POP3 $POP3" "POP3S $POP3S"; do
    set -- $p
    expect_out "$1 127.0.0.1:$2 [127.0.0.1]: OK notAfter=$I (89 days)" "$1 with dovecot"
done
expect_rc 0 "dovecot: all OK"

# --- everything at once, as the nightly job runs it
cat >"$T/all.conf" <<EOC
set cafile=$CA warn=30 crit=14
https://127.0.0.1:$WEB sni=www.test name=www
https://127.0.0.1:$WEB sni=short.test
smtp://127.0.0.1:$SMTP sni=mail.test
submission://127.0.0.1:$SUBM sni=mail.test
smtps://127.0.0.1:$SMTPS sni=mail.test
nntp://127.0.0.1:$NNTP sni=news.test
nntps://127.0.0.1:$NNTPS sni=news.test
imap://127.0.0.1:$IMAP sni=imap.test
pop3s://127.0.0.1:$POP3S sni=imap.test
EOC
timed_run "$CERTPROBE" -C "$T/all.conf" --jobs 4
expect_rc 2 "certprobe: the worst of all"
check "certprobe: a row per certificate served, 9 endpoints ($ms ms)" test "$(count_out "://127.0.0.1:")" -ge 9
run "$CHECKSSL" -C "$T/all.conf" DAYS=25
expect_out "Following certificate expiration dates:" "checkssl: a digest"
expect_out "smtp://127.0.0.1:$SMTP [127.0.0.1]: $M (19 days)" "checkssl: the mail server, with its address"
expect_out "nntps://127.0.0.1:$NNTPS [127.0.0.1]: $N (4 days)" "checkssl: the news server"
expect_out "https://127.0.0.1:$WEB [127.0.0.1] (CN = soon): $(enddate "$T/soon.pem") (19 days)" "checkssl: an intermediate is named by its subject"
expect_no_out "imap://" "checkssl: what is not due is not listed"

done_testing

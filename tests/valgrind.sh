#!/bin/bash
# Every program under valgrind's memcheck, over every kind of certificate
# file the suite knows (PEM, bundles, keys beside, DER, PKCS#7, PKCS#12,
# empty, garbage, a letsencrypt tree, a certificate not yet valid, a
# hostile subject) in every output format, and over every daemon the suite
# runs (nginx, postfix, INN, dovecot) and the miniserver's hostile modes:
# no invalid access, no use of uninitialised memory, no leak (definite,
# indirect or possible). What OpenSSL, libcurl and libesmtp still hold at
# exit (still reachable) is not a leak. Each run is made twice, plainly and
# under valgrind, and both must end with the same status: a run that
# valgrind broke is not a clean run.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/daemons.sh"

CHECK_CERT_EXPIRY=$top_builddir/plugins/check_cert_expiry
MINI=$top_builddir/tests/tools/miniserver

if ! command -v valgrind >/dev/null 2>&1; then
    echo "1..0 # SKIP valgrind is not installed"
    exit 0
fi
if sanitized_build; then
    echo "1..0 # SKIP a sanitizer build: valgrind cannot run AddressSanitizer binaries"
    exit 0
fi

# The miniservers are stopped with the daemons, before lib.sh removes $T.
MINI_PIDS=
trap 'if [ "${BASHPID:-$$}" = "$$" ]; then for p in $MINI_PIDS; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"; fi' EXIT
daemons_trap

# shellcheck disable=SC2054 # the commas are valgrind's
VALGRIND=(valgrind --error-exitcode=99 --leak-check=full
    --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible
    --track-fds=no --child-silent-after-fork=no --trace-children=no -q)

# What a log must not hold. With -q, valgrind prints nothing but errors
# (no summary); the totals' "lost: 0 bytes in 0 blocks" are fine.
VG_BAD='ERROR SUMMARY: [1-9]|(definitely|indirectly|possibly) lost|Invalid (read|write|free)'
VG_BAD+='|uninitialised|Syscall param|Mismatched free|overlap|Jump to the invalid|Process terminating'

# vg DESCRIPTION COMMAND...: one test point. COMMAND runs plainly, then
# under valgrind (each at most 120 s, from $T); valgrind must not exit 99,
# its logs (one per process: certprobe's forked hook children are
# followed up to their exec) must hold no error and no leak, and the exit
# status must be the plain run's. $out, $err and $rc are the valgrind
# run's; $plain_rc the plain one's. VG_BEFORE, if set, is run before each.
vg_n=0
vg() {
    local desc=$1 f bad=0 why=
    shift
    vg_n=$((vg_n + 1))
    ${VG_BEFORE:+$VG_BEFORE}
    (cd "$T" && exec timeout 120 "$@") >"$T/.plain.out" 2>"$T/.plain.err" </dev/null
    plain_rc=$?
    ${VG_BEFORE:+$VG_BEFORE}
    (cd "$T" && exec timeout 120 "${VALGRIND[@]}" --log-file="$T/vg.$vg_n.%p" "$@") \
        >"$T/.out" 2>"$T/.err" </dev/null
    rc=$?
    out=$(cat "$T/.out")
    err=$(cat "$T/.err")
    if [ "$rc" = 99 ]; then bad=1; why="$why; valgrind reported errors (exit 99)"; fi
    if [ "$rc" = 124 ]; then bad=1; why="$why; timed out after 120 s under valgrind"; fi
    if [ "$rc" != "$plain_rc" ]; then
        bad=1
        why="$why; exit $rc under valgrind, $plain_rc without"
    fi
    if ! compgen -G "$T/vg.$vg_n.*" >/dev/null; then
        bad=1
        why="$why; valgrind wrote no log: did it run?"
    fi
    for f in "$T/vg.$vg_n".*; do
        [ -e "$f" ] || continue
        if grep -E "$VG_BAD" "$f" | grep -vqE 'lost: 0 bytes in 0 blocks'; then
            bad=1
            why="$why; errors or leaks in ${f##*/}"
        fi
    done
    if [ $bad = 0 ]; then
        ok "$desc (exit $rc, as without valgrind)"
        return 0
    fi
    not_ok "$desc: ${why#; }"
    for f in "$T/vg.$vg_n".*; do
        [ -s "$f" ] || continue
        echo "# --- valgrind log ${f##*/}:"
        head -n 150 "$f" | sed 's/^/#   /'
    done
    show
    return 1
}

DAY=86400
NOW=$(date +%s)

# ------------------------------------------------------------ the files
CA=$T/root.pem
mkcert -o "$CA" -k "$T/root.key" -s "/CN=Test Root" --ca --not-after @$((NOW + 400 * DAY))
# ca NAME NOT_BEFORE_DAYS NOT_AFTER_DAYS: an intermediate under the root.
ca() {
    "$MKCERT" -o "$T/$1.pem" -k "$T/$1.key" -s "/CN=$1" --ca --ca-key "$T/root.key" \
        --ca-cert "$CA" --not-before @$((NOW + $2 * DAY)) --not-after @$((NOW + $3 * DAY)) ||
        { echo "Bail out! mkcert $1"; exit 1; }
}
# leaf FILE NAME DAYS ISSUER: a server certificate (the test's key), and
# FILE.chain with its issuer after it.
leaf() {
    mkcert -o "$T/$1.pem" -s "/CN=$2" --san "DNS:$2" --ca-key "$T/$4.key" \
        --ca-cert "$T/$4.pem" --not-after @$((NOW + $3 * DAY))
    cat "$T/$1.pem" "$T/$4.pem" >"$T/$1.chain"
}
ca inter -1 400
ca expired -200 -5

F=$T/files
mkdir -p "$F"
leaf single single.test 60 inter
cp "$T/single.pem" "$F/single.pem"
leaf bundle bundle.test 60 expired
cp "$T/bundle.chain" "$F/bundle-expired-intermediate.pem"
# a key beside the certificate, and a key= that matches and one that does not
cat "$KEY" "$T/single.pem" "$T/inter.pem" >"$F/keys-beside.pem"
openssl x509 -in "$T/single.pem" -outform DER -out "$F/single.der" ||
    { echo "Bail out! openssl x509"; exit 1; }
openssl crl2pkcs7 -nocrl -certfile "$T/single.chain" -out "$F/chain.p7b" &&
    openssl crl2pkcs7 -nocrl -certfile "$T/single.chain" -outform DER -out "$F/chain.p7d" ||
    { echo "Bail out! openssl crl2pkcs7"; exit 1; }
echo "s3cret pass" >"$F/p12.pass"
openssl pkcs12 -export -in "$T/single.pem" -inkey "$KEY" -certfile "$T/inter.pem" \
    -passout pass: -out "$F/nopass.p12" &&
    openssl pkcs12 -export -in "$T/single.pem" -inkey "$KEY" -certfile "$T/inter.pem" \
        -passout file:"$F/p12.pass" -out "$F/pass.p12" ||
    { echo "Bail out! openssl pkcs12"; exit 1; }
: >"$F/empty.pem"
{
    head -c 2000 /dev/urandom
    printf '\n-----BEGIN CERTIFICATE-----\nMIIBnotbase64!!@@\n-----END CERTIFICATE-----\n'
    head -c 500 /dev/urandom
} >"$F/garbage.pem"
head -c 3000 /dev/urandom >"$F/garbage.der"
mkcert -o "$F/future.pem" -s /CN=future.test --not-before @$((NOW + 10 * DAY)) \
    --not-after @$((NOW + 100 * DAY))
# ESC, CR LF and a command substitution in the subject
mkcert -o "$F/hostile.pem" -s "/O=\$(touch x)" \
    --cn-hex "$(printf '$(touch x)\033[31m\033]0;owned\007\r\nBcc: x@example.com' | od -An -tx1 | tr -d ' \n')"
mkcert -o "$T/due.pem" -s /CN=due.test --not-after @$((NOW + 3 * DAY))

# letsencrypt: live/ links into archive/, and a link whose target is gone
LE=$F/letsencrypt
for dom in example.com soon.example.net; do
    mkdir -p "$LE/archive/$dom" "$LE/live/$dom"
    days=70
    [ $dom = soon.example.net ] && days=10
    "$MKCERT" -k "$LE/archive/$dom/privkey1.pem" -s "/CN=$dom" -o "$LE/archive/$dom/cert1.pem" \
        --ca-key "$T/inter.key" --ca-cert "$T/inter.pem" --not-after @$((NOW + days * DAY)) ||
        { echo "Bail out! mkcert $dom"; exit 1; }
    cp "$T/inter.pem" "$LE/archive/$dom/chain1.pem"
    cat "$LE/archive/$dom/cert1.pem" "$T/inter.pem" >"$LE/archive/$dom/fullchain1.pem"
    for f in cert chain fullchain privkey; do
        ln -s "../../archive/$dom/${f}1.pem" "$LE/live/$dom/$f.pem"
    done
    echo "This directory contains your keys and certificates." >"$LE/live/$dom/README"
done
mkdir -p "$LE/live/gone.example.org"
ln -s ../../archive/gone.example.org/cert9.pem "$LE/live/gone.example.org/cert.pem"

cat >"$T/files.conf" <<EOC
$F/single.pem name=pem-single
$F/bundle-expired-intermediate.pem name=pem-bundle
$F/keys-beside.pem name=keys-beside
$F/single.pem key=$KEY name=key-matches
$F/single.pem key=$T/root.key name=key-does-not-match
$F/single.der name=der
$F/chain.p7b name=pkcs7-pem
$F/chain.p7d name=pkcs7-der
$F/nopass.p12 name=pkcs12-nopass
$F/pass.p12 password_file=p12.pass name=pkcs12-password
$F/empty.pem name=empty
$F/garbage.pem name=garbage-pem
$F/garbage.der name=garbage-der
$F/future.pem name=not-yet-valid
$F/hostile.pem
$LE/live
$LE/live/*/cert.pem key=privkey.pem
EOC

for fmt in text digest json prometheus nagios; do
    vg "certprobe --format $fmt over every kind of file" "$CERTPROBE" -C "$T/files.conf" --format "$fmt"
done
check "the hostile subject ran nothing" test ! -e "$T/x"
vg "checkssl DAYS=30 over every kind of file" "$CHECKSSL" -C "$T/files.conf" DAYS=30

# ---------------------------------------------------------- the daemons
for kind in nginx postfix inn dovecot; do
    daemons_available "$kind" ||
        { echo "Bail out! $kind: $daemons_why (./bootstrap --test-deps installs it)"; exit 1; }
done
leaf www www.test 60 inter
leaf short short.test 60 expired
leaf mail mail.test 20 inter
leaf news news.test 5 inter
leaf imap imap.test 90 inter

set -- $(daemons_ports 10)
WEB=$1 SMTP=$2 SUBM=$3 SMTPS=$4 NNTP=$5 NNTPS=$6 IMAP=$7 IMAPS=$8 POP3=$9
shift 9
POP3S=$1

start() {
    "$@" || { echo "Bail out! cannot start: $*"; exit 1; }
}
start nginx_start "$T/nginx" \
    "127.0.0.1:$WEB,www.test,$T/www.chain,$KEY" \
    "127.0.0.1:$WEB,short.test,$T/short.chain,$KEY"
start postfix_start "$T/postfix" "$T/mail.chain" "$KEY" "$SMTP" "$SUBM" "$SMTPS"
start inn_start "$T/inn" "$T/news.chain" "$KEY" "$NNTP" "$NNTPS"
start dovecot_start "$T/dovecot" "$T/imap.chain" "$KEY" "$IMAP" "$IMAPS" "$POP3" "$POP3S"

# mini MODE ARG...: a miniserver in the background; its port in $port.
n_mini=0
mini() {
    local pf i=0
    n_mini=$((n_mini + 1))
    pf=$T/mini.port.$n_mini
    "$MINI" -p 0 --port-file "$pf" --cert "$T/www.chain" --key "$KEY" \
        --log "$T/mini.log" "$@" </dev/null >/dev/null 2>&1 &
    MINI_PIDS="$MINI_PIDS $!"
    while [ ! -s "$pf" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    port=$(cat "$pf" 2>/dev/null) || { echo "Bail out! miniserver $*"; exit 1; }
}
mini silent; SILENT=$port
mini garbage; GARBAGE=$port
mini close; CLOSE=$port
mini starttls-refuse smtp "454 4.7.0 TLS not available due to local problem"; REFUSE=$port
mini drip smtp; DRIP=$port

cat >"$T/all.conf" <<EOC
set cafile=$CA timeout=30 warn=30 crit=14
https://127.0.0.1:$WEB sni=www.test name=www
https://127.0.0.1:$WEB sni=short.test name=short
smtp://127.0.0.1:$SMTP sni=mail.test
submission://127.0.0.1:$SUBM sni=mail.test
smtps://127.0.0.1:$SMTPS sni=mail.test
nntp://127.0.0.1:$NNTP sni=news.test
nntps://127.0.0.1:$NNTPS sni=news.test
imap://127.0.0.1:$IMAP sni=imap.test
imaps://127.0.0.1:$IMAPS sni=imap.test
pop3://127.0.0.1:$POP3 sni=imap.test
pop3s://127.0.0.1:$POP3S sni=imap.test
tls://127.0.0.1:$SILENT timeout=1 name=silent
tls://127.0.0.1:$GARBAGE name=garbage
https://127.0.0.1:$GARBAGE name=garbage-https
tls://127.0.0.1:$CLOSE name=close
smtp://127.0.0.1:$REFUSE name=starttls-refused
smtp://127.0.0.1:$DRIP timeout=1 name=drip
EOC
vg "certprobe --jobs 4 over nginx, postfix, INN, dovecot and hostile servers" \
    "$CERTPROBE" -C "$T/all.conf" --jobs 4
check "every endpoint has a row" test "$(count_out "://127.0.0.1:")" -ge 17

{ cat "$T/all.conf"; echo "$T/due.pem renew=\"touch $T/renewed\" name=due"; } >"$T/renew.conf"
VG_BEFORE="rm -f $T/renewed"
vg "certprobe --renew, a due file renewed by a hook, with every endpoint" \
    "$CERTPROBE" -C "$T/renew.conf" --jobs 4 --renew
VG_BEFORE=
check "the renew hook ran under valgrind" test -e "$T/renewed"

cat >"$T/bad.conf" <<EOC
set warn=25 crit=7 jobs=4
$F/single.pem wran=14
smtp://127.0.0.1:$SMTP key=$KEY
$F/single.pem warn=soon
https://127.0.0.1:$WEB family=5
set mail_to=not-an-address
"unterminated
$F/single.pem name=fine
EOC
vg "certprobe --check-config over a configuration with errors" \
    "$CERTPROBE" -C "$T/bad.conf" -D "$T/nothing.d" --check-config
check "--check-config found the errors (exit $rc)" test "$rc" = 3

vg "check_cert_expiry against nginx" \
    "$CHECK_CERT_EXPIRY" -H 127.0.0.1 -p "$WEB" --sni www.test --cafile "$CA" -t 30
vg "check_remote against postfix smtp" \
    "$CHECK_REMOTE" -t 30 --cafile "$CA" --sni mail.test smtp "127.0.0.1:$SMTP"

done_testing

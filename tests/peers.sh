#!/bin/bash
# certprobe beside its peers, on the same fixtures: real nginx, postfix
# and INN on loopback, certificates with known windows. The peers are
# Debian 12's: check_ssl_cert (monitoring-plugins-contrib), check_http -C
# and check_curl -C (monitoring-plugins-basic and -standard), ssl-cert-check,
# and prometheus-blackbox-exporter, run here on a loopback port with a
# configuration of our own. Every point asserts what a tool reports (the
# days it prints, the metric, the exit status), what it can do and what
# it cannot, so that the comparison in the README says only what this
# test proves. A point is named "ROW TOOL: ...", ROW one of pem der p12
# p7 dir https smtp nntp nntps inter dual renewal untrusted thresholds
# nagios prometheus cron; the README's table cites them.
#
# Where a peer is not installed its points are skipped ("./bootstrap
# --test-deps" installs them): monitoring-plugins-contrib
# monitoring-plugins-standard liburiparser1 bind9-host bc file curl
# ssl-cert-check prometheus-blackbox-exporter.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/daemons.sh"
daemons_trap

CHECK_CERT_EXPIRY=$top_builddir/plugins/check_cert_expiry
for kind in nginx postfix inn; do
    daemons_available "$kind" ||
        { echo "Bail out! $kind: $daemons_why (./bootstrap --test-deps installs it)"; exit 1; }
done

# --- the peers, and why each one cannot run here
PLUG=/usr/lib/nagios/plugins
CSC=$PLUG/check_ssl_cert
CHTTP=$PLUG/check_http
CCURL=$PLUG/check_curl
SCC=/usr/bin/ssl-cert-check
BBX=$(command -v prometheus-blackbox-exporter || echo /usr/bin/prometheus-blackbox-exporter)
declare -A why=()
[ -x "$CSC" ] || why[check_ssl_cert]="check_ssl_cert not installed (monitoring-plugins-contrib)"
if [ -z "${why[check_ssl_cert]-}" ]; then
    # (what it checks for before anything else)
    for p in bc host file openssl hostname; do
        command -v "$p" >/dev/null ||
            why[check_ssl_cert]="check_ssl_cert not installed: it needs $p"
    done
fi
[ -x "$CHTTP" ] || why[check_http]="check_http not installed (monitoring-plugins-basic)"
if [ ! -x "$CCURL" ]; then
    why[check_curl]="check_curl not installed (monitoring-plugins-standard)"
elif ! "$CCURL" -V 2>&1 | grep -q '^check_curl v'; then
    why[check_curl]="check_curl not installed: it does not start (liburiparser1, libcurl4 are only Recommends)"
fi
[ -x "$SCC" ] || why[ssl-cert-check]="ssl-cert-check not installed"
[ -x "$BBX" ] || why[blackbox]="blackbox not installed (prometheus-blackbox-exporter)"
command -v curl >/dev/null || why[blackbox]="blackbox not installed: curl, to query it, is missing"

# want TOOL N: whether TOOL can run; if not, N points skipped with why.
want() {
    local i
    [ -z "${why[$1]-}" ] && return 0
    for ((i = 0; i < $2; i++)); do skip "${why[$1]}"; done
    return 1
}

# prun COMMAND...: lib.sh's run, bounded by 30 s as every tool call here.
prun() {
    timeout 30 "$@" >"$T/.out" 2>"$T/.err" </dev/null
    rc=$?
    out=$(cat "$T/.out")
    err=$(cat "$T/.err")
}
# job NAME COMMAND...: the same in the background lanes, kept in $R/NAME.*;
# got NAME loads it into $out, $err and $rc.
R=$T/results
mkdir -p "$R"
job() {
    local name=$1
    shift
    [ -d "$R" ] || exit 0 # (the test has ended)
    timeout 30 "$@" >"$R/$name.out" 2>"$R/$name.err" </dev/null
    echo $? >"$R/$name.rc"
}
got() {
    out=$(cat "$R/$1.out" 2>/dev/null)
    err=$(cat "$R/$1.err" 2>/dev/null)
    rc=$(cat "$R/$1.rc" 2>/dev/null || echo "none: $1 did not run")
}
expect_eq() {
    if [ "$1" = "$2" ]; then ok "$3"; else
        not_ok "$3"; echo "# got '$1', wanted '$2'"; show; fi
}
# How many lines of $out and $err hold a fixed string.
count_all() { printf '%s\n%s\n' "$out" "$err" | grep -cF -- "$1"; }
# How many lines of $out match an extended regex.
count_re() { printf '%s\n' "$out" | grep -cE -- "$1"; }

# --- fixtures
DAY=86400
NOW=$(date +%s)
# A certificate "of D days" ends half a day and a minute short of NOW + D
# days: D - 1 whole days left, however the tool rounds, for 12 hours.
na() { echo $((NOW + $1 * DAY - DAY / 2 - 60)); }
# caldays EPOCH: calendar days from today to EPOCH's date (UTC), what
# ssl-cert-check counts (a Julian day number difference).
caldays() {
    echo $((($(date -u -d "$(date -u -d "@$1" +%F)" +%s) - $(date -u -d "$(date -u +%F)" +%s)) / DAY))
}
# epoch FILE: its notAfter in seconds.
epoch() { date -u -d "$(enddate "$1")" +%s; }
# cdate FILE: its notAfter as check_http prints it.
cdate() { date -u -d "@$(epoch "$1")" '+%a %b %e %H:%M:%S %Y +0000'; }

CA=$T/root.pem
"$MKCERT" -o "$CA" -k "$T/root.key" -s "/CN=Peer Root" --ca --not-after @$((NOW + 400 * DAY)) ||
    { echo "Bail out! mkcert"; exit 1; }
# ca NAME DAYS: an intermediate under the root.
ca() {
    "$MKCERT" -o "$T/$1.pem" -k "$T/$1.key" -s "/CN=$1" --ca --ca-key "$T/root.key" \
        --ca-cert "$CA" --not-after @"$(na "$2")" || { echo "Bail out! mkcert"; exit 1; }
}
# leaf FILE NAME DAYS ISSUER: a server certificate, and FILE.chain, the
# leaf then its issuer (none for the root).
leaf() {
    mkcert -o "$T/$1.pem" -s "/CN=$2" --san "DNS:$2" --ca-key "$T/$4.key" \
        --ca-cert "$T/$4.pem" --not-before @$((NOW - DAY)) --not-after @"$(na "$3")"
    if [ "$4" = root ]; then cp "$T/$1.pem" "$T/$1.chain"; else cat "$T/$1.pem" "$T/$4.pem" >"$T/$1.chain"; fi
}
ca inter 400
ca soon 20
leaf www www.test 60 inter
leaf renewed www.test 90 inter
leaf short short.test 60 soon
leaf dual4 dual.test 5 inter
leaf dual6 dual.test 70 inter
leaf mail mail.test 20 inter
leaf news news.test 10 inter
leaf file file.test 45 root
mkcert -o "$T/expired.pem" -s "/CN=expired.test" --ca-key "$T/root.key" --ca-cert "$CA" \
    --not-before @$((NOW - 100 * DAY)) --not-after @$((NOW - 10 * DAY))
mkcert -o "$T/self.pem" -s "/CN=self.test" --san "DNS:self.test" --not-after @"$(na 60)"
# The same certificate in every format.
openssl x509 -in "$T/file.pem" -outform DER -out "$T/file.der" &&
    openssl pkcs12 -export -in "$T/file.pem" -inkey "$KEY" -passout pass:secret -out "$T/file.p12" &&
    openssl crl2pkcs7 -nocrl -certfile "$T/file.pem" -out "$T/file.p7b" &&
    echo secret >"$T/file.pass" || { echo "Bail out! openssl"; exit 1; }
printf '%s password_file=file.pass\n' "$T/file.p12" >"$T/p12.conf"
# A tree as /etc/ssl has them: certificates, a key, a README.
mkdir -p "$T/tree/sub" && cp "$T/file.pem" "$T/tree/a.pem" && cp "$T/www.pem" "$T/tree/sub/b.crt" &&
    cp "$KEY" "$T/tree/key.pem" && echo "keys live here" >"$T/tree/README" || exit 1
FILE_CAL=$(caldays "$(epoch "$T/file.pem")")
SHA1_WWW=$(openssl x509 -noout -fingerprint -sha1 -in "$T/www.pem")
SHA1_NEW=$(openssl x509 -noout -fingerprint -sha1 -in "$T/renewed.pem")
SHA256_WWW=$(openssl x509 -in "$T/www.pem" -outform DER | sha256sum | cut -d' ' -f1)
SHA256_NEW=$(openssl x509 -in "$T/renewed.pem" -outform DER | sha256sum | cut -d' ' -f1)

# A private /etc/hosts (and a resolver that answers nothing: no query
# leaves the machine) for the name with two addresses.
printf '127.0.0.1 dual.test\n::1 dual.test\n' >"$T/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$T/resolv"
NS=()
if "$IN_NS" "$T/hosts" "$T/resolv" true 2>/dev/null; then
    NS=("$IN_NS" "$T/hosts" "$T/resolv")
fi

# check_ssl_cert: the thresholds of all the others; no SCTs and no OCSP
# responder, as for any private CA; its own timeout under ours.
CSCO=(-w 30 -c 14 --ignore-sct --ignore-ocsp --ignore-maximum-validity -t 25)

# check_ssl_cert forks two hundred processes a run (5 s here): its runs
# go to two background lanes, the files at once, the endpoints once the
# daemons are up ($T/.up); the results are read at the end.
set -- $(daemons_ports 10)
WEB=$1 SHORT=$2 SELF=$3 DUAL=$4 SMTP=$5 SUBM=$6 SMTPS=$7 NNTP=$8 NNTPS=$9 BB=${10}
wait_up() {
    local i
    for ((i = 0; i < 600; i++)); do
        [ -e "$T/.up" ] && return 0
        [ -d "$R" ] || return 1
        sleep 0.1
    done
    return 1
}
if [ -z "${why[check_ssl_cert]-}" ]; then
    (
        job csc_pem "$CSC" "${CSCO[@]}" -r "$CA" -f "$T/expired.pem" -f "$T/file.pem"
        job csc_der "$CSC" "${CSCO[@]}" -r "$CA" -f "$T/file.der"
        job csc_p12 "$CSC" "${CSCO[@]}" -r "$CA" -f "$T/file.p12" --password pass:secret
        job csc_p7 "$CSC" "${CSCO[@]}" -r "$CA" -f "$T/file.p7b"
        job csc_dir "$CSC" "${CSCO[@]}" -r "$CA" -f "$T/tree"
        wait_up || exit
        job csc_short "$CSC" "${CSCO[@]}" -r "$CA" -H 127.0.0.1 -p "$SHORT" --sni short.test
        job csc_self "$CSC" "${CSCO[@]}" -r "$CA" -H 127.0.0.1 -p "$SELF" --sni self.test
        job csc_nntp "$CSC" "${CSCO[@]}" -r "$CA" -H 127.0.0.1 -p "$NNTP" -P nntp --sni news.test
    ) &
    LANE1=$!
    (
        wait_up || exit
        job csc_www "$CSC" "${CSCO[@]}" -r "$CA" -H 127.0.0.1 -p "$WEB" --sni www.test \
            --prometheus --fingerprint "$SHA1_WWW"
        job csc_renewal "$CSC" "${CSCO[@]}" -r "$CA" -H 127.0.0.1 -p "$WEB" --sni www.test \
            --fingerprint "$SHA1_NEW"
        job csc_smtp "$CSC" "${CSCO[@]}" -r "$CA" -H 127.0.0.1 -p "$SMTP" -P smtp --sni mail.test
        job csc_nntps "$CSC" "${CSCO[@]}" -r "$CA" -H 127.0.0.1 -p "$NNTPS" --sni news.test
        [ ${#NS[@]} = 0 ] || job csc_dual "${NS[@]}" "$CSC" "${CSCO[@]}" -r "$CA" -H dual.test -p "$DUAL"
    ) &
    LANE2=$!
fi

start() {
    "$@" || { echo "Bail out! cannot start: $*"; exit 1; }
}
# Each site on a port of its own, as the default server, so that
# ssl-cert-check (which sends the host it connects to as SNI) gets it.
start nginx_start "$T/nginx" \
    "127.0.0.1:$WEB,www.test,$T/www.chain,$KEY" \
    "127.0.0.1:$SHORT,short.test,$T/short.chain,$KEY" \
    "127.0.0.1:$SELF,self.test,$T/self.pem,$KEY" \
    "127.0.0.1:$DUAL,dual.test,$T/dual4.chain,$KEY" \
    "[::1]:$DUAL,dual.test,$T/dual6.chain,$KEY"
start postfix_start "$T/postfix" "$T/mail.chain" "$KEY" "$SMTP" "$SUBM" "$SMTPS"
start inn_start "$T/inn" "$T/news.chain" "$KEY" "$NNTP" "$NNTPS"

# ssl-cert-check chooses STARTTLS by the port number (25, 587, 119...):
# it is given those, with a postfix and an nnrpd of their own in a
# network namespace of their own, in the background.
NETNS=
if [ -z "${why[ssl-cert-check]-}" ] && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
    cat >"$T/netns.sh" <<'EOS'
# In a new network namespace: postfix and nnrpd on the standard ports.
ip link set lo up || exit 97
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/daemons.sh"
daemons_trap
postfix_start "$T/postfix" "$1/mail.chain" "$1/key.pem" 25 587 465 || exit 98
inn_start "$T/inn" "$1/news.chain" "$1/key.pem" 119 563 || exit 98
for p in 25 587 119; do
    timeout 30 ssl-cert-check -n -x 30 -s 127.0.0.1 -p $p >"$2/scc_port$p.out" 2>"$2/scc_port$p.err" </dev/null
    echo $? >"$2/scc_port$p.rc"
done
EOS
    top_srcdir=$top_srcdir top_builddir=$top_builddir timeout 60 unshare -n bash "$T/netns.sh" "$T" "$R" \
        >"$R/netns.out" 2>&1 &
    NETNS=$!
fi

# blackbox_exporter, with a module per check; the tcp prober's
# query_response is how it speaks STARTTLS (written here for SMTP and
# NNTP). In the private /etc/hosts where there is one.
BBD=$T/blackbox
mkdir -p "$BBD"
bbmod() { # NAME SNI: TLS at once
    printf '  %s:\n    prober: tcp\n    timeout: 10s\n    tcp:\n      tls: true\n' "$1"
    printf '      tls_config: {ca_file: "%s"%s}\n' "$CA" "${2:+, server_name: $2}"
}
{
    echo "modules:"
    bbmod www www.test
    bbmod short short.test
    bbmod self self.test
    bbmod news news.test
    bbmod dual ""
    cat <<EOF
  smtp:
    prober: tcp
    timeout: 10s
    tcp:
      query_response:
        - expect: "^220 "
        - send: "EHLO prober\r"
        - expect: "^250[ -]STARTTLS"
        - send: "STARTTLS\r"
        - expect: "^220"
        - starttls: true
        - send: "QUIT\r"
      tls_config: {ca_file: "$CA", server_name: mail.test}
  nntp:
    prober: tcp
    timeout: 10s
    tcp:
      query_response:
        - expect: "^20[01] "
        - send: "STARTTLS\r"
        - expect: "^382"
        - starttls: true
        - send: "QUIT\r"
      tls_config: {ca_file: "$CA", server_name: news.test}
  disk:
    prober: file
EOF
} >"$BBD/blackbox.yml"
if [ -z "${why[blackbox]-}" ]; then
    # shellcheck disable=SC2154 # _daemons_sid: set by _daemons_spawn
    if _daemons_spawn blackbox "$BBD" "$BBD/blackbox.out" "${NS[@]}" "$BBX" \
        --config.file="$BBD/blackbox.yml" --web.listen-address="127.0.0.1:$BB" &&
        _daemons_ready blackbox "$BBD" "$_daemons_sid" "$BBD/blackbox.out" "127.0.0.1 $BB tcp"; then
        BBSID=$_daemons_sid
    else
        why[blackbox]="blackbox not installed: it did not start (see above)"
    fi
fi
: >"$T/.up"

# bb MODULE TARGET: one probe; $out the metrics, $code the HTTP status.
bb() {
    prun curl -s --max-time 25 -w '\n%{http_code}' "http://127.0.0.1:$BB/probe?module=$1&target=$2"
    code=${out##*$'\n'}
    out=${out%$'\n'*}
}
# metric NAME: its value, as a whole number ("" when absent).
metric() { printf '%s\n' "$out" | awk -v m="$1" '$1 == m { printf "%d\n", $2 }'; }
# scc_days: the days ssl-cert-check printed (its -n form: "|days=N").
scc_days() { printf '%s\n' "$out" | sed -n 's/.*|days=\(-\{0,1\}[0-9]*\).*/\1/p' | head -n 1; }

V=(--cafile "$CA")

# ================================================================ files

# --- certprobe
run "$CERTPROBE" "$T/file.pem"
expect_out "OK           44  $(enddate "$T/file.pem")  $T/file.pem" "pem certprobe: 44 days, the date openssl reads"
run "$CERTPROBE" "$T/file.der"
expect_out "OK           44  $(enddate "$T/file.pem")  $T/file.der" "der certprobe: the same, from DER"
run "$CERTPROBE" -C "$T/p12.conf"
expect_out "OK           44  $(enddate "$T/file.pem")  $T/file.p12" "p12 certprobe: the same, from PKCS#12 (password_file=)"
echo secret >"$T/cli.pass"
run "$CERTPROBE" --password-file "$T/cli.pass" "$T/file.p12"
expect_out "OK           44  $(enddate "$T/file.pem")  $T/file.p12" "p12 certprobe: the same, with --password-file on the command line"
run "$CERTPROBE" "$T/file.p7b"
expect_out "OK           44  $(enddate "$T/file.pem")  $T/file.p7b" "p7 certprobe: the same, from PKCS#7"
run "$CERTPROBE" "$T/tree"
expect_out "44  $(enddate "$T/file.pem")  $T/tree/a.pem" "dir certprobe: a tree in one run: its first certificate"
expect_out "59  $(enddate "$T/www.pem")  $T/tree/sub/b.crt" "dir certprobe: and the one in a subdirectory"
check "dir certprobe: the key and the README are passed over" test "$(count_out key.pem)$(count_out README)" = 00
expect_rc 0 "dir certprobe: nothing due, nothing wrong"

# --- check_ssl_cert (its runs are read at the end)

# --- check_http and check_curl: endpoints only
if want check_http 1; then
    prun "$CHTTP" -C 30,14
    check "pem check_http: no file mode: -C wants a host (exit $rc)" \
        test "$rc" = 3 -a "$(count_all "You must specify a server address or host name")" = 1
fi
if want check_curl 1; then
    prun "$CCURL" -C 30,14
    check "pem check_curl: no file mode: -C wants a host (exit $rc)" \
        test "$rc" = 3 -a "$(count_all "You must specify a server address or host name")" = 1
fi

# --- ssl-cert-check
if want ssl-cert-check 10; then
    prun "$SCC" -n -x 30 -c "$T/file.pem"
    expect_eq "$(scc_days)/$rc" "$FILE_CAL/0" "pem ssl-cert-check: $FILE_CAL calendar days, Valid"
    prun "$SCC" -n -x 30 -c "$T/file.der" -t der
    expect_eq "$(scc_days)/$rc" "$FILE_CAL/0" "der ssl-cert-check: with -t der, the same"
    prun "$SCC" -n -x 30 -c "$T/file.der"
    check "der ssl-cert-check: without -t der, a DER file is an Expired certificate of $(scc_days) days (exit $rc)" \
        test "$(count_out Expired)" = 1 -a "$(scc_days)" -lt -100000 -a "$rc" = 2
    prun "$SCC" -n -x 30 -c "$T/file.p12" -k secret
    expect_eq "$(scc_days)/$rc" "$FILE_CAL/0" "p12 ssl-cert-check: with -k PASSWORD, the same"
    prun "$SCC" -n -x 30 -c "$T/file.p7b"
    check "p7 ssl-cert-check: a PKCS#7 file is an Expired certificate of $(scc_days) days (exit $rc)" \
        test "$(count_out Expired)" = 1 -a "$(scc_days)" -lt -100000 -a "$rc" = 2
    prun "$SCC" -x 30 -d "$T/tree"
    expect_rc 0 "dir ssl-cert-check: without -n, exit 0 whatever it found"
    check "dir ssl-cert-check: -d reads the tree, subdirectories too" \
        test "$(count_re "^FILE:$T/tree/a.pem +Valid .* $FILE_CAL\$")" = 1 -a "$(count_re "^FILE:$T/tree/sub/b.crt +Valid ")" = 1
    check "dir ssl-cert-check: the key and the README are reported as Expired certificates" \
        test "$(count_re "^FILE:$T/tree/(key.pem|README) +Expired ")" = 2
    prun "$SCC" -N -x 30 -d "$T/tree"
    expect_rc 2 "dir ssl-cert-check: -N: a tree with a key in it is CRITICAL"
    expect_out "2 certificate(s) expired" "dir ssl-cert-check: -N: 2 certificate(s) expired"
fi

# --- blackbox: probes over the network only
if want blackbox 1; then
    bb disk "$T/file.pem"
    check "pem blackbox: no file prober: Unknown prober \"file\" (HTTP $code)" \
        test "$code" = 400 -a "$(count_out 'Unknown prober "file"')" = 1
fi

# ============================================================ endpoints

# --- certprobe's check_remote (and check_cert_expiry for Nagios)
W=$(enddate "$T/www.pem")
run "$CHECK_REMOTE" "${V[@]}" --sni www.test https "127.0.0.1:$WEB"
expect_out "HTTPS 127.0.0.1:$WEB [127.0.0.1]: OK notAfter=$W (59 days)" "https certprobe: the leaf, 59 days"
M=$(enddate "$T/mail.pem")
run "$CHECK_REMOTE" "${V[@]}" --sni mail.test smtp "127.0.0.1:$SMTP"
expect_out "SMTP 127.0.0.1:$SMTP [127.0.0.1]: WARNING notAfter=$M (19 days)" "smtp certprobe: STARTTLS, 19 days"
N=$(enddate "$T/news.pem")
run "$CHECK_REMOTE" "${V[@]}" --sni news.test nntp "127.0.0.1:$NNTP"
expect_out "NNTP 127.0.0.1:$NNTP [127.0.0.1]: CRITICAL notAfter=$N (9 days)" "nntp certprobe: STARTTLS, 9 days"
expect_rc 2 "thresholds certprobe: 9 days is CRITICAL (-c 14)"
run "$CHECK_REMOTE" "${V[@]}" --sni news.test nntps "127.0.0.1:$NNTPS"
expect_out "NNTPS 127.0.0.1:$NNTPS [127.0.0.1]: CRITICAL notAfter=$N (9 days)" "nntps certprobe: TLS at once, 9 days"
run "$CHECK_REMOTE" "${V[@]}" --sni short.test https "127.0.0.1:$SHORT"
expect_out "WARNING notAfter=$(enddate "$T/soon.pem") (19 days) for the intermediate certificate" \
    "inter certprobe: the intermediate, due in 19 days, decides (the leaf has 59)"
run "$CHECK_REMOTE" "${V[@]}" --sni www.test --expect "$T/renewed.pem" https "127.0.0.1:$WEB"
expect_out "WARNING notAfter=$W (59 days); serves a different certificate than $T/renewed.pem" \
    "renewal certprobe: --expect: the renewal on disk is not what is served"
run "$CHECK_REMOTE" "${V[@]}" --sni www.test --expect "$T/www.pem" https "127.0.0.1:$WEB"
expect_rc 0 "renewal certprobe: --expect with the served certificate is OK"
run "$CHECK_REMOTE" "${V[@]}" --sni self.test https "127.0.0.1:$SELF"
expect_out "CRITICAL notAfter=$(enddate "$T/self.pem") (59 days); certificate does not verify: self-signed certificate" \
    "untrusted certprobe: CRITICAL, says why, and still reads the date"
if [ ${#NS[@]} -gt 0 ]; then
    run "${NS[@]}" "$CHECK_REMOTE" "${V[@]}" https "dual.test:$DUAL"
    check "dual certprobe: both addresses: ::1 69 days, 127.0.0.1 4 days, CRITICAL" test \
        "$(count_out "[::1]: OK notAfter=$(enddate "$T/dual6.pem") (69 days)")$(count_out "[127.0.0.1]: CRITICAL notAfter=$(enddate "$T/dual4.pem") (4 days)")$rc" = 112
else
    skip "no mount namespace (unshare -m) for a private /etc/hosts"
fi
run "$CHECK_CERT_EXPIRY" "${V[@]}" -H 127.0.0.1 -p "$SMTP" -P smtp --sni mail.test
expect_out "CERT WARNING - SMTP 127.0.0.1:$SMTP [127.0.0.1]: notAfter=$M (19 days) | days_left=19;30:;14:" \
    "nagios certprobe: check_cert_expiry: status line, perfdata"
expect_rc 1 "nagios certprobe: exit status 1 (WARNING)"
run "$CERTPROBE" --format prometheus "${V[@]}" --sni www.test "https://127.0.0.1:$WEB"
check "prometheus certprobe: --format prometheus: the leaf's notAfter" test "$(count_re \
    "^certprobe_cert_not_after_seconds\\{target=\"https://127.0.0.1:$WEB\",address=\"127.0.0.1\",subject=\"CN = www.test\",serial=\"[0-9A-F]+\",position=\"leaf\"\\} $(epoch "$T/www.pem")\$")" = 1
run "$CHECKSSL" DAYS=30 "$T/tree"
check "cron certprobe: checkssl prints nothing when nothing is due (exit $rc)" test -z "$out$err" -a "$rc" = 0
run "$CHECKSSL" DAYS=50 "$T/tree"
expect_out "$T/tree/a.pem: $(enddate "$T/file.pem") (44 days)" "cron certprobe: and lists what is (44 days within 50)"

# --- check_http -C and check_curl -C
for t in check_http check_curl; do
    [ $t = check_http ] && P=$CHTTP || P=$CCURL
    want $t 14 || continue
    prun "$P" -H www.test -I 127.0.0.1 -p "$WEB" --sni -C 60,14
    expect_out "WARNING - Certificate 'www.test' expires in 59 day(s) ($(cdate "$T/www.pem"))." "https $t: 59 day(s)"
    expect_rc 1 "nagios $t: an exit status (1 at -C 60)"
    expect_no_out "|" "nagios $t: no perfdata"
    prun "$P" -H www.test -I 127.0.0.1 -p "$WEB" --sni -C 70,60
    expect_rc 2 "thresholds $t: -C 70,60: 59 days is CRITICAL"
    prun "$P" -H www.test -I 127.0.0.1 -p "$WEB" --sni -C 30,14
    expect_out "OK - Certificate 'www.test' will expire on $(cdate "$T/www.pem")." \
        "renewal $t: OK on the old certificate: nothing to name the renewed one with"
    expect_out "OK - " "cron $t: a line even when nothing is due"
    prun "$P" -H mail.test -I 127.0.0.1 -p "$SMTP" --sni -C 30,14
    check "smtp $t: no STARTTLS: a TLS handshake on the SMTP port fails (exit $rc)" \
        test "$rc" = 2 -a "$(count_all "wrong version number")" -ge 1
    prun "$P" -H news.test -I 127.0.0.1 -p "$NNTP" --sni -C 30,14
    check "nntp $t: no STARTTLS: a TLS handshake on the NNTP port fails (exit $rc)" \
        test "$rc" = 2 -a "$(count_all "wrong version number")" -ge 1
    prun "$P" -H news.test -I 127.0.0.1 -p "$NNTPS" --sni -C 30,14
    if [ $t = check_http ]; then
        expect_out "CRITICAL - Certificate 'news.test' expires in 9 day(s) ($(cdate "$T/news.pem"))." "nntps $t: TLS at once: 9 day(s)"
    else
        check "nntps $t: TLS at once, but it wants an HTTP answer: no date (exit $rc)" \
            test "$rc" = 2 -a "$(count_out "Received HTTP/0.9 when not allowed")" = 1
    fi
    prun "$P" -H short.test -I 127.0.0.1 -p "$SHORT" --sni -C 30,14
    expect_out "OK - Certificate 'short.test' will expire on $(cdate "$T/short.pem")." \
        "inter $t: OK, the leaf's date: the intermediate due in 19 days is not looked at"
    prun "$P" -H self.test -I 127.0.0.1 -p "$SELF" --sni -C 30,14
    expect_out "OK - Certificate 'self.test' will expire on $(cdate "$T/self.pem")." \
        "untrusted $t: OK: a self-signed certificate is not verified"
    if [ ${#NS[@]} -gt 0 ]; then
        prun "${NS[@]}" "$P" -H dual.test -p "$DUAL" --sni -C 30,14
        check "dual $t: one address: OK, ::1's 69 days; 127.0.0.1 serves one due in 4 days (exit $rc)" \
            test "$(count_out "OK - Certificate 'dual.test' will expire on $(cdate "$T/dual6.pem").")$rc" = 10
    else
        skip "no mount namespace (unshare -m) for a private /etc/hosts"
    fi
    prun "$P" --prometheus
    check "prometheus $t: no such output: unrecognized option (exit $rc)" \
        test "$rc" = 3 -a "$(count_all "unrecognized option '--prometheus'")" = 1
    if [ $t = check_curl ]; then
        prun "$P" -H self.test -I 127.0.0.1 -p "$SELF" --sni -C 30,14 -D --ca-cert "$CA"
        check "untrusted $t: -D verifies: CRITICAL self-signed, and no date (exit $rc)" \
            test "$rc" = 2 -a "$(count_out "self-signed certificate")" = 1 -a "$(count_out "expire")" = 0
    else
        prun "$P" -H www.test -I 127.0.0.1 -p "$WEB" --sni -C 30,14 -D
        check "untrusted $t: has no -D to verify with (exit $rc)" \
            test "$rc" = 3 -a "$(count_all "invalid option -- 'D'")" = 1
    fi
done

# --- ssl-cert-check: the host it connects to is the SNI it sends
if want ssl-cert-check 13; then
    prun "$SCC" -n -x 70 -s 127.0.0.1 -p "$WEB"
    expect_eq "$(scc_days)/$rc" "$(caldays "$(epoch "$T/www.pem")")/1" "https ssl-cert-check: $(caldays "$(epoch "$T/www.pem")") calendar days (WARNING at -x 70)"
    check "nagios ssl-cert-check: -n: perfdata |days=N, and an exit status (1)" test "$(count_out "|days=")/$rc" = 1/1
    prun "$SCC" -n -x 30 -s 127.0.0.1 -p "$SMTP"
    check "smtp ssl-cert-check: on a port other than 25/587, no STARTTLS: Expired, $(scc_days) days (exit $rc)" \
        test "$(count_out Expired)" = 1 -a "$(scc_days)" -lt -100000 -a "$rc" = 2
    prun "$SCC" -n -x 30 -s 127.0.0.1 -p "$NNTP"
    check "nntp ssl-cert-check: on a port other than 119, no STARTTLS: Expired, $(scc_days) days (exit $rc)" \
        test "$(count_out Expired)" = 1 -a "$(scc_days)" -lt -100000 -a "$rc" = 2
    NCAL=$(caldays "$(epoch "$T/news.pem")")
    prun "$SCC" -n -x 30 -s 127.0.0.1 -p "$NNTPS"
    expect_eq "$(scc_days)/$rc" "$NCAL/1" "nntps ssl-cert-check: TLS at once: $NCAL calendar days"
    expect_eq "$rc" 1 "thresholds ssl-cert-check: one threshold (-x): $NCAL days left is only a WARNING"
    prun "$SCC" -n -x 30 -s 127.0.0.1 -p "$SHORT"
    expect_eq "$(scc_days)/$rc" "$(caldays "$(epoch "$T/short.pem")")/0" \
        "inter ssl-cert-check: Valid, the leaf's days: the intermediate due in 19 days is not looked at"
    prun "$SCC" -n -x 30 -s 127.0.0.1 -p "$SELF"
    expect_eq "$(count_out Valid)/$rc" "1/0" "untrusted ssl-cert-check: Valid: a self-signed certificate is not verified"
    prun "$SCC" -n -x 30 -s 127.0.0.1 -p "$WEB"
    expect_eq "$(scc_days)/$rc" "$(caldays "$(epoch "$T/www.pem")")/0" \
        "renewal ssl-cert-check: Valid, the old certificate's days: nothing to name the renewed one with"
    if [ ${#NS[@]} -gt 0 ]; then
        prun "${NS[@]}" "$SCC" -n -x 30 -s dual.test -p "$DUAL"
        expect_eq "$(scc_days)/$rc" "$(caldays "$(epoch "$T/dual6.pem")")/0" \
            "dual ssl-cert-check: one address: Valid, ::1's days; 127.0.0.1 serves one due in 4 days"
    else
        skip "no mount namespace (unshare -m) for a private /etc/hosts"
    fi
    prun "$SCC" -x 30 -c "$T/file.pem"
    check "cron ssl-cert-check: a table when nothing is due" test "$(count_out "Valid")" = 1 -a "$(count_out "Host")" = 1
    prun "$SCC" -q -x 50 -c "$T/file.pem"
    # (-a mails instead: it needs a local mail command, not tried here)
    check "cron ssl-cert-check: -q: nothing at all, even with 44 days within -x 50 (exit $rc)" test -z "$out$err" -a "$rc" = 0
    prun "$SCC" -h
    expect_no_out "rometheus" "prometheus ssl-cert-check: no such output in its options"
fi

# --- blackbox_exporter
if want blackbox 13; then
    bb www "127.0.0.1:$WEB"
    expect_eq "$(metric probe_ssl_earliest_cert_expiry)/$(metric probe_success)" "$(epoch "$T/www.pem")/1" \
        "https blackbox: probe_ssl_earliest_cert_expiry is the leaf's notAfter (59 days)"
    expect_out "probe_ssl_earliest_cert_expiry" "prometheus blackbox: metrics, for Prometheus to scrape"
    check "renewal blackbox: the served leaf's SHA-256 is a label (the old one's): an alert rule can compare it" \
        test "$(count_out "fingerprint_sha256=\"$SHA256_WWW\"")$(count_out "$SHA256_NEW")" = 10
    bb smtp "127.0.0.1:$SMTP"
    expect_eq "$(metric probe_ssl_earliest_cert_expiry)/$(metric probe_success)" "$(epoch "$T/mail.pem")/1" \
        "smtp blackbox: STARTTLS, as query_response written for it: 19 days"
    bb nntp "127.0.0.1:$NNTP"
    expect_eq "$(metric probe_ssl_earliest_cert_expiry)/$(metric probe_success)" "$(epoch "$T/news.pem")/1" \
        "nntp blackbox: STARTTLS, as query_response written for it: 9 days"
    bb news "127.0.0.1:$NNTPS"
    expect_eq "$(metric probe_ssl_earliest_cert_expiry)/$(metric probe_success)" "$(epoch "$T/news.pem")/1" \
        "nntps blackbox: TLS at once: 9 days"
    check "thresholds blackbox: 9 days left is still probe_success 1: the days are an alert rule's" \
        test "$(metric probe_success)" = 1
    bb short "127.0.0.1:$SHORT"
    expect_eq "$(metric probe_ssl_earliest_cert_expiry)" "$(epoch "$T/soon.pem")" \
        "inter blackbox: probe_ssl_earliest_cert_expiry is the intermediate's (19 days)"
    bb self "127.0.0.1:$SELF"
    expect_eq "$(metric probe_success)" 0 "untrusted blackbox: probe_success 0"
    expect_no_out "probe_ssl_earliest_cert_expiry" "untrusted blackbox: and no date at all"
    check "nagios blackbox: a failed probe is still HTTP 200: no exit status" test "$code" = 200
    check "cron blackbox: a server, still running after the probes: nothing that runs once" _daemons_alive "$BBSID"
    if [ ${#NS[@]} -gt 0 ]; then
        bb dual "dual.test:$DUAL"
        expect_eq "$(metric probe_ssl_earliest_cert_expiry)/$(metric probe_success)" "$(epoch "$T/dual6.pem")/1" \
            "dual blackbox: one address: ::1's 69 days; 127.0.0.1 serves one due in 4 days"
    else
        skip "no mount namespace (unshare -m) for a private /etc/hosts"
    fi
fi

# --- ssl-cert-check on the standard ports (the network namespace)
if want ssl-cert-check 3; then
    if [ -n "$NETNS" ]; then
        wait "$NETNS"
        nsrc=$?
        got scc_port25
        expect_eq "$(scc_days)/$rc" "$(caldays "$(epoch "$T/mail.pem")")/1" \
            "smtp ssl-cert-check: on port 25, STARTTLS: $(caldays "$(epoch "$T/mail.pem")") calendar days"
        got scc_port587
        expect_eq "$(scc_days)/$rc" "$(caldays "$(epoch "$T/mail.pem")")/1" \
            "smtp ssl-cert-check: on port 587, STARTTLS: $(caldays "$(epoch "$T/mail.pem")") calendar days"
        got scc_port119
        expect_eq "$(scc_days)/$rc" "$NCAL/1" "nntp ssl-cert-check: on port 119, STARTTLS: $NCAL calendar days"
        [ "$nsrc" = 0 ] || sed 's/^/# netns: /' "$R/netns.out"
    else
        for i in 1 2 3; do skip "no network namespace (unshare -n, ip) for the standard ports"; done
    fi
fi

# --- check_ssl_cert, from the lanes
if want check_ssl_cert 24; then
    wait "$LANE1" "$LANE2"
    got csc_pem
    expect_out "SSL_CERT OK - " "pem check_ssl_cert: OK"
    expect_out "x509 certificate 'file.test' from 'Peer Root' valid until $(enddate "$T/file.pem") (expires in 44 days)" "pem check_ssl_cert: the date, 44 days"
    expect_out "|days_chain_elem1=44;30;14;;" "pem check_ssl_cert: 44 days in the perfdata"
    check "dir check_ssl_cert: of -f A -f B only B is checked (A, expired, is not reported: exit $rc)" \
        test "$rc" = 0 -a "$(count_out expired)" = 0
    expect_out "OK - " "cron check_ssl_cert: a line even when nothing is due"
    got csc_der
    check "der check_ssl_cert: 44 days (exit $rc)" test "$rc" = 0 -a "$(count_out "|days_chain_elem1=44;30;14;;")" = 1
    got csc_p12
    check "p12 check_ssl_cert: with --password, 44 days (exit $rc)" test "$rc" = 0 -a "$(count_out "|days_chain_elem1=44;30;14;;")" = 1
    got csc_p7
    check "p7 check_ssl_cert: a PKCS#7 file: Cannot read certificate file (exit $rc)" \
        test "$rc" = 2 -a "$(count_out "Cannot read certificate file")" = 1
    got csc_dir
    check "dir check_ssl_cert: a directory: Cannot read certificate file (exit $rc)" \
        test "$rc" = 2 -a "$(count_out "Cannot read certificate file")" = 1
    got csc_www
    expect_out 'cert_days_chain_elem{cn="www.test", element="1"} 59' "https check_ssl_cert: the leaf, 59 days"
    expect_out 'cert_days_chain_elem{cn="www.test", element="2"} 399' "prometheus check_ssl_cert: --prometheus: days a chain element"
    expect_rc 0 "renewal check_ssl_cert: --fingerprint of the served certificate: OK"
    got csc_renewal
    expect_out "invalid SHA1 Fingerprint" "renewal check_ssl_cert: --fingerprint of the renewal on disk: the served one does not match"
    expect_rc 2 "renewal check_ssl_cert: CRITICAL"
    got csc_smtp
    expect_out "SSL_CERT WARN mail.test: x509 certificate element 1 (mail.test) will expire in 19 day(s)" "smtp check_ssl_cert: -P smtp: STARTTLS, 19 days"
    expect_out "|days_chain_elem1=19;30;14;; days_chain_elem2=399;30;14;;" "nagios check_ssl_cert: perfdata, days a chain element"
    expect_rc 1 "nagios check_ssl_cert: exit status 1 (WARNING)"
    got csc_nntp
    check "nntp check_ssl_cert: -P nntp: unsupported protocol (exit $rc)" \
        test "$rc" = 3 -a "$(count_out "unsupported protocol nntp")" = 1
    got csc_nntps
    expect_out "will expire in 9 day(s)" "nntps check_ssl_cert: TLS at once (as https): 9 days"
    expect_rc 2 "thresholds check_ssl_cert: 9 days is CRITICAL (-c 14)"
    got csc_short
    expect_out "x509 certificate element 2 (soon) will expire in 19 day(s)" "inter check_ssl_cert: the intermediate, due in 19 days, is named"
    expect_rc 1 "inter check_ssl_cert: WARNING"
    got csc_self
    check "untrusted check_ssl_cert: CRITICAL, self signed, and the date (exit $rc)" \
        test "$rc" = 2 -a "$(count_out "Cannot verify certificate, self signed certificate")$(count_out "days_chain_elem1=59;")" = 11
    if [ ${#NS[@]} -gt 0 ]; then
        got csc_dual
        check "dual check_ssl_cert: one address: OK, ::1's 69 days; 127.0.0.1 serves one due in 4 days (exit $rc)" \
            test "$rc" = 0 -a "$(count_out "(expires in 69 days)")" = 1
    else
        skip "no mount namespace (unshare -m) for a private /etc/hosts"
    fi
fi

done_testing

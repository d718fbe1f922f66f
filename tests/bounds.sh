#!/bin/bash
# The probe's resource bounds, each run once under tests/tools/runstat
# (wall time and peak RSS), its figures printed as "# bounds: ..." lines:
#  1. 10,000 tls:// endpoints of one nginx (100 ports, each target named
#     apart) at --jobs 256 under `ulimit -n 1024`, and 2,000 at --jobs
#     1024, the most it takes: every result reported, none failing for
#     want of a descriptor; memory at 1,000 and 10,000;
#  2. servers (tests/tools/miniserver) sending a chain of 200 certificates,
#     a 90,000-byte certificate and a 100 KiB one: certprobe and
#     check_remote end within the timeout with the leaf's notAfter as
#     openssl reads it, or refuse with a reason that names the limit;
#  3. a configuration of 100,000 lines (file targets, comments, set lines,
#     a few errors): --check-config and a run, every error at its
#     file:line; memory at 10,000 and 100,000 lines;
#  4. a tree of 100,000 files (certificates, READMEs, links to
#     certificates) under checkssl DAYS=30 and certprobe, the counts as
#     the generator says; memory at 10,000 and 100,000 files.
# Memory is "bounded" when the peak stays under a stated ceiling at the
# largest size and what each more item costs stays under a stated figure.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
# Figures of time and memory mean nothing under AddressSanitizer, which
# multiplies both: the plain build (CI's first pass) runs this.
if sanitized_build; then
    echo "1..0 # SKIP a sanitizer build: its time and memory are not the probe's"
    exit 0
fi
. "$top_srcdir/tests/daemons.sh"
daemons_trap

MINI=$top_builddir/tests/tools/miniserver
MINIPIDS=
stop_minis() { for p in $MINIPIDS; do kill "$p" 2>/dev/null; done; MINIPIDS=; }
# The miniservers stopped first, then what daemons_trap does.
prev=$(trap -p EXIT)
prev=${prev#"trap -- "}
prev=${prev%" EXIT"}
eval "prev=${prev:-''}"
# shellcheck disable=SC2064 # the previous trap is expanded now, on purpose
trap "if [ \"\$BASHPID\" = \"\$\$\" ]; then stop_minis; fi
$prev" EXIT

DAY=86400
NOW=$(date +%s)
T0=$(date +%s%N)

# measure COMMAND...: runs COMMAND once under runstat (at most 300 s),
# stdin from /dev/null, its stdout in $T/m.out and stderr in $T/m.err;
# sets rc (COMMAND's exit status), secs (wall time) and kib (peak RSS,
# KiB). With NOFILE set, under `ulimit -n $NOFILE` (soft and hard).
measure() {
    local last stat
    (
        if [ -n "${NOFILE:-}" ]; then ulimit -n "$NOFILE" || exit 99; fi
        exec timeout 300 "$RUNSTAT" -n 1 -w 0 -v -- "$@"
    ) >"$T/m.all" 2>"$T/m.err" </dev/null
    # runstat's line comes last, after COMMAND's own output.
    last=$(tail -n 1 "$T/m.all")
    case $last in
        *min_s=*)
            sed '$d' "$T/m.all" >"$T/m.out"
            printf '%s' "${last%%min_s=*}" >>"$T/m.out"
            stat=min_s=${last#*min_s=}
            secs=$(echo "$stat" | sed 's/.*min_s=\([0-9.]*\).*/\1/')
            kib=$(echo "$stat" | sed 's/.*max_rss_kib=\([0-9]*\).*/\1/')
            rc=$(echo "$stat" | sed 's/.*exit=\([0-9]*\).*/\1/')
            ;;
        *)
            mv "$T/m.all" "$T/m.out"
            secs=300 kib=0 rc=timeout
            ;;
    esac
}
# Shows the start of the last measured output.
mshow() {
    head -c 3000 "$T/m.out" | head -n 20 | sed 's/^/#   out: /'
    head -n 10 "$T/m.err" | sed 's/^/#   err: /'
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# per_item KIB_SMALL KIB_BIG N_SMALL N_BIG: what each more item cost, in
# bytes (0 when memory did not grow).
per_item() { awk -v a="$1" -v b="$2" -v m="$3" -v n="$4" \
    'BEGIN { d = (b - a) * 1024 / (n - m); printf "%d", d < 0 ? 0 : d }'; }
# at_most VALUE LIMIT: numerically.
at_most() { awk -v v="$1" -v l="$2" 'BEGIN { exit !(v + 0 <= l + 0) }'; }
# rfc3339 "Mon DD HH:MM:SS YYYY GMT": as the JSON writes it.
rfc3339() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
# mini MODE ARG...: a miniserver serving --cert/--key as given; its port
# in $port.
n_mini=0
mini() {
    n_mini=$((n_mini + 1))
    local pf=$T/mini.port.$n_mini i
    "$MINI" -p 0 --port-file "$pf" --log "$T/mini.log" "$@" &
    MINIPIDS="$MINIPIDS $!"
    for ((i = 0; i < 100; i++)); do [ -s "$pf" ] && break; sleep 0.05; done
    port=$(cat "$pf" 2>/dev/null) || { echo "Bail out! miniserver $*"; exit 1; }
}

"$MKCERT" -o "$T/ca.pem" -k "$T/ca.key" -s "/CN=Bounds Root" --ca \
    --not-after @$((NOW + 400 * DAY)) || { echo "Bail out! mkcert"; exit 1; }

# ------------------------------------------------- 1. 10,000 endpoints
if daemons_available nginx; then
    mkcert -o "$T/web.pem" -s /CN=bounds.test --san DNS:bounds.test \
        --ca-key "$T/ca.key" --ca-cert "$T/ca.pem" --not-after @$((NOW + 60 * DAY))
    cat "$T/web.pem" "$T/ca.pem" >"$T/web.chain"
    mapfile -t PORTS < <(daemons_ports 100)
    [ ${#PORTS[@]} = 100 ] || { echo "Bail out! freeport"; exit 1; }
    nginx_start_many "$T/nginx" "$T/web.chain" "$KEY" "${PORTS[@]}" ||
        { echo "Bail out! nginx"; exit 1; }
    # endpoints N FILE: N checks, one address each, round the 100 ports.
    endpoints() {
        local i
        {
            echo "set cafile=$T/ca.pem sni=bounds.test"
            for ((i = 0; i < $1; i++)); do
                echo "tls://127.0.0.1:${PORTS[i % 100]} name=n$i"
            done
        } >"$2"
    }
    # endpoint_run N JOBS: every one of N results reported OK, none for
    # want of a descriptor.
    endpoint_run() {
        local n=$1 jobs=$2 what="$1 endpoints at --jobs $2, ulimit -n 1024"
        endpoints "$n" "$T/ep$n.conf"
        NOFILE=1024 measure "$CERTPROBE" -C "$T/ep$n.conf" --jobs "$jobs" -t 20 --format json
        if [ "$rc" = 0 ]; then ok "$what: exit 0"; else
            not_ok "$what: exit $rc, wanted 0 (all OK)"; mshow; fi
        got=$(grep -c '^{"target": "tls://127.0.0.1:' "$T/m.out")
        names=$(grep -o '"name": "n[0-9]*"' "$T/m.out" | sort -u | wc -l)
        oks=$(grep -c '"state": "OK", "error": null, "certificates": \[{"subject": "CN = bounds.test"' "$T/m.out")
        check "$what: all $n results reported ($got, $names names), each OK ($oks)" \
            test "$got" = "$n" -a "$names" = "$n" -a "$oks" = "$n"
        emfile=$(cat "$T/m.out" "$T/m.err" | grep -ciE 'too many open files|emfile|descriptor')
        check "$what: no result mentions 'Too many open files', EMFILE or descriptors ($emfile)" \
            test "$emfile" = 0
    }
    endpoint_run 1000 256
    s1=$secs k1=$kib
    endpoint_run 10000 256
    s2=$secs k2=$kib
    grow=$(per_item "$k1" "$k2" 1000 10000)
    echo "# bounds: endpoints at --jobs 256, ulimit -n 1024: 1,000 in $s1 s, peak RSS $(mib "$k1") MiB; 10,000 in $s2 s, peak RSS $(mib "$k2") MiB ($grow bytes a result more)"
    check "10000 endpoints: peak RSS $(mib "$k2") MiB, at most 128 MiB" at_most "$k2" $((128 * 1024))
    check "endpoints: each result more costs $grow bytes, at most 8 KiB" at_most "$grow" 8192
    endpoint_run 2000 1024
    echo "# bounds: endpoints at --jobs 1024 (the most), ulimit -n 1024: 2,000 in $secs s, peak RSS $(mib "$kib") MiB"
    check "2000 endpoints at --jobs 1024: peak RSS $(mib "$kib") MiB, at most 256 MiB" \
        at_most "$kib" $((256 * 1024))
    daemons_stop "$T/nginx"
else
    skip "10,000 endpoints: $daemons_why"
fi

# ------------------------------------- 2. 200 certificates, 100 KiB one
# A chain of 199 intermediates under the root, each outliving the leaf,
# so that the leaf's date decides: the server sends 200 certificates.
prev=ca
for ((i = 1; i < 200; i++)); do
    "$MKCERT" -o "$T/i$i.pem" -k "$T/i$i.key" -s "/CN=Bounds Intermediate $i" --ca \
        --ca-key "$T/$prev.key" --ca-cert "$T/$prev.pem" \
        --not-after @$((NOW + (400 - i) * DAY)) || { echo "Bail out! mkcert"; exit 1; }
    prev=i$i
done
mkcert -o "$T/deep.pem" -s /CN=deep.test --san DNS:deep.test \
    --ca-key "$T/$prev.key" --ca-cert "$T/$prev.pem" --not-after @$((NOW + 60 * DAY))
{
    cat "$T/deep.pem"
    for ((i = 199; i > 0; i--)); do cat "$T/i$i.pem"; done
} >"$T/deep.chain"
# Certificates of about 90,000 and 100 KiB (102,400 bytes) of DER: a
# subjectAltName of thousands of names.
bigcert() {
    local name=$1 bytes=$2 n san der
    n=$(((bytes - 1000) / 23))
    while :; do
        san=DNS:$name.test,$(seq -f "DNS:host-%05g.$name.test" 0 "$n" | paste -sd,)
        mkcert -o "$T/$name.pem" -s "/CN=$name.test" --san "$san" --ca-key "$T/ca.key" \
            --ca-cert "$T/ca.pem" --not-after @$((NOW + 45 * DAY))
        der=$(openssl x509 -in "$T/$name.pem" -outform DER | wc -c)
        [ "$der" -ge "$bytes" ] && break
        n=$((n + (bytes - der) / 22 + 1))
    done
    cat "$T/$name.pem" "$T/ca.pem" >"$T/$name.chain"
    eval "${name}_der=$der"
}
bigcert large 90000
bigcert huge 102400

# served NAME DESCRIPTION: certprobe (JSON) and check_remote -v against a
# miniserver serving NAME.chain, a 5 s timeout. Either the leaf's notAfter
# as openssl reads it and the expected exit (0, or 2 where verification
# refuses with a reason matching VERIFY_REASON), or a refusal whose reason
# matches REFUSE_REASON (the limit); says which happened.
served() {
    local name=$1 label=$2 end iso leafline err what
    end=$(enddate "$T/$name.pem")
    iso=$(rfc3339 "$end")
    mini --cert "$T/$name.chain" --key "$KEY" tls
    measure "$CERTPROBE" -t 5 --cafile "$T/ca.pem" --sni "$name.test" --format json \
        "tls://127.0.0.1:$port"
    check "$label: certprobe ends within the 5 s timeout ($secs s)" at_most "$secs" 6
    err=$(grep -o '"error": "[^"]*"' "$T/m.out" | head -n 1 | sed 's/^"error": "//; s/"$//')
    ncert=$(grep -o '"position": "[a-z]*"' "$T/m.out" | wc -l)
    leafline=$(grep -o '"not_after": "[^"]*", "days_left": [-0-9]*, "position": "leaf"' "$T/m.out")
    case "$rc:$leafline" in
        0:*"\"$iso\""*)
            what="read: leaf notAfter $iso, exit 0"
            ok "$label: certprobe $what"
            ;;
        2:*"\"$iso\""*)
            what="read, verification refused: $err"
            if [ -n "${VERIFY_REASON:-}" ] && echo "$err" | grep -qiE "$VERIFY_REASON"; then
                ok "$label: certprobe reads the leaf ($iso) and says why it does not verify (exit 2): $err"
            else
                not_ok "$label: certprobe exit 2 with an unexpected reason: $err"; mshow
            fi
            ;;
        2:)
            what="refused: $err"
            if [ -n "${REFUSE_REASON:-}" ] && echo "$err" | grep -qiE "$REFUSE_REASON"; then
                ok "$label: certprobe refuses it, naming the limit: $err"
            else
                not_ok "$label: certprobe refuses it (exit 2) without naming the limit: $err"
                echo "# wanted: the leaf's notAfter $iso, or a reason matching /${REFUSE_REASON:-}/"
            fi
            ;;
        *)
            what="exit $rc"
            not_ok "$label: certprobe exit $rc, leaf '$leafline', wanted notAfter $iso"; mshow
            ;;
    esac
    echo "# bounds: $label: certprobe $secs s, peak RSS $(mib "$kib") MiB, $ncert certificates reported; $what"
    check "$label: certprobe peak RSS $(mib "$kib") MiB, at most 64 MiB" at_most "$kib" $((64 * 1024))
    c_rc=$rc

    measure "$CHECK_REMOTE" -v -t 5 --cafile "$T/ca.pem" --sni "$name.test" tls "127.0.0.1:$port"
    check "$label: check_remote ends within the 5 s timeout ($secs s)" at_most "$secs" 6
    check "$label: check_remote exits as certprobe does ($rc)" test "$rc" = "$c_rc"
    line=$(head -n 1 "$T/m.out")
    case "$c_rc:$line" in
        [02]:"TLS 127.0.0.1:$port [127.0.0.1]: "*" notAfter=$end ("*)
            check "$label: check_remote -v lists the leaf first, with its notAfter" \
                grep -qF "  0 leaf: notAfter=$end (" "$T/m.out"
            listed=$(grep -c '^  [0-9]* [a-z]*: notAfter=' "$T/m.out")
            what="$listed certificates listed"
            ;;
        2:"TLS 127.0.0.1:$port [127.0.0.1]: CRITICAL "*)
            what="refused: ${line#*CRITICAL }"
            check "$label: check_remote gives certprobe's reason" test "${line#*CRITICAL }" = "$err"
            ;;
        *)
            what="exit $rc"
            not_ok "$label: check_remote's line: $line"; mshow
            ;;
    esac
    echo "# bounds: $label: check_remote $secs s, peak RSS $(mib "$kib") MiB; $what"
    check "$label: check_remote peak RSS $(mib "$kib") MiB, at most 64 MiB" at_most "$kib" $((64 * 1024))
}
listed=0 ncert=0
VERIFY_REASON='chain too long' REFUSE_REASON='chain.*(200|100|limit)' \
    served deep "a chain of 200 certificates ($(wc -c <"$T/deep.chain") bytes of PEM)"
check "a chain of 200 certificates: certprobe reports all 200 ($ncert), check_remote -v lists all 200 ($listed)" \
    test "$ncert" = 200 -a "$listed" = 200
REFUSE_REASON='certificate.*([0-9]+ ?(KiB|kB|bytes)|limit)' \
    served large "a certificate of $large_der bytes"
REFUSE_REASON='certificate.*([0-9]+ ?(KiB|kB|bytes)|limit)' \
    served huge "a certificate of $huge_der bytes (100 KiB)"
stop_minis

# ------------------------------------ 3. a configuration of 100,000 lines
# Five certificate files, 20 to 100 days left: the first is WARNING under
# every set line's warn (20 to 26), the others OK.
for i in 1 2 3 4 5; do
    mkcert -o "$T/f$i.pem" -s "/CN=f$i.test" --not-after @$((NOW + i * 20 * DAY))
done
# config N FILE: N lines, by line number L: an error every 10,000th line
# (at L = 5, 10005, ...: an unknown option, a bad threshold, an unknown
# set option in turn), else by L mod 10 a comment (1), a set line (2), a
# blank line (3) or a file target (the rest). Writes FILE.expect: "files
# warning errors error-line...".
config() {
    awk -v n="$1" -v dir="$T" 'BEGIN {
        for (l = 1; l <= n; l++) {
            if (l % 10000 == 5) {
                k = int(l / 10000) % 3
                if (k == 0) print dir "/f1.pem name=e" l " wran=3"
                else if (k == 1) print dir "/f2.pem name=e" l " warn=abc"
                else print "set jbos=4"
                errs = errs " " l; ne++
            } else if (l % 10 == 1) print "# comment " l
            else if (l % 10 == 2) print "set warn=" (20 + l % 7) " crit=7"
            else if (l % 10 == 3) print ""
            else {
                f = 1 + l % 5
                print dir "/f" f ".pem name=c" l
                files++
                if (f == 1) warn++
            }
        }
        print files, warn, ne errs >(dir "/expect.tmp")
    }' >"$2" && mv "$T/expect.tmp" "$2.expect"
}
# config_run N: --check-config and a run over N lines; sets ck_* and run_*.
config_run() {
    local n=$1 conf=$T/big$1.conf files warn ne errs l missing pl
    config "$n" "$conf"
    read -r files warn ne errs <"$conf.expect"
    check "$n-line configuration written ($(wc -l <"$conf") lines)" test "$(wc -l <"$conf")" = "$n"

    measure "$CERTPROBE" --check-config -C "$conf"
    ck_secs=$secs ck_kib=$kib
    check "$n lines, --check-config: exit 3 (errors) within the timeout" test "$rc" = 3
    pl=$([ "$ne" = 1 ] || echo s)
    check "$n lines, --check-config: 'certprobe: $ne error$pl; $files valid checks would run'" \
        grep -qxF "certprobe: $ne error$pl; $files valid checks would run" "$T/m.out"
    missing=
    for l in $errs; do
        grep -q "^certprobe: $conf:$l: " "$T/m.err" || missing="$missing $l"
    done
    check "$n lines, --check-config: each of the $ne errors at its $conf:LINE (missing:${missing:- none})" \
        test -z "$missing" -a "$(grep -c "^certprobe: $conf:[0-9]*: " "$T/m.err")" = "$ne"
    [ -z "$missing" ] || mshow

    measure "$CERTPROBE" -C "$conf"
    run_secs=$secs run_kib=$kib
    check "$n lines, a run: exit 1 (WARNING the worst) within the timeout ($rc)" test "$rc" = 1
    check "$n lines, a run: the summary counts every check" grep -qxF \
        "WARNING: 0 critical, $warn warning, 0 unknown, $((files - warn)) ok of $files certificates; $ne check$pl failed" \
        "$T/m.out"
    missing=
    for l in $errs; do
        grep -q "^UNKNOWN  .*  $conf:$l  " "$T/m.out" || missing="$missing $l"
    done
    check "$n lines, a run: each error an UNKNOWN row at its $conf:LINE (missing:${missing:- none})" \
        test -z "$missing"
    [ -z "$missing" ] || mshow
    echo "# bounds: a configuration of $n lines ($files file targets, $ne error$pl): --check-config $ck_secs s, peak RSS $(mib "$ck_kib") MiB; a run $run_secs s, peak RSS $(mib "$run_kib") MiB"
}
config_run 10000
cks1=$ck_kib runs1=$run_kib
config_run 100000
g1=$(per_item "$cks1" "$ck_kib" 10000 100000)
g2=$(per_item "$runs1" "$run_kib" 10000 100000)
echo "# bounds: configuration, each line more costs $g1 bytes (--check-config), $g2 bytes (a run)"
check "100000 lines: peak RSS $(mib "$ck_kib") MiB (--check-config), $(mib "$run_kib") MiB (a run), at most 128 MiB" \
    at_most "$run_kib" $((128 * 1024))
check "configuration: each line more costs at most 2 KiB ($g1, $g2 bytes)" \
    at_most "$((g1 > g2 ? g1 : g2))" 2048

# ---------------------------------------------- 4. a tree of 100,000 files
# tree N: $T/treeN holds N files: 80% certificates (mkcert --bulk, each
# DIR/cNNNNN/cert.pem, one shared DIR/key.pem), 10% less one README (no
# certificate: passed over) and 10% links link.pem -> cert.pem (a
# certificate again, by another name). Writes $T/treeN.expect: "certs due
# crit warn ok": what checkssl DAYS=30 and certprobe (warn 30, crit 14)
# must count at the bulk's NOW.
TNOW=$NOW
tree() {
    local n=$1 dir=$T/tree$1 b r l
    b=$((n * 8 / 10)) r=$((n / 10 - 1)) l=$((n / 10))
    "$MKCERT" --bulk "$b" --dir "$dir" --now "$TNOW" >"$dir.list" ||
        { echo "Bail out! mkcert --bulk"; exit 1; }
    perl -e 'my ($d, $r, $l) = @ARGV;
        for my $i (0 .. $r - 1) {
            open(my $f, ">", sprintf("%s/c%05d/README", $d, $i)) or die "$!";
            print $f "This directory holds a certificate.\n"; close($f) or die "$!";
        }
        for my $i ($r .. $r + $l - 1) {
            symlink("cert.pem", sprintf("%s/c%05d/link.pem", $d, $i)) or die "$!";
        }' "$dir" "$r" "$l" || { echo "Bail out! tree $n"; exit 1; }
    awk -v now="$TNOW" -v r="$r" -v l="$l" '{
            k = split($1, p, "/"); i = substr(p[k - 1], 2) + 0
            w = (i >= r && i < r + l) ? 2 : 1
            certs += w
            if ($2 < now + 14 * 86400) crit += w
            else if ($2 < now + 30 * 86400) warn += w
            else okk += w
        } END { print certs, crit + warn, crit, warn, okk }' "$dir.list" >"$dir.expect"
}
tree_run() {
    local n=$1 dir=$T/tree$1 files certs due crit warn okk got
    tree "$n"
    files=$(find "$dir" \( -type f -o -type l \) | wc -l)
    check "a tree of $n files ($files)" test "$files" = "$n"
    read -r certs due crit warn okk <"$dir.expect"

    measure "$CHECKSSL" --now "@$TNOW" DAYS=30 "$dir"
    cs_secs=$secs cs_kib=$kib
    check "tree of $n: checkssl DAYS=30 exits 2 (CRITICAL) within the timeout ($rc)" test "$rc" = 2
    got=$(grep -c '/c[0-9]*/\(cert\|link\)\.pem: .* GMT (.*)$' "$T/m.out")
    check "tree of $n: checkssl lists the $due certificates due within 30 days ($got)" test "$got" = "$due"
    check "tree of $n: checkssl has nothing it could not check" \
        test -z "$(grep -e 'Could not check' "$T/m.out")" -a ! -s "$T/m.err"

    measure "$CERTPROBE" --now "@$TNOW" "$dir"
    cp_secs=$secs cp_kib=$kib
    check "tree of $n: certprobe exits 2 (CRITICAL) within the timeout ($rc)" test "$rc" = 2
    if grep -qxF "CRITICAL: $crit critical, $warn warning, 0 unknown, $okk ok of $certs certificates; 0 checks failed" \
        "$T/m.out"; then
        ok "tree of $n: certprobe counts $certs certificates: $crit critical, $warn warning, $okk ok"
    else
        not_ok "tree of $n: certprobe counts $certs certificates: $crit critical, $warn warning, $okk ok"
        tail -n 1 "$T/m.out" | sed 's/^/#   out: /'
    fi
    got=$(grep -c "^[A-Z]* .* $dir/c[0-9]*/\(cert\|link\)\.pem  " "$T/m.out")
    check "tree of $n: certprobe prints a row for each of the $certs ($got)" test "$got" = "$certs"
    echo "# bounds: a tree of $n files ($certs certificates, $due due): checkssl DAYS=30 $cs_secs s, peak RSS $(mib "$cs_kib") MiB; certprobe $cp_secs s, peak RSS $(mib "$cp_kib") MiB"
    rm -rf "$dir"
}
tree_run 10000
cs1=$cs_kib cp1=$cp_kib
tree_run 100000
g1=$(per_item "$cs1" "$cs_kib" 10000 100000)
g2=$(per_item "$cp1" "$cp_kib" 10000 100000)
echo "# bounds: a tree, each file more costs $g1 bytes (checkssl), $g2 bytes (certprobe)"
check "tree of 100000: peak RSS $(mib "$cs_kib") MiB (checkssl), $(mib "$cp_kib") MiB (certprobe), at most 128 MiB" \
    at_most "$((cs_kib > cp_kib ? cs_kib : cp_kib))" $((128 * 1024))
check "tree: each file more costs at most 1 KiB ($g1, $g2 bytes)" \
    at_most "$((g1 > g2 ? g1 : g2))" 1024

echo "# bounds: the whole test took $((($(date +%s%N) - T0) / 1000000000)) s"
done_testing

#!/bin/bash
# make bench-plugin: what a monitoring engine pays per check, one process
# a check, in one run against the same nginx and postfix on loopback:
# check_cert_expiry against check_http -C (and check_smtp -S -D for SMTP
# STARTTLS), from monitoring-plugins. check_http -C reads the dates and
# verifies nothing; check_cert_expiry verifies the chain and the name
# too, so it is measured verifying (the system store as the Debian
# default lays it out: a hashed directory), and with --no-verify, doing
# what check_http does.
#
# Wall time: the median and the best of RUNS runs of each, the rounds
# interleaved so that the machine's drift falls on all alike. Instructions
# (callgrind, where valgrind is installed): exact, and the same run to run.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/daemons.sh"
daemons_trap

RUNS=${BENCH_RUNS:-60}
ROUNDS=${BENCH_ROUNDS:-3}
PLUGINS=/usr/lib/nagios/plugins
PLUGIN=$top_builddir/plugins/check_cert_expiry
DAY=86400
NOW=$(date +%s)

[ -x "$PLUGINS/check_http" ] ||
    { echo "check_http is not installed (./bootstrap --test-deps)"; exit 1; }
"$MKCERT" -o "$T/ca.pem" -k "$T/ca.key" -s "/CN=Bench Root" --ca \
    --not-after @$((NOW + 400 * DAY)) || exit 1
mkcert -o "$T/leaf.pem" -s /CN=bench.test --san DNS:bench.test \
    --ca-key "$T/ca.key" --ca-cert "$T/ca.pem" --not-after @$((NOW + 60 * DAY))
cat "$T/leaf.pem" "$T/ca.pem" >"$T/chain.pem"
# The system store's layout, with the bench root in it (set for every
# command: check_http and check_smtp do not look).
mkdir "$T/certs" && cp "$T/ca.pem" "$T/certs/" && openssl rehash "$T/certs" || exit 1
export SSL_CERT_DIR=$T/certs
unset SSL_CERT_FILE

set -- $(daemons_ports 4)
WEB=$1
nginx_start "$T/nginx" "127.0.0.1:$WEB,bench.test,$T/chain.pem,$KEY" || exit 1
postfix_start "$T/postfix" "$T/chain.pem" "$KEY" "$2" "$3" "$4" || exit 1
SMTP=$2

names=() cmds=()
add() { names+=("$1"); shift; cmds+=("$*"); }
add "check_http -C (no verification)" \
    "$PLUGINS/check_http" -H 127.0.0.1 -p "$WEB" --sni -S -C 30,14
add "check_cert_expiry, verifying (hashed store)" \
    "$PLUGIN" -H 127.0.0.1 -p "$WEB" --sni bench.test
add "check_cert_expiry --no-verify" \
    "$PLUGIN" -H 127.0.0.1 -p "$WEB" --sni bench.test --no-verify
add "check_smtp -S -D (no verification)" \
    "$PLUGINS/check_smtp" -H 127.0.0.1 -p "$SMTP" -S -D 30,14
add "check_cert_expiry -P smtp, verifying" \
    "$PLUGIN" -H 127.0.0.1 -p "$SMTP" -P smtp --sni bench.test

# The answers must be right before the times mean anything.
for i in 1 4; do
    out=$(${cmds[$i]})
    case "$out" in "CERT OK - "*"notAfter=$(enddate "$T/leaf.pem")"*) ;;
        *) echo "not OK: ${names[$i]}: $out"; exit 1 ;; esac
done

field() { sed "s/.*$1=\([0-9.]*\).*/\1/"; }
declare -A med best
for ((r = 0; r < ROUNDS; r++)); do
    for i in "${!cmds[@]}"; do
        stat=$("$RUNSTAT" -n "$RUNS" -w 3 -- ${cmds[$i]})
        m=$(echo "$stat" | field median_s) b=$(echo "$stat" | field min_s)
        if [ -z "${med[$i]:-}" ] || [ "$(echo "$m < ${med[$i]}" | bc)" = 1 ]; then med[$i]=$m; fi
        if [ -z "${best[$i]:-}" ] || [ "$(echo "$b < ${best[$i]}" | bc)" = 1 ]; then best[$i]=$b; fi
    done
done
instr() {
    command -v valgrind >/dev/null || { echo "-"; return; }
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf 'One check a process, nginx and postfix on loopback; median and best of %d runs (best median of %d rounds)\n' \
    "$RUNS" "$ROUNDS"
printf '%-44s %10s %9s %12s %9s\n' "" "median ms" "best ms" "instructions" "vs peer"
for i in "${!cmds[@]}"; do
    peer=0
    [ "$i" -ge 3 ] && peer=3
    n=$(instr ${cmds[$i]})
    printf '%-44s %10.2f %9.2f %12s %8.2fx\n' "${names[$i]}" \
        "$(echo "${med[$i]} * 1000" | bc -l)" "$(echo "${best[$i]} * 1000" | bc -l)" "$n" \
        "$(echo "${med[$i]} / ${med[$peer]}" | bc -l)"
done
echo "target: check_cert_expiry, verifying, faster than check_http -C (below 1.00x)"

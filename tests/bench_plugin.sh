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
# For each: the median wall time (what the engine waits), the median CPU
# time, user and system (what the check costs the monitoring host, which
# runs hundreds), of RUNS runs, the best median of ROUNDS rounds
# interleaved so that the machine's drift falls on all alike; and the
# instructions (callgrind, where valgrind is installed: exact, and the
# same run to run).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/daemons.sh"
daemons_trap

RUNS=${BENCH_RUNS:-25}
ROUNDS=${BENCH_ROUNDS:-8}
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

names=() cmds=() n=()
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
declare -A med cpu
# lower ARRAY INDEX VALUE: keeps the lower.
lower() {
    local -n a=$1
    if [ -z "${a[$2]:-}" ] || [ "$(echo "$3 < ${a[$2]}" | bc)" = 1 ]; then a[$2]=$3; fi
}
for ((r = 0; r < ROUNDS; r++)); do
    for i in "${!cmds[@]}"; do
        stat=$("$RUNSTAT" -n "$RUNS" -w 3 -- ${cmds[$i]})
        lower med "$i" "$(echo "$stat" | field median_s)"
        lower cpu "$i" "$(echo "$stat" | field median_cpu_s)"
    done
done
instr() {
    command -v valgrind >/dev/null || { echo "-"; return; }
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf 'One check a process, nginx and postfix on loopback; medians of %d runs (the best of %d rounds)\n' \
    "$RUNS" "$ROUNDS"
printf '%-42s %8s %8s %12s %8s %8s %8s\n' "" "wall ms" "CPU ms" "instructions" \
    "wall" "CPU" "instr."
for i in "${!cmds[@]}"; do
    peer=0
    [ "$i" -ge 3 ] && peer=3
    n[$i]=$(instr ${cmds[$i]})
    ratio=-
    [ -n "${n[$i]}" ] && [ -n "${n[$peer]}" ] && ratio=$(printf '%.2fx' "$(echo "${n[$i]} / ${n[$peer]}" | bc -l)")
    printf '%-42s %8.2f %8.2f %12s %7.2fx %7.2fx %8s\n' "${names[$i]}" \
        "$(echo "${med[$i]} * 1000" | bc -l)" "$(echo "${cpu[$i]} * 1000" | bc -l)" "${n[$i]:--}" \
        "$(echo "${med[$i]} / ${med[$peer]}" | bc -l)" "$(echo "${cpu[$i]} / ${cpu[$peer]}" | bc -l)" "$ratio"
done
echo "ratios against the peer above (check_http -C, check_smtp -S -D); target: check_cert_expiry, verifying, below 1.00x"

#!/bin/bash
# make bench-mail: what the nightly mail costs, in one run against the
# same postfix (and dovecot for AUTH) on loopback, over a dozen
# certificate files: the digest printed (the floor), certprobe --mail in
# clear and over STARTTLS with AUTH and a verified certificate, and the
# peer: the digest piped to postfix's sendmail, what cron does with a
# job's output. Medians of RUNS runs, wall and CPU (user and system, the
# children's too), as ratios against the pipe to sendmail.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/daemons.sh"
daemons_trap

RUNS=${BENCH_RUNS:-30}
DAY=86400
NOW=$(date +%s)
CA=$T/root.pem
"$MKCERT" -o "$CA" -k "$T/root.key" -s "/CN=Bench Mail Root" --ca \
    --not-after @$((NOW + 400 * DAY)) || exit 1
mkcert -o "$T/relay.pem" -s "/CN=localhost" --san "DNS:localhost" \
    --ca-key "$T/root.key" --ca-cert "$CA" --not-after @$((NOW + 300 * DAY))
cat "$T/relay.pem" "$CA" >"$T/relay.chain"
for i in $(seq 1 12); do
    mkcert -o "$T/c$i.pem" -s "/CN=c$i.test" --not-after @$((NOW + i * 3 * DAY - DAY / 2))
done
set -- $(daemons_ports 7)
mkdir -p "$T/dovecot"
echo "test:{PLAIN}bench::::::" >"$T/dovecot/users"
dovecot_start "$T/dovecot" "$T/relay.chain" "$KEY" "$4" "$5" "$6" "$7" || exit 1
postfix_start "$T/postfix" "$T/relay.chain" "$KEY" "$1" "$2" "$3" \
    sasl="$T/dovecot/run/auth-postfix" authonly || exit 1
echo bench >"$T/password"
printf '%s\n' "set warn=25 mail_to=ops@example.test smtp_relay=localhost:$2 smtp_user=test smtp_password_file=$T/password" \
    "$T/c*.pem" >"$T/auth.conf"
printf '%s\n' "set warn=25 mail_to=ops@example.test smtp_relay=localhost:$1 smtp_starttls=off" \
    "$T/c*.pem" >"$T/plain.conf"
cat >"$T/pipe.sh" <<EOS
"$CERTPROBE" -C "$T/auth.conf" --format digest |
    /usr/sbin/sendmail -C "$T/postfix" -f certprobe@localhost ops@example.test
EOS
export SSL_CERT_FILE=$CA

# measure NAME CMD...: "NAME wall cpu" from runstat's medians.
measure() {
    local name=$1 line
    shift
    line=$("$RUNSTAT" -n "$RUNS" -w 3 -- "$@") || exit 1
    wall=$(printf '%s\n' "$line" | sed -n 's/.*median_s=\([0-9.]*\).*/\1/p')
    cpu=$(printf '%s\n' "$line" | sed -n 's/.*median_cpu_s=\([0-9.]*\).*/\1/p')
    echo "$name $wall $cpu"
}
{
    measure peer sh "$T/pipe.sh"
    measure print "$CERTPROBE" -C "$T/auth.conf" --format digest
    measure clear "$CERTPROBE" -C "$T/plain.conf" --mail
    measure auth "$CERTPROBE" -C "$T/auth.conf" --mail
} >"$T/results"
sleep 2
echo "The nightly mail, 12 certificates (4 due), postfix on loopback; medians of $RUNS runs"
awk -v mails="$(find "$T/postfix/Maildir/new" -type f | wc -l)" '
    $1 == "peer" { pw = $2; pc = $3 }
    { w[NR] = $2; c[NR] = $3; n[NR] = $1 }
    END {
        label["peer"] = "certprobe --format digest | sendmail (cron'"'"'s way)"
        label["print"] = "certprobe --format digest (printed, no mail)"
        label["clear"] = "certprobe --mail, no TLS"
        label["auth"] = "certprobe --mail, STARTTLS, AUTH, verified"
        printf "%-50s %9s %9s %7s %7s\n", "", "wall ms", "CPU ms", "wall", "CPU"
        for (i = 1; i <= NR; i++)
            printf "%-50s %9.2f %9.2f %6.2fx %6.2fx\n", label[n[i]],
                w[i] * 1000, c[i] * 1000, w[i] / pw, c[i] / pc
        printf "mails delivered: %d\n", mails
    }' "$T/results"

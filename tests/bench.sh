#!/bin/sh
# make bench: checkssl over 1,000 and 10,000 certificate files against the
# loop it replaces, in the same run, on the same warm files:
#   for a in */cert.pem; do openssl x509 -checkend $((DAYS*86400)) -in $a
#   || openssl x509 -enddate -in $a; done
# Prints wall time (best of several runs for checkssl, one run for the
# loop, which takes minutes at 10,000), the ratio and checkssl's peak RSS.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DAYS=25
SIZES=${BENCH_SIZES:-1000 10000}
RUNS=${BENCH_RUNS:-7}
NOW=$(date +%s)

printf '%-7s %6s %12s %12s %9s %10s %s\n' files due "loop (s)" "checkssl (s)" ratio "RSS (MiB)" agree
for n in $SIZES; do
    dir=$T/bench$n
    "$MKCERT" --bulk "$n" --dir "$dir" --now "$NOW" >"$T/list$n" || exit 1
    due=$(awk -v lim=$((NOW + DAYS * 86400)) '$2 <= lim' "$T/list$n" | wc -l)

    # The seed's loop, once (its cost is thousands of process starts).
    cd "$dir"
    start=$(date +%s.%N)
    seed_due=$(for a in */cert.pem; do
        openssl x509 -checkend $((DAYS * 86400)) -noout -in "$a" >/dev/null ||
            openssl x509 -enddate -noout -in "$a"
    done | wc -l)
    end=$(date +%s.%N)
    cd - >/dev/null
    seed=$(echo "$end - $start" | bc)

    # checkssl, warm, best of RUNS; its own glob expansion, as cron runs it.
    stat=$("$RUNSTAT" -n "$RUNS" -w 1 -- "$CHECKSSL" DAYS=$DAYS "$dir/*/cert.pem")
    ours=$(echo "$stat" | sed 's/.*min_s=\([0-9.]*\).*/\1/')
    rss=$(echo "$stat" | sed 's/.*max_rss_kib=\([0-9]*\).*/\1/')
    ours_due=$("$CHECKSSL" DAYS=$DAYS "$dir/*/cert.pem" | grep -c ' GMT (')
    agree=no
    [ "$ours_due" = "$due" ] && [ "$seed_due" = "$due" ] && agree=yes
    printf '%-7s %6s %12.3f %12.4f %8.0fx %10.1f %s\n' "$n" "$due" "$seed" "$ours" \
        "$(echo "$seed / $ours" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$agree"
done
echo "target on a 2-core machine: 10,000 warm files in at most 0.15 s, peak RSS at most 16 MiB"

#!/bin/sh
# The trees the cron user really has: letsencrypt (live/ links into
# archive/) and dehydrated (cert.pem links to cert-TIMESTAMP.pem), checked
# by glob and by directory.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

NOW=1780000000
LE=$T/letsencrypt
# Two domains: one renewed recently, one that expires in 10 days.
make_le_domain() {
    dom=$1 days=$2
    mkdir -p "$LE/archive/$dom" "$LE/live/$dom"
    # An old, expired generation 1 and the current generation 2.
    "$MKCERT" -k "$LE/archive/$dom/privkey1.pem" -s "/CN=$dom" -o "$LE/archive/$dom/cert1.pem" \
        --not-before @$((NOW - 200 * 86400)) --not-after @$((NOW - 110 * 86400))
    "$MKCERT" -k "$LE/archive/$dom/privkey2.pem" -s "/CN=$dom" -o "$LE/archive/$dom/cert2.pem" \
        --ca-key "$T/r3.key" --ca-cert "$T/r3.pem" \
        --not-before @$((NOW - 80 * 86400 + days * 86400)) --not-after @$((NOW + days * 86400))
    cp "$T/r3.pem" "$LE/archive/$dom/chain2.pem"
    cat "$LE/archive/$dom/cert2.pem" "$T/r3.pem" >"$LE/archive/$dom/fullchain2.pem"
    for f in cert chain fullchain privkey; do
        ln -s "../../archive/$dom/${f}2.pem" "$LE/live/$dom/$f.pem"
    done
    echo "This directory contains your keys and certificates." >"$LE/live/$dom/README"
}
"$MKCERT" -k "$T/r3.key" -s "/C=US/O=Let's Encrypt/CN=R3" --ca -o "$T/r3.pem" \
    --not-before @$((NOW - 400 * 86400)) --not-after @$((NOW + 300 * 86400))
make_le_domain example.com 70
make_le_domain soon.example.net 10
echo "README" >"$LE/live/README"

run "$CHECKSSL" --now @$NOW DAYS=25 "$LE/live/*/cert.pem"
expect_rc 2 "letsencrypt by glob: one due within 25 days, CRITICAL under crit=14"
expect_out "Following certificate expiration dates:" "digest heading"
expect_out "$LE/live/soon.example.net/cert.pem: $(enddate "$LE/archive/soon.example.net/cert2.pem") (10 days)" \
    "the due certificate, by its live/ name"
expect_no_out "example.com/cert.pem" "the renewed one is not listed"
expect_no_out "cert1.pem" "old archive generations are not looked at"

printf '%s key=privkey.pem\n' "$LE/live/*/cert.pem" >"$T/le.conf"
run "$CERTPROBE" --now @$NOW -C "$T/le.conf"
check "letsencrypt by glob with key=privkey.pem: both keys match" test "$(count_out "does not match")" = 0
expect_rc 2 "10 days is CRITICAL under the default crit of 14"
expect_out "CRITICAL     10" "soon.example.net row"
expect_out "OK           70" "example.com row"

run "$CERTPROBE" --now @$NOW "$LE/live"
expect_rc 2 "letsencrypt by directory"
for f in example.com/cert.pem example.com/chain.pem example.com/fullchain.pem \
    soon.example.net/cert.pem soon.example.net/chain.pem soon.example.net/fullchain.pem; do
    expect_out "$LE/live/$f" "by directory: $f found through its link"
done
expect_no_out "privkey.pem" "by directory: keys are skipped quietly"
expect_no_out "README" "by directory: READMEs are skipped quietly"
check "by directory: fullchain.pem holds leaf and intermediate" \
    test "$(count_out "$LE/live/example.com/fullchain.pem")" = 2

cd "$LE" || exit 1
run "$CHECKSSL" --now @$NOW DAYS=25 'live/*/cert.pem'
cd - >/dev/null || exit 1
check "a relative glob, expanded by checkssl" test "$out" = "Following certificate expiration dates:

live/soon.example.net/cert.pem: $(enddate "$LE/archive/soon.example.net/cert2.pem") (10 days)"
run "$CHECKSSL" --now @$NOW DAYS=25 "$LE/live/"
expect_out "$LE/live/soon.example.net/cert.pem: " "checkssl by directory lists cert.pem"
expect_out "$LE/live/soon.example.net/fullchain.pem (CN = soon.example.net): " \
    "and says which certificate of fullchain.pem is due"
check "by directory: nothing from example.com is due" test "$(count_out "live/example.com")" = 0

# A renewal that removed a link's target: the glob still names the link.
mkdir -p "$LE/live/gone.example.org"
ln -s ../../archive/gone.example.org/cert9.pem "$LE/live/gone.example.org/cert.pem"
run "$CHECKSSL" --now @$NOW DAYS=25 "$LE/live/*/cert.pem"
expect_out "$LE/live/gone.example.org/cert.pem: no such file or directory (or a broken symbolic link)" \
    "a broken link matched by a glob is reported"
run "$CHECKSSL" --now @$NOW "$LE/live/gone.example.org/*.pem"
expect_no_out "no file matches" "a pattern matching only a broken link did match"
rm -r "$LE/live/gone.example.org"

# dehydrated: certs/DOMAIN/cert.pem -> cert-TIMESTAMP.pem, and older ones.
DH=$T/dehydrated/certs/example.org
mkdir -p "$DH"
"$MKCERT" -k "$DH/privkey-1770000000.pem" -s /CN=example.org -o "$DH/cert-1770000000.pem" \
    --not-before @$((NOW - 100 * 86400)) --not-after @$((NOW - 10 * 86400))
"$MKCERT" -k "$DH/privkey-1777000000.pem" -s /CN=example.org -o "$DH/cert-1777000000.pem" \
    --not-before @$((NOW - 30 * 86400)) --not-after @$((NOW + 20 * 86400))
for f in cert privkey; do ln -s "$f-1777000000.pem" "$DH/$f.pem"; done
cp "$DH/cert-1777000000.pem" "$DH/fullchain-1777000000.pem"
ln -s fullchain-1777000000.pem "$DH/fullchain.pem"

run "$CHECKSSL" --now @$NOW DAYS=25 "$T/dehydrated/certs/*/cert.pem"
expect_out "$DH/cert.pem: $(enddate "$DH/cert-1777000000.pem") (20 days)" "dehydrated by glob: the current cert"
check "dehydrated by glob: one line" test "$(count_out "$DH")" = 1
printf '%s key=privkey.pem\n' "$T/dehydrated/certs/*/cert.pem" >"$T/dh.conf"
run "$CERTPROBE" --now @$NOW -C "$T/dh.conf"
check "dehydrated with key=privkey.pem: matches" test "$(count_out "does not match")" = 0

run "$CERTPROBE" --now @$NOW "$T/dehydrated"
expect_out "$DH/cert-1770000000.pem" "dehydrated by directory: the old generation is seen too"
expect_out "CRITICAL    -10  " "and it is shown expired, 10 days ago"
run "$CERTPROBE" --now @$NOW -q "$T/dehydrated"
expect_out "CRITICAL    -10" "-q keeps the expired one"
expect_no_out "OK " "-q drops OK rows"

# An empty directory, and one with no certificate file in it, say so.
mkdir "$T/empty"
run "$CERTPROBE" --now @$NOW "$T/empty"
expect_out "no certificate file found here" "an empty directory is no read error"
mkdir "$T/nothing"
echo "just text" >"$T/nothing/notes.txt"
run "$CERTPROBE" --now @$NOW "$T/nothing"
expect_rc 3 "a directory without certificates is UNKNOWN"
expect_out "no certificate file found here" "and says so"

done_testing

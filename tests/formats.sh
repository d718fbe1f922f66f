#!/bin/sh
# Every certificate format of SPEC section 4 reads to the same dates that
# openssl prints, and key= catches a certificate that does not match.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

NOW=1780000000
# A CA, an intermediate and a leaf, each with its own window.
"$MKCERT" -k "$T/ca.key" -s "/CN=Test Root" --ca -o "$T/ca.pem" \
    --not-before @$((NOW - 86400)) --not-after @$((NOW + 3650 * 86400))
"$MKCERT" -k "$T/int.key" -s "/CN=Test Intermediate" --ca --ca-key "$T/ca.key" \
    --ca-cert "$T/ca.pem" -o "$T/int.pem" \
    --not-before @$((NOW - 86400)) --not-after @$((NOW + 20 * 86400))
"$MKCERT" -k "$T/leaf.key" -s "/CN=www.example.com" --ca-key "$T/int.key" \
    --ca-cert "$T/int.pem" -o "$T/leaf.pem" \
    --not-before @$((NOW - 86400)) --not-after @$((NOW + 60 * 86400))
LEAF_END=$(enddate "$T/leaf.pem")
INT_END=$(enddate "$T/int.pem")
cat "$T/leaf.pem" "$T/int.pem" >"$T/chain.pem"

# Runs certprobe on one file; the rows must show both dates or one.
rows() {
    run "$CERTPROBE" --now @$NOW "$@"
}

rows "$T/leaf.pem"
expect_out "OK           60  $LEAF_END" "PEM: one certificate, its notAfter"
expect_out "CN = www.example.com" "PEM: subject shown"

rows "$T/chain.pem"
expect_out "WARNING      20  $INT_END" "PEM chain: the intermediate counts"
expect_out "OK           60  $LEAF_END" "PEM chain: and the leaf"
expect_rc 1 "PEM chain: worst of both"

cat "$T/leaf.key" "$T/leaf.pem" "$T/int.key" "$T/int.pem" >"$T/keys-beside.pem"
rows "$T/keys-beside.pem"
check "PEM with keys beside: two certificates, keys skipped" test "$(count_out "$T/keys-beside.pem")" = 2
expect_no_out "PRIVATE" "no key material in the output"

# DER lengths of every residue mod 3: base64 ending in no '=', one, two.
# ECDSA signatures vary in length, so make certificates until all three
# have been seen, and every one must read right.
seen0= seen1= seen2= bad=0 cn=c
while [ ${#cn} -lt 40 ] && [ -z "$seen0$seen1$seen2" -o -z "$seen0" -o -z "$seen1" -o -z "$seen2" ]; do
    cn=${cn}x
    mkcert -o "$T/pad.pem" -s "/CN=$cn" --not-before @$((NOW - 86400)) --not-after @$((NOW + 60 * 86400))
    last=$(tail -n 2 "$T/pad.pem" | head -n 1)
    case "$last" in *==) seen2=1 ;; *=) seen1=1 ;; *) seen0=1 ;; esac
    run "$CERTPROBE" --now @$NOW "$T/pad.pem"
    case "$out" in *"OK           60  $LEAF_END  $T/pad.pem  CN = $cn"*) ;; *) bad=$((bad + 1)); show ;; esac
done
check "base64 ending in no '=', '=' and '==' all seen" test "$seen0$seen1$seen2" = 111
check "and every such certificate read right" test "$bad" = 0

sed 's/$/\r/' "$T/chain.pem" >"$T/crlf.pem"
rows "$T/crlf.pem"
check "PEM with CRLF line ends" test "$(count_out "$T/crlf.pem")" = 2

{ echo "subject=CN = www.example.com"; echo "issuer=CN = Test Intermediate"; cat "$T/leaf.pem"; } >"$T/bag.pem"
rows "$T/bag.pem"
expect_out "OK           60  $LEAF_END" "PEM with bag attributes before the block"

openssl x509 -in "$T/leaf.pem" -trustout -addtrust serverAuth -out "$T/trusted.pem"
rows "$T/trusted.pem"
expect_out "OK           60  $LEAF_END" "TRUSTED CERTIFICATE block"

openssl x509 -in "$T/leaf.pem" -outform DER -out "$T/leaf.der"
rows "$T/leaf.der"
expect_out "OK           60  $LEAF_END" "DER certificate"
[ "$(enddate "$T/leaf.der" DER)" = "$LEAF_END" ] && ok "openssl agrees on the DER date" || not_ok "openssl agrees on the DER date"

openssl crl2pkcs7 -nocrl -certfile "$T/chain.pem" -out "$T/chain.p7b"
rows "$T/chain.p7b"
expect_out "WARNING      20  $INT_END" "PKCS#7 PEM: intermediate"
expect_out "OK           60  $LEAF_END" "PKCS#7 PEM: leaf"
openssl crl2pkcs7 -nocrl -certfile "$T/chain.pem" -outform DER -out "$T/chain.p7d"
rows "$T/chain.p7d"
check "PKCS#7 DER: both certificates" test "$(count_out "$T/chain.p7d")" = 2

# PKCS#12 needs its password from password_file=, beside the file.
echo "s3cret pass" >"$T/p12.pass"
openssl pkcs12 -export -in "$T/leaf.pem" -inkey "$T/leaf.key" -certfile "$T/int.pem" \
    -passout file:"$T/p12.pass" -out "$T/bundle.p12"
printf '%s password_file=p12.pass\n' "$T/bundle.p12" >"$T/p12.conf"
run "$CERTPROBE" --now @$NOW -C "$T/p12.conf"
expect_out "OK           60  $LEAF_END" "PKCS#12 with password_file: leaf"
expect_out "WARNING      20  $INT_END" "PKCS#12 with password_file: intermediate"
check "PKCS#12: the leaf comes first" sh -c "printf '%s\n' \"\$1\" | grep -F '$T/bundle.p12' | tail -n 1 | grep -q www.example.com" _ "$out"

rows "$T/bundle.p12"
expect_rc 3 "PKCS#12 without its password: UNKNOWN"
expect_out "PKCS#12 file is protected by a password: give it with --password-file or password_file=" "and says how to fix it"

# On the command line: --password-file, relative to where the user is.
run sh -c 'cd "$1" && shift && exec "$@"' _ "$T" "$CERTPROBE" --now @$NOW --password-file p12.pass bundle.p12
expect_out "OK           60  $LEAF_END  bundle.p12" "certprobe --password-file (relative to the working directory) opens PKCS#12"
run env DAYS=25 "$CHECKSSL" --now @$NOW --password-file "$T/p12.pass" "$T/bundle.p12"
expect_out "$T/bundle.p12 (CN = " "checkssl --password-file: the intermediate due in 20 days is listed"
run "$top_builddir/plugins/check_cert_expiry" --now @$NOW -f "$T/bundle.p12" --password-file "$T/p12.pass"
expect_out "CERT WARNING - $T/bundle.p12: notAfter=$INT_END (20 days)" "check_cert_expiry -f FILE.p12 --password-file: the intermediate due in 20 days"
run "$CERTPROBE" --now @$NOW --password-file "$T/none.pass" "$T/bundle.p12"
expect_out "password_file $T/none.pass: no such file" "a missing --password-file is named"

echo wrong >"$T/wrong.pass"
printf '%s password_file=wrong.pass\n' "$T/bundle.p12" >"$T/wrong.conf"
run "$CERTPROBE" --now @$NOW -C "$T/wrong.conf"
expect_out "PKCS#12 file cannot be opened (wrong password in password_file?)" "PKCS#12 with a wrong password"

printf '%s password_file=missing.pass\n' "$T/bundle.p12" >"$T/nopass.conf"
run "$CERTPROBE" --now @$NOW -C "$T/nopass.conf"
expect_out "password_file $T/missing.pass: no such file" "a missing password_file is named"

openssl pkcs12 -export -in "$T/leaf.pem" -inkey "$T/leaf.key" -passout pass: -out "$T/empty.p12"
rows "$T/empty.p12"
expect_out "OK           60  $LEAF_END" "PKCS#12 with an empty password needs no password_file"

if openssl pkcs12 -export -legacy -in "$T/leaf.pem" -inkey "$T/leaf.key" \
    -passout file:"$T/p12.pass" -out "$T/legacy.p12" 2>/dev/null; then
    printf '%s password_file=p12.pass\n' "$T/legacy.p12" >"$T/legacy.conf"
    run "$CERTPROBE" --now @$NOW -C "$T/legacy.conf"
    expect_out "OK           60  $LEAF_END" "PKCS#12 with legacy RC2/3DES ciphers"
else
    skip "openssl cannot write legacy PKCS#12 here"
fi

# PKCS#12 without a MAC, and with work factors past any sane export.
openssl pkcs12 -export -nokeys -in "$T/leaf.pem" -nomac -certpbe NONE -passout pass: -out "$T/nomac.p12" 2>/dev/null
rows "$T/nomac.p12"
expect_out "OK           60  $LEAF_END" "PKCS#12 without a MAC"
openssl pkcs12 -export -in "$T/leaf.pem" -inkey "$T/leaf.key" -iter 1100000 \
    -passout pass: -out "$T/slow.p12" 2>/dev/null
timeout 20 "$CERTPROBE" --now @$NOW "$T/slow.p12" >"$T/.out" 2>&1
rc=$?; out=$(cat "$T/.out")
check "PKCS#12 asking for 1,100,000 iterations is refused at once (exit $rc)" test "$rc" = 3
expect_out "more than 2000000 key-derivation rounds" "and says why"

# The work bound is the file's, not each safe's: hostile files of many
# encrypted safes (tests/tools/mkp12), no MAC, the password none at all.
# cpu_run FILE: certprobe on FILE under runstat; sets out, rc and cpu
# (seconds of CPU). The ceilings are generous, far above the about one
# second the bound allows and far below what the files used to cost.
cpu_run() {
    timeout 120 "$RUNSTAT" -n 1 -w 0 -v -- "$CERTPROBE" --now @$NOW "$1" >"$T/.out" 2>&1 </dev/null
    out=$(sed '$d' "$T/.out")
    cpu=$(tail -n 1 "$T/.out" | sed -n 's/.*median_cpu_s=\([0-9.]*\).*/\1/p')
    rc=$(tail -n 1 "$T/.out" | sed -n 's/.*exit=\([0-9]*\).*/\1/p')
    echo "# $1: ${cpu:-?} s of CPU"
}
under() { awk -v c="${cpu:-999}" -v m="$1" 'BEGIN { exit !(c < m) }'; }
mkp12 -o "$T/safes30.p12" -n 30 -i 1000000
cpu_run "$T/safes30.p12"
check "PKCS#12 of 30 safes of 1,000,000 iterations each (4 KB): UNKNOWN (exit $rc)" test "$rc" = 3
expect_out "$T/safes30.p12  PKCS#12 file asks for more than 2000000 key-derivation rounds (MAC and safes together): refused" "names the file and the bound"
check "and costs under 3 s of CPU, not 10 (${cpu:-?} s)" under 3
mkp12 -o "$T/safes8.p12" -c "$T/leaf.pem" -n 8 -i 300000
rows "$T/safes8.p12"
expect_rc 3 "PKCS#12 of 8 safes of 300,000 iterations, each fine alone, 2,400,000 in all: UNKNOWN"
expect_out "more than 2000000 key-derivation rounds" "the bound counts the whole file"
mkp12 -o "$T/safes5000.p12" -c "$T/leaf.pem" -n 5000 -i 1
cpu_run "$T/safes5000.p12"
check "PKCS#12 of 5,000 safes of one iteration: UNKNOWN (exit $rc)" test "$rc" = 3
expect_out "$T/safes5000.p12  PKCS#12 file holds 5000 safes, more than 256: refused" "names the file and the bound"
check "and costs under 3 s of CPU (${cpu:-?} s)" under 3
# The most safes within the 16 MiB ceiling: 118,000 (15.8 MiB).
mkp12 -o "$T/safes118k.p12" -n 118000 -i 1
cpu_run "$T/safes118k.p12"
check "PKCS#12 of 118,000 safes, just under 16 MiB: UNKNOWN (exit $rc)" test "$rc" = 3
expect_out "$T/safes118k.p12  PKCS#12 file holds 118000 safes, more than 256: refused" "names the file and the bound"
check "and costs under 3 s of CPU (${cpu:-?} s)" under 3
rm -f "$T/safes118k.p12"
mkp12 -o "$T/safes200.p12" -c "$T/leaf.pem" -n 200 -i 2048
rows "$T/safes200.p12"
expect_out "OK           60  $LEAF_END  $T/safes200.p12" "PKCS#12 of 200 safes at OpenSSL's 2048 iterations still reads"
mkp12 -o "$T/macnone.p12" -c "$T/leaf.pem" -i 2048 --mac 2048
rows "$T/macnone.p12"
expect_out "OK           60  $LEAF_END  $T/macnone.p12" "PKCS#12 whose MAC takes no password at all (not the empty one) reads"
mkp12 -o "$T/mac3des.p12" -c "$T/leaf.pem" -p "s3cret pass" -i 2048 --mac 2048 --3des
printf '%s password_file=p12.pass\n' "$T/mac3des.p12" >"$T/mac3des.conf"
run "$CERTPROBE" --now @$NOW -C "$T/mac3des.conf"
expect_out "OK           60  $LEAF_END  $T/mac3des.p12" "PKCS#12 of SHA-1 3DES safes (the PKCS#12 KDF) with password_file reads"

# key=: the failsafe that refuses a certificate the server cannot load.
printf '%s key=leaf.key\n' "$T/leaf.pem" >"$T/key-ok.conf"
run "$CERTPROBE" --now @$NOW -C "$T/key-ok.conf"
expect_rc 0 "key= matching the certificate is OK"
printf '%s key=int.key\n' "$T/leaf.pem" >"$T/key-bad.conf"
run "$CERTPROBE" --now @$NOW -C "$T/key-bad.conf"
expect_rc 2 "key= not matching is CRITICAL"
expect_out "key $T/int.key does not match the certificate" "and says which key"
printf '%s key=gone.key\n' "$T/leaf.pem" >"$T/key-gone.conf"
run "$CERTPROBE" --now @$NOW -C "$T/key-gone.conf"
expect_rc 2 "key= naming a missing file is CRITICAL"
expect_out "key $T/gone.key does not exist" "and names it"
openssl pkey -in "$T/leaf.key" -aes256 -passout pass:x -out "$T/enc.key" 2>/dev/null
printf '%s key=enc.key\n' "$T/leaf.pem" >"$T/key-enc.conf"
run "$CERTPROBE" --now @$NOW -C "$T/key-enc.conf"
expect_rc 3 "an encrypted key is UNKNOWN, and nobody is asked for a passphrase"
expect_out "is encrypted: cannot check it without its passphrase" "and says why"
head -c 100 "$T/leaf.key" >"$T/trunc.key"
printf '%s key=trunc.key\n' "$T/leaf.pem" >"$T/key-trunc.conf"
run "$CERTPROBE" --now @$NOW -C "$T/key-trunc.conf"
expect_rc 2 "a key that does not decode is CRITICAL: the server would not start"
expect_out "key $T/trunc.key holds no usable private key" "and says so"
openssl pkey -in "$T/leaf.key" -outform DER -out "$T/leaf.key.der"
printf '%s key=leaf.key.der\n' "$T/leaf.pem" >"$T/key-der.conf"
run "$CERTPROBE" --now @$NOW -C "$T/key-der.conf"
expect_rc 0 "a DER key matches too"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/rsa.key" 2>/dev/null
openssl req -x509 -key "$T/rsa.key" -subj /CN=rsa -days 90 -out "$T/rsa.pem" 2>/dev/null
printf '%s key=rsa.key\n%s key=leaf.key\n' "$T/rsa.pem" "$T/rsa.pem" >"$T/key-rsa.conf"
run "$CERTPROBE" -C "$T/key-rsa.conf"
check "RSA key matches its certificate, an EC key does not" test "$(count_out "does not match")" = 1

done_testing

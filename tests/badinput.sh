#!/bin/sh
# Bad input, all in one run: each gets a clear message that names the
# file, the good certificate beside them is still reported, nothing hangs,
# and nothing from a file name or a certificate reaches the terminal raw.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

NOW=1780000000
B=$T/bad
mkdir "$B"
mkcert -o "$B/good.pem" -s /CN=good --not-before @$((NOW - 86400)) --not-after @$((NOW + 90 * 86400))
: >"$B/empty.pem"
head -c 4096 /dev/urandom | tr -d '-' >"$B/garbage.bin"
head -c 400 "$B/good.pem" >"$B/truncated.pem"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$B/key-only.pem" 2>/dev/null
openssl req -new -key "$B/key-only.pem" -subj /CN=csr -out "$B/request.csr" 2>/dev/null
{ echo "-----BEGIN CERTIFICATE-----"; echo "not*base64*at*all"; echo "-----END CERTIFICATE-----"; } >"$B/badb64.pem"
{ echo "-----BEGIN CERTIFICATE-----"; head -c 300 /dev/urandom | base64; echo "-----END CERTIFICATE-----"; } >"$B/notder.pem"
{ cat "$B/good.pem"; echo "-----BEGIN CERTIFICATE-----"; echo "MIIB"; } >"$B/good-then-truncated.pem"
truncate -s 20M "$B/huge.pem"
ln -s loop-b "$B/loop-a"; ln -s loop-a "$B/loop-b"
mkfifo "$B/fifo.pem"
# A file name that is not UTF-8, holding a good certificate.
NAME=$(printf 'caf\351.pem')
cp "$B/good.pem" "$B/$NAME"
# A subject with terminal escape sequences, CR LF and a C1 CSI.
mkcert -o "$B/evil.pem" --cn-hex "$(printf 'evil\033[31mred\033]0;pwned\007\r\nBcc: x@example.com\302\2332J' | od -An -tx1 | tr -d ' \n')" \
    --not-before @$((NOW - 86400)) --not-after @$((NOW + 90 * 86400))

run "$CERTPROBE" --now @$NOW "$B/good.pem" "$B/empty.pem" "$B/garbage.bin" \
    "$B/truncated.pem" "$B/key-only.pem" "$B/request.csr" "$B/badb64.pem" \
    "$B/notder.pem" "$B/good-then-truncated.pem" "$B/huge.pem" "$B/missing.pem" \
    "$B/loop-a" "$B/fifo.pem" "$B/$NAME" "$B/evil.pem"
expect_rc 3 "bad files make the run UNKNOWN"
expect_out "OK           90  $(enddate "$B/good.pem")  $B/good.pem" "the good certificate is still reported"
expect_out "$B/empty.pem" "empty file named"
expect_out "holds no certificate (empty)" "empty file: says so"
expect_out "$B/garbage.bin" "garbage named"
expect_out "no certificate found (not PEM, DER, PKCS#7 or PKCS#12)" "garbage: says what was expected"
expect_out "certificate at line 1 is truncated: no '-----END CERTIFICATE-----' line" "truncated PEM: says where"
expect_out "holds a private key but no certificate" "key-only PEM named on purpose"
expect_out "holds a PEM 'CERTIFICATE REQUEST' block but no certificate" "a CSR is not a certificate"
expect_out "certificate at line 1 is not valid base64" "broken base64"
expect_out "certificate at line 1 is not a valid certificate" "base64 of garbage"
check "good then truncated: the good one is kept and the rest reported" \
    test "$(count_out "$B/good-then-truncated.pem")" = 2
expect_out "certificate at line $(( $(wc -l <"$B/good.pem") + 1 )) is truncated" \
    "good then truncated: the line of the bad block"
expect_out "larger than 16 MiB, refused" "20 MiB file refused"
expect_out "no such file or directory" "missing path"
expect_out "too many levels of symbolic links (a link loop?)" "symlink loop"
expect_out "not a regular file (a FIFO)" "a FIFO named on purpose is refused, and says what it is"
expect_out 'caf\xe9.pem' "a non-UTF-8 file name is shown escaped"
expect_out 'CN = "evil\x1b[31mred\x1b]0;pwned\x07\x0d\x0aBcc: x@example.com\xc2\x9b2J' "escape sequences in a subject are shown escaped"
check "no raw ESC byte reaches the terminal" sh -c '! grep -q "$(printf "\033")" "$1"' _ "$T/.out"
check "no raw BEL, CR or C1 byte reaches the terminal" sh -c '! LC_ALL=C grep -q "$(printf "[\007\r\302]")" "$1"' _ "$T/.out"
check "no raw non-UTF-8 byte reaches the terminal" sh -c '! LC_ALL=C grep -q "$(printf "\351")" "$1"' _ "$T/.out"
check "every bad file is its own row" test "$(printf '%s\n' "$out" | grep -c "^UNKNOWN")" -ge 13

# The same directory searched: what holds no certificate is passed over,
# what is broken or unreachable is still reported, and nothing hangs.
mkdir "$B/sub"
ln -s .. "$B/sub/up"
run "$CERTPROBE" --now @$NOW "$B"
expect_rc 3 "directory search over bad files is UNKNOWN"
expect_out "$B/empty.pem" "in a search, an empty file named like a certificate is reported"
expect_out "holds no certificate (empty)" "and says it is empty"
expect_no_out "garbage.bin" "in a search, garbage is passed over"
expect_no_out "key-only.pem" "in a search, a key is passed over"
expect_no_out "fifo.pem" "in a search, a FIFO is passed over"
expect_out "$B/truncated.pem" "in a search, a truncated certificate is reported"
expect_out "$B/huge.pem" "in a search, a huge file is reported"
expect_out "$B/loop-a" "in a search, a link loop is reported"
expect_out "directory loop: a link leads back to a directory being searched" "a directory loop is reported, not followed"
expect_out "$B/good.pem" "in a search, the good one is reported"

# A failed renewal that emptied or cut a certificate does not vanish
# from a search; what holds no certificate and is not named like one
# (a README, notes, a key) still is passed over, empty or not.
E=$T/emptied
mkdir -p "$E/live/a" "$E/live/b" "$E/live/c"
mkcert -o "$E/live/a/cert.pem" -s /CN=a --not-before @$((NOW - 86400)) --not-after @$((NOW + 90 * 86400))
: >"$E/live/b/cert.pem"
: >"$E/live/b/fullchain"
: >"$E/live/b/chain1"
: >"$E/live/b/README"
: >"$E/live/b/notes.txt"
openssl x509 -in "$E/live/a/cert.pem" -outform DER | head -c 200 >"$E/live/c/cert.der"
cp "$B/key-only.pem" "$E/live/c/privkey.pem"
run "$CERTPROBE" --now @$NOW "$E"
expect_rc 3 "a search with an emptied certificate is UNKNOWN, not OK"
for f in live/b/cert.pem live/b/fullchain live/b/chain1; do
    expect_row "$E/$f" "holds no certificate (empty)" "in a search, the emptied $f is reported"
done
expect_row "$E/live/c/cert.der" "truncated: its DER encoding needs 2[0-9][0-9] bytes, the file holds 200" "a DER certificate cut short is reported, with both lengths"
expect_no_out "README" "an empty README is passed over"
expect_no_out "notes.txt" "an empty notes.txt is passed over"
expect_no_out "privkey.pem" "a key is passed over"
expect_out "OK           90" "the good certificate beside them is reported"

# Nothing the probe opens by path is a FIFO or a device opened for
# reading: not a glob's match, nor expect=, key=, cafile=, a password
# file or the configuration. A FIFO's blocked writer stays blocked (it
# would be released by an open for reading), and nothing waits on one.
F=$T/fifos
mkdir "$F"
cp "$B/good.pem" "$F/good.pem"
mkfifo "$F/x.pem" "$F/key.pem" "$F/ca.pem" "$F/pw" "$F/c.conf"
( exec 3>"$F/x.pem"; echo released >"$F/released" ) 2>/dev/null &
WRITER=$!
timed_run "$CERTPROBE" --now @$NOW "$F/*.pem"
expect_row "$F/x.pem" "not a regular file (a FIFO)" "a FIFO matched by a glob is reported as what it is"
expect_out "$F/good.pem" "and the good file beside it is checked"
sleep 0.2
check "the FIFO was never opened: its writer is still blocked" test ! -e "$F/released"
kill "$WRITER" 2>/dev/null; wait "$WRITER" 2>/dev/null
printf '%s\n' "$F/good.pem key=key.pem" >"$F/k.conf"
timed_run "$CERTPROBE" --now @$NOW -C "$F/k.conf"
expect_out "key $F/key.pem: not a regular file (a FIFO)" "key= a FIFO, from a configuration: named"
timed_run "$CERTPROBE" -C "$F/c.conf"
expect_row "$F/c.conf" "cannot read: not a regular file (a FIFO)" "a configuration that is a FIFO is refused at once"
openssl pkcs12 -export -in "$B/good.pem" -nokeys -passout pass:x -out "$F/p.p12" 2>/dev/null
timed_run "$CERTPROBE" --now @$NOW --password-file "$F/pw" "$F/p.p12"
expect_out "not a regular file (a FIFO)" "a password file that is a FIFO is refused ($ms ms)"
timed_run "$CERTPROBE" --now @$NOW /dev/null
expect_row /dev/null "not a regular file (a character device)" "a device named on purpose is refused and named"

# Found in review, each once a real defect.
# Thousands of small blocks before a certificate: linear, not quadratic.
awk 'BEGIN { for (i = 0; i < 120000; i++) print "-----BEGIN A-----\n-----END A-----" }' >"$B/blocks.pem"
cat "$B/good.pem" >>"$B/blocks.pem"
timeout 20 "$CERTPROBE" --now @$NOW "$B/blocks.pem" >"$T/.out" 2>&1
rc=$?; out=$(cat "$T/.out")
check "120,000 PEM blocks and a certificate: read in time (exit $rc)" test "$rc" = 0
expect_out "OK           90" "and the certificate after them is found"
# An unterminated key block does not hide the certificate after it.
{ printf -- '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n'; cat "$B/good.pem"; } >"$B/after-bad-key.pem"
run "$CERTPROBE" --now @$NOW "$B/after-bad-key.pem"
expect_out "OK           90" "a certificate after an unterminated key block is read"
# A truncated certificate block does not swallow the next one.
{ head -n 3 "$B/good.pem"; cat "$B/good.pem"; } >"$B/cut-then-good.pem"
run "$CERTPROBE" --now @$NOW "$B/cut-then-good.pem"
expect_out "OK           90" "a truncated block before a good one: the good one is read"
expect_out "certificate at line 1 is truncated" "and the truncated one is named"
# DER whose subject holds "-----BEGIN ", expired: read as DER, reported.
mkdir "$B/d1"
mkcert -o "$B/d1/expired.der" --der -s "/CN=-----BEGIN x" --not-before @$((NOW - 90 * 86400)) --not-after @$((NOW - 86400))
run "$CERTPROBE" --now @$NOW "$B/d1/expired.der"
expect_out "CRITICAL     -1" "DER holding '-----BEGIN ' is still DER"
run "$CERTPROBE" --now @$NOW "$B/d1"
expect_out "CRITICAL     -1" "and a directory search does not pass over it"
# DER with a trailing newline, as openssl accepts.
{ cat "$B/d1/expired.der"; echo; } >"$B/trailing.der"
run "$CERTPROBE" --now @$NOW "$B/trailing.der"
expect_out "CRITICAL     -1" "DER with trailing bytes is read"
# Text after a NUL byte in a subject, and a right-to-left override.
mkcert -o "$B/nul.pem" -s /O=First --cn-hex 6f6b00e280ae1b5b326a58 --not-before @$((NOW - 86400)) --not-after @$((NOW + 90 * 86400))
run "$CERTPROBE" --now @$NOW "$B/nul.pem"
expect_out 'ok\x00\xe2\x80\xae\x1b[2jX' "a subject is shown whole past a NUL, overrides escaped"
# Which time cannot be read is named right.
mkcert -o "$B/frac.pem" --not-before @$((NOW - 86400)) --not-after raw:20270101000000.5Z
run "$CERTPROBE" --now @$NOW "$B/frac.pem"
expect_out "OpenSSL cannot read its notAfter time '20270101000000.5Z'" "a fractional notAfter is named"
mkcert -o "$B/nbfrac.pem" --not-before raw:20260101000000+0100 --not-after @$((NOW + 86400))
run "$CERTPROBE" --now @$NOW "$B/nbfrac.pem"
expect_rc 3 "an offset notBefore is UNKNOWN, as X509_cmp_time would have it"
expect_out "OpenSSL cannot read its notBefore time '20260101000000+0100'" "and named as notBefore"
# A bad target on the command line is escaped on stderr.
run "$CERTPROBE" "$(printf 'https://a\033[2Jb')"
check "a bad command-line target is escaped on stderr" sh -c '! grep -q "$(printf "\033")" "$1"' _ "$T/.err"
expect_err 'https://a\x1b[2Jb' "and shown as \\xNN"

# checkssl: the digest lists the failures under "Could not check:".
run "$CHECKSSL" --now @$NOW "$B/good.pem" "$B/missing.pem" "$B/evil.pem"
expect_rc 3 "checkssl with a missing file is UNKNOWN"
expect_out "Could not check:

$B/missing.pem: no such file or directory (or a broken symbolic link)" "checkssl digest names the missing file"
expect_no_out "evil" "a good certificate with an odd subject is not news"

done_testing

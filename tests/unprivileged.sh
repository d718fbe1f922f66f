#!/bin/bash
# certprobe as an unprivileged user (nobody), as cron runs it for a user
# or a monitoring engine runs the plugin: files only root may read are
# each reported "permission denied", with the rest of the run intact; no
# temporary file is ever readable by others; and no private key material
# is printed, whatever holds it.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
    echo "1..0 # SKIP needs root (to become nobody) and setpriv"
    exit 0
fi
# "${AS_NOBODY[@]}" COMMAND...: COMMAND as nobody:nogroup, no
# supplementary groups, no capabilities.
AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all)

DAY=86400
NOW=$(date +%s)
chmod 711 "$T"
D=$T/certs
mkdir -p "$D/private" "$T/out" "$T/tmp"
chmod 755 "$D"
chmod 700 "$D/private"
chmod 1777 "$T/tmp"
chown nobody:nogroup "$T/out"
mkcert -o "$D/ok.pem" -s "/CN=ok.test" --not-after @$((NOW + 200 * DAY - DAY / 2))
mkcert -o "$D/secret.pem" -s "/CN=secret.test" --not-after @$((NOW + 200 * DAY - DAY / 2))
mkcert -o "$D/private/hidden.pem" -s "/CN=hidden.test" --not-after @$((NOW + 200 * DAY - DAY / 2))
chmod 600 "$D/secret.pem"
# A key beside its certificate, and one in the same file (both as
# letsencrypt and many hand-made setups have them).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$D/key.pem" 2>/dev/null
"$MKCERT" -k "$D/key.pem" -o "$D/leaf.pem" -s "/CN=leaf.test" \
    --not-after @$((NOW + 10 * DAY - DAY / 2)) || exit 1
cat "$D/key.pem" "$D/leaf.pem" >"$D/combined.pem"
openssl pkcs12 -export -inkey "$D/key.pem" -in "$D/leaf.pem" -passout pass:s3cret \
    -out "$D/app.p12" 2>/dev/null
echo s3cret >"$D/app.pass"
cp "$D/app.p12" "$D/root.p12"
cp "$D/app.pass" "$D/root.pass"
chmod 644 "$D"/*.pem "$D/app.p12" "$D/root.p12" "$D/app.pass"
chmod 600 "$D/secret.pem" "$D/root.pass"
# What would betray the key: its PEM armour and any line of its body.
KEYLINES=$(grep -v '^-----' "$D/key.pem")

cat >"$T/c.conf" <<EOF
set warn=30 crit=14
$D/ok.pem name=ok
$D/secret.pem name=secret
$D/private name=private
$D/combined.pem name=combined
$D/leaf.pem key=key.pem name=keyed
$D/app.p12 password_file=app.pass name=p12
$D/root.p12 password_file=root.pass name=p12-root-pass
EOF
chmod 644 "$T/c.conf"

# --- files only root may read: each said, the rest reported
run "${AS_NOBODY[@]}" "$CERTPROBE" -C "$T/c.conf"
expect_rc 2 "as nobody: the run goes on (CRITICAL: the 9-day leaf)"
expect_out "OK          199" "as nobody: the readable certificate is reported"
check "secret.pem (0600 root): permission denied" sh -c 'printf "%s\n" "$1" | grep "secret.pem" | grep -q "permission denied"' - "$out"
check "a directory only root may enter: permission denied" sh -c 'printf "%s\n" "$1" | grep "$2" | grep -q "permission denied"' - "$out" "$D/private"
check "a password file only root may read: named, permission denied" sh -c 'printf "%s\n" "$1" | grep -q "root.pass.*permission denied"' - "$out"
expect_out "CRITICAL      9" "the certificates with keys, and the one opened with a readable password file, are reported"
check "on standard error, only the warning that others can read app.pass" test "$err" = \
    "certprobe: $T/c.conf:7: warning: password_file $D/app.pass is readable by group and others (mode 0644): chmod go-r $D/app.pass"
run "${AS_NOBODY[@]}" "$CHECKSSL" -C "$T/c.conf" DAYS=30
expect_rc 2 "checkssl as nobody: CRITICAL, the worst"
expect_out "Could not check:" "checkssl as nobody: the unreadable ones listed"
check "checkssl as nobody: secret.pem, permission denied" sh -c 'printf "%s\n" "$1" | grep "secret" | grep -q "permission denied"' - "$out"

# --- no temporary file readable by others
run "${AS_NOBODY[@]}" env TMPDIR="$T/tmp" "$CERTPROBE" -C "$T/c.conf" --format prometheus --output "$T/out/certprobe.prom"
expect_rc 2 "--output as nobody: the run's state"
check "--output: the report is readable by all (0644), owned by nobody" \
    test "$(stat -c '%a %U' "$T/out/certprobe.prom")" = "644 nobody"
check "--output: nothing else left beside it" test "$(ls -A "$T/out")" = certprobe.prom
check "no temporary file in TMPDIR" test -z "$(ls -A "$T/tmp")"
run "${AS_NOBODY[@]}" sh -c 'umask 077; exec "$@"' - "$CERTPROBE" -C "$T/c.conf" --format json --output "$T/out/certprobe.json"
check "--output under umask 077: still 0644 (node_exporter's user reads it)" \
    test "$(stat -c '%a' "$T/out/certprobe.json")" = 644
if command -v strace >/dev/null; then
    # The temporary is mkstemp's (0600) until it is whole: the mode
    # changes after the last write and before the rename.
    strace -f -qq -e trace=openat,write,fchmod,rename -o "$T/strace" \
        "$CERTPROBE" -C "$T/c.conf" --format json --output "$T/out/s.json" >/dev/null 2>&1
    order=$(awk '/s\.json\.[A-Za-z0-9]+".*O_CREAT/ { o = NR; fd = $NF }
        fd != "" && index($0, " write(" fd ",") { w = NR }
        /fchmod\(.*0644/ { m = NR } /rename\(/ { r = NR }
        END { print (o && m && r && o < m && w < m && m < r) ? "private-until-whole" : "o=" o " w=" w " m=" m " r=" r }' "$T/strace")
    check "--output: the temporary is 0600 until written whole ($order)" test "$order" = private-until-whole
else
    skip "strace not installed: the temporary's mode is not traced"
fi

# --- private key material is never printed
leaks="" ran=""
for fmt in text digest json prometheus nagios; do
    run "${AS_NOBODY[@]}" "$CERTPROBE" -C "$T/c.conf" -v --format "$fmt"
    [ "$rc" = 2 ] && [ -n "$out" ] && ran="$ran $fmt"
    all="$out$err"
    case "$all" in *PRIVATE*) leaks="$leaks $fmt:armour" ;; esac
    while IFS= read -r l; do
        case "$all" in *"$l"*) leaks="$leaks $fmt:body" ;; esac
    done <<<"$KEYLINES"
done
check "every format ran as nobody (${ran# })" test "$ran" = " text digest json prometheus nagios"
check "no format prints the key's armour or any line of it (${leaks:-none})" test -z "$leaks"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$D/other.key" 2>/dev/null
chmod 644 "$D/other.key"
printf '%s\n' "$D/leaf.pem key=other.key name=mismatch" >"$T/m.conf"
chmod 644 "$T/m.conf"
run "${AS_NOBODY[@]}" "$CERTPROBE" -C "$T/m.conf" -v
expect_rc 2 "a key that does not match: CRITICAL"
check "its message names no key material" sh -c '! printf "%s" "$1" | grep -q -e PRIVATE -e "$(sed -n 2p "$2")"' - "$out$err" "$D/other.key"
printf '%s\n' "set renew=\"env >$T/out/env\"" "$D/combined.pem name=combined" >"$T/r.conf"
chmod 644 "$T/r.conf"
run "${AS_NOBODY[@]}" "$CERTPROBE" -C "$T/r.conf" --renew
check "--renew: the hook ran as nobody" test "$(stat -c %U "$T/out/env" 2>/dev/null)" = nobody
check "--renew: the hook's environment holds no key material" \
    sh -c '! grep -q -e PRIVATE -e "$(sed -n 2p "$2")" "$1"' - "$T/out/env" "$D/key.pem"

done_testing

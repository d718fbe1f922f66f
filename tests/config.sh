#!/bin/sh
# Configuration as an operator meets it: errors name file and line with a
# suggestion, the valid checks still run, checks.d is read in order, and
# --check-config runs nothing.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

NOW=1780000000
mkcert -o "$T/a.pem" -s /CN=a --not-before @$((NOW - 86400)) --not-after @$((NOW + 20 * 86400))
mkcert -o "$T/b.pem" -s /CN=b --not-before @$((NOW - 86400)) --not-after @$((NOW + 40 * 86400))
E=$T/etc
mkdir -p "$E/checks.d"
cat >"$E/certprobe.conf" <<EOC
# defaults for everything
set warn=25 crit=7
$T/a.pem name=alpha
EOC
cat >"$E/checks.d/10-web.conf" <<EOC
$T/b.pem wran=14
$T/b.pem name=beta
set warn=50
$T/b.pem name=gamma
EOC
cat >"$E/checks.d/05-mail.conf" <<EOC
smtp://mail.example.com:25 key=k.pem
nntps://127.0.0.1:1
EOC
echo "$T/a.pem name=ignored" >"$E/checks.d/README"
echo "$T/a.pem name=ignored" >"$E/checks.d/.hidden.conf"
echo "$T/a.pem name=ignored" >"$E/checks.d/old.conf~"

run "$CERTPROBE" --now @$NOW -C "$E/certprobe.conf" --check-config
expect_rc 3 "--check-config with errors exits 3"
expect_err "certprobe: $E/checks.d/05-mail.conf:1: 'key' does not apply to live endpoints" "an option on the wrong kind of target"
expect_err "certprobe: $E/checks.d/10-web.conf:1: unknown option 'wran' (did you mean 'warn'?)" "a typo, with file, line and suggestion"
check "checks.d is read in lexical order" sh -c 'grep -n "" "$1" | grep -q "^1:.*05-mail" && grep -n "" "$1" | grep -q "^2:.*10-web"' _ "$T/.err"
expect_out "2 errors; 4 valid checks would run" "a summary of what would run"
check "--check-config checks nothing" test "$(count_out "$T/a.pem")" = 0

run "$CERTPROBE" --now @$NOW -C "$E/certprobe.conf"
expect_rc 2 "configuration errors are UNKNOWN; a refused endpoint is CRITICAL and outranks them"
expect_out "$E/checks.d/10-web.conf:1" "the error is a row of the report"
expect_out "OK           40  $(enddate "$T/b.pem")  $T/b.pem" "the valid checks still run"
expect_out "WARNING      20  $(enddate "$T/a.pem")  $T/a.pem" "set warn=25 in certprobe.conf applies"
expect_out "nntps://127.0.0.1:1 [127.0.0.1]" "an endpoint check in checks.d runs with the rest"
expect_out "cannot connect: connection refused" "and says why it failed"
expect_no_out "ignored" "README, hidden and backup files in checks.d are not read"

run "$CHECKSSL" --now @$NOW -C "$E/certprobe.conf" DAYS=45
expect_out "gamma: $(enddate "$T/b.pem") (40 days)" "set in a checks.d file applies below it"
expect_out "beta: $(enddate "$T/b.pem") (40 days)" "DAYS= applies to every check"
expect_out "Could not check:" "checkssl lists configuration errors"
expect_out "$E/checks.d/10-web.conf:1: unknown option 'wran' (did you mean 'warn'?)" "with file and line"

cat >"$E/good.conf" <<EOC
set warn=25
$T/a.pem
EOC
run "$CERTPROBE" -C "$E/good.conf" -D "$E/empty.d" --check-config
expect_rc 3 "a missing -D directory is an error"
expect_err "$E/empty.d: cannot read directory" "and is named"
mkdir "$E/empty.d"
run "$CERTPROBE" -C "$E/good.conf" -D "$E/empty.d" --check-config
expect_rc 0 "a valid configuration"
expect_out "configuration OK: 1 check" "--check-config says so"
run env CERTPROBE_CONFIG="$E/good.conf" "$CERTPROBE" -D "$E/empty.d" --now @$NOW
expect_out "WARNING      20" "CERTPROBE_CONFIG names the configuration"

# Targets on the command line replace the configured checks; the
# configuration's defaults still apply, its errors do not change the state.
run "$CERTPROBE" --now @$NOW -C "$E/certprobe.conf" "$T/b.pem"
expect_rc 0 "targets given: only they are checked"
check "one row for the one target" test "$(count_out "$T/")" = 1
expect_err "(ignored: targets given)" "configuration errors are still shown"
run "$CERTPROBE" --now @$NOW -C "$E/certprobe.conf" "$T/a.pem"
expect_out "WARNING      20" "the configuration's set warn=25 applies to targets given"
run "$CERTPROBE" --now @$NOW -C "$E/certprobe.conf" -w 10 "$T/a.pem"
expect_out "OK           20" "-w overrides the configuration"
run "$CERTPROBE" -C "$E/good.conf" htps://example.com
expect_rc 3 "a bad target on the command line is a usage error"
expect_err "htps://example.com: unknown protocol 'htps' (did you mean 'https'?)" "with a suggestion"

# A configuration that is not a file, or too long a line.
run "$CERTPROBE" -C "$E" --check-config
expect_err "$E: cannot read: is a directory" "a directory given as -C"
awk 'BEGIN { printf "/x"; for (i = 0; i < 5000; i++) printf "a"; printf "\n" }' >"$E/long.conf"
run "$CERTPROBE" -C "$E/long.conf" -D "$E/empty.d" --check-config
expect_err "$E/long.conf:1: line longer than 4096 bytes" "an over-long line"

# Who may change what runs as us: a configuration file or directory
# that group or others can write, or that another user owns, is refused
# as sshd's StrictModes refuses it, naming the mode, the owner and the
# fix; the other files still load. A password file others can read is
# used, with a warning.
P=$T/perms
mkdir -p "$P/checks.d"
chmod 755 "$P" "$P/checks.d"
mkcert -o "$P/cert.pem" -s /CN=perms --not-after @$(( $(date +%s) + 90 * 86400 ))
printf '%s\n' "$P/cert.pem name=main" >"$P/certprobe.conf"
printf '%s\n' "$P/cert.pem warn=100 renew=\"touch $P/owned\" name=dropin" >"$P/checks.d/a.conf"
chmod 644 "$P/certprobe.conf" "$P/checks.d/a.conf"
run "$CERTPROBE" -C "$P/certprobe.conf" --check-config
expect_rc 0 "a configuration only its owner can write is accepted"
chmod 664 "$P/checks.d/a.conf"
run "$CERTPROBE" -C "$P/certprobe.conf" --check-config
expect_rc 3 "a group-writable checks.d file is refused"
expect_err "$P/checks.d/a.conf: refused: writable by group (mode 0664, owner root): chmod go-w $P/checks.d/a.conf" "and the message names the mode, the owner and the fix"
run "$CERTPROBE" -C "$P/certprobe.conf" --renew
expect_rc 3 "a run with it is UNKNOWN"
expect_row "$P/cert.pem" "CN = perms" "the other file's checks still run"
check "its renew= command never ran" test ! -e "$P/owned"
chmod 644 "$P/checks.d/a.conf"
chmod 646 "$P/certprobe.conf"
run "$CERTPROBE" -C "$P/certprobe.conf" --check-config
expect_err "$P/certprobe.conf: refused: writable by others (mode 0646, owner root): chmod go-w $P/certprobe.conf" "a world-writable certprobe.conf is refused"
chmod 644 "$P/certprobe.conf"
chmod 775 "$P/checks.d"
run "$CERTPROBE" -C "$P/certprobe.conf" --check-config
expect_err "$P/checks.d: refused, and every file in it: writable by group (mode 0775, owner root): chmod go-w $P/checks.d" "a group-writable checks.d directory is refused"
chmod 755 "$P/checks.d"
chmod 777 "$P"
run "$CERTPROBE" -C "$P/certprobe.conf" --check-config
expect_err "$P/certprobe.conf: refused: its directory is writable by group and others (mode 0777, owner root): chmod go-w $P" "a file in a world-writable directory is refused"
chmod 1777 "$P"
run "$CERTPROBE" -C "$P/certprobe.conf" --check-config
expect_rc 0 "a sticky directory root owns (as /tmp) is accepted: nobody else can replace what is in it"
chmod 755 "$P"
chown nobody "$P/checks.d/a.conf"
run "$CERTPROBE" -C "$P/certprobe.conf" --check-config
expect_err "$P/checks.d/a.conf: refused: owned by nobody, neither root nor the user running the probe (mode 0644): chown root $P/checks.d/a.conf" "a file another user owns is refused"
chown root "$P/checks.d/a.conf"
echo secret >"$P/pw"
chmod 644 "$P/pw"
printf '%s\n' "set smtp_password_file=$P/pw mail_to=root@localhost" "$P/cert.pem password_file=$P/pw" >"$P/certprobe.conf"
run "$CERTPROBE" -C "$P/certprobe.conf" --check-config
expect_rc 0 "a password file others can read is still used"
expect_err "warning: smtp_password_file $P/pw is readable by group and others (mode 0644): chmod go-r $P/pw" "but --check-config warns of it"
check "once for each setting that names it" test "$(printf '%s\n' "$err" | grep -c "warning:")" = 2
run "$CERTPROBE" -C "$P/certprobe.conf"
expect_err "warning: password_file $P/pw is readable by group and others" "a run warns of it on standard error"
run "$top_builddir/plugins/check_cert_expiry" --password-file "$P/pw" -f "$P/cert.pem"
expect_err "warning: password_file $P/pw is readable by group and others" "check_cert_expiry --password-file warns too"
chmod 600 "$P/pw"
run "$CERTPROBE" -C "$P/certprobe.conf" --check-config
expect_no_err "warning" "a private password file: no warning"

# The examples we ship must stay valid.
for ex in "$top_srcdir"/checks.d/*.conf.example "$top_srcdir"/contrib/certprobe.conf; do
    mkdir -p "$T/ex.d"
    # A copy of our own: the tree may be checked out group-writable
    # (umask 002), which the probe rightly refuses.
    cp "$ex" "$T/example.conf" && chmod 644 "$T/example.conf"
    run "$CERTPROBE" -C "$T/example.conf" -D "$T/ex.d" --check-config
    expect_rc 0 "example $(basename "$ex") is valid"
    cp "$ex" "$T/ex.d/x.conf"
    run "$CERTPROBE" -C "$E/good.conf" -D "$T/ex.d" --check-config
    expect_rc 0 "example $(basename "$ex") is valid as a drop-in"
    rm -f "$T/ex.d/x.conf"
done

# The dehydrated example keeps its promise for short-lived certificates:
# a 6-day certificate issued an hour ago is OK under it, and one with a
# day left is CRITICAL.
D6=$T/dehydrated/certs/short
mkdir -p "$D6"
n6=$(date +%s)
mkcert -o "$D6/cert.pem" -s /CN=short --not-before @$((n6 - 3600)) --not-after @$((n6 - 3600 + 6 * 86400))
cp "$KEY" "$D6/privkey.pem"
sed "s|/var/lib/dehydrated|$T/dehydrated|" "$top_srcdir/checks.d/dehydrated.conf.example" >"$T/d6.conf"
chmod 644 "$T/d6.conf"
run "$CERTPROBE" -C "$T/d6.conf" -D "$T/ex.d"
expect_rc 0 "dehydrated.conf.example: a fresh 6-day certificate is OK"
run "$CERTPROBE" -C "$T/d6.conf" -D "$T/ex.d" --now @$((n6 - 3600 + 5 * 86400 + 43200))
expect_rc 2 "dehydrated.conf.example: with half a day left of six, CRITICAL"
expect_out "within crit=16% (23.0h)" "and says it crossed a sixth of the lifetime"

done_testing

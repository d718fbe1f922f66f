#!/bin/bash
# certprobe --mail (SPEC section 6): the digest, mailed through libesmtp to
# a real postfix that delivers it to a Maildir; STARTTLS required,
# opportunistic or off; AUTH checked by a real dovecot. What arrives is
# checked header by header and line by line. When the mail cannot go
# (relay down, silent, without STARTTLS, untrusted, wrong password, or
# settings missing), the digest is on standard output, the reason on
# standard error, and the exit is UNKNOWN. Names and subjects made to
# break a header, a shell or a terminal arrive as inert, escaped text.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/daemons.sh"
daemons_trap

for kind in postfix dovecot; do
    daemons_available "$kind" ||
        { echo "Bail out! $kind: $daemons_why (./bootstrap --test-deps installs it)"; exit 1; }
done

MINI=$top_builddir/tests/tools/miniserver
DAY=86400
NOW=$(date +%s)
HOST=$(hostname)

# The relay's certificate: localhost, under a root of this test's own.
CA=$T/root.pem
mkcert -o "$CA" -k "$T/root.key" -s "/CN=Mail Test Root" --ca --not-after @$((NOW + 400 * DAY))
mkcert -o "$T/relay.pem" -s "/CN=localhost" --san "DNS:localhost" \
    --ca-key "$T/root.key" --ca-cert "$CA" --not-after @$((NOW + 300 * DAY))
cat "$T/relay.pem" "$CA" >"$T/relay.chain"

# What is checked: one certificate due in 5 days (CRITICAL), one in 20
# (WARNING), one fine, under names that would each break something.
mkdir -p "$T/certs"
mkcert -o "$T/certs/crit.pem" -s "/CN=crit.test" --not-after @$((NOW + 5 * DAY - DAY / 2))
mkcert -o "$T/certs/warn.pem" -s "/CN=warn.test" --not-after @$((NOW + 20 * DAY - DAY / 2))
mkcert -o "$T/certs/fine.pem" -s "/CN=fine.test" --not-after @$((NOW + 200 * DAY - DAY / 2))

set -- $(daemons_ports 7)
SMTP=$1 SUBM=$2 SMTPS=$3 IMAP=$4 IMAPS=$5 POP3=$6 POP3S=$7
start() {
    "$@" || { echo "Bail out! cannot start: $*"; exit 1; }
}
PASSWORD='Pa55-w0rd;s3cret'
mkdir -p "$T/dovecot"
echo "test:{PLAIN}$PASSWORD::::::" >"$T/dovecot/users"
start dovecot_start "$T/dovecot" "$T/relay.chain" "$KEY" "$IMAP" "$IMAPS" "$POP3" "$POP3S"
start postfix_start "$T/postfix" "$T/relay.chain" "$KEY" "$SMTP" "$SUBM" "$SMTPS" \
    sasl="$T/dovecot/run/auth-postfix" authonly nochunking
MAILDIR=$T/postfix/Maildir

printf '%s\n' "$PASSWORD" >"$T/password"
printf 'wrong\n' >"$T/badpassword"
chmod 600 "$T/password" "$T/badpassword"

# conf FILE [SETTING...]: the three checks and the mail settings given.
conf() {
    f=$1
    shift
    {
        echo "set warn=30 crit=10"
        [ $# -gt 0 ] && echo "set $*"
        echo "$T/certs/crit.pem name=crit"
        echo "$T/certs/warn.pem name=warn"
        echo "$T/certs/fine.pem name=fine"
    } >"$f"
}
AUTH="mail_to=ops@example.test smtp_relay=localhost:$SUBM smtp_starttls=required smtp_user=test smtp_password_file=$T/password"

# mails: the number of messages delivered so far.
mails() { find "$MAILDIR/new" -type f | wc -l; }
# wait_mail N: waits up to 15 s for the Nth message; its path in $MAIL.
wait_mail() {
    i=0
    while [ "$(mails)" -lt "$1" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    MAIL=$(ls -tr "$MAILDIR/new"/* 2>/dev/null | tail -n 1)
    [ "$(mails)" -ge "$1" ]
}
# header NAME: the value of NAME in $MAIL's header section (unfolded).
header() {
    sed -e '/^\r\?$/q' "$MAIL" | tr -d '\r' | sed -e ':a;N;$!ba;s/\n[ \t]\+/ /g' |
        sed -n "s/^$1: //p"
}
# body: $MAIL's body, without CR.
body() { sed -e '1,/^\r\?$/d' "$MAIL" | tr -d '\r'; }

# --- the digest, mailed over STARTTLS with AUTH
conf "$T/auth.conf" "$AUTH"
run "$CERTPROBE" -C "$T/auth.conf" --format digest
DIGEST=$out
run env SSL_CERT_FILE="$CA" "$CERTPROBE" -C "$T/auth.conf" --mail
expect_rc 2 "mailed: the exit is still the worst state (crit is CRITICAL)"
check "mailed: nothing on standard output or error, for cron" test -z "$out$err"
if wait_mail 1; then ok "a mail arrives in the Maildir"; else not_ok "a mail arrives in the Maildir"; fi
check "its Subject names the host and the counts" \
    test "$(header Subject)" = "certprobe on $HOST: 1 CRITICAL, 1 WARNING, 1 OK"
check "From: is certprobe@ the host name" test "$(header From)" = "certprobe <certprobe@$HOST>"
check "To: is mail_to" test "$(header To)" = "ops@example.test"
check "Date: is RFC 5322's, and now" \
    test "$(date -d "$(header Date)" +%s)" -ge $((NOW - 5)) -a -n "$(header Date | grep -E '^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}$')"
check "Message-ID: is <...@host>" sh -c "printf '%s' '$(header Message-ID)' | grep -Eq '^<[0-9]+\.[0-9]+\.[0-9a-f]{16}@$HOST>\$'"
check "MIME: version, UTF-8 text, 7bit" test "$(header MIME-Version)|$(header Content-Type)|$(header Content-Transfer-Encoding)" = "1.0|text/plain; charset=utf-8|7bit"
check "Auto-Submitted: auto-generated (no vacation replies)" test "$(header Auto-Submitted)" = "auto-generated"
check "the body is the digest, line for line" test "$(body)" = "$DIGEST"

check "postfix received it over TLS" sh -c "header() { :; }; grep -q 'using TLSv1' '$MAIL'"
check "postfix logged the login of user test" grep -q "sasl_method=PLAIN, sasl_username=test" "$T/postfix/maillog"
check "the password is nowhere in the mail" sh -c '! grep -qF -- "$1" "$2"' - "$PASSWORD" "$MAIL"
# The mail as received, for whoever reads the log.
sed 's/^/#   | /' "$MAIL"

run env SSL_CERT_FILE="$CA" "$CERTPROBE" -C "$T/auth.conf" --mail -v
expect_rc 2 "-v: the same run"
expect_err "certprobe: mailed the digest to ops@example.test through localhost:$SUBM (STARTTLS, TLSv1.2, AUTH, certificate verified)" "-v says where it went, and how"
check "-v: never the password" test "${err#*"$PASSWORD"}" = "$err"
wait_mail 2

# unsent DESC REASON: the last run could not mail: UNKNOWN, the reason on
# standard error, the digest on standard output, and no mail.
unsent() {
    expect_rc 3 "$1: UNKNOWN"
    expect_err "certprobe: mail not sent: $2" "$1: the reason, on standard error"
    check "$1: the digest on standard output, for cron" test "$out" = "$DIGEST"
    check "$1: no mail" test "$(mails)" = "$before"
}
before=$(mails)

# --- the relay is down
set -- $(daemons_ports 1)
conf "$T/down.conf" "mail_to=ops@example.test smtp_relay=localhost:$1"
run "$CERTPROBE" -C "$T/down.conf" --mail
unsent "relay down" "localhost:$1: Connection refused"

# --- STARTTLS required, and the relay does not offer it
mini() {
    pf=$T/port.$1
    "$MINI" -p 0 --port-file "$pf" --cert "$T/relay.chain" --key "$KEY" "$@" &
    PIDS="${PIDS:-} $!"
    i=0
    while [ ! -s "$pf" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    port=$(cat "$pf" 2>/dev/null) || { echo "Bail out! miniserver $*"; exit 1; }
}
trap_prev=$(trap -p EXIT | sed "s/^trap -- '//; s/' EXIT\$//")
trap 'for p in ${PIDS:-}; do kill "$p" 2>/dev/null; done; '"$trap_prev" EXIT
mini no-starttls smtp
conf "$T/notls.conf" "mail_to=ops@example.test smtp_relay=localhost:$port smtp_starttls=required"
run "$CERTPROBE" -C "$T/notls.conf" --mail
unsent "no STARTTLS" "the relay does not offer STARTTLS (smtp_starttls=required)"

# --- required: the relay's certificate must verify, and be for its name
conf "$T/req.conf" "mail_to=ops@example.test smtp_relay=localhost:$SMTP smtp_starttls=required"
run "$CERTPROBE" -C "$T/req.conf" --mail
unsent "untrusted relay" "the relay's certificate does not verify: self-signed certificate in certificate chain"
conf "$T/ip.conf" "mail_to=ops@example.test smtp_relay=127.0.0.1:$SMTP smtp_starttls=required"
run env SSL_CERT_FILE="$CA" "$CERTPROBE" -C "$T/ip.conf" --mail
unsent "relay by an address its certificate does not name" "the relay's certificate does not verify: IP address mismatch"

# --- opportunistic: encrypted when offered, the certificate not checked
conf "$T/opp.conf" "mail_to=ops@example.test smtp_relay=localhost:$SMTP"
run "$CERTPROBE" -C "$T/opp.conf" --mail -v
expect_rc 2 "opportunistic (the default) to an untrusted relay: sent"
expect_err "(STARTTLS, TLSv1.2)" "-v: STARTTLS, and no claim of a verified certificate"
if wait_mail $((before + 1)); then ok "opportunistic: delivered"; else not_ok "opportunistic: delivered"; fi
check "opportunistic: it went encrypted" grep -q "using TLSv1" "$MAIL"

# --- off: no STARTTLS at all
conf "$T/off.conf" "mail_to=ops@example.test smtp_relay=localhost:$SMTP smtp_starttls=off"
run "$CERTPROBE" -C "$T/off.conf" --mail -v
expect_rc 2 "smtp_starttls=off: sent"
expect_err "(no TLS)" "-v: no TLS"
if wait_mail $((before + 2)); then ok "off: delivered"; else not_ok "off: delivered"; fi
check "off: it went in clear" sh -c '! grep -q "using TLSv1" "$1"' - "$MAIL"
before=$(mails)

# --- AUTH refused, and settings that cannot work
conf "$T/badpw.conf" "${AUTH%smtp_password_file=*}smtp_password_file=$T/badpassword"
run env SSL_CERT_FILE="$CA" "$CERTPROBE" -C "$T/badpw.conf" --mail
unsent "wrong password" "the relay refused ops@example.test: 554 5.7.1 <ops@example.test>: Recipient address rejected: Access denied (the relay had said: 535 5.7.8 Error: authentication failed: "
conf "$T/noauth.conf" "mail_to=ops@example.test smtp_relay=localhost:$SUBM smtp_starttls=required"
run env SSL_CERT_FILE="$CA" "$CERTPROBE" -C "$T/noauth.conf" --mail
unsent "no login where the relay wants one" "the relay refused ops@example.test: 554 5.7.1"
conf "$T/clear.conf" "mail_to=ops@example.test smtp_relay=localhost:$SMTP smtp_starttls=off smtp_user=test smtp_password_file=$T/password"
run "$CERTPROBE" -C "$T/clear.conf" --mail
unsent "smtp_user with smtp_starttls=off" "smtp_user is set with smtp_starttls=off: a password is only ever sent over TLS"
conf "$T/nopwfile.conf" "mail_to=ops@example.test smtp_relay=localhost:$SUBM smtp_user=test smtp_password_file=$T/absent"
run "$CERTPROBE" -C "$T/nopwfile.conf" --mail
unsent "smtp_password_file missing" "smtp_password_file $T/absent: "
conf "$T/noto.conf" "smtp_relay=localhost:$SMTP"
run "$CERTPROBE" -C "$T/noto.conf" --mail
unsent "no mail_to" "no mail_to: set where the digest goes"
printf '%s\n' "set smtp_relay=localhost:$SMTP" "$T/certs/fine.pem" >"$T/noto-quiet.conf"
run "$CERTPROBE" -C "$T/noto-quiet.conf" --mail
expect_rc 3 "no mail_to, and nothing due: said all the same (UNKNOWN)"
expect_err "certprobe: mail not sent: no mail_to" "no mail_to on a quiet night: the reason"
head -c 2000 /dev/zero | tr '\0' x >"$T/hugepassword"
conf "$T/hugepw.conf" "${AUTH%smtp_password_file=*}smtp_password_file=$T/hugepassword"
run env SSL_CERT_FILE="$CA" "$CERTPROBE" -C "$T/hugepw.conf" --mail
unsent "a password file of 2000 bytes" "smtp_password_file $T/hugepassword: larger than 1024 bytes, refused"

# --- a login goes only to a relay whose certificate verifies
# logins: AUTH attempts postfix has logged, good or bad.
logins() { grep -c "sasl_username=\|authentication failed" "$T/postfix/maillog"; }
conf "$T/opp-auth.conf" "mail_to=ops@example.test smtp_relay=localhost:$SUBM smtp_user=test smtp_password_file=$T/password"
n_logins=$(logins)
run "$CERTPROBE" -C "$T/opp-auth.conf" --mail
unsent "smtp_user, opportunistic, untrusted relay" "the relay's certificate does not verify: self-signed certificate in certificate chain"
check "no login was tried" test "$(logins)" = "$n_logins"

# --- a relay that takes the mail without the login smtp_user asked for
conf "$T/nologin.conf" "mail_to=ops@example.test smtp_relay=localhost:$SMTP smtp_user=test smtp_password_file=$T/password"
run env SSL_CERT_FILE="$CA" "$CERTPROBE" -C "$T/nologin.conf" --mail
expect_rc 2 "the relay offers no AUTH, and takes the mail: mailed"
expect_err "certprobe: warning: the relay took the mail without a login (smtp_user is set); it offers no AUTH" "and a warning says the login did not happen"
if wait_mail $((before + 1)); then ok "mailed without the login"; else not_ok "mailed without the login"; fi
before=$(mails)

# --- --format with --mail: the report alone on standard output
run "$CERTPROBE" -C "$T/down.conf" --mail --format json
expect_rc 3 "relay down, --format json: UNKNOWN"
check "relay down, --format json: standard output is the JSON alone" \
    sh -c 'printf "%s" "$1" | jq -e ".results | length == 3" >/dev/null' - "$out"
expect_err "certprobe: mail not sent: " "relay down, --format json: the reason"
run "$CERTPROBE" -C "$T/down.conf" --mail --output "$T/report.json" --format json
expect_rc 3 "relay down, --output: UNKNOWN"
check "relay down, --output: the digest on standard output, the report in the file" \
    test "$out" = "$DIGEST" -a -s "$T/report.json"

# --- a relay that never speaks, or drips: bounded
mini silent
conf "$T/silent.conf" "timeout=1 mail_to=ops@example.test smtp_relay=localhost:$port"
timed_run "$CERTPROBE" -C "$T/silent.conf" --mail
unsent "silent relay" "localhost:$port: "
check "silent relay: given up within 4 s (timeout=1, ${ms} ms)" test "$ms" -lt 4000
# A byte a second never lets a 2 s wait run out: the bound on the whole
# dialog (3 x timeout) ends it.
mini drip smtp
conf "$T/drip.conf" "timeout=2 mail_to=ops@example.test smtp_relay=localhost:$port"
timed_run "$CERTPROBE" -C "$T/drip.conf" --mail
unsent "dripping relay" "localhost:$port: no end to the dialog within 6 s"
check "dripping relay: given up within 9 s (3 x timeout=2, ${ms} ms)" test "$ms" -lt 9000

# --- nothing to say: no mail, unless mail_always
printf '%s\n' "set warn=30 crit=10 mail_to=ops@example.test smtp_relay=localhost:$SMTP" \
    "$T/certs/fine.pem name=fine" >"$T/quiet.conf"
run "$CERTPROBE" -C "$T/quiet.conf" --mail
expect_rc 0 "nothing due: OK"
check "nothing due: silent, and no mail" test -z "$out$err" -a "$(mails)" = "$before"
run "$CERTPROBE" -C "$T/quiet.conf" --format text
TABLE=$out
echo "set mail_always=yes" >>"$T/quiet.conf"
run "$CERTPROBE" -C "$T/quiet.conf" --mail
expect_rc 0 "mail_always=yes: OK"
if wait_mail $((before + 1)); then ok "mail_always=yes: mailed all the same"; else not_ok "mail_always=yes: mailed all the same"; fi
check "mail_always: the Subject says all is well" test "$(header Subject)" = "certprobe on $HOST: all 1 OK"
check "mail_always: the body is the whole table" test "$(body)" = "$TABLE"

# --- two recipients; and --format asks for a report as well
conf "$T/two.conf" "mail_to=a@example.test,b@example.test smtp_relay=localhost:$SMTP"
before=$(mails)
run "$CERTPROBE" -C "$T/two.conf" --mail --format json
expect_rc 2 "--mail --format json: the exit as ever"
check "--format json: the report on standard output too" sh -c 'printf "%s" "$1" | jq -e ".results | length == 3" >/dev/null' - "$out"
if wait_mail $((before + 2)); then ok "each recipient gets the mail"; else not_ok "each recipient gets the mail"; fi
check "To: names both" test "$(header To)" = "a@example.test, b@example.test"

# --- contrib: the nightly cron job and systemd unit, told to mail
conf "$T/nightly.conf" "mail_to=ops@example.test smtp_relay=localhost:$SMTP"
before=$(mails)
run env CERTPROBE="$CERTPROBE" CERTPROBE_CONFIG="$T/nightly.conf" CERTPROBE_OPTS=--mail \
    "$top_srcdir/contrib/cron/certprobe.daily"
expect_rc 2 "cron.daily with CERTPROBE_OPTS=--mail: the worst state"
check "cron.daily with --mail: silent, so cron sends nothing more" test -z "$out$err"
if wait_mail $((before + 1)); then ok "cron.daily with --mail: the digest is mailed"; else not_ok "cron.daily with --mail: the digest is mailed"; fi
check "cron.daily with --mail: the body is the digest" test "$(body)" = "$DIGEST"
unit=$(sed -n 's/^ExecStart=\/usr\/bin\/certprobe //p' "$top_srcdir/contrib/systemd/certprobe.service")
# sh splits $CERTPROBE_OPTS into words as systemd does.
run env CERTPROBE_CONFIG="$T/nightly.conf" CERTPROBE_OPTS=--mail sh -c "exec \"\$0\" $unit" "$CERTPROBE"
expect_rc 2 "certprobe.service with CERTPROBE_OPTS=--mail: the worst state"
check "certprobe.service with --mail: the digest in the journal as well" test "$out" = "$DIGEST"
if wait_mail $((before + 2)); then ok "certprobe.service with --mail: mailed"; else not_ok "certprobe.service with --mail: mailed"; fi

# --- names that would break a header, a shell, a terminal or SMTP
EVIL=$T/evil
mkdir -p "$EVIL"
cd "$T" || exit 1
BAD="\$(touch pwned) \`touch pwned2\`; x"$'\r\nBcc: x@example.com\e[31m'
mkcert -o "$EVIL/$BAD.pem" -s "/CN=evil.test" --not-after @$((NOW + 3 * DAY - DAY / 2))
mkcert -o "$T/evilca.pem" -k "$T/evilca.key" --ca -s "/CN=\$(touch pwned3) \`id\`; y"$'\r\nBcc: y@example.com\e]0;title\a' \
    --not-after @$((NOW + 4 * DAY - DAY / 2))
mkcert -o "$T/evilleaf.pem" -s "/CN=leaf.test" --ca-key "$T/evilca.key" --ca-cert "$T/evilca.pem" \
    --not-after @$((NOW + 100 * DAY))
cat "$T/evilleaf.pem" "$T/evilca.pem" >"$T/bundle.pem"
printf '%s\n' "set warn=30 crit=10 mail_to=ops@example.test smtp_relay=localhost:$SMTP" \
    "$EVIL" "$T/bundle.pem" "$T/certs/crit.pem name=.dotted" >"$T/evil.conf"
before=$(mails)
run "$CERTPROBE" -C "$T/evil.conf" --format digest
EVIL_DIGEST=$out
run "$CERTPROBE" -C "$T/evil.conf" --mail
expect_rc 2 "hostile names: mailed (CRITICAL)"
if wait_mail $((before + 1)); then ok "hostile names: one mail"; else not_ok "hostile names: one mail"; fi
sleep 0.5
check "hostile names: one mail, to mail_to alone (no Bcc: took effect)" test "$(mails)" = $((before + 1))
check "hostile names: the header section is ours alone" test \
    "$(sed -e '/^$/q' "$MAIL" | grep -v $'^[ \t]' | cut -d: -f1 | grep -v '^$' | sort | tr '\n' ' ')" = \
    "Auto-Submitted Content-Transfer-Encoding Content-Type Date Delivered-To From MIME-Version Message-ID Received Return-Path Subject To X-Original-To "
check "hostile names: the Subject is still the counts" \
    test "$(header Subject)" = "certprobe on $HOST: 3 CRITICAL"
check "hostile names: the body is the digest as printed" test "$(body)" = "$EVIL_DIGEST"
check "hostile names: the file name arrives escaped" grep -qF 'x\x0d\x0aBcc: x@example.com\x1b[31m' "$MAIL"
check "hostile names: the subject arrives escaped" grep -qF 'y\x0d\x0aBcc: y@example.com\x1b]0;title\x07' "$MAIL"
check "hostile names: no escape byte, no CR, no BEL in the mail" sh -c '! grep -q "$(printf "[\033\r\007]")" "$1"' - "$MAIL"
# postfix's SMTP port offers no CHUNKING here: the mail went by DATA,
# where a line that starts with a dot must be sent with the dot doubled.
check "hostile names: a line that starts with a dot arrives whole" sh -c 'grep -q "^\.dotted: " "$1"' - "$MAIL"
check "hostile names: nothing ran" test ! -e pwned -a ! -e pwned2 -a ! -e pwned3

done_testing

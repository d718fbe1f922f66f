#!/bin/bash
# certprobe --renew (SPEC section 7): a check due by its dates runs its
# renew= command, once per distinct command, with the values in an
# environment certprobe builds (nothing inherited, nothing spliced into
# the command); a command that works is followed by a re-check, and the
# report shows the renewed certificate; one that fails, or hangs, is
# reported with its status and the end of its output. --dry-run says
# what would run and runs nothing.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DAY=86400
NOW=$(date +%s)
mkdir -p "$T/a" "$T/b" "$T/c"
# due NAME DAYS: a certificate for NAME.test at $T/NAME/cert.pem.
due() { mkcert -o "$T/$1/cert.pem" -s "/CN=$1.test" --not-after @$((NOW + $2 * DAY - DAY / 2)); }
due a 10
due b 12
due c 200

# The hook: notes its environment, counts its runs, and renews the file
# it was given for 90 days (mkcert by its full path: PATH is certprobe's).
cat >"$T/hook.sh" <<EOF
#!/bin/sh
env | sort >"$T/env.last"
echo run >>"$T/runs.log"
"$MKCERT" -o "\$CERTPROBE_FILE" -k "$KEY" -s "/CN=renewed.test" --not-after @$((NOW + 90 * DAY - DAY / 2))
EOF
chmod +x "$T/hook.sh"
NEW_END() { enddate "$T/a/cert.pem"; }

printf '%s\n' "set renew=\"$T/hook.sh\"" "$T/a/cert.pem name=site-a" "$T/c/cert.pem name=site-c" >"$T/one.conf"

# --- --dry-run runs nothing
run "$CERTPROBE" -C "$T/one.conf" --renew --dry-run
expect_rc 2 "--dry-run: the report as it is (a is CRITICAL)"
expect_err "certprobe: --dry-run: would run '$T/hook.sh' for 1 check (the first: $T/a/cert.pem, CRITICAL, 9 days)" "--dry-run says what would run, and for what"
check "--dry-run runs nothing" test ! -e "$T/runs.log"

# --- a hook that renews: the report shows the new certificate
OLD_END=$(enddate "$T/a/cert.pem")
SECRET_TOKEN=hunter2 run env SECRET_TOKEN=hunter2 "$CERTPROBE" -C "$T/one.conf" --renew
expect_rc 0 "renewed: every check OK after the re-check"
check "the hook ran once" test "$(wc -l <"$T/runs.log")" = 1
expect_out "OK           89  $(NEW_END)  $T/a/cert.pem  CN = renewed.test" "the report shows the renewed certificate, read again"
expect_no_out "$OLD_END" "and not the old one"
env_of() { sed -n "s/^$1=//p" "$T/env.last"; }
check "CERTPROBE_TARGET is the check's target" test "$(env_of CERTPROBE_TARGET)" = "$T/a/cert.pem"
check "CERTPROBE_FILE is the file" test "$(env_of CERTPROBE_FILE)" = "$T/a/cert.pem"
check "CERTPROBE_NAME is name=" test "$(env_of CERTPROBE_NAME)" = "site-a"
check "CERTPROBE_SUBJECT" test "$(env_of CERTPROBE_SUBJECT)" = "CN = a.test"
check "CERTPROBE_NOT_AFTER is the old notAfter in RFC 3339" \
    test "$(env_of CERTPROBE_NOT_AFTER)" = "$(date -u -d "$OLD_END" +%Y-%m-%dT%H:%M:%SZ)"
check "CERTPROBE_DAYS_LEFT" test "$(env_of CERTPROBE_DAYS_LEFT)" = 9
check "CERTPROBE_STATE" test "$(env_of CERTPROBE_STATE)" = CRITICAL
check "CERTPROBE_HOST, _PORT, _PROTOCOL are empty for a file" \
    test "$(env_of CERTPROBE_HOST)$(env_of CERTPROBE_PORT)$(env_of CERTPROBE_PROTOCOL)" = ""
check "a plain PATH, certprobe's own" test "$(env_of PATH)" = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
check "nothing of certprobe's environment is inherited" sh -c '! grep -q SECRET_TOKEN "$1"' _ "$T/env.last"
run "$CERTPROBE" -C "$T/one.conf" --renew
check "nothing due: the hook does not run" test "$(wc -l <"$T/runs.log")" = 1

# --- three checks, one command: it runs once
due a 10
due b 12
mkdir -p "$T/d" && mkcert -o "$T/d/cert.pem" -s /CN=d.test --not-after @$((NOW + 5 * DAY - DAY / 2))
: >"$T/runs.log"
printf '%s\n' "set renew=\"$T/hook.sh\"" "$T/a/cert.pem" "$T/b/cert.pem" "$T/d/cert.pem" >"$T/three.conf"
run "$CERTPROBE" -C "$T/three.conf" --renew
check "three due checks, one command: it runs once" test "$(wc -l <"$T/runs.log")" = 1
check "with the most urgent check's values (d, 4 days)" test "$(env_of CERTPROBE_FILE)" = "$T/d/cert.pem"
expect_out "OK           89  $(enddate "$T/d/cert.pem")  $T/d/cert.pem" "d, renewed, is OK"
expect_out "CRITICAL      9" "a, not renewed by this hook, is still due after the re-check"

# --- a hook that fails: its status and the end of its output
due a 10
printf '%s\n' "$T/a/cert.pem renew=\"echo working; echo no account key >&2; exit 3\"" >"$T/fail.conf"
run "$CERTPROBE" -C "$T/fail.conf" --renew
expect_rc 2 "a failed renewal: still CRITICAL by its dates"
expect_out "renew 'echo working; echo no account key >&2; exit 3' exited 3: no account key" "says the status and the last line of its output"

# --- a hook that hangs: ended at renew_timeout, its whole group
printf '%s\n' "$T/a/cert.pem renew=\"sleep 60; echo never\" renew_timeout=1" >"$T/hang.conf"
timed_run "$CERTPROBE" -C "$T/hang.conf" --renew
expect_out "renew 'sleep 60; echo never' timed out after 1 s" "a hook that hangs is ended and said"
check "within renew_timeout and the grace ($ms ms)" test "$ms" -lt 4000
check "its sleep is gone too" sh -c '! pgrep -f "^sleep 60$" >/dev/null'
# A hook that leaves a child behind holding its output: not waited for.
printf '%s\n' "$T/a/cert.pem renew=\"sleep 5 & echo started\"" >"$T/bg.conf"
timed_run "$CERTPROBE" -C "$T/bg.conf" --renew
check "a background child of the hook does not hold the run ($ms ms)" test "$ms" -lt 2000

# A hook that sends its output to a log of its own, as renewal scripts
# do, then takes its time: certprobe waits for it without using the CPU
# (the pipe at end of file is not polled again and again), and the
# re-check sees the renewal. Its CPU time alone, from runstat: that of
# the hook is not certprobe's.
due a 10
printf '%s\n' "$T/a/cert.pem renew=\"exec >>$T/renew.log 2>&1; sleep 4; $T/hook.sh\"" >"$T/quiet.conf"
run "$RUNSTAT" -n 1 -w 0 -v -- "$CERTPROBE" -C "$T/quiet.conf" --renew
self=$(printf '%s\n' "$out" | sed -n 's/.*median_self_cpu_s=\([0-9.-]*\).*/\1/p')
expect_out "exit=0" "a hook that redirected its output and slept: renewed, OK after the re-check"
expect_out "OK           89  $(NEW_END)  $T/a/cert.pem" "the re-check shows the renewed certificate"
check "certprobe's own CPU while the hook slept 4 s is near zero (${self:-?} s)" \
    awk -v s="${self:--1}" 'BEGIN { exit !(s >= 0 && s < 0.5) }'
# A background child of the hook that keeps its output open and writes
# without end (long enough to fill the pipe before the hook exits): what
# is in the pipe is read within renew_timeout, no more; the hook exited
# 0, so its check is checked again. The child is not killed, but the
# pipe, closed, ends it.
due a 10
printf '%s\n' "$T/a/cert.pem renew=\"$T/hook.sh; yes flood & echo \$! >$T/flood.pid; sleep 0.5\" renew_timeout=2" >"$T/flood.conf"
timed_run "$CERTPROBE" -C "$T/flood.conf" --renew
expect_rc 0 "a hook whose child floods the pipe after it exited: renewed"
check "the drain ends by renew_timeout ($ms ms)" test "$ms" -lt 3000
gone() { for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done; return 1; }
check "and the flooding child is gone with the pipe" gone "$(cat "$T/flood.pid")"
# One that only holds the pipe open, quietly, past renew_timeout: not
# waited for at all.
due a 10
printf '%s\n' "$T/a/cert.pem renew=\"(sleep 30 & echo \$! >$T/linger.pid); exit 0\" renew_timeout=2" >"$T/linger.conf"
timed_run "$CERTPROBE" -C "$T/linger.conf" --renew
check "a child that holds the pipe open past renew_timeout does not hold the run ($ms ms)" test "$ms" -lt 2000
kill "$(cat "$T/linger.pid")" 2>/dev/null

# --- what does not trigger: an unreachable endpoint, a check that is fine
set -- $("$top_builddir/tests/tools/freeport" 1)
printf '%s\n' "tls://127.0.0.1:$1 renew=\"touch $T/unreachable-ran\"" \
    "$T/c/cert.pem renew=\"touch $T/fine-ran\"" >"$T/none.conf"
run "$CERTPROBE" -C "$T/none.conf" --renew -t 1
check "an unreachable endpoint is not renewed" test ! -e "$T/unreachable-ran"
check "a certificate that is fine is not renewed" test ! -e "$T/fine-ran"

# --- a hostile subject reaches the hook as data, escaped
mkdir -p "$T/e"
mkcert -o "$T/e/cert.pem" -s "/CN=\$(touch pwned-by-renew) \`id\`; x"$'\e[31m' \
    --not-after @$((NOW + 3 * DAY - DAY / 2))
printf '%s\n' "$T/e/cert.pem renew=\"$T/hook.sh\"" >"$T/evil.conf"
run "$CERTPROBE" -C "$T/evil.conf" --renew
check "nothing from the subject ran" test ! -e pwned-by-renew
check "the subject is in CERTPROBE_SUBJECT, escaped" \
    test "$(env_of CERTPROBE_SUBJECT)" = 'CN = "$(touch pwned-by-renew) `id`; x\x1b[31m"'

# --- a renewal that does not backdate notBefore (a private CA, step-ca):
# the re-check judges at its own time, not the run's start, so the new
# certificate is valid, not "not yet valid"; with --now, at that frozen
# time (where the new one is indeed not yet valid).
mkdir -p "$T/fresh"
due fresh 5
cat >"$T/fresh.sh" <<EOF
#!/bin/sh
sleep 2
t=\$(date +%s)
"$MKCERT" -o "\$CERTPROBE_FILE" -k "$KEY" -s "/CN=fresh.test" --not-before @\$t --not-after @\$((t + 90 * 86400))
EOF
chmod +x "$T/fresh.sh"
printf '%s\n' "$T/fresh/cert.pem renew=\"$T/fresh.sh\"" >"$T/fresh.conf"
run "$CERTPROBE" -C "$T/fresh.conf" --renew
expect_rc 0 "a certificate issued by the hook a moment ago is OK after the re-check"
expect_out "CN = fresh.test" "and it is the renewed one"
expect_no_out "not valid before" "not 'not yet valid'"
due fresh 5
run "$CERTPROBE" -C "$T/fresh.conf" --renew --now @$((NOW + 1))
expect_rc 2 "with --now, the re-check judges at that same frozen time: not yet valid there"
expect_out "CN = fresh.test" "and reads the renewed certificate"

done_testing

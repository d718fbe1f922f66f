#!/bin/bash
# contrib/ as shipped: the cron.daily script and the systemd units' command
# lines run for real against certificates made here; the alert rules pass
# promtool; the renewal hooks call certbot, dehydrated, rsync and ssh as
# they should. Those four cannot run here (no ACME server, no other
# host): small stand-ins record how they were called, and fail on cue.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

C=$top_srcdir/contrib
DAY=86400
NOW=$(date +%s)
mkdir -p "$T/bin" "$T/site"
mkcert -o "$T/site/cert.pem" -s /CN=site.test --not-after @$((NOW + 10 * DAY - DAY / 2))
mkcert -o "$T/fine.pem" -s /CN=fine.test --not-after @$((NOW + 300 * DAY))

# stand_in NAME [SH]: records its name and arguments, runs SH, fails
# where FAIL_ON names one of them.
stand_in() {
    cat >"$T/bin/$1" <<EOF
#!/bin/sh
echo "$1 \$*" >>"$T/calls.log"
${2:-}
for a in "\$@"; do [ "\$a" = "\${FAIL_ON:-}" ] && exit 1; done
exit 0
EOF
    chmod +x "$T/bin/$1"
}
for tool in rsync certbot dehydrated; do stand_in "$tool"; done
# ssh, as the real one does, reads its standard input (for the remote
# command) unless its options, up to --, hold -n: in a loop that reads a
# file, the rest of the file.
stand_in ssh 'n=
for a in "$@"; do case $a in -n) n=1 ;; --) break ;; esac; done
[ -n "$n" ] || cat >/dev/null'

for f in "$C/cron/certprobe.daily" "$C/hooks/certbot-renew" "$C/hooks/dehydrated-renew" \
    "$C/hooks/dehydrated-hook" "$C/hooks/push-certs"; do
    check "sh -n ${f#"$C"/}" sh -n "$f"
done

# --- cron.daily: check and refresh, silent on a quiet night
printf '%s\n' "$T/fine.pem" >"$T/quiet.conf"
run env CERTPROBE="$CERTPROBE" CERTPROBE_CONFIG="$T/quiet.conf" "$C/cron/certprobe.daily"
expect_silent "cron.daily: nothing due, nothing printed (no mail)"
expect_rc 0 "cron.daily: and exit 0"
printf '%s\n' "$T/site/cert.pem renew=\"echo renewed >>$T/renew.log; exit 1\"" >"$T/due.conf"
run env CERTPROBE="$CERTPROBE" CERTPROBE_CONFIG="$T/due.conf" "$C/cron/certprobe.daily"
expect_out "Following certificate expiration dates:" "cron.daily: a due certificate, the digest for cron to mail"
expect_out "renew 'echo renewed >>$T/renew.log; exit 1' exited 1" "cron.daily: with the renewal that failed"
check "cron.daily: the renew= command ran" test "$(cat "$T/renew.log")" = renewed

# --- the systemd units' command lines
# The command line as systemd runs it, $CERTPROBE_OPTS empty (its default).
cmdline() { sed -n 's/^ExecStart=\/usr\/bin\/certprobe //p' "$1" | sed 's/ \$CERTPROBE_OPTS//'; }
run env CERTPROBE_CONFIG="$T/quiet.conf" "$CERTPROBE" $(cmdline "$C/systemd/certprobe.service")
expect_rc 0 "certprobe.service: its command line runs"
out_file=$(cmdline "$C/systemd/certprobe-metrics.service" | sed 's/.*--output //')
run env CERTPROBE_CONFIG="$T/due.conf" "$CERTPROBE" \
    $(cmdline "$C/systemd/certprobe-metrics.service" | sed "s|--output .*|--output $T/certprobe.prom|")
expect_rc 2 "certprobe-metrics.service: its command line runs (exit 2: the certificate's state)"
check "and SuccessExitStatus takes 1 and 2 as success" grep -qx 'SuccessExitStatus=1 2' "$C/systemd/certprobe-metrics.service"
check "it writes where node_exporter reads on Debian" test "$out_file" = /var/lib/prometheus/node-exporter/certprobe.prom
check "its metrics pass promtool" sh -c 'promtool check metrics <"$1"' _ "$T/certprobe.prom"
for u in "$C"/systemd/*.timer; do
    check "${u#"$C"/}: a timer with OnCalendar" grep -q '^OnCalendar=' "$u"
done
check "node_exporter/certprobe.rules.yml passes promtool check rules" \
    sh -c 'promtool check rules "$1" >/dev/null' _ "$C/node_exporter/certprobe.rules.yml"

# --- the renewal hooks
: >"$T/calls.log"
run env CERTBOT="$T/bin/certbot" "$C/hooks/certbot-renew"
check "certbot-renew: certbot renew, quiet, with push-certs as deploy hook" \
    test "$(cat "$T/calls.log")" = "certbot renew --quiet --deploy-hook /usr/local/sbin/push-certs"
: >"$T/calls.log"
run env DEHYDRATED="$T/bin/dehydrated" "$C/hooks/dehydrated-renew"
check "dehydrated-renew: dehydrated --cron --keep-going" test "$(cat "$T/calls.log")" = "dehydrated --cron --keep-going"
: >"$T/calls.log"
printf '#!/bin/sh\necho "push $*" >>%s\n' "$T/calls.log" >"$T/bin/push"
chmod +x "$T/bin/push"
run env PUSH_CERTS="$T/bin/push" "$C/hooks/dehydrated-hook" deploy_cert example.com \
    /var/lib/dehydrated/certs/example.com/privkey.pem /var/lib/dehydrated/certs/example.com/cert.pem
check "dehydrated-hook: deploy_cert pushes the certificate's directory" \
    test "$(cat "$T/calls.log")" = "push /var/lib/dehydrated/certs/example.com"
run env PUSH_CERTS="$T/bin/push" "$C/hooks/dehydrated-hook" clean_challenge example.com
expect_rc 0 "dehydrated-hook: other events pass"

printf '# the other servers of the site\nweb2.example.net\n\nweb3.example.org\n' >"$T/push-hosts"
: >"$T/calls.log"
run env PATH="$T/bin:$PATH" PUSH_HOSTS="$T/push-hosts" RENEWED_LINEAGE=/etc/letsencrypt/live/example.com \
    "$C/hooks/push-certs"
expect_rc 0 "push-certs: every host done"
check "push-certs: the second host is reached too (ssh does not eat the hosts file)" \
    grep -q "web3.example.org systemctl" "$T/calls.log"
check "push-certs: copies the lineage to each host, links followed, then reloads there" test "$(cat "$T/calls.log")" = \
"rsync -aL --delete -e ssh -o BatchMode=yes -- /etc/letsencrypt/live/example.com/ web2.example.net:/etc/letsencrypt/live/example.com/
ssh -n -o BatchMode=yes -- web2.example.net systemctl try-reload-or-restart nginx postfix
rsync -aL --delete -e ssh -o BatchMode=yes -- /etc/letsencrypt/live/example.com/ web3.example.org:/etc/letsencrypt/live/example.com/
ssh -n -o BatchMode=yes -- web3.example.org systemctl try-reload-or-restart nginx postfix"
: >"$T/calls.log"
run env PATH="$T/bin:$PATH" PUSH_HOSTS="$T/push-hosts" FAIL_ON=web2.example.net \
    "$C/hooks/push-certs" /etc/ssl/site
expect_rc 1 "push-certs: a host that fails makes it fail"
expect_err "push-certs: reloading on web2.example.net failed" "and says which"
check "push-certs: the other hosts are still done" grep -q "ssh -n -o BatchMode=yes -- web3.example.org" "$T/calls.log"

done_testing

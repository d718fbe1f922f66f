#!/bin/bash
# make install and make uninstall, as a packager and an admin use them:
# --prefix, --sysconfdir, --with-plugindir and DESTDIR honoured; the
# plugin also where Nagios looks; the man pages naming the configured
# paths; an edited configuration never overwritten nor removed; nothing
# else left behind.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

if sanitized_build; then
    skip "the sanitizer build: install is tested in the plain one"
    done_testing; exit
fi
if [ ! -w "$top_srcdir" ]; then
    skip "a read-only source tree (make distcheck, which tests install itself)"
    done_testing; exit
fi

src=$T/src root=$T/root
check "a clean copy of the source tree" source_copy "$src"
( cd "$src" && ./configure -q --prefix=/opt/cp --sysconfdir=/etc/cp \
    --with-plugindir=/opt/nagios/plugins && make -s -j2 ) >"$T/build.log" 2>&1
check "it configures and builds with --prefix, --sysconfdir and --with-plugindir" test $? = 0 ||
    tail -n 20 "$T/build.log" | sed 's/^/# /'

inst() { make -s -C "$src" "$@" DESTDIR="$root" >"$T/make.out" 2>&1; }
check "make install DESTDIR=... succeeds" inst install || sed 's/^/# /' "$T/make.out"

for p in certprobe checkssl check_remote check_cert_expiry; do
    check "$p is in \$(bindir)" test -x "$root/opt/cp/bin/$p"
done
check "the plugin is also in --with-plugindir" test -x "$root/opt/nagios/plugins/check_cert_expiry"
for m in man1/certprobe.1 man1/checkssl.1 man1/check_remote.1 man1/check_cert_expiry.1 man5/certprobe.conf.5; do
    check "man page $m is installed" test -s "$root/opt/cp/share/man/$m"
done
check "the man pages name the configured configuration file" \
    grep -qF /etc/cp/certprobe/certprobe.conf "$root/opt/cp/share/man/man1/certprobe.1"
check "no substitution is left unmade in the man pages" \
    sh -c '! grep -l "@[A-Z]*@" "$@"' _ "$root"/opt/cp/share/man/man*/*
run sh -c "MANWIDTH=80 man -l '$root/opt/cp/share/man/man5/certprobe.conf.5' | col -b"
check "man certprobe.conf renders the installed page" sh -c 'printf "%s\n" "$1" | grep -q "smtp_relay"' _ "$out"
check "the example configuration is installed" \
    cmp -s "$top_srcdir/contrib/certprobe.conf" "$root/etc/cp/certprobe/certprobe.conf"
check "with an empty checks.d beside it" test -d "$root/etc/cp/certprobe/checks.d"
for d in README contrib/cron/checkssl contrib/nagios/check_cert_expiry.cfg \
    contrib/icinga2/check_cert_expiry.conf contrib/systemd/certprobe.timer \
    contrib/hooks/certbot-renew checks.d/letsencrypt.conf.example; do
    check "\$(docdir) has $d" test -s "$root/opt/cp/share/doc/certprobe/$d"
done

# The installed program reads the configuration where it was installed.
run "$root/opt/cp/bin/certprobe" --help
expect_out "(default: /etc/cp/certprobe/certprobe.conf)" "the installed certprobe looks for /etc/cp/certprobe/certprobe.conf"
KEY=$T/key.pem NOW=$(date +%s)
mkcert -o "$T/c.pem" -s /CN=install.example --not-before @$((NOW - 86400)) --not-after @$((NOW + 40 * 86400))
run "$root/opt/nagios/plugins/check_cert_expiry" -f "$T/c.pem"
expect_rc 0 "the plugin from --with-plugindir runs"
expect_out "CERT OK" "and says CERT OK of a certificate 40 days from expiry"
run "$root/opt/cp/bin/certprobe" -C "$root/etc/cp/certprobe/certprobe.conf" --check-config
expect_rc 0 "the installed example configuration is valid"

# The admin's edits survive a reinstall and an uninstall.
echo "$T/c.pem" >>"$root/etc/cp/certprobe/certprobe.conf"
cp "$root/etc/cp/certprobe/certprobe.conf" "$T/edited.conf"
check "make install again succeeds" inst install
check "it keeps the edited configuration" cmp -s "$T/edited.conf" "$root/etc/cp/certprobe/certprobe.conf"
check "and says so" grep -q "keeping $root/etc/cp/certprobe/certprobe.conf" "$T/make.out"
check "make uninstall succeeds" inst uninstall || sed 's/^/# /' "$T/make.out"
left=$(cd "$root" && find . -type f | sort)
check "uninstall leaves only the edited configuration" test "$left" = "./etc/cp/certprobe/certprobe.conf" ||
    printf '# left: %s\n' $left
check "and says it kept it" grep -q "it was edited" "$T/make.out"

# Unedited, nothing at all is left.
rm "$root/etc/cp/certprobe/certprobe.conf"
inst install && inst uninstall
left=$(cd "$root" && find . ! -type d | sort)
check "install then uninstall leaves no file" test -z "$left" || printf '# left: %s\n' $left
check "nor the configuration directory" test ! -e "$root/etc/cp/certprobe"

done_testing

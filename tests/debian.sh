#!/bin/bash
# The Debian package, as an admin gets it: built from the tree with the
# one command that puts contrib/debian in place and dpkg-buildpackage
# -us -uc -b, no lintian error, installed with dpkg, its programs run
# from where the package put them (check_remote against a real nginx),
# the configuration a conffile that survives a reinstall, and removed
# and purged clean.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/daemons.sh"

why=
if [ "$(id -u)" != 0 ]; then why="not root: dpkg -i needs it"
elif ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
    why="dpkg-dev and debhelper are not installed (./bootstrap --test-deps)"
elif sanitized_build; then why="the sanitizer build: the package is tested in the plain one"
elif [ ! -w "$top_srcdir" ]; then why="a read-only source tree (make distcheck)"
elif dpkg-query -W -f='${Status}' certprobe 2>/dev/null | grep -q 'ok installed'; then
    why="certprobe is installed on this machine already: not replacing it"
fi
if [ -n "$why" ]; then skip "$why"; done_testing; exit; fi

daemons_trap
# Whatever happens, the machine is left as it was found.
cleanup_deb() { dpkg --purge certprobe >/dev/null 2>&1; }
trap 'cleanup_deb; daemons_stop_all; if [ "${BASHPID:-$$}" = "$$" ]; then chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"; fi' EXIT

src=$T/certprobe
check "a clean copy of the source tree" source_copy "$src"
( cd "$src" && cp -R contrib/debian debian && DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc -b ) >"$T/build.log" 2>&1
check "cp -R contrib/debian debian && dpkg-buildpackage -us -uc -b builds it" test $? = 0 ||
    tail -n 25 "$T/build.log" | sed 's/^/# /'
deb=$(ls "$T"/certprobe_*.deb 2>/dev/null | head -n 1)
check "one .deb comes out" test -n "$deb" -a -f "${deb:-/nonexistent}"
[ -n "$deb" ] || { done_testing; exit; }

if command -v lintian >/dev/null; then
    lintian --fail-on error "$deb" >"$T/lintian.out" 2>&1
    check "lintian finds no error" test $? = 0 || sed 's/^/# /' "$T/lintian.out"
    grep -E '^[EW]:' "$T/lintian.out" | sed 's/^/# lintian: /'
else
    skip "lintian is not installed (./bootstrap --test-deps)"
fi

dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$T/contents"
for f in /usr/bin/certprobe /usr/bin/checkssl /usr/bin/check_remote \
    /usr/bin/check_cert_expiry /usr/lib/nagios/plugins/check_cert_expiry \
    /usr/share/man/man1/certprobe.1.gz /usr/share/man/man5/certprobe.conf.5.gz \
    /etc/certprobe/certprobe.conf /etc/default/certprobe \
    /lib/systemd/system/certprobe.timer /usr/share/doc/certprobe/copyright; do
    check "the package holds $f" grep -qxF "$f" "$T/contents"
done
conffiles=$(dpkg-deb -I "$deb" conffiles 2>/dev/null)
check "/etc/certprobe/certprobe.conf is a conffile" sh -c 'printf "%s\n" "$1" | grep -qx /etc/certprobe/certprobe.conf' _ "$conffiles"
check "/etc/default/certprobe is a conffile" sh -c 'printf "%s\n" "$1" | grep -qx /etc/default/certprobe' _ "$conffiles"
depends=$(dpkg-deb -f "$deb" Depends)
check "it depends on libcurl4, which is loaded at run time" sh -c 'case "$1" in *libcurl4*) true ;; *) false ;; esac' _ "$depends"
check "and on libesmtp, which certprobe links" sh -c 'case "$1" in *libesmtp*) true ;; *) false ;; esac' _ "$depends"

DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >"$T/dpkg.out" 2>&1
check "dpkg -i installs it" test $? = 0 || sed 's/^/# /' "$T/dpkg.out"

NOW=$(date +%s) KEY=$T/key.pem
mkcert -o "$T/c.pem" -s /CN=www.example.test --not-before @$((NOW - 86400)) --not-after @$((NOW + 20 * 86400 + 60))
unset CERTPROBE_CONFIG

run /usr/bin/certprobe --version
expect_out "0.1.0" "certprobe --version"
run /usr/bin/certprobe
expect_rc 3 "certprobe with the installed example configuration: nothing to check yet"
expect_err "/etc/certprobe" "and it names where the checks go"
run /usr/bin/certprobe "$T/c.pem"
expect_rc 1 "certprobe on a certificate 20 days from expiry: WARNING"
run env DAYS=25 /usr/bin/checkssl "$T/c.pem"
expect_out "$T/c.pem: $(enddate "$T/c.pem") (20 days)" "checkssl prints its digest line"
run /usr/lib/nagios/plugins/check_cert_expiry -f "$T/c.pem"
expect_out "CERT WARNING" "the plugin, from /usr/lib/nagios/plugins, says CERT WARNING"
check "man finds the installed pages" sh -c '{ man -w certprobe && man -w 5 certprobe.conf && man -w check_cert_expiry; } >/dev/null'

if daemons_available nginx && set -- $(daemons_ports 1) && [ $# = 1 ]; then
    cat "$T/c.pem" >"$T/chain.pem"
    if nginx_start "$T/nginx" "127.0.0.1:$1,www.example.test,$T/chain.pem,$KEY"; then
        run /usr/bin/check_remote --no-verify https "127.0.0.1:$1"
        expect_out "HTTPS 127.0.0.1:$1 [127.0.0.1]: WARNING notAfter=$(enddate "$T/c.pem") (20 days)" \
            "check_remote reads what a real nginx serves"
    else
        not_ok "nginx starts"
    fi
else
    skip "nginx: $daemons_why"
fi

# The admin's configuration is theirs: kept on reinstall, and on remove.
echo "$T/c.pem warn=10" >>/etc/certprobe/certprobe.conf
run /usr/bin/certprobe
expect_rc 0 "the configured check runs from /etc/certprobe/certprobe.conf"
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >"$T/dpkg.out" 2>&1
check "reinstalling keeps the edited configuration" grep -qF "$T/c.pem warn=10" /etc/certprobe/certprobe.conf
dpkg -r certprobe >"$T/dpkg.out" 2>&1
check "dpkg -r removes the programs" test ! -e /usr/bin/certprobe -a ! -e /usr/lib/nagios/plugins/check_cert_expiry
check "and keeps the configuration" test -f /etc/certprobe/certprobe.conf
dpkg --purge certprobe >"$T/dpkg.out" 2>&1
check "dpkg --purge removes /etc/certprobe and /etc/default/certprobe" test ! -e /etc/certprobe -a ! -e /etc/default/certprobe

done_testing

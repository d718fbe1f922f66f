# Shared by the shell tests: TAP output, a private temporary directory,
# and the programs under test. Each test is a scenario: what is on disk,
# what the user runs, what the user must see.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
CERTPROBE=$top_builddir/probe/certprobe
CHECKSSL=$top_builddir/plugins/checkssl
CHECK_REMOTE=$top_builddir/plugins/check_remote
MKCERT=$top_builddir/tests/tools/mkcert
RUNSTAT=$top_builddir/tests/tools/runstat

T=$(mktemp -d "${TMPDIR:-/tmp}/certprobe-test.XXXXXX") || exit 99
# (bash runs an EXIT trap in pipeline subshells too: only the test's own
# shell may remove $T)
trap 'if [ "${BASHPID:-$$}" = "$$" ]; then chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"; fi' EXIT

# Hermetic: no installed configuration, no inherited settings.
: >"$T/empty.conf"
CERTPROBE_CONFIG=$T/empty.conf
export CERTPROBE_CONFIG
unset CERTPROBE_NOW DAYS
export LC_ALL=C TZ=UTC

tap_n=0
tap_failed=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }

# check DESCRIPTION COMMAND...: one test point from a command's status.
check() {
    desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# run COMMAND...: runs it, keeping $out, $err and $rc; never waits forever.
run() {
    timeout 60 "$@" >"$T/.out" 2>"$T/.err" </dev/null
    rc=$?
    out=$(cat "$T/.out")
    err=$(cat "$T/.err")
}

# timed_run COMMAND...: run, and $ms is how long it took.
timed_run() {
    t0=$(date +%s%N)
    run "$@"
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}

# Assertions on the last run, each one test point.
expect_rc() {
    if [ "$rc" = "$1" ]; then ok "$2 (exit $rc)"; else
        not_ok "$2 (exit $rc, wanted $1)"; show; fi
}
# expect_row PATH REGEX DESCRIPTION: a table row for PATH whose problem
# column matches REGEX.
expect_row() {
    if printf '%s\n' "$out" | grep -q -- " $(printf '%s' "$1" | sed 's/[].[*^$\\]/\\&/g')  *$2"; then ok "$3"; else
        not_ok "$3"; echo "# missing row: $1 ... $2"; show; fi
}
expect_out() {
    case "$out" in *"$1"*) ok "$2" ;; *) not_ok "$2"; echo "# missing: $1"; show ;; esac
}
expect_err() {
    case "$err" in *"$1"*) ok "$2" ;; *) not_ok "$2"; echo "# missing on stderr: $1"; show ;; esac
}
expect_no_err() {
    if printf '%s\n' "$err" | grep -qF -- "$1"; then not_ok "$2"; show; else ok "$2"; fi
}
expect_no_out() {
    case "$out" in *"$1"*) not_ok "$2"; echo "# unexpected: $1"; show ;; *) ok "$2" ;; esac
}
expect_silent() {
    if [ -z "$out" ] && [ -z "$err" ]; then ok "$1"; else not_ok "$1"; show; fi
}
show() {
    printf '%s\n' "$out" | sed 's/^/#   out: /' | head -40
    printf '%s\n' "$err" | sed 's/^/#   err: /' | head -20
}

# The number of lines of the last output matching a fixed string.
count_out() { printf '%s\n' "$out" | grep -cF -- "$1"; }

# What OpenSSL itself says of a certificate's notAfter, in its format.
enddate() { openssl x509 -noout -enddate -in "$1" ${2:+-inform "$2"} | sed 's/^notAfter=//'; }

# mkcert shortcuts: a key shared by the test, certificates by window.
KEY=$T/key.pem
mkcert() { "$MKCERT" -k "$KEY" "$@" || { echo "Bail out! mkcert failed: $*"; exit 1; }; }
# PKCS#12 files of many encrypted safes (tests/tools/mkp12).
mkp12() { "$top_builddir/tests/tools/mkp12" "$@" || { echo "Bail out! mkp12 failed: $*"; exit 1; }; }

# $IN_NS HOSTS RESOLV COMMAND...: COMMAND with HOSTS as /etc/hosts and
# RESOLV (given as -, the system's) as /etc/resolv.conf, in a mount
# namespace of its own. `"$IN_NS" HOSTS - true` fails where this machine
# allows none.
IN_NS=$T/in_ns
cat >"$IN_NS" <<'EOS'
#!/bin/sh
exec unshare -m sh -c 'mount --bind "$0" /etc/hosts &&
    { [ "$1" = - ] || mount --bind "$1" /etc/resolv.conf; } &&
    shift && exec "$@"' "$@"
EOS
chmod +x "$IN_NS"

# sanitized_build: whether the programs under test were built with
# AddressSanitizer (valgrind cannot run them; their time and memory are
# not the probe's).
sanitized_build() {
    ldd "$CERTPROBE" 2>/dev/null | grep -q libasan ||
        grep -q __asan_init "$CERTPROBE" 2>/dev/null
}

# source_copy DIR: the source tree copied to DIR without build products,
# ready for ./configure or dpkg-buildpackage (the tree under test may be
# configured in place, which an out-of-tree build refuses).
source_copy() {
    mkdir -p "$1" || return 1
    tar -C "$top_srcdir" --exclude=./.git --exclude=./_san --exclude=./_fuzz \
        --exclude=./debian --exclude=./man --exclude='./certprobe-*' \
        --exclude='*.o' --exclude='*.a' --exclude='*.log' --exclude='*.trs' \
        --exclude=./tests/fuzz/work -cf - . 2>/dev/null | tar -C "$1" -xf - || return 1
    if [ -f "$1/Makefile" ]; then make -s -C "$1" distclean >/dev/null 2>&1; fi
    [ -x "$1/configure" ] && [ ! -f "$1/Makefile" ]
}

done_testing() {
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
}

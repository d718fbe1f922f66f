#!/bin/sh
# The tree's own hygiene: every source compiles without a warning under
# -Wall -Wextra, every source is in the build, and the README's quick
# start is the two lines it promises, the second being what CI runs.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

CC=${CC:-cc}
for f in "$top_srcdir"/probe/*.c "$top_srcdir"/plugins/*.c "$top_srcdir"/tests/unit/*.c "$top_srcdir"/tests/tools/*.c; do
    name=${f#"$top_srcdir"/}
    if $CC -std=gnu11 -fsyntax-only -Wall -Wextra -Werror ${CRYPTO_CFLAGS:-} \
        -I"$top_srcdir/probe" -DSYSCONFDIR='"/etc"' -DPACKAGE_VERSION='"0"' "$f" 2>"$T/cc.err"; then
        ok "no warning: $name"
    else
        not_ok "no warning: $name"; sed 's/^/# /' "$T/cc.err" | head -20
    fi
    grep -q "$name" "$top_srcdir/Makefile.am" && ok "in Makefile.am: $name" || not_ok "in Makefile.am: $name"
done

# Each test script runs as the harness runs it: as a program.
for t in $(sed -n '/^SHELL_TESTS = /,/^$/p' "$top_srcdir/Makefile.am" | grep -o 'tests/[a-z_]*\.sh'); do
    check "executable: $t" test -x "$top_srcdir/$t"
done

# README: "## Quick start", then a code block of exactly two lines.
block=$(awk '/^## Quick start/ { q = 1; next } q && /^```/ { if (inb) exit; inb = 1; next } inb { print }' "$top_srcdir/README")
check "README quick start holds exactly two lines" test "$(printf '%s\n' "$block" | wc -l)" = 2
line2=$(printf '%s\n' "$block" | sed -n 2p)
check "the second line builds and runs the test suite" sh -c 'case "$1" in *"make"*check*) true ;; *) false ;; esac' _ "$line2"
check ".ci/run runs the README's second line" grep -q "Quick start" "$top_srcdir/.ci/run"

done_testing

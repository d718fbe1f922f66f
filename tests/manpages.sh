#!/bin/bash
# The manual pages say what the programs do: every option a program's
# --help lists is documented in its page's option list and named in its
# SYNOPSIS, and the page names no option the program does not take;
# certprobe.conf(5) documents every key of the configuration's table
# (probe/options.c) and no other; every page renders without a warning,
# by mandoc's lint and by man-db and groff as lintian runs them.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

CHECK_CERT_EXPIRY=$top_builddir/plugins/check_cert_expiry
CONF_PAGE=$top_srcdir/probe/certprobe.conf.5

# help_options PROGRAM: a line per option of PROGRAM's --help, its short
# form first where it has one ("-w --warn", or "--sni"). Only the left
# column counts: the descriptions may name other options.
help_options() {
    "$1" --help 2>/dev/null | awk '
        /^[ \t]+-/ {
            line = $0
            sub(/^[ \t]+/, "", line)
            sub(/  .*/, "", line)       # the description, past two blanks
            out = ""
            n = split(line, w, /[ ,]+/)
            for (i = 1; i <= n; i++)
                if (w[i] ~ /^--?[A-Za-z0-9]/)
                    out = out (out == "" ? "" : " ") w[i]
            if (out != "")
                print out
        }'
}

# page_options PAGE WHERE: the options an mdoc page names, one a line.
# WHERE is "list" (the .It lines: the option list), "synopsis" (the
# SYNOPSIS section) or "any" (.It and .Op lines, and the SYNOPSIS).
# An argument of Fl is a long option (\-long or -long), a letter, or
# letters together (Fl 46hqVv); it ends at the next macro.
page_options() {
    awk -v where="$2" '
        /^\.Sh / { sect = substr($0, 5); next }
        {
            if (where == "list")
                take = $1 == ".It"
            else if (where == "synopsis")
                take = sect == "SYNOPSIS"
            else
                take = $1 == ".It" || $1 == ".Op" || sect == "SYNOPSIS"
            if (!take || $0 !~ /^\./)
                next
            n = split(substr($0, 2), w, /[ \t]+/)
            fl = 0
            for (i = 1; i <= n; i++) {
                t = w[i]
                if (t == "Fl") { fl = 1; continue }
                if (t ~ /^[A-Z][a-z][a-z]?$/) { fl = 0; continue }
                if (!fl || t ~ /^[,|.;:()]$/)
                    continue
                if (t ~ /^(\\-|-)[A-Za-z0-9]/) {
                    sub(/^(\\-|-)/, "", t)
                    print "--" t
                } else if (t ~ /^[A-Za-z0-9]+$/) {
                    for (j = 1; j <= length(t); j++)
                        print "-" substr(t, j, 1)
                }
            }
        }' "$1" | sort -u
}

# missing WANTED HAVE: the words of WANTED (one or more a line) that are
# not lines of HAVE, on one line.
missing() {
    printf '%s\n' "$1" | tr ' ' '\n' | sed '/^$/d' | sort -u |
        comm -23 - <(printf '%s\n' "$2" | sort -u) | tr '\n' ' ' |
        sed 's/ $//'
}

# point DESC WHAT LIST: ok when LIST is empty, else not ok naming it.
point() {
    if [ -z "$3" ]; then ok "$1"; else not_ok "$1: $2 $3"; fi
}

for spec in "certprobe:$CERTPROBE:$top_srcdir/probe/certprobe.1" \
    "checkssl:$CHECKSSL:$top_srcdir/plugins/checkssl.1" \
    "check_remote:$CHECK_REMOTE:$top_srcdir/plugins/check_remote.1" \
    "check_cert_expiry:$CHECK_CERT_EXPIRY:$top_srcdir/plugins/check_cert_expiry.1"
do
    prog=${spec%%:*}
    rest=${spec#*:}
    bin=${rest%%:*}
    page=${rest#*:}
    if [ ! -x "$bin" ] || [ ! -f "$page" ]; then
        not_ok "$prog: the program ($bin) and its page ($page) exist"
        not_ok "$prog: the page's SYNOPSIS (not checked)"
        not_ok "$prog: the page's options (not checked)"
        continue
    fi
    help=$(help_options "$bin")
    nhelp=$(printf '%s\n' "$help" | sed '/^$/d' | wc -l)
    if [ "$nhelp" -lt 5 ]; then
        not_ok "$prog --help lists its options (found $nhelp)"
        not_ok "$prog: the page's SYNOPSIS (not checked)"
        not_ok "$prog: the page's options (not checked)"
        continue
    fi
    # Every option of --help, short and long, in the option list.
    point "$prog(1) documents each of the $nhelp options of --help" \
        "not in its option list:" "$(missing "$help" "$(page_options "$page" list)")"
    # The SYNOPSIS names each, by its short form where it has one.
    point "$prog(1) SYNOPSIS names each option of --help" \
        "not in its SYNOPSIS:" "$(missing "$(printf '%s\n' "$help" | awk '{ print $1 }')" \
        "$(page_options "$page" synopsis)")"
    # The page names no option the program does not list.
    point "$prog(1) names no option that --help does not list" \
        "not in --help:" "$(missing "$(page_options "$page" any)" \
        "$(printf '%s\n' "$help" | tr ' ' '\n')")"
done

# certprobe.conf(5) and the option table, both ways. A key is documented
# as `.It Cm key Ns = ...`.
keys=$(grep -oE '\{ "[a-z_0-9]+", OT_' "$top_srcdir/probe/options.c" |
    sed -E 's/^\{ "([^"]*)".*/\1/' | sort -u)
documented=$(sed -nE 's/^\.It Cm ([a-z_0-9]+) Ns = .*/\1/p' "$CONF_PAGE" |
    sort -u)
if [ "$(printf '%s\n' "$keys" | sed '/^$/d' | wc -l)" -lt 10 ]; then
    not_ok "the keys of probe/options.c can be read"
    not_ok "certprobe.conf(5) keys (not checked)"
else
    point "certprobe.conf(5) documents each key of probe/options.c" \
        "not documented:" "$(missing "$keys" "$documented")"
    point "certprobe.conf(5) documents no key that probe/options.c lacks" \
        "not in probe/options.c:" "$(missing "$documented" "$keys")"
fi

# Rendering: as installed, the substitution tokens replaced.
have_mandoc=$(command -v mandoc)
have_man=
if command -v man >/dev/null && command -v groff >/dev/null; then
    have_man=yes
fi
for page in probe/certprobe.1 probe/certprobe.conf.5 plugins/checkssl.1 \
    plugins/check_remote.1 plugins/check_cert_expiry.1
do
    name=${page##*/}
    src=$top_srcdir/$page
    if [ ! -f "$src" ]; then
        not_ok "$name exists"
        continue
    fi
    tokens=$(grep -oE '@[A-Z_]+@' "$src" | grep -vxE '@(SYSCONFDIR|PLUGINDIR)@' |
        sort -u | tr '\n' ' ')
    if [ -z "$tokens" ]; then ok "$name: no substitution token but @SYSCONFDIR@ and @PLUGINDIR@"
    else not_ok "$name: unknown substitution tokens: $tokens"; fi
    sed -e 's|@SYSCONFDIR@|/etc|g' -e 's|@PLUGINDIR@|/usr/lib/nagios/plugins|g' \
        "$src" >"$T/$name"
    if [ -n "$have_mandoc" ]; then
        lint=$(mandoc -Tlint -W warning "$T/$name" 2>&1)
        if [ -z "$lint" ]; then ok "$name: mandoc -Tlint finds nothing"
        else not_ok "$name: mandoc -Tlint"; printf '%s\n' "$lint" | sed 's/^/#   /'; fi
    else
        skip "$name: mandoc -Tlint (mandoc is not installed)"
    fi
    if [ -n "$have_man" ]; then
        warn=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
            man --warnings -E UTF-8 -l -Tutf8 -Z "$T/$name" 2>&1 >/dev/null)
        if [ -z "$warn" ]; then ok "$name: man --warnings (as lintian) says nothing"
        else not_ok "$name: man --warnings"; printf '%s\n' "$warn" | sed 's/^/#   /'; fi
    else
        skip "$name: man --warnings (man or groff is not installed)"
    fi
done

done_testing

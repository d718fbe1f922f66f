#!/bin/sh
# The expiry boundary, to the second: for D in 0, 7, 25 and 365 days, a
# certificate whose notAfter is now + D days minus 1 s, exactly, and plus
# 1 s. checkssl must list it exactly when `openssl x509 -checkend` says
# "Certificate will expire", both with --now and under a frozen clock.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

NOW=1780000000                       # 2026-05-28 20:26:40 UTC
FAKE='2026-05-28 20:26:40'
have_faketime=$(command -v faketime || true)

for D in 0 7 25 365; do
    for delta in -1 0 1; do
        na=$((NOW + D * 86400 + delta))
        cert=$T/d$D$delta.pem
        mkcert -o "$cert" --not-before @$((NOW - 86400)) --not-after @$na
        label="notAfter = now + ${D}d ${delta}s"
        if [ -n "$have_faketime" ]; then
            ossl=$(faketime -f "$FAKE" openssl x509 -checkend $((D * 86400)) -noout -in "$cert")
        else
            ossl=$( [ $na -le $((NOW + D * 86400)) ] && echo "Certificate will expire")
        fi
        run "$CHECKSSL" --now @$NOW DAYS=$D "$cert"
        if [ "$ossl" = "Certificate will expire" ]; then
            expect_out "$cert: $(enddate "$cert")" "$label: listed, as openssl -checkend says"
            [ $delta -le 0 ] && ok "$label: due by definition" || not_ok "$label: openssl disagrees with the definition"
        else
            if [ -z "$out" ] && [ "$rc" = 0 ]; then ok "$label: silent, as openssl -checkend says"
            else not_ok "$label: silent, as openssl -checkend says"; show; fi
            [ $delta -gt 0 ] && ok "$label: not due by definition" || not_ok "$label: openssl disagrees with the definition"
        fi
        # The same through the clock itself, no --now.
        if [ -n "$have_faketime" ]; then
            run faketime -f "$FAKE" "$CHECKSSL" -d $D "$cert"
            if [ "$ossl" = "Certificate will expire" ]; then
                expect_out "$cert:" "$label: listed under a frozen clock"
            else
                expect_silent "$label: silent under a frozen clock"
            fi
        else
            skip "faketime not installed"
        fi
        # days_left is floor((notAfter - now) / 86400), in the text table.
        days=$(( (D * 86400 + delta) / 86400 ))
        [ $((D * 86400 + delta)) -lt 0 ] && days=-1
        run "$CERTPROBE" --now @$NOW -w $D -c 0 "$cert"
        line=$(printf '%s\n' "$out" | grep -F "$cert")
        set -- $line
        if [ "${2-}" = "$days" ]; then ok "$label: days_left $days"
        else not_ok "$label: days_left ${2-?}, wanted $days"; show; fi
    done
done

# Digest wording at the edges.
mkcert -o "$T/today.pem" --not-before @$((NOW - 86400)) --not-after @$((NOW - 3600))
mkcert -o "$T/one.pem" --not-before @$((NOW - 86400)) --not-after @$((NOW + 86400 + 60))
mkcert -o "$T/future.pem" --not-before @$((NOW + 3600)) --not-after @$((NOW + 90 * 86400))
run "$CHECKSSL" --now @$NOW -d 7 "$T/today.pem" "$T/one.pem" "$T/future.pem"
expect_out "$T/today.pem: $(enddate "$T/today.pem") (expired today)" "expired an hour ago: 'expired today'"
expect_out "$T/one.pem: $(enddate "$T/one.pem") (1 day)" "a day and a minute left: '1 day'"
expect_out "$T/future.pem: $(enddate "$T/future.pem") (not valid before May 28 21:26:40 2026 GMT)" "not yet valid is listed"
expect_rc 2 "expired and not yet valid are CRITICAL"

# Far futures: 2050 is GeneralizedTime, 9999 the last representable year.
mkcert -o "$T/y2050.pem" --not-before @$((NOW - 86400)) --not-after @2524608000
mkcert -o "$T/y9999.pem" --not-before @$((NOW - 86400)) --not-after 99991231235959Z
run "$CERTPROBE" --now @$NOW "$T/y2050.pem" "$T/y9999.pem"
expect_out "Jan  1 00:00:00 2050 GMT" "notAfter in 2050 printed as openssl does"
expect_out "Dec 31 23:59:59 9999 GMT" "99991231235959Z printed as openssl does"
expect_out "$(( (253402300799 - NOW) / 86400 ))  Dec 31 23:59:59 9999 GMT" "days left until 9999"
expect_rc 0 "far futures are OK"
[ "$(enddate "$T/y9999.pem")" = "Dec 31 23:59:59 9999 GMT" ] && ok "openssl agrees on 9999" || not_ok "openssl agrees on 9999"
run "$CERTPROBE" --now 9999-12-01 -w 30 -c 0 "$T/y9999.pem"
expect_out "OK           30  Dec 31 23:59:59 9999 GMT" "--now in 9999: 30 days 23 h left is beyond warn=30"
run "$CERTPROBE" --now 9999-12-01 -w 31 -c 0 "$T/y9999.pem"
expect_out "WARNING      30  Dec 31 23:59:59 9999 GMT" "warn reaching past 9999 is within, not unreadable"
run "$CERTPROBE" --now 9999-12-01 -w 400 -c 365 "$T/y9999.pem"
expect_out "CRITICAL     30  Dec 31 23:59:59 9999 GMT" "crit reaching past 9999 is within too"

# A time OpenSSL cannot read is UNKNOWN, never "not expiring".
mkcert -o "$T/badtime.pem" --not-after raw:20261301000000Z
run "$CERTPROBE" --now @$NOW "$T/badtime.pem"
expect_rc 3 "unreadable notAfter is UNKNOWN"
expect_out "OpenSSL cannot read its notAfter time '20261301000000Z'" "the unreadable time is named"
run "$CHECKSSL" --now @$NOW -d 3650 "$T/badtime.pem"
expect_out "Could not check:" "checkssl lists the unreadable time as a failure"

# CERTPROBE_NOW, and --now winning over it.
run env CERTPROBE_NOW=@$((NOW + 100 * 86400)) "$CHECKSSL" -d 1 "$T/y2050.pem" "$T/d7-1.pem"
expect_out "$T/d7-1.pem: $(enddate "$T/d7-1.pem") (expired 93 days ago)" "CERTPROBE_NOW moves the clock"
run env CERTPROBE_NOW=@$((NOW + 100 * 86400)) "$CHECKSSL" --now @$NOW -d 1 "$T/d7-1.pem"
expect_silent "--now wins over CERTPROBE_NOW"
run env CERTPROBE_NOW=tomorrow "$CHECKSSL" "$T/d7-1.pem"
expect_rc 3 "a bad CERTPROBE_NOW is a usage error"
expect_err "CERTPROBE_NOW" "and says which setting is bad"

done_testing

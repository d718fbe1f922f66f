#!/bin/sh
# tests/fuzz/run.sh PROGRAM SECONDS: one libFuzzer target (make fuzz),
# started from its seed corpus (tests/fuzz/corpus/NAME) and what earlier
# runs found (tests/fuzz/work/NAME, in the build tree). A crash, a hang
# past 10 s or a leak stops it and leaves the input in tests/fuzz/crashes/:
# copy it to tests/fuzz/regress/NAME/ once fixed. Prints one line of
# what it did; exits non-zero when it found something.
set -u
prog=$1 secs=$2
name=${prog##*/fuzz_}
seeds=${top_srcdir:-.}/tests/fuzz/corpus/$name
work=tests/fuzz/work/$name
mkdir -p "$work" tests/fuzz/crashes || exit 2
log=tests/fuzz/$name.log
"$prog" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="tests/fuzz/crashes/$name-" \
    "$work" "$seeds" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^#\([0-9]*\)[[:space:]]*DONE.*/\1/p' "$log" | tail -n 1)
cov=$(sed -n 's/.*DONE.* cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
if [ "$rc" = 0 ]; then
    echo "fuzz_$name: ${runs:-?} inputs in $secs s, coverage ${cov:-?} edges, nothing found"
else
    echo "fuzz_$name: FOUND something (exit $rc); see $log and tests/fuzz/crashes/"
    grep -E '^==[0-9]+==ERROR|SUMMARY|^artifact_prefix|Test unit written' "$log" | head -n 5
fi
exit "$rc"

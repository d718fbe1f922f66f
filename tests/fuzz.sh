#!/bin/bash
# The fuzz targets (tests/fuzz/fuzz_*.c) replayed without libFuzzer over
# their seed corpora and over every input a fuzzer once crashed on
# (tests/fuzz/regress): each must neither crash, trap, nor (in the
# sanitizer build) leak or step outside memory. `make fuzz` does the
# fuzzing itself (CC=clang ./configure --enable-fuzzing).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

for name in config certfile dialog parse; do
    replay=$top_builddir/tests/fuzz/replay_$name
    n=0
    for f in "$top_srcdir/tests/fuzz/corpus/$name"/* "$top_srcdir/tests/fuzz/regress/$name"/*; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        run "$replay" "$f"
        what=${f#"$top_srcdir/tests/fuzz/"}
        if [ "$rc" = 0 ] && [ -z "$err" ]; then ok "fuzz_$name: $what"; else
            not_ok "fuzz_$name: $what (exit $rc)"; show; fi
    done
    check "fuzz_$name: a seed corpus is there ($n inputs)" test "$n" -ge 2
done

done_testing

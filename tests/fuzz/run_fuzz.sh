#!/usr/bin/env bash
# Long local fuzzing run of one target (not for CI): tests/fuzz/run_fuzz.sh fuzz_cube 15
# Fuzzes a copy of the committed corpus for N minutes at the lowest priority (libFuzzer fork
# mode, one worker, going on after crashes/timeouts/OOMs, whose inputs land in
# build-asan/fuzzwork/<target>/artifacts/), then minimises what it has: -merge=1 (inputs that
# add coverage features) into build-asan/fuzzwork/<target>/merged/, and a set-cover merge on
# edges only into .../min/ — the few files to copy into tests/fuzz/corpus/<target>/ (next to
# the hand-written seeds and regress-* inputs, which stay).
# EXTRA_SEEDS="dir ..." adds read-only seed folders, e.g. third-party LUTs that must not be
# committed (fuzz_cube was also run with EXTRA_SEEDS=/work/shared/data/luts/colour_science).
set -euo pipefail
target=$1
minutes=${2:-15}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${ASAN_BUILD:-$root/build-asan}
work=$build/fuzzwork/$target
mkdir -p "$work/corpus" "$work/artifacts"
cp "$build/tests/fuzz/$target" "$work/$target.bin"   # rebuilding while it runs is safe
cp -n "$root/tests/fuzz/corpus/$target/"* "$work/corpus/" 2>/dev/null || true
dict=()
[ -f "$root/tests/fuzz/$target.dict" ] && dict=(-dict="$root/tests/fuzz/$target.dict")
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$work"
# shellcheck disable=SC2086  # EXTRA_SEEDS is a list of folders
nice -n 19 "./$target.bin" "$work/corpus" ${EXTRA_SEEDS:-} "${dict[@]}" -fork=1 -ignore_crashes=1 \
  -ignore_timeouts=1 -ignore_ooms=1 -timeout=5 -rss_limit_mb=2048 -max_len="${MAX_LEN:-4096}" \
  -max_total_time=$((minutes * 60)) -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
  > "$work/fuzz.log" 2>&1 || true
tail -n 20 "$work/fuzz.log"
rm -rf "$work/merged" "$work/min" && mkdir -p "$work/merged" "$work/min"
nice -n 19 "./$target.bin" -merge=1 "$work/merged" "$root/tests/fuzz/corpus/$target" \
  "$work/corpus" > "$work/merge.log" 2>&1
nice -n 19 "./$target.bin" -set_cover_merge=1 -use_counters=0 "$work/min" "$work/merged" \
  > "$work/min.log" 2>&1
tail -n 1 "$work/merge.log" "$work/min.log"
"./$target.bin" -runs=0 "$work/merged" 2>&1 | grep DONE
"./$target.bin" -runs=0 "$work/min" 2>&1 | grep DONE
ls "$work/artifacts"

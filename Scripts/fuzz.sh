#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, with AddressSanitizer) of the wire codec, the CSV reader and the
# pipeline loader, and the live fuzzer of a running engine.
#
#   bash Scripts/fuzz.sh [all|TARGET[,TARGET…]] [SECONDS]     each target SECONDS (default 600); targets:
#                                                             wire_codec, csv, pipeline
#   bash Scripts/fuzz.sh live [FRAMES]                        FRAMES hostile+good frames (default 1,000,000)
#
# FUZZ_SEED sets libFuzzer's -seed and fuzz-live's --seed (default: random for libFuzzer, 1 for live).
# CI (Scripts/test.sh) runs `wire_codec,csv` briefly: those two build in about 40 s from scratch; the
# pipeline target needs the engine's modules (over 2 min more), so CI replays its corpus instead.
#
# The targets (Tests/Fuzz/Fuzz*/) assert the invariants in Sources/FuzzChecks, not only "no crash". They are
# declared in Package.swift only when RISKSTREAM_FUZZ is set and built in .build-fuzz (release,
# -sanitize=fuzzer,address), so the normal build never sees them. New inputs go to .build-fuzz/corpus/<target>
# (the seeds in Tests/Fuzz/corpus/<target> are read, never written); a failing input is saved under
# .build-fuzz/artifacts/ and the script exits 1 naming it. Replay one with
#   .build-fuzz/release/FuzzCSV .build-fuzz/artifacts/csv-crash-…
# Worth keeping an input that found something: copy it into Tests/Fuzz/corpus/<target>/, where every test run
# replays it (FuzzChecksTests).
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/bootstrap.sh --no-python

what=${1:-all}
declare -A product=([wire_codec]=FuzzWireCodec [csv]=FuzzCSV [pipeline]=FuzzPipeline)

if [[ $what == live ]]; then
    frames=${2:-1000000}
    echo "== building riskstream and riskstream-bench (release)"
    swift build -c release --product riskstream >/dev/null
    swift build -c release --product riskstream-bench >/dev/null
    bin="$(swift build -c release --show-bin-path)"
    echo "== fuzz-live: $frames frames into a live riskstream run"
    exec "$bin/riskstream-bench" fuzz-live --frames "$frames" --seed "${FUZZ_SEED:-1}" --timeout 300
fi

seconds=${2:-600}
[[ $what == all ]] && what=wire_codec,csv,pipeline
IFS=, read -r -a targets <<<"$what"
for target in "${targets[@]}"; do
    if [[ -z ${product[$target]:-} ]]; then
        echo "usage: bash Scripts/fuzz.sh [all|wire_codec,csv,pipeline] [SECONDS] | live [FRAMES]" >&2
        exit 64
    fi
done
seed=()
[[ -n ${FUZZ_SEED:-} ]] && seed=(-seed="$FUZZ_SEED")

flags=(-c release --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
for target in "${targets[@]}"; do
    echo "== building ${product[$target]} (libFuzzer + AddressSanitizer)"
    RISKSTREAM_FUZZ=1 swift build "${flags[@]}" --product "${product[$target]}" 2>&1 |
        grep -vE "^\[|Cannot export local symbol '__asan_extra_spill_area'" || true
    [[ -x .build-fuzz/release/${product[$target]} ]] || { echo "fuzz: build of ${product[$target]} failed" >&2; exit 1; }
done

# Swift's crash backtracer would fight AddressSanitizer over the crashing thread; libFuzzer reports.
export SWIFT_BACKTRACE=enable=no
status=0
summary=()
for target in "${targets[@]}"; do
    corpus=.build-fuzz/corpus/$target
    artifacts=.build-fuzz/artifacts
    log=.build-fuzz/fuzz-$target.log
    mkdir -p "$corpus" "$artifacts"
    echo "== fuzzing $target for $seconds s (log: $log)"
    if .build-fuzz/release/"${product[$target]}" "$corpus" "Tests/Fuzz/corpus/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$target-" "${seed[@]}" >"$log" 2>&1; then
        result=ok
    else
        result="FAILED: $(grep -m1 -oE "(Test unit written to|artifact_prefix.*) .*" "$log" || echo "see $log")"
        grep -m1 -E "Fatal error|ERROR: (AddressSanitizer|libFuzzer)" "$log" >&2 || true
        status=1
    fi
    # libFuzzer's status lines: "#N  REDUCE|NEW|pulse  cov: C ft: F corp: K/B … exec/s: E …".
    last=$(grep -E "^#[0-9]+" "$log" | tail -1)
    runs=$(grep -m1 -oE "number_of_executed_units: [0-9]+" "$log" | grep -oE "[0-9]+" || echo "${last%% *}")
    cov=$(grep -oE "cov: [0-9]+" <<<"$last" | grep -oE "[0-9]+" || echo "?")
    ft=$(grep -oE "ft: [0-9]+" <<<"$last" | grep -oE "[0-9]+" || echo "?")
    corp=$(grep -oE "corp: [0-9]+" <<<"$last" | grep -oE "[0-9]+" || echo "?")
    rate=$(grep -m1 -oE "average_exec_per_sec: +[0-9]+" "$log" | grep -oE "[0-9]+$" || echo "?")
    summary+=("$(printf '%-11s runs %-10s exec/s %-7s cov %-6s ft %-6s corpus %-6s %s' \
        "$target" "${runs#\#}" "$rate" "$cov" "$ft" "$corp" "$result")")
done
echo "== summary ($seconds s per target)"
printf '%s\n' "${summary[@]}"
exit $status

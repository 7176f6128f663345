#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything with warnings as errors, runs
# the ZeroMQ module's and the SPSC ring's tests under the thread sanitizer, then the whole suite (unit,
# socket, engine, CLI, soak, the seed corpora of the fuzz targets, a 20,000-frame live fuzz and the pyzmq
# interop tests), then libFuzzer briefly on the wire codec and the CSV reader. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/bootstrap.sh

echo "== build (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors

# Runs `swift test` with the thread sanitizer and the given arguments; prints the log only on failure.
sanitized() {
    local name=$1 log=.build/tsan-$1.log
    shift
    if ! swift test --sanitize=thread "$@" >"$log" 2>&1; then
        cat "$log"
        echo "thread-sanitizer run '$name' failed (log above)" >&2
        exit 1
    fi
    grep -E "Test run with|ThreadSanitizer" "$log" | sed "s/^/tsan $name: /" || true
}

echo "== ZeroMQ module under the thread sanitizer"
sanitized zeromq --scratch-path .build-tsan -Xswiftc -warnings-as-errors --filter ZeroMQTests

# The ring's slot hand-over is only visible to the sanitizer in an optimised build: in debug the generic
# element copies run in uninstrumented runtime code (see Tests/RiskEngineTests/SPSCRingConcurrencyTests.swift).
echo "== SPSC ring under the thread sanitizer, optimised"
sanitized ring -c release --scratch-path .build-tsan-release --filter "SPSCRing|Wakeup"

echo "== whole test suite"
swift test --skip-build

# libFuzzer on the wire codec and the CSV reader, 25 s each with a fixed seed (about 1.5 min with the build);
# the pipeline loader's corpus is replayed by the suite above. Longer runs: bash Scripts/fuzz.sh.
echo "== fuzzing briefly (libFuzzer)"
FUZZ_SEED=1 bash Scripts/fuzz.sh wire_codec,csv 25

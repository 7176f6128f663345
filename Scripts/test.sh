#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything with warnings as errors, runs
# the ZeroMQ module's and the SPSC ring's tests under the thread sanitizer, then the whole suite (unit,
# socket, engine, CLI, soak and the pyzmq interop tests). `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/bootstrap.sh

echo "== build (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors

echo "== ZeroMQ module under the thread sanitizer"
log=.build/tsan.log
if ! swift test --scratch-path .build-tsan --sanitize=thread -Xswiftc -warnings-as-errors --filter ZeroMQTests \
    >"$log" 2>&1; then
    cat "$log"
    echo "thread-sanitizer run failed (log above)" >&2
    exit 1
fi
grep -E "Test run with|ThreadSanitizer" "$log" | sed 's/^/tsan: /'

# The ring's slot hand-over is only visible to the sanitizer in an optimised build: in debug the generic
# element copies run in uninstrumented runtime code (see Tests/RiskEngineTests/SPSCRingConcurrencyTests.swift).
echo "== SPSC ring under the thread sanitizer, optimised"
log=.build/tsan-ring.log
if ! swift test -c release --scratch-path .build-tsan-release --sanitize=thread --filter "SPSCRing|Wakeup" \
    >"$log" 2>&1; then
    cat "$log"
    echo "thread-sanitizer run of the ring failed (log above)" >&2
    exit 1
fi
grep -E "Test run with|ThreadSanitizer" "$log" | sed 's/^/tsan: /'

echo "== whole test suite"
swift test --skip-build

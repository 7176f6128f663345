#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything with warnings as errors, runs
# the ZeroMQ module's tests under the thread sanitizer, then the whole suite (unit, socket, CLI and the
# pyzmq interop tests). `.ci/run` calls exactly this.
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

echo "== whole test suite"
swift test --skip-build

#!/usr/bin/env bash
# The README's run command: installs what is missing, builds riskstream (release) and runs the main job,
# the embedded demo: simulated feed -> ZeroMQ -> engine -> ZeroMQ -> live view, until Ctrl-C.
# Arguments are passed to the demo, e.g. `bash Scripts/run.sh --duration 30 --rate 5000`.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/bootstrap.sh --no-python

swift build -c release --product riskstream >&2
exec "$(swift build -c release --show-bin-path)/riskstream" demo "$@"

#!/usr/bin/env bash
# The README's run command: installs what is missing, builds riskstream (release), and runs the main job.
# Until the engine lands this is a simulated feed and a tail talking over tcp loopback for a few seconds.
# Environment: RISKSTREAM_SECONDS (default 5), RISKSTREAM_PORT (default: a free port).
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/bootstrap.sh --no-python

swift build -c release --product riskstream >&2
bin="$(swift build -c release --show-bin-path)/riskstream"
seconds="${RISKSTREAM_SECONDS:-5}"
port="${RISKSTREAM_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
endpoint="tcp://127.0.0.1:$port"

echo "feed → $endpoint → tail, for $seconds s (ticks and news as JSON lines)" >&2
"$bin" feed --publish "$endpoint" --rate 50 --duration "$seconds" --wait-for-subscribers 1 &
feed=$!
trap 'kill $feed 2>/dev/null || true' EXIT
"$bin" tail --connect "$endpoint" --duration "$((seconds + 1))"
wait $feed

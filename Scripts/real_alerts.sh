#!/usr/bin/env bash
# Alerts per hour of market time on a real public series: the bars' closes are replayed as ticks with
# their own timestamps into `riskstream run` (the built-in default pipeline, or --pipeline FILE), and
# the raised alerts are counted by kind (Scripts/peers/replay_real.py).
#
#   bash Scripts/real_alerts.sh [--pipeline FILE] [--series eurusd-1h]
#
# Builds `riskstream` (release) and a virtualenv under .build/venv-real (arch, gym-anytrading,
# bokeh-sampledata, pandas, pyzmq). arch's S&P 500 file and mlfinpy's data are never read.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/bootstrap.sh --no-python

pipeline=()
series=eurusd-1h
while [ $# -gt 0 ]; do
    case "$1" in
        --pipeline) pipeline=(--pipeline "$2"); shift 2 ;;
        --series) series="$2"; shift 2 ;;
        *) echo "usage: $0 [--pipeline FILE] [--series eurusd-1h]" >&2; exit 64 ;;
    esac
done

build_riskstream
venv=.build/venv-real
ensure_venv "$venv" "arch, gym_anytrading, bokeh_sampledata, pandas, zmq" arch gym-anytrading bokeh-sampledata \
    pandas "pyzmq>=25,<28"

free_port() { "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
feed_port=$(free_port)
engine_port=$(free_port)
"$riskstream" run "${pipeline[@]}" --feed "tcp://127.0.0.1:$feed_port" --publish "tcp://127.0.0.1:$engine_port" \
    2>.build/real-alerts-run.log &
engine=$!
trap 'kill -INT $engine 2>/dev/null || true' EXIT
"$venv/bin/python" Scripts/peers/replay_real.py --feed-port "$feed_port" --engine "tcp://127.0.0.1:$engine_port" \
    --series "$series"
kill -INT $engine
wait $engine || true
trap - EXIT
tail -1 .build/real-alerts-run.log >&2

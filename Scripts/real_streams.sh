#!/usr/bin/env bash
# Volatility-forecasting streams from real public market data, and `riskstream evaluate` on each of them.
#
#   bash Scripts/real_streams.sh [--horizon H] [--no-synth]
#
# Builds `riskstream` (release) and a virtualenv under .build/venv-real with arch, gym-anytrading,
# bokeh-sampledata and pandas; writes one CSV per series under .build/real-streams (Scripts/peers/
# real_streams.py says which series and which features; target = realised volatility over the next H
# bars, default 5) plus `riskstream synth` seeds 7, 11 and 23 (20000 rows, horizon 20); and prints MAE,
# RMSE and R² of the sgd variants, arf, htr and ewma-baseline per stream, by progressive validation with
# the label delay. arch's S&P 500 file and mlfinpy's data are never read: they are held out.
# RISKSTREAM_SCRATCH sets SwiftPM's scratch path (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/bootstrap.sh --no-python

horizon=5
synth=1
while [ $# -gt 0 ]; do
    case "$1" in
        --horizon) horizon="$2"; shift 2 ;;
        --no-synth) synth=0; shift ;;
        *) echo "usage: $0 [--horizon H] [--no-synth]" >&2; exit 64 ;;
    esac
done

build_riskstream
venv=.build/venv-real
ensure_venv "$venv" "arch, gym_anytrading, bokeh_sampledata, pandas, zmq" arch gym-anytrading bokeh-sampledata \
    pandas "pyzmq>=25,<28"

out=.build/real-streams
mkdir -p "$out"
extra=()
if ((synth)); then
    for seed in 7 11 23; do
        "$riskstream" synth --rows 20000 --seed "$seed" --horizon 20 --out "$out/synth-$seed.csv"
        extra+=("synth-$seed=$out/synth-$seed.csv")
    done
fi
exec "$venv/bin/python" Scripts/peers/real_streams.py --riskstream "$riskstream" --out-dir "$out" \
    --horizon "$horizon" --synth ${extra[@]+"${extra[@]}"}

#!/usr/bin/env bash
# VaR on real public data: every RiskStream method and arch's GJR-GARCH(1,1) (skew-t and t) on the same
# days, at 99% and 97.5%, in one table.
#
#   bash Scripts/var_peers.sh [--methods "fhs garch-fhs ..."] [--series "nasdaq wti ..."] [--skip-arch]
#
# Builds `riskstream` (release) if needed, makes a virtualenv under .build/venv-var with arch,
# gym-anytrading, bokeh-sampledata and pandas from PyPI, writes each series to .build/var-data/NAME.csv (one
# numeric column, `price`; Scripts/peers/var_peers.py says where each comes from), runs
# `riskstream backtest` for each method, and refits arch every 50 returns on the last 2,000 (about a
# minute per series on a 2-core machine). arch's S&P 500 file and mlfinpy's data are never used: they are
# held out for independent checks. A row passes when Kupiec's and Christoffersen's p are both > 0.05.
# Every figure is also kept, one JSON line per (series, method, confidence), in .build/var-peers.jsonl.
# RISKSTREAM_SCRATCH sets SwiftPM's scratch path (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/bootstrap.sh --no-python

methods="ewma t quantile model fhs garch-fhs garch-t garch-skewt"
series="nasdaq wti googl eurusd_1h aapl goog ibm msft"
arch=1
while [ $# -gt 0 ]; do
    case "$1" in
        --methods) methods="$2"; shift 2 ;;
        --series) series="$2"; shift 2 ;;
        --skip-arch) arch=0; shift ;;
        *) echo "usage: $0 [--methods LIST] [--series LIST] [--skip-arch]" >&2; exit 64 ;;
    esac
done

scratch="${RISKSTREAM_SCRATCH:-.build}"
build_riskstream
venv="$scratch/venv-var"
ensure_venv "$venv" "arch, gym_anytrading, bokeh_sampledata, pandas" arch gym-anytrading bokeh-sampledata pandas
python="$venv/bin/python"
data="$scratch/var-data"
echo "== writing the series to $data" >&2
"$python" Scripts/peers/var_peers.py export "$data" >/dev/null

results="$scratch/var-peers.jsonl"
: >"$results"
for s in $series; do
    for c in 0.99 0.975; do
        for m in $methods; do
            "$riskstream" backtest --csv "$data/$s.csv" --price-column price --method "$m" --confidence "$c" --json \
                | "$python" -c "import json, sys; d = json.load(sys.stdin); print(json.dumps({'series': '$s', 'method': d['method'], 'confidence': d['confidence'], 'observations': d['observations'], 'expected': d['expected_breaches'], 'breaches': d['breaches'], 'kupiec_p': d['kupiec_p'], 'christoffersen_p': d['christoffersen_p'], 'es_p': d['es_mcneil_frey_p']}))" >>"$results"
        done
    done
    if ((arch)); then
        echo "== arch on $s" >&2
        "$python" Scripts/peers/var_peers.py arch "$data" "$s" >>"$results"
    fi
done
"$python" Scripts/peers/var_peers.py table "$results"

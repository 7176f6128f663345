#!/usr/bin/env bash
# Compares RiskStream's online models with River, Vowpal Wabbit, scikit-learn and (where Java works) MOA
# on one seeded synthetic stream, and prints one side-by-side table.
#
#   bash Scripts/compare_peers.sh [--rows N] [--seed S] [--horizon H] [--repeats N] [--slow-repeats N] [--skip-slow]
#
# Builds `riskstream` (release), a virtualenv under .build/venv-peers with river, vowpalwabbit and
# scikit-learn (capymoa too when `java -version` works; MOA is skipped if it cannot install or run),
# writes the stream with `riskstream synth`, and evaluates everything with delay H (the target looks H
# ticks ahead). Timed implementations (ours, River's LinearRegression, HoeffdingTreeRegressor and ARF, VW's
# driver, MOA's ARF) run --repeats times (default 5; River's ARF --slow-repeats, default 3), interleaved;
# the fast ones (ours, River's LinearRegression, VW's driver) count the best of 3 back-to-back runs in each
# round. The table shows median rows/s, and the speed ratios follow it. Defaults: 20000 rows, seed 7, horizon 20: about
# ten minutes on a 2-core machine, most of it River's and MOA's forests (--skip-slow leaves them out).
# RISKSTREAM_SCRATCH sets SwiftPM's scratch path (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/bootstrap.sh --no-python

rows=20000
seed=7
horizon=20
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --rows) rows="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --horizon) horizon="$2"; shift 2 ;;
        --repeats) extra+=(--repeats "$2"); shift 2 ;;
        --slow-repeats) extra+=(--slow-repeats "$2"); shift 2 ;;
        --skip-slow) extra+=(--skip-slow); shift ;;
        *) echo "usage: $0 [--rows N] [--seed S] [--horizon H] [--repeats N] [--slow-repeats N] [--skip-slow]" >&2; exit 64 ;;
    esac
done

scratch="${RISKSTREAM_SCRATCH:-.build}"
echo "== building riskstream (release)" >&2
swift build -c release --scratch-path "$scratch" --product riskstream >&2
riskstream="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/riskstream"

venv=.build/venv-peers
if [ ! -x "$venv/bin/python" ]; then
    echo "== creating $venv" >&2
    mkdir -p .build
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip >&2
fi
if ! "$venv/bin/python" -c "import river, vowpalwabbit, sklearn" 2>/dev/null; then
    echo "== installing river, vowpalwabbit, scikit-learn" >&2
    "$venv/bin/pip" install --quiet river vowpalwabbit scikit-learn >&2
fi
moa=(--no-moa)
if java -version >/dev/null 2>&1; then
    if "$venv/bin/python" -c "import capymoa" 2>/dev/null || "$venv/bin/pip" install --quiet capymoa >&2; then
        if "$venv/bin/python" -c "import capymoa.regressor" >/dev/null 2>&1; then
            moa=()
        else
            echo "== capymoa installed but does not start here: MOA skipped" >&2
        fi
    else
        echo "== capymoa did not install: MOA skipped" >&2
    fi
else
    echo "== no working java: MOA skipped" >&2
fi

csv=".build/peers-stream-${rows}-${seed}-${horizon}.csv"
echo "== riskstream synth --rows $rows --seed $seed --horizon $horizon --out $csv" >&2
"$riskstream" synth --rows "$rows" --seed "$seed" --horizon "$horizon" --out "$csv"

exec "$venv/bin/python" Scripts/peers/compare_peers.py --riskstream "$riskstream" --csv "$csv" \
    --delay "$horizon" --seed "$seed" ${moa[@]+"${moa[@]}"} ${extra[@]+"${extra[@]}"}

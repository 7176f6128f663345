"""Volatility-forecasting streams from real public market data, and an `evaluate` table over them.

Each stream is one price series turned into a CSV that `riskstream evaluate` reads as it is:

    date            the bar's date or date-time (ISO 8601); evaluate detects it and leaves it out
    ret_bps         log return of the bar, in basis points
    absret_bps      |ret_bps|, and the two bars before it (absret_lag1_bps, absret_lag2_bps)
    log_ewma_var    log of the RiskMetrics EWMA variance (λ 0.94) of ret_bps, seeded with the first 20 bars
    rv5_bps         realised volatility (root mean square of ret_bps) over the last 5 bars, and 20 (rv20_bps)
    range_bps       log(high / low) of the bar in bps (only for series with highs and lows)
    log_volume      log(1 + volume) (only for series with a volume)
    target          realised volatility over the next H bars (root mean square of their ret_bps)

Every feature uses the bar and the bars before it; only the target looks ahead, and evaluate is run
with --delay H so the model learns a row only once its target is known.

The series (all public, none held out): arch's NASDAQ composite (daily), Brent and WTI (monthly crude),
WTI spot (daily), gym-anytrading's EURUSD hourly ask and GOOGL daily, and bokeh-sampledata's daily
stocks (AAPL, GOOG, IBM, MSFT: one file with a ticker column, evaluated per symbol with --symbol).
arch's S&P 500 file and mlfinpy's tick sample are never read: they are held out.
"""

import argparse
import json
import math
import os
import subprocess
import sys

HORIZON = 5
LAMBDA = 0.94


def bars_from_frame(frame, close, high=None, low=None, volume=None):
    """(date text, close, high, low, volume) per row, dropping rows with a missing or non-positive close."""
    out = []
    for stamp, row in frame.iterrows():
        c = row[close]
        if c is None or not math.isfinite(c) or c <= 0:
            continue
        h = row[high] if high else None
        lo = row[low] if low else None
        v = row[volume] if volume else None
        text = stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
        out.append((text, float(c), h, lo, v))
    return out


def feature_rows(bars, horizon):
    """Header and rows of one stream; rows start once 20 returns are known and end H bars early."""
    returns = [1e4 * math.log(bars[i][1] / bars[i - 1][1]) for i in range(1, len(bars))]
    has_range = all(b[2] is not None and b[3] is not None for b in bars)
    has_volume = all(b[4] is not None for b in bars)
    header = ["date", "ret_bps", "absret_bps", "absret_lag1_bps", "absret_lag2_bps", "log_ewma_var",
              "rv5_bps", "rv20_bps"]
    if has_range:
        header.append("range_bps")
    if has_volume:
        header.append("log_volume")
    header.append("target")
    rows = []
    variance = sum(r * r for r in returns[:20]) / 20
    for t in range(len(returns)):
        r = returns[t]
        if t >= 20:
            variance = LAMBDA * variance + (1 - LAMBDA) * r * r
        if t < 20 or t + horizon >= len(returns):
            continue
        rv5 = math.sqrt(sum(x * x for x in returns[t - 4:t + 1]) / 5)
        rv20 = math.sqrt(sum(x * x for x in returns[t - 19:t + 1]) / 20)
        future = returns[t + 1:t + 1 + horizon]
        bar = bars[t + 1]  # returns[t] ends at bars[t + 1]
        row = [bar[0], r, abs(r), abs(returns[t - 1]), abs(returns[t - 2]),
               math.log(max(variance, 1e-12)), rv5, rv20]
        if has_range:
            row.append(1e4 * math.log(max(bar[2], bar[3]) / min(bar[2], bar[3])) if min(bar[2], bar[3]) > 0 else 0.0)
        if has_volume:
            row.append(math.log1p(max(float(bar[4]), 0.0)))
        row.append(math.sqrt(sum(x * x for x in future) / horizon))
        rows.append(row)
    return header, rows


def cell(value):
    return value if isinstance(value, str) else repr(float(value))


def write_csv(path, header, rows, symbol=None):
    with open(path, "w", newline="") as f:
        f.write(",".join((["symbol"] if symbol else []) + header) + "\n")
        for row in rows:
            f.write(",".join(([symbol] if symbol else []) + [cell(v) for v in row]) + "\n")


def load_series():
    """(name, bars) per series, or per symbol for the bokeh file (name 'bokeh-stocks:SYM')."""
    import pandas as pd
    from arch.data import crude, nasdaq, wti
    import gym_anytrading.datasets as gym
    import bokeh_sampledata.stocks as stocks

    series = []
    frame = nasdaq.load()
    series.append(("nasdaq", bars_from_frame(frame, "Adj Close", "High", "Low", "Volume")))
    frame = wti.load()
    series.append(("wti-daily", bars_from_frame(frame, "DCOILWTICO")))
    frame = crude.load()
    series.append(("brent-monthly", bars_from_frame(frame, "Brent")))
    frame = gym.FOREX_EURUSD_1H_ASK.copy()
    frame.index = pd.to_datetime(frame.index, format="%d.%m.%Y %H:%M:%S.%f")
    series.append(("eurusd-1h", bars_from_frame(frame, "Close", "High", "Low")))
    frame = gym.STOCKS_GOOGL.copy()
    frame.index = pd.to_datetime(frame.index)
    series.append(("googl-daily", bars_from_frame(frame, "Adj Close", "High", "Low", "Volume")))
    for symbol in ["AAPL", "GOOG", "IBM", "MSFT"]:
        data = getattr(stocks, symbol)
        frame = pd.DataFrame(
            {"adj_close": data["adj_close"], "high": data["high"], "low": data["low"], "volume": data["volume"]},
            index=pd.to_datetime(data["date"]))
        series.append((f"bokeh-stocks:{symbol}", bars_from_frame(frame, "adj_close", "high", "low", "volume")))
    return series


def build(out_dir, horizon):
    """Writes the CSVs; returns [(stream name, csv path, extra evaluate arguments)]."""
    os.makedirs(out_dir, exist_ok=True)
    streams = []
    bokeh_path = os.path.join(out_dir, "bokeh-stocks.csv")
    bokeh_header = None
    bokeh_rows = []
    for name, bars in load_series():
        header, rows = feature_rows(bars, horizon)
        if name.startswith("bokeh-stocks:"):
            symbol = name.split(":", 1)[1]
            bokeh_header = header
            bokeh_rows += [[symbol] + row for row in rows]
            streams.append((name, bokeh_path, ["--symbol", symbol]))
            continue
        path = os.path.join(out_dir, f"{name}.csv")
        write_csv(path, header, rows)
        streams.append((name, path, []))
    with open(bokeh_path, "w", newline="") as f:
        f.write(",".join(["ticker"] + bokeh_header) + "\n")
        for row in bokeh_rows:
            f.write(",".join([row[0]] + [cell(v) for v in row[1:]]) + "\n")
    return streams


def evaluate(riskstream, path, extra, model, delay):
    arguments = [riskstream, "evaluate", "--csv", path, "--delay", str(delay), "--json"] + extra + model
    done = subprocess.run(arguments, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(arguments)}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--riskstream", required=True)
    parser.add_argument("--out-dir", default=".build/real-streams")
    parser.add_argument("--horizon", type=int, default=HORIZON)
    parser.add_argument("--synth", nargs="*", default=[], help="extra synth CSVs (name=path) to evaluate too")
    parser.add_argument("--variant", action="append", default=[],
                        help="name=evaluate arguments, e.g. 'sgd lr 0.5=--model sgd --learning-rate 0.5' (repeatable)")
    parser.add_argument("--json-out", help="also write every figure as JSON here")
    args = parser.parse_args()

    variants = [("sgd", ["--model", "sgd"]),
                ("sgd --clip 3", ["--model", "sgd", "--clip", "3"]),
                ("sgd --clip 10", ["--model", "sgd", "--clip", "10"]),
                ("sgd --learning-rate 0.5", ["--model", "sgd", "--learning-rate", "0.5"]),
                ("sgd --learning-rate 0.125", ["--model", "sgd", "--learning-rate", "0.125"]),
                ("sgd --scale-target false", ["--model", "sgd", "--scale-target", "false"]),
                ("sgd, old default", ["--model", "sgd", "--clip", "0", "--scale-target", "false",
                                      "--learning-rate", "1"]),
                ("sgd --no-standardize", ["--model", "sgd", "--no-standardize"]),
                ("arf", ["--model", "arf"]),
                ("htr", ["--model", "htr"]),
                ("ewma-baseline", ["--model", "ewma-baseline"])]
    for text in args.variant:
        name, _, rest = text.partition("=")
        variants.append((name, rest.split()))

    streams = build(args.out_dir, args.horizon)
    for text in args.synth:
        name, _, path = text.partition("=")
        streams.append((name, path, []))

    results = {}
    width = max(len(name) for name, _ in variants)
    for stream, path, extra in streams:
        delay = 20 if stream.startswith("synth") else args.horizon
        print(f"\n{stream}  (evaluate --csv {os.path.relpath(path)} {' '.join(extra)} --delay {delay})")
        print(f"  {'model'.ljust(width)}  {'rows':>6}  {'MAE':>10}  {'RMSE':>10}  {'R²':>7}")
        for name, model in variants:
            figures = evaluate(args.riskstream, path, extra, model, delay)
            results.setdefault(stream, {})[name] = figures
            print(f"  {name.ljust(width)}  {figures['rows']:>6}  {figures['mae']:>10.4f}  "
                  f"{figures['rmse']:>10.4f}  {figures['r2']:>7.3f}", flush=True)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()

"""VaR peers for `Scripts/var_peers.sh`: real public price series and arch's GARCH models on the same days.

    python var_peers.py export DIR        writes DIR/<series>.csv (one column, `price`) and prints the names
    python var_peers.py arch DIR NAME     prints one JSON line per (model, confidence): arch's forecasts
                                          scored with the same Kupiec and Christoffersen tests as ours
    python var_peers.py table FILE        prints the JSON lines of FILE (ours and arch's) as one Markdown table

Series (never arch's sp500 file nor mlfinpy's data: both are held out for independent checks):
  nasdaq       arch.data.nasdaq, Adj Close, daily 1999-2018
  wti          arch.data.wti, DCOILWTICO (FRED WTI spot), daily 1986-2019, missing days dropped
  googl        gym-anytrading STOCKS_GOOGL, Adj Close, daily 2009-2018
  eurusd_1h    gym-anytrading FOREX_EURUSD_1H_ASK, Close, hourly
  aapl goog ibm msft  bokeh-sampledata stocks, adj_close, daily to 2013 (it has no AMZN; FB has 196 days, too few)
(arch.data.crude is monthly, 393 rows: too short for a 99% backtest, so it is left out.)

The arch models follow our backtest's conventions (Docs/BACKTEST.md): log returns of consecutive prices,
the first WARMUP = 250 returns are not scored, return t is forecast from returns before t only. arch is
fitted on log returns times the power of ten that brings their warm-up standard deviation into [1, 10) (100,
percent, for daily series; as arch recommends), the estimation window is the last WINDOW = 2000
returns before the refit, and it is refitted every REFIT = 50 returns; between refits the fitted
parameters filter the new returns (the same choices as our `garch-t` and `garch-skewt`).
"""

import json
import math
import sys
from pathlib import Path

import numpy as np

WARMUP = 250
WINDOW = 2000
REFIT = 50
CONFIDENCES = (0.99, 0.975)


def series():
    import arch.data.nasdaq
    import arch.data.wti
    import gym_anytrading.datasets as gym
    import bokeh_sampledata.stocks as stocks

    out = {
        "nasdaq": arch.data.nasdaq.load()["Adj Close"],
        "wti": arch.data.wti.load()["DCOILWTICO"],
        "googl": gym.STOCKS_GOOGL["Adj Close"],
        "eurusd_1h": gym.FOREX_EURUSD_1H_ASK["Close"],
    }
    for name in ("AAPL", "GOOG", "IBM", "MSFT"):
        out[name.lower()] = np.asarray(getattr(stocks, name)["adj_close"], dtype=float)
    cleaned = {}
    for name, values in out.items():
        p = np.asarray(values, dtype=float)
        p = p[np.isfinite(p) & (p > 0)]
        cleaned[name] = p
    return cleaned


def export(directory):
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    for name, p in series().items():
        with open(d / f"{name}.csv", "w") as f:
            f.write("price\n")
            for x in p:
                f.write(f"{float(x)!r}\n")
        print(name)


def chi2_sf1(x):
    return math.erfc(math.sqrt(max(x, 0.0) / 2.0))


def xlogy(x, y):
    return 0.0 if x == 0 else x * math.log(y)


def kupiec(n, x, c):
    p = 1 - c
    rate = x / n
    null = xlogy(n - x, 1 - p) + xlogy(x, p)
    fitted = xlogy(n - x, 1 - rate) + xlogy(x, rate)
    lr = max(-2 * (null - fitted), 0.0)
    return lr, chi2_sf1(lr)


def christoffersen(hits):
    n = [[0, 0], [0, 0]]
    for a, b in zip(hits[:-1], hits[1:]):
        n[a][b] += 1
    n00, n01, n10, n11 = n[0][0], n[0][1], n[1][0], n[1][1]
    total = n00 + n01 + n10 + n11
    pi = (n01 + n11) / total
    pi01 = n01 / (n00 + n01) if n00 + n01 else 0.0
    pi11 = n11 / (n10 + n11) if n10 + n11 else 0.0
    null = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi)
    fitted = xlogy(n00, 1 - pi01) + xlogy(n01, pi01) + xlogy(n10, 1 - pi11) + xlogy(n11, pi11)
    lr = max(-2 * (null - fitted), 0.0)
    return lr, chi2_sf1(lr)


def arch_forecasts(r, dist):
    """One-step VaR (positive, log-return units) at each confidence for every scored return."""
    from arch import arch_model

    # arch fits best when the returns' scale is between 1 and 1000: the power of ten that brings the warm-up
    # returns' standard deviation into [1, 10) (100, percent, for daily series; 1000 for hourly EURUSD).
    scale = 10.0 ** math.ceil(-math.log10(np.std(r[:WARMUP])))
    x = scale * r
    n = len(x)
    out = {c: np.full(n, np.nan) for c in CONFIDENCES}
    for start in range(WARMUP, n, REFIT):
        lo = max(0, start - WINDOW)
        stop = min(start + REFIT, n)
        model = arch_model(x[lo:stop], mean="Constant", vol="GARCH", p=1, o=1, q=1, dist=dist)
        res = model.fit(last_obs=start - lo, disp="off", show_warning=False)
        # arch's forecast made at row i is for row i + 1: rows start - 1 ... stop - 2 forecast start ... stop - 1.
        f = res.forecast(horizon=1, start=start - lo - 1, reindex=False)
        mu = f.mean.values[: stop - start, 0]
        sigma = np.sqrt(f.variance.values[: stop - start, 0])
        k = model.distribution.num_params
        shape = np.asarray(res.params[-k:]) if k else None
        for c in CONFIDENCES:
            q = model.distribution.ppf([1 - c], shape)[0]
            out[c][start:stop] = -(mu + sigma * q) / scale
    return out


def arch_table(directory, name):
    p = np.loadtxt(Path(directory) / f"{name}.csv", skiprows=1, ndmin=1)
    r = np.log(p[1:] / p[:-1])
    for dist, label in (("skewt", "arch gjr skew-t"), ("t", "arch gjr t")):
        forecasts = arch_forecasts(r, dist)
        for c in CONFIDENCES:
            var = forecasts[c][WARMUP:]
            hits = [int(ret < -v) for ret, v in zip(r[WARMUP:], var)]
            n, x = len(hits), sum(hits)
            _, kp = kupiec(n, x, c)
            _, cp = christoffersen(hits)
            print(json.dumps({"series": name, "method": label, "confidence": c, "observations": n,
                              "expected": (1 - c) * n, "breaches": x, "kupiec_p": kp, "christoffersen_p": cp}))


def table(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    series = list(dict.fromkeys(r["series"] for r in rows))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    cell = {(r["series"], r["method"], r["confidence"]): r for r in rows}
    confidences = sorted({r["confidence"] for r in rows}, reverse=True)

    def fmt(r):
        if r is None:
            return ""
        mark = " ✓" if r["kupiec_p"] > 0.05 and r["christoffersen_p"] > 0.05 else ""
        return f'{r["breaches"]} ({r["kupiec_p"]:.2f}/{r["christoffersen_p"]:.2f}){mark}'

    for c in confidences:
        first = next(r for r in rows if r["confidence"] == c and r["series"] == series[0])
        print(f"\nVaR {c * 100:g}%: breaches (Kupiec p / Christoffersen p), ✓ = both > 0.05")
        header = ["method"] + [f'{s} ({next(r for r in rows if r["series"] == s and r["confidence"] == c)["expected"]:.1f} exp.)' for s in series]
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for m in methods:
            print("| " + " | ".join([m] + [fmt(cell.get((s, m, c))) for s in series]) + " |")
        passing = [s for s in series if any((r := cell.get((s, m, c))) and not m.startswith("arch") and r["kupiec_p"] > 0.05 and r["christoffersen_p"] > 0.05 for m in methods)]
        print(f"series where some RiskStream method passes both: {len(passing)} of {len(series)}")
        del first
    ours = [m for m in methods if not m.startswith("arch")]
    print("\nES, McNeil–Frey one-sided bootstrap p at 99% / 97.5% (RiskStream methods; arch's ES is not scored)")
    print("| method | " + " | ".join(series) + " |")
    print("|" + "---|" * (len(series) + 1))
    for m in ours:
        cells = []
        for s in series:
            ps = [cell.get((s, m, c), {}).get("es_p") for c in confidences]
            cells.append(" / ".join("" if p is None else f"{p:.2f}" for p in ps))
        print("| " + " | ".join([m] + cells) + " |")


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2])
    elif sys.argv[1] == "table":
        table(sys.argv[2])
    elif sys.argv[1] == "arch":
        arch_table(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: var_peers.py export DIR | arch DIR NAME")

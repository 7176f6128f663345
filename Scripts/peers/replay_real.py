"""Replays a real public price series into `riskstream run` as ticks with their own timestamps and counts
the alerts that come back: alerts per hour of market time on real data.

    replay_real.py --feed-port P --engine ENDPOINT [--series eurusd-1h]

Binds a pyzmq XPUB at tcp://127.0.0.1:P (the engine's --feed), waits until the engine subscribes,
subscribes to the engine's PUB, publishes every bar's close as a JSON tick (ts = the bar's time in ns,
seq from 1), waits on the engine's heartbeats until events_in reaches the number sent (a barrier, not a
sleep), and prints one JSON object: ticks, hours of market time, raised alerts by kind, alerts per hour.
arch's S&P 500 file and mlfinpy's data are never read: they are held out.
"""
import argparse
import json
import sys
import time

import zmq


def load(series):
    import pandas as pd
    import gym_anytrading.datasets as gym
    if series == "eurusd-1h":
        frame = gym.FOREX_EURUSD_1H_ASK.copy()
        frame.index = pd.to_datetime(frame.index, format="%d.%m.%Y %H:%M:%S.%f")
        return "EURUSD", [(int(ts.value), float(p)) for ts, p in zip(frame.index, frame["Close"]) if p > 0]
    raise SystemExit(f"unknown series {series}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--feed-port", type=int, required=True)
    parser.add_argument("--engine", required=True)
    parser.add_argument("--series", default="eurusd-1h")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    symbol, bars = load(args.series)

    ctx = zmq.Context()
    pub = ctx.socket(zmq.XPUB)
    pub.setsockopt(zmq.LINGER, 1000)
    pub.setsockopt(zmq.SNDHWM, 0)
    pub.bind(f"tcp://127.0.0.1:{args.feed_port}")
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.RCVHWM, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"alert.")
    sub.setsockopt(zmq.SUBSCRIBE, b"heartbeat")
    sub.connect(args.engine)
    deadline = time.monotonic() + args.timeout
    # The engine subscribes to tick., news. and position.: wait for its tick subscription.
    pub.setsockopt(zmq.RCVTIMEO, int(args.timeout * 1000))
    while True:
        message = pub.recv()
        if message[:1] == b"\x01" and b"tick."[: len(message) - 1] == message[1:6][: len(message) - 1]:
            break
    # Our own subscriber is attached once a heartbeat arrives.
    sub.setsockopt(zmq.RCVTIMEO, 5000)
    while True:
        topic, _ = sub.recv_multipart()
        if topic == b"heartbeat":
            break
    for seq, (ts, price) in enumerate(bars, start=1):
        payload = json.dumps({"symbol": symbol, "ts": ts, "price": price, "seq": seq}).encode()
        pub.send_multipart([f"tick.{symbol}".encode(), payload])
    kinds = {}
    raised = 0
    while time.monotonic() < deadline:
        try:
            topic, payload = sub.recv_multipart()
        except zmq.Again:
            continue
        message = json.loads(payload)
        if topic == b"heartbeat":
            if message["events_in"] >= len(bars):
                # One more heartbeat after the last event is counted: everything it caused has been sent.
                last = message["seq"]
                while True:
                    topic, payload = sub.recv_multipart()
                    message = json.loads(payload)
                    if topic != b"heartbeat":
                        if message.get("state") == "raised":
                            raised += 1
                            kinds[message["kind"]] = kinds.get(message["kind"], 0) + 1
                        continue
                    if message["seq"] > last:
                        break
                break
        elif message.get("state") == "raised":
            raised += 1
            kinds[message["kind"]] = kinds.get(message["kind"], 0) + 1
    else:
        print("timed out waiting for the engine", file=sys.stderr)
        return 2
    hours = (bars[-1][0] - bars[0][0]) / 3.6e12
    print(json.dumps({"series": args.series, "symbol": symbol, "ticks": len(bars), "hours": round(hours, 1),
                      "raised": raised, "by_kind": kinds, "alerts_per_hour": round(raised / hours, 4)}))
    sub.close()
    pub.close()
    ctx.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())

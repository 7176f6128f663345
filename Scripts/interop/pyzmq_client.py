#!/usr/bin/env python3
"""A foreign RiskStream client written with pyzmq, used by the interop tests.

It plays the two outside roles of the wire contract (Docs/WIRE.md):

  feed    binds an XPUB socket, prints "port N", waits for one subscriber, then publishes contract
          ticks (JSON, and binary packed with the struct module from the documented layout),
          interleaved with malformed frames, and finally an "end" message.
  watch   connects a SUB socket to a running engine's PUB socket (every topic, or --prefix ones),
          checks that every message's kind_seq is one more than the last of its kind (and seq, when
          subscribed to everything) and that heartbeats carry the contract's keys in order, and waits
          until a heartbeat reports the expected events_in and malformed. Prints "ok ..." and exits 0.
  desk    binds an XPUB socket, prints "port N", waits for one subscriber and --start-delay seconds,
          then publishes what a feed
          and an execution engine would: JSON ticks of an index IDX and a stock ACME whose returns are
          1.3 x the index's plus noise (seeded), a news item on ACME without a sentiment, and a
          position of DESK1 in ACME; then "end".
  risk    connects a SUB socket to a running engine (fed by `desk`) and waits for a hedge on
          hedge.ACME, a news_shock alert on ACME and a risk.ACME snapshot with scored models; checks
          their keys in contract order and their values' signs and ranges. Prints "ok" and exits 0.
  binary  connects a SUB socket to a running engine (fed by `desk`) that publishes binary, and decodes
          every message with the struct module from the layout tables of Docs/WIRE.md ("Binary v1"):
          the payload must end exactly where its layout does, seq must have no hole and each kind's
          kind_seq none either. Waits for the hedge, news_shock and scored snapshot that `risk` waits
          for, with the same checks on their values, and a heartbeat with --events events_in and no
          loss. Prints "ok ..." with the messages per kind and exits 0.
  alerts  connects a SUB socket to an engine-side publisher, subscribes to alert./hedge./heartbeat,
          receives the expected messages and checks every field, and the key order, against the
          same formulas the Swift test uses. Prints "ok N" and exits 0, or prints the mismatch and
          exits 1.

The expected values are pure functions of the message index, so both sides agree without sharing
files. Exits 2 when nothing arrives within the timeout.
"""
import argparse
import json
import struct
import sys
import time

import zmq

SYMBOLS = ["AAPL", "MSFT", "ES"]
BASE_TS = 1_700_000_000_000_000_000


def tick(i):
    """The i-th good tick, as a dict in contract field order."""
    price = 100.0 + i * 0.25
    return {
        "symbol": SYMBOLS[i % 3],
        "ts": BASE_TS + i * 1_000_000,
        "price": price,
        "size": float(i % 7 * 100),
        "bid": price - 0.01,
        "ask": price + 0.01,
        "bid_size": 500.0 + i,
        "ask_size": 400.0 + i,
        "seq": i + 1,
    }


# Binary v1 tick, per Docs/WIRE.md (little-endian).
BINARY_MAGIC = 0xB1
KIND_TICK = 0x01


def binary_tick(t):
    flags = 0
    optional = b""
    for bit, key, fmt in ((0, "size", "<d"), (1, "bid", "<d"), (2, "ask", "<d"),
                          (3, "bid_size", "<d"), (4, "ask_size", "<d"), (5, "seq", "<Q")):
        if t.get(key) is not None:
            flags |= 1 << bit
            optional += struct.pack(fmt, t[key])
    symbol = t["symbol"].encode("ascii")
    header = struct.pack("<BBBqd", BINARY_MAGIC, KIND_TICK, flags, t["ts"], t["price"])
    return header + optional + struct.pack("<B", len(symbol)) + symbol


def malformed(i):
    """A list of frames that breaks the contract in the (i % 10)-th way, and the reason expected."""
    t = tick(i)
    topic = ("tick." + t["symbol"]).encode()
    kind = i % 10
    if kind == 0:
        bad = dict(t, price=float("nan"))  # json.dumps writes NaN by default
        return [topic, json.dumps(bad).encode()], "non_finite"
    if kind == 1:
        bad = dict(t)
        del bad["price"]
        return [topic, json.dumps(bad).encode()], "missing_field"
    if kind == 2:
        return [topic, json.dumps(dict(t, price=-1.5)).encode()], "out_of_range"
    if kind == 3:
        return [b"tick.NOPE", json.dumps(t).encode()], "topic_mismatch"
    if kind == 4:
        return [topic, json.dumps(t).encode().replace(b'"symbol"', b'"sym\xffbol"')], "invalid_utf8"
    if kind == 5:
        return [topic, b"[1, 2, 3]"], "not_an_object"
    if kind == 6:
        return [topic], "frame_count"
    if kind == 7:
        return [topic, json.dumps(t).encode(), b"extra"], "frame_count"
    if kind == 8:
        return [topic, json.dumps(t).encode()[:-7]], "invalid_json"
    return [topic, json.dumps(dict(t, price="100.5")).encode()], "wrong_type"


def bind_feed(timeout):
    """An XPUB on a random loopback port (printed as "port N") once its first subscriber has arrived,
    so nothing published is lost to a slow join; (None, None) when none came within `timeout`."""
    ctx = zmq.Context()
    pub = ctx.socket(zmq.XPUB)
    pub.setsockopt(zmq.LINGER, 2000)
    pub.setsockopt(zmq.SNDHWM, 0)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    print(f"port {port}", flush=True)
    pub.setsockopt(zmq.RCVTIMEO, int(timeout * 1000))
    try:
        pub.recv()
    except zmq.Again:
        print("no subscriber arrived", file=sys.stderr)
        return None, None
    return ctx, pub


def run_feed(args):
    ctx, pub = bind_feed(args.timeout)
    if pub is None:
        return 2
    reasons = []
    for i in range(args.count):
        t = tick(i)
        topic = ("tick." + t["symbol"]).encode()
        payload = binary_tick(t) if args.encoding == "binary" or (args.encoding == "mixed" and i % 2) \
            else json.dumps(t).encode()
        pub.send_multipart([topic, payload])
        if args.malformed and i % 3 == 2:
            frames, reason = malformed(i)
            pub.send_multipart(frames)
            reasons.append(reason)
    pub.send_multipart([b"end", json.dumps({"ticks": args.count, "malformed": reasons}).encode()])
    pub.close()
    ctx.term()
    return 0


KINDS = ["volatility", "var_breach", "drawdown", "liquidity", "news_shock", "data_quality", "model_drift"]
SEVERITIES = ["info", "warning", "critical"]
# Outbound messages always carry every key, in this order; an absent account is null.
ALERT_KEYS = ["type", "seq", "kind_seq", "ts", "event_ts", "symbol", "kind", "severity", "state", "value", "threshold",
              "message", "drivers", "account"]


def subscriber(connect, timeout, prefixes):
    """A SUB socket (and its context) connected to `connect`, subscribed to `prefixes`, receiving with
    `timeout` seconds' patience and no linger."""
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.RCVTIMEO, int(timeout * 1000))
    for prefix in prefixes:
        sub.setsockopt(zmq.SUBSCRIBE, prefix)
    sub.connect(connect)
    return ctx, sub


def expected_alert(i):
    a = {
        "type": "alert",
        "seq": i + 1,
        "kind_seq": i + 1,
        "ts": BASE_TS + i * 2_000_000 + 17,
        "event_ts": BASE_TS + i * 2_000_000,
        "symbol": SYMBOLS[i % 3],
        "kind": KINDS[i % 7],
        "severity": SEVERITIES[i % 3],
        "state": "raised" if i % 2 == 0 else "cleared",
        "value": 0.0125 * (i + 1),
        "threshold": 0.01,
        "message": f"alert {i}: volatility ↑ \"3σ\" \\ over limit",
        "drivers": [{"feature": "ewma_vol", "contribution": 0.5 + i},
                    {"feature": "spread_bps", "contribution": -0.25 * i}],
    }
    a["account"] = f"ACC-{i}" if i % 2 == 1 else None
    return a


def run_alerts(args):
    ctx, sub = subscriber(args.connect, args.timeout, [b"alert."])
    checked = 0
    try:
        for i in range(args.count):
            try:
                topic, payload = sub.recv_multipart()
            except zmq.Again:
                print(f"timed out after {checked} alerts", file=sys.stderr)
                return 2
            got = json.loads(payload.decode("utf-8"))
            want = expected_alert(i)
            if topic != ("alert." + want["symbol"]).encode():
                print(f"alert {i}: topic {topic!r}, want alert.{want['symbol']}", file=sys.stderr)
                return 1
            keys = list(got.keys())
            want_keys = ALERT_KEYS
            if keys != want_keys:
                print(f"alert {i}: keys {keys}, want {want_keys}", file=sys.stderr)
                return 1
            for key in want_keys:
                if got[key] != want[key] or type(got[key]) is not type(want[key]):
                    print(f"alert {i}: field {key} = {got[key]!r}, want {want[key]!r}", file=sys.stderr)
                    return 1
            checked += 1
    finally:
        sub.close()
        ctx.term()
    print(f"ok {checked}", flush=True)
    return 0


HEARTBEAT_KEYS = ["type", "seq", "kind_seq", "ts", "events_in", "malformed", "dropped", "alerts_out", "hedges_out",
                  "lag_ns", "lost_upstream", "quarantined", "rejected_symbols", "rejected_accounts", "disconnects"]


def run_watch(args):
    prefixes = [p.encode() for p in args.prefix] or [b""]
    ctx, sub = subscriber(args.connect, args.timeout, prefixes)
    last_seq = None
    last_kind_seq = {}
    seen = {}
    messages = 0
    try:
        while True:
            try:
                topic, payload = sub.recv_multipart()
            except zmq.Again:
                print(f"timed out after {messages} messages (last seq {last_seq})", file=sys.stderr)
                return 2
            message = json.loads(payload.decode("utf-8"))
            messages += 1
            seq = message["seq"]
            # seq covers every topic: only a subscriber to everything can demand it has no holes.
            if prefixes == [b""] and last_seq is not None and seq != last_seq + 1:
                print(f"seq went from {last_seq} to {seq}", file=sys.stderr)
                return 1
            if last_seq is not None and seq <= last_seq:
                print(f"seq went back from {last_seq} to {seq}", file=sys.stderr)
                return 1
            last_seq = seq
            kind = topic.split(b".")[0].decode()
            # kind_seq covers one kind: a subscriber to a kind's prefix sees every one of them.
            kind_seq = message["kind_seq"]
            if kind in last_kind_seq and kind_seq != last_kind_seq[kind] + 1:
                print(f"{kind} kind_seq went from {last_kind_seq[kind]} to {kind_seq}", file=sys.stderr)
                return 1
            last_kind_seq[kind] = kind_seq
            seen[kind] = seen.get(kind, 0) + 1
            if message.get("type") != kind:
                print(f"type {message.get('type')!r} on topic {topic!r}", file=sys.stderr)
                return 1
            if kind == "heartbeat":
                if list(message.keys()) != HEARTBEAT_KEYS:
                    print(f"heartbeat keys {list(message.keys())}", file=sys.stderr)
                    return 1
                enough = all(seen.get(k, 0) >= args.min_per_kind for k in args.kind)
                if message["events_in"] == args.events and message["malformed"] == args.malformed and enough:
                    if message["dropped"] != 0:
                        print(f"dropped {message['dropped']}", file=sys.stderr)
                        return 1
                    kinds = " ".join(f"{k}={v}" for k, v in sorted(last_kind_seq.items()))
                    print(f"ok events_in={args.events} malformed={args.malformed} messages={messages} "
                          f"last kind_seq {kinds}", flush=True)
                    return 0
                if message["events_in"] > args.events or message["malformed"] > args.malformed:
                    print(f"counters overshot: {message}", file=sys.stderr)
                    return 1
    finally:
        sub.close()
        ctx.term()


def run_desk(args):
    import random
    rng = random.Random(11)
    ctx, pub = bind_feed(args.timeout)
    if pub is None:
        return 2
    time.sleep(args.start_delay)  # lets the engine's own subscribers attach before anything happens
    index, stock = 4000.0, 50.0
    ts = BASE_TS
    for i in range(args.count):
        market = rng.gauss(0, 2e-4)
        index *= 2.718281828459045 ** market
        stock *= 2.718281828459045 ** (1.3 * market + rng.gauss(0, 1e-4))
        ts += 1_000_000_000
        for symbol, mid, at in (("IDX", index, ts), ("ACME", stock, ts + 1)):
            half = mid * 1e-4
            pub.send_multipart([f"tick.{symbol}".encode(), json.dumps({
                "symbol": symbol, "ts": at, "price": mid, "size": 100.0, "bid": mid - half, "ask": mid + half,
                "bid_size": 500.0, "ask_size": 500.0, "seq": i + 1}).encode()])
        if i == args.count // 2:
            pub.send_multipart([b"news.ACME", json.dumps({
                "id": "n-1", "ts": ts + 2, "symbols": ["ACME"],
                "headline": "Regulator opens fraud probe into ACME; shares plunge"}).encode()])
    pub.send_multipart([b"position.DESK1", json.dumps({
        "account": "DESK1", "symbol": "ACME", "quantity": 10000, "ts": ts + 3}).encode()])
    pub.send_multipart([b"end", b"{}"])
    pub.close()
    ctx.term()
    return 0


HEDGE_KEYS = ["type", "seq", "kind_seq", "ts", "account", "symbol", "hedge_symbol", "ratio", "quantity", "notional", "reason",
              "position", "delta"]
RISK_KEYS = ["type", "seq", "kind_seq", "ts", "symbol", "price", "volatility", "var", "es", "confidence", "drawdown", "horizon_s",
             "warming", "horizons", "models"]


def run_risk(args):
    ctx, sub = subscriber(args.connect, args.timeout, [b"hedge.", b"alert.ACME", b"risk.ACME"])
    seen = set()

    def fail(message):
        print(message, file=sys.stderr)
        return 1

    try:
        while seen != {"hedge", "news_shock", "risk"}:
            try:
                topic, payload = sub.recv_multipart()
            except zmq.Again:
                print(f"timed out; seen {sorted(seen)}", file=sys.stderr)
                return 2
            m = json.loads(payload.decode("utf-8"))
            if topic == b"hedge.ACME":
                if list(m.keys()) != HEDGE_KEYS:
                    return fail(f"hedge keys {list(m.keys())}")
                if (m["account"], m["hedge_symbol"]) != ("DESK1", "IDX"):
                    return fail(f"hedge {m}")
                if not (1.0 < m["ratio"] < 1.6 and m["quantity"] < 0 and m["notional"] < 0 and m["reason"]
                        and m["position"] == 0 and m["delta"] == m["quantity"]):
                    return fail(f"hedge values {m}")
                seen.add("hedge")
            elif topic == b"alert.ACME" and m["kind"] == "news_shock" and m["state"] == "raised":
                if list(m.keys()) != ALERT_KEYS:
                    return fail(f"alert keys {list(m.keys())}")
                words = [d["feature"] for d in m["drivers"]]
                if "sentiment" not in words or not any(w.startswith("word:") for w in words):
                    return fail(f"news_shock drivers {m['drivers']}")
                seen.add("news_shock")
            elif topic == b"risk.ACME":
                if list(m.keys()) != RISK_KEYS:
                    return fail(f"risk keys {list(m.keys())}")
                scored = [x for x in m["models"] if x["mae"] is not None and x["model"] != "ewma"]
                if scored and m["var"] is not None:
                    if not (0 < m["var"] < m["es"] < 1 and m["confidence"] == 0.99 and m["volatility"] > 0):
                        return fail(f"risk values {m}")
                    if m["horizon_s"] != 60 or m["warming"] or [h["horizon_s"] for h in m["horizons"]] != [60, 3600, 23400]:
                        return fail(f"risk horizons {m}")
                    seen.add("risk")
    finally:
        sub.close()
        ctx.term()
    print("ok", flush=True)
    return 0


ALERT_KIND_NAMES = ["volatility", "var_breach", "drawdown", "liquidity", "news_shock", "data_quality", "model_drift"]
RISK_FLAG_FIELDS = ["price", "volatility", "var", "es", "confidence", "drawdown", "horizon_s"]  # bits 0..6
HEARTBEAT_COUNTERS = HEARTBEAT_KEYS[4:]  # events_in ... disconnects, after seq, kind_seq and ts


class Reader:
    """Reads a binary payload front to back, as WIRE.md's tables lay it out."""

    def __init__(self, payload):
        self.b, self.pos = payload, 0

    def take(self, fmt):
        values = struct.unpack_from("<" + fmt, self.b, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def counted(self, length_fmt, what):
        """Bytes preceded by their length (`length_fmt`: B for a sym, I for a text)."""
        n = self.take(length_fmt)
        value = self.b[self.pos:self.pos + n]
        if len(value) != n:
            raise ValueError(f"truncated {what}")
        self.pos += n
        return value

    def sym(self):
        return self.counted("B", "sym").decode("ascii")

    def text(self):
        return self.counted("I", "text").decode("utf-8")

    def optional(self, flags, bit):
        return self.take("d") if flags & (1 << bit) else None

    def end(self, name):
        if self.pos != len(self.b):
            raise ValueError(f"{name}: layout ends at {self.pos}, payload has {len(self.b)} bytes")


def decode_outbound(payload):
    """An outbound binary payload as the dict its JSON form would be (keys in contract order)."""
    r = Reader(payload)
    magic, kind, flags = r.take("BBB")
    if magic != 0xB1:
        raise ValueError(f"magic {magic:#x}")
    if kind == 4:
        if flags & ~0x01:
            raise ValueError(f"alert flags {flags:#x}")
        seq, kind_seq, ts, event_ts, code, severity, state, value, threshold = r.take("QQqqBBBdd")
        symbol = r.sym()
        account = r.sym() if flags & 1 else None
        message = r.text()
        drivers = []
        for _ in range(r.take("I")):
            feature = r.text()
            drivers.append({"feature": feature, "contribution": r.take("d")})
        m = {"type": "alert", "seq": seq, "kind_seq": kind_seq, "ts": ts, "event_ts": event_ts, "symbol": symbol,
             "kind": ALERT_KIND_NAMES[code], "severity": ["info", "warning", "critical"][severity],
             "state": ["raised", "cleared"][state], "value": value, "threshold": threshold, "message": message,
             "drivers": drivers, "account": account}
    elif kind == 5:
        if flags & ~0x03:
            raise ValueError(f"hedge flags {flags:#x}")
        seq, kind_seq, ts, ratio, quantity, notional = r.take("QQqddd")
        account, symbol, hedge_symbol, reason = r.sym(), r.sym(), r.sym(), r.text()
        position, delta = r.optional(flags, 0), r.optional(flags, 1)
        m = {"type": "hedge", "seq": seq, "kind_seq": kind_seq, "ts": ts, "account": account, "symbol": symbol,
             "hedge_symbol": hedge_symbol, "ratio": ratio, "quantity": quantity, "notional": notional,
             "reason": reason, "position": position, "delta": delta}
    elif kind == 6:
        seq, kind_seq, ts = r.take("QQq")
        measures = {name: r.optional(flags, bit) for bit, name in enumerate(RISK_FLAG_FIELDS)}
        symbol = r.sym()
        models = []
        for _ in range(r.take("I")):
            model_flags = r.take("B")
            if model_flags & ~0x03:
                raise ValueError(f"model flags {model_flags:#x}")
            name = r.text()
            forecast = r.optional(model_flags, 0)
            models.append({"model": name, "forecast": forecast, "mae": r.optional(model_flags, 1)})
        horizons = []
        for _ in range(r.take("I")):
            horizon_flags = r.take("B")
            if horizon_flags & ~0x03:
                raise ValueError(f"horizon flags {horizon_flags:#x}")
            horizon_s = r.take("d")
            var, es = r.optional(horizon_flags, 0), r.optional(horizon_flags, 1)
            breaches, windows = r.take("QQ")
            horizons.append({"horizon_s": horizon_s, "var": var, "es": es, "breaches": breaches, "windows": windows})
        m = {"type": "risk", "seq": seq, "kind_seq": kind_seq, "ts": ts, "symbol": symbol, **measures,
             "warming": bool(flags & 0x80), "horizons": horizons, "models": models}
    elif kind == 7:
        if flags != 0 or len(payload) != 115:
            raise ValueError(f"heartbeat flags {flags:#x}, {len(payload)} bytes")
        seq, kind_seq, ts, *counters = r.take("QQq" + "QQQQQqQQQQQ")
        m = {"type": "heartbeat", "seq": seq, "kind_seq": kind_seq, "ts": ts, **dict(zip(HEARTBEAT_COUNTERS, counters))}
    else:
        raise ValueError(f"kind {kind} is not outbound")
    r.end(m["type"])
    return m


def run_binary(args):
    ctx, sub = subscriber(args.connect, args.timeout, [b""])
    last_seq, last_kind_seq, counts, seen = None, {}, {}, set()

    def fail(message):
        print(message, file=sys.stderr)
        return 1

    try:
        while True:
            try:
                topic, payload = sub.recv_multipart()
            except zmq.Again:
                print(f"timed out; seen {sorted(seen)}, messages {counts}", file=sys.stderr)
                return 2
            try:
                m = decode_outbound(payload)
            except (ValueError, IndexError, struct.error, UnicodeDecodeError) as error:
                return fail(f"{topic!r}: {error}: {payload.hex()}")
            kind = m["type"]
            counts[kind] = counts.get(kind, 0) + 1
            expected_topic = kind if kind == "heartbeat" else f"{kind}.{m['symbol']}"
            if topic.decode() != expected_topic:
                return fail(f"a {kind} for {m.get('symbol')} on topic {topic!r}")
            if last_seq is not None and m["seq"] != last_seq + 1:
                return fail(f"seq went from {last_seq} to {m['seq']}")
            last_seq = m["seq"]
            if kind in last_kind_seq and m["kind_seq"] != last_kind_seq[kind] + 1:
                return fail(f"{kind} kind_seq went from {last_kind_seq[kind]} to {m['kind_seq']}")
            last_kind_seq[kind] = m["kind_seq"]
            if kind == "hedge" and m["symbol"] == "ACME":
                if (m["account"], m["hedge_symbol"]) != ("DESK1", "IDX"):
                    return fail(f"hedge {m}")
                if not (1.0 < m["ratio"] < 1.6 and m["quantity"] < 0 and m["notional"] < 0 and m["reason"]
                        and m["position"] == 0 and m["delta"] == m["quantity"]):
                    return fail(f"hedge values {m}")
                seen.add("hedge")
            elif kind == "alert" and m["symbol"] == "ACME" and m["kind"] == "news_shock" and m["state"] == "raised":
                if "sentiment" not in [d["feature"] for d in m["drivers"]] or m["account"] is not None:
                    return fail(f"news_shock {m}")
                seen.add("news_shock")
            elif kind == "risk" and m["symbol"] == "ACME":
                scored = [x for x in m["models"] if x["mae"] is not None and x["model"] != "ewma"]
                if scored and m["var"] is not None:
                    if not (0 < m["var"] < m["es"] < 1 and m["confidence"] == 0.99 and m["volatility"] > 0):
                        return fail(f"risk values {m}")
                    if m["horizon_s"] != 60 or m["warming"] or [h["horizon_s"] for h in m["horizons"]] != [60, 3600, 23400]:
                        return fail(f"risk horizons {m}")
                    seen.add("risk")
            elif kind == "heartbeat":
                lost = {k: m[k] for k in ("malformed", "dropped", "lost_upstream", "rejected_symbols") if m[k]}
                if lost:
                    return fail(f"heartbeat reports losses {lost}")
                if m["events_in"] > args.events:
                    return fail(f"events_in overshot: {m}")
                if m["events_in"] == args.events and seen == {"hedge", "news_shock", "risk"}:
                    if m["hedges_out"] < counts.get("hedge", 0) or m["alerts_out"] < counts.get("alert", 0):
                        return fail(f"heartbeat counts fewer than were received: {m}, {counts}")
                    kinds = " ".join(f"{k}={v}" for k, v in sorted(counts.items()))
                    print(f"ok events_in={m['events_in']} messages {kinds} last seq {last_seq}", flush=True)
                    return 0
    finally:
        sub.close()
        ctx.term()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    feed = sub.add_parser("feed")
    feed.add_argument("--count", type=int, default=300)
    feed.add_argument("--encoding", choices=["json", "binary", "mixed"], default="json")
    feed.add_argument("--malformed", action="store_true")
    feed.add_argument("--timeout", type=float, default=10)
    alerts = sub.add_parser("alerts")
    alerts.add_argument("--connect", required=True)
    alerts.add_argument("--count", type=int, default=100)
    alerts.add_argument("--timeout", type=float, default=10)
    watch = sub.add_parser("watch")
    watch.add_argument("--connect", required=True)
    watch.add_argument("--events", type=int, required=True)
    watch.add_argument("--malformed", type=int, default=0)
    watch.add_argument("--prefix", action="append", default=[],
                       help="subscribe to this topic prefix only (repeatable); default everything")
    watch.add_argument("--kind", action="append", default=[],
                       help="with --min-per-kind: a kind that must be seen that often before 'ok' (repeatable)")
    watch.add_argument("--min-per-kind", type=int, default=0)
    watch.add_argument("--timeout", type=float, default=10)
    desk = sub.add_parser("desk")
    desk.add_argument("--count", type=int, default=600)
    desk.add_argument("--start-delay", type=float, default=1.0)
    desk.add_argument("--timeout", type=float, default=10)
    risk = sub.add_parser("risk")
    risk.add_argument("--connect", required=True)
    risk.add_argument("--timeout", type=float, default=20)
    binary = sub.add_parser("binary")
    binary.add_argument("--connect", required=True)
    binary.add_argument("--events", type=int, required=True)
    binary.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args()
    commands = {"feed": run_feed, "alerts": run_alerts, "watch": run_watch, "desk": run_desk, "risk": run_risk,
                "binary": run_binary}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets (Tests/Fuzz/corpus/<target>/), deterministically.

  python3 Tests/Fuzz/make_seeds.py

wire_codec seeds are `topic\\npayload` (FuzzChecks' input format): valid JSON and binary ticks, news,
positions and a few outbound kinds, plus near misses. csv seeds are whole files with BOMs, CRLF, CR,
quotes, times and symbols. pipeline seeds are the shipped Pipelines/*.yaml and small variations.
Files libFuzzer adds while fuzzing go to .build-fuzz, not here; inputs that once found a bug are kept
here as found_* (this script rewrites only its own seeds).
"""
import json, os, shutil, struct, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    folder = os.path.join(root, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def sym(s):
    b = s.encode()
    return bytes([len(b)]) + b


def text(s):
    b = s.encode()
    return struct.pack("<I", len(b)) + b


def tick_binary(symbol, ts, price, size=None, bid=None, ask=None, seq=None):
    flags, tail = 0, b""
    for bit, value in enumerate([size, bid, ask]):
        if value is not None:
            flags |= 1 << bit
            tail += struct.pack("<d", value)
    if seq is not None:
        flags |= 1 << 5
        tail += struct.pack("<Q", seq)
    return bytes([0xB1, 1, flags]) + struct.pack("<qd", ts, price) + tail + sym(symbol)


def news_binary(symbols, ts, headline, sentiment=None, ident=None):
    flags = (1 if ident else 0) | (8 if sentiment is not None else 0)
    out = bytes([0xB1, 2, flags]) + struct.pack("<q", ts)
    if sentiment is not None:
        out += struct.pack("<d", sentiment)
    out += struct.pack("<I", len(symbols)) + b"".join(sym(s) for s in symbols)
    if ident:
        out += text(ident)
    return out + text(headline)


def position_binary(account, symbol, ts, quantity, price=None):
    out = bytes([0xB1, 3, 1 if price is not None else 0]) + struct.pack("<qd", ts, quantity)
    if price is not None:
        out += struct.pack("<d", price)
    return out + sym(account) + sym(symbol)


def wire():
    ts = 1700000000123456789
    j = lambda o: json.dumps(o, separators=(",", ":"))
    seeds = {
        "tick_json": ("tick.AAPL", j({"symbol": "AAPL", "ts": ts, "price": 189.25, "size": 100, "seq": 42})),
        "tick_json_quotes": ("tick.MSFT", j({"symbol": "MSFT", "ts": ts, "price": 410.5, "bid": 410.4, "ask": 410.6,
                                              "bid_size": 300, "ask_size": 200})),
        "tick_json_spaces": ("tick.SPX", ' { "symbol" : "SPX", "ts" : %d, "price" : 4500.25e0 } \n' % ts),
        "tick_json_escapes": ("tick.AAPL", '{"symbol":"\\u0041APL","ts":%d,"price":1,"extra":{"a":[1,2,{"b":null}]}}' % ts),
        "tick_json_unknown_fields": ("tick.A", j({"symbol": "A", "ts": 1, "price": 1e-300, "venue": "X", "flags": [True, False]})),
        "news_json": ("news.AAPL", j({"id": "n1", "ts": ts, "symbols": ["AAPL", "MSFT"], "headline": "Apple beats",
                                     "body": "Strong iPhone sales.", "source": "wire", "sentiment": 0.6})),
        "news_json_second_symbol": ("news.MSFT", j({"ts": ts, "symbols": ["AAPL", "MSFT"], "headline": "Tech rally ü ✓"})),
        "position_json": ("position.desk1", j({"account": "desk1", "symbol": "AAPL", "quantity": -1500, "ts": ts, "price": 189.0})),
        "position_json_no_price": ("position.acct-2", j({"account": "acct-2", "symbol": "TSLA", "quantity": 0.5, "ts": ts})),
        "tick_binary": ("tick.AAPL", tick_binary("AAPL", ts, 189.25, size=100.0, seq=42)),
        "tick_binary_quotes": ("tick.MSFT", tick_binary("MSFT", ts, 410.5, size=1.0, bid=410.4, ask=410.6)),
        "tick_binary_bare": ("tick.X", tick_binary("X", 1, 1.0)),
        "news_binary": ("news.AAPL", news_binary(["AAPL", "MSFT"], ts, "Apple beats", sentiment=0.6, ident="n1")),
        "news_binary_plain": ("news.TSLA", news_binary(["TSLA"], ts, "Recall")),
        "position_binary": ("position.desk1", position_binary("desk1", "AAPL", ts, -1500.0, 189.0)),
        "position_binary_no_price": ("position.d", position_binary("d", "SPX", ts, 3.0)),
        "heartbeat_binary": ("heartbeat", bytes([0xB1, 7, 0]) + struct.pack("<QqQQQQQq", 1, ts, 10, 2, 0, 1, 0, 5)),
        "heartbeat_json": ("heartbeat", j({"type": "heartbeat", "seq": 3, "ts": ts, "events_in": 10, "malformed": 0,
                                           "dropped": 0, "alerts_out": 0, "hedges_out": 0, "lag_ns": -5})),
        "bad_negative_price": ("tick.AAPL", j({"symbol": "AAPL", "ts": ts, "price": -1})),
        "bad_nan": ("tick.AAPL", '{"symbol":"AAPL","ts":%d,"price":NaN}' % ts),
        "bad_overflow": ("tick.AAPL", '{"symbol":"AAPL","ts":%d,"price":1e999}' % ts),
        "bad_topic_mismatch": ("tick.MSFT", j({"symbol": "AAPL", "ts": ts, "price": 1})),
        "bad_truncated_json": ("tick.AAPL", '{"symbol":"AAPL","ts":%d,"pri' % ts),
        "bad_truncated_binary": ("tick.AAPL", tick_binary("AAPL", ts, 189.25, size=100.0)[:20]),
        "bad_trailing_binary": ("tick.AAPL", tick_binary("AAPL", ts, 189.25) + b"\x00"),
        "bad_flags_binary": ("tick.AAPL", bytes([0xB1, 1, 0x80]) + tick_binary("AAPL", ts, 1.0)[3:]),
        "bad_utf8": ("news.AAPL", b'{"ts":1,"symbols":["AAPL"],"headline":"\xff\xfe"}'),
        "bad_no_dot": ("tick", j({"symbol": "AAPL", "ts": ts, "price": 1})),
        "bad_kind": ("quote.AAPL", j({"symbol": "AAPL", "ts": ts, "price": 1})),
        "bad_array": ("tick.AAPL", "[1,2,3]"),
        "bad_deep": ("tick.AAPL", '{"symbol":"AAPL","x":' + "[" * 200 + "]" * 200 + "}"),
        "bad_encoding": ("tick.AAPL", b"\x00\x01\x02"),
        "empty_payload": ("tick.AAPL", b""),
    }
    for name, (topic, payload) in seeds.items():
        payload = payload if isinstance(payload, bytes) else payload.encode()
        write("wire_codec", name, topic.encode() + b"\n" + payload)


def csv():
    seeds = {
        "prices_lf": "time,price\n2024-01-02,100\n2024-01-03,101.5\n2024-01-04,99.25\n",
        "prices_crlf": "time,price\r\n2024-01-02,100\r\n2024-01-03,101.5\r\n2024-01-04,99.25\r\n",
        "prices_cr": "time,price\r2024-01-02,100\r2024-01-03,101.5\r2024-01-04,99.25\r",
        "prices_bom": "\ufeffDate,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,2,0.5,1.5,1.4,1000\n2024-01-03,1.5,2,1,1.8,1.7,900\n",
        "prices_bom_crlf": "\ufeffprice,ts\r\n1,1700000000\r\n2,1700000001\r\n",
        "quoted": 'target,"a,b","say ""hi"""\n1,2,3\n"4","5","6"\n',
        "quoted_newline": 'target,"multi\nline"\n1,2\n3,4\n',
        "quoted_cr": 'target,"multi\rline"\r1,2\r3,4\r',
        "no_final_newline": "target,x\n1,2\n3,4",
        "epoch_ms": "price,ts_ms\n10,1700000000000\n11,1700000000500\n",
        "epoch_ns": "price,timestamp\n10,1700000000000000000\n11,1700000000000000001\n",
        "iso_datetime": "price,datetime\n1,2024-01-02T15:04:05.123456789+01:00\n2,2024-01-02 15:04:06Z\n",
        "mdy": "Close,Date\n1,1/4/1999\n2,1/5/1999 9:30\n",
        "symbols": "symbol,price\nAAPL,1\nAAPL,2\n",
        "two_symbols": "ticker,price\nAAPL,1\nMSFT,2\n",
        "features": "target,f1,f2,f3\n0.1,1e-3,-2E+2,+.5\n0.2,1,2,3\n0.3,4,5,6\n",
        "bad_nan": "target,x\n1,nan\n",
        "bad_inf": "target,x\n1,-Infinity\n",
        "bad_empty_line": "target\n1\n\n2\n",
        "bad_unterminated": 'target\n"1\n',
        "bad_after_quote": 'target\n"1"x\n',
        "bad_duplicate": "a,a\n1,2\n",
        "bad_width": "a,b\n1\n",
        "bad_time_backwards": "price,date\n1,2024-01-02\n2,2024-01-01\n",
        "blank_tail": "target\n1\n2\n\n\n\r\n",
        "header_only": "target,x\n",
        "unicode_names": "prix,é,日本\n1,2,3\n",
        "long_field": "target,x\n1," + "9" * 300 + "\n",
        "empty": "",
        "bom_only": "\ufeff",
    }
    for name, content in seeds.items():
        write("csv", name, content)


def pipeline():
    pipelines = os.path.join(os.path.dirname(root), "..", "..", "Pipelines")
    os.makedirs(os.path.join(root, "pipeline"), exist_ok=True)
    for name in sorted(os.listdir(pipelines)):
        if name.endswith(".yaml"):
            shutil.copy(os.path.join(pipelines, name), os.path.join(root, "pipeline", "shipped_" + name))
    seeds = {
        "empty": "",
        "name_only": "name: x\n",
        "ingest": "ingest:\n  feeds: [tcp://127.0.0.1:5555]\n  topics: ['']\n  when_full: drop_oldest\n  ring_capacity: 8\n",
        "publish": "publish:\n  endpoint: tcp://127.0.0.1:5556\n  heartbeat_ms: 10\n",
        "volatility": "volatility:\n  lambda: 0.97\n  warning: 0.5\n  critical: 0.9\n",
        "bad_volatility": "volatility:\n  warning: 0.9\n  critical: 0.5\n",
        "bad_unknown_key": "ingest:\n  feedz: []\n",
        "bad_type": "symbols:\n  max: lots\n",
        "bad_range": "symbols:\n  window: 1\n",
        "bad_yaml": "ingest: [\n",
        "bad_tabs": "ingest:\n\tfeeds: []\n",
        "duplicate_key": "name: a\nname: b\n",
        "anchors": "base: &b {max: 3}\nsymbols: *b\n",
        "flow": "{name: f, symbols: {max: 10, window: 20}}\n",
        "document_markers": "---\nname: d\n...\n",
        "risk_symbols": "risk:\n  symbols:\n    AAPL:\n      volatility: {warning: 0.3, critical: 0.6}\n",
        "hedging": "hedging:\n  instruments:\n    AAPL: SPX\n",
        "not_mapping": "- a\n- b\n",
        "scalar": "42\n",
        "null": "~\n",
    }
    for name, content in seeds.items():
        write("pipeline", name, content)


if __name__ == "__main__":
    wire()
    csv()
    pipeline()
    for target in sorted(os.listdir(root)):
        print(target, len(os.listdir(os.path.join(root, target))), "seeds")

import MarketEvents
import Testing

/// Byte-for-byte goldens of every outbound binary kind, written by hand from the layout tables of
/// Docs/WIRE.md ("Binary v1"), not from the encoder: little-endian integers, IEEE 754 doubles, `sym`
/// as a u8 length and bytes, `text` as a u32 length and UTF-8 bytes, optional fields only when their flag
/// bit is set, in flag-bit order. Each golden must be what the encoder writes and must decode to the
/// event it was written for.
@Suite struct BinaryGoldenTests {
    /// The bytes of a golden: on each line, hex bytes before a `|`, a comment after it.
    static func bytes(_ golden: String) -> [UInt8] {
        golden.split(separator: "\n").flatMap { line in
            line.split(separator: "|", maxSplits: 1).first!.split(separator: " ").map { UInt8($0, radix: 16)! }
        }
    }

    static func check(_ event: WireEvent, _ golden: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = bytes(golden)
        let encoded = WireCodec.encodeBinary(event)
        let same = zip(encoded, expected).prefix { $0 == $1 }.count
        #expect(encoded == expected, "first difference at offset \(same)", sourceLocation: sourceLocation)
        let decoded = try WireCodec().decode(topic: Array(event.topic.utf8), payload: expected)
        #expect(decoded == event, sourceLocation: sourceLocation)
    }

    @Test func alert() throws {
        let alert = Alert(
            seq: 7, ts: 1_700_000_000_500_000_000, eventTs: 1_700_000_000_123_456_789, symbol: "AAPL",
            kind: .varBreach, severity: .critical, state: .raised, value: 0.5, threshold: 0.25, message: "σ up",
            drivers: [.init(feature: "x", contribution: 1)], account: "D1", kindSeq: 3)
        try Self.check(
            .alert(alert),
            """
            b1 04 01                | magic, kind 4 alert, flags: account (bit 0)
            07 00 00 00 00 00 00 00 | 3   seq u64 7
            03 00 00 00 00 00 00 00 | 11  kind_seq u64 3
            00 65 f7 53 fe 9c 97 17 | 19  ts i64 1700000000500000000
            15 cd 85 3d fe 9c 97 17 | 27  event_ts i64 1700000000123456789
            01                      | 35  kind: 1 var_breach
            02                      | 36  severity: 2 critical
            00                      | 37  state: 0 raised
            00 00 00 00 00 00 e0 3f | 38  value f64 0.5
            00 00 00 00 00 00 d0 3f | 46  threshold f64 0.25
            04 41 41 50 4c          | 54  symbol sym "AAPL"
            02 44 31                |     account sym "D1" (bit 0)
            05 00 00 00 cf 83 20 75 70 |  message text "σ up" (σ is 2 bytes of UTF-8)
            01 00 00 00             |     1 driver
            01 00 00 00 78          |     feature text "x"
            00 00 00 00 00 00 f0 3f |     contribution f64 1.0
            """)
    }

    @Test func hedge() throws {
        let hedge = Hedge(
            seq: 9, ts: 1_700_000_000_500_000_000, account: "D1", symbol: "ACME", hedgeSymbol: "SPY", ratio: 1.5,
            quantity: -100, notional: -4_000, reason: "r", position: -2, delta: nil, kindSeq: 2)
        try Self.check(
            .hedge(hedge),
            """
            b1 05 01                | magic, kind 5 hedge, flags: position (bit 0), no delta (bit 1)
            09 00 00 00 00 00 00 00 | 3   seq u64 9
            02 00 00 00 00 00 00 00 | 11  kind_seq u64 2
            00 65 f7 53 fe 9c 97 17 | 19  ts i64 1700000000500000000
            00 00 00 00 00 00 f8 3f | 27  ratio f64 1.5
            00 00 00 00 00 00 59 c0 | 35  quantity f64 -100.0
            00 00 00 00 00 40 af c0 | 43  notional f64 -4000.0
            02 44 31                | 51  account sym "D1"
            04 41 43 4d 45          |     symbol sym "ACME"
            03 53 50 59             |     hedge_symbol sym "SPY"
            01 00 00 00 72          |     reason text "r"
            00 00 00 00 00 00 00 c0 |     position f64 -2.0 (bit 0); delta absent
            """)
    }

    @Test func risk() throws {
        let risk = RiskSnapshot(
            seq: 11, ts: 1_700_000_000_500_000_000, symbol: "SPY", price: 100, valueAtRisk: 0.5, confidence: 0.99,
            horizonSeconds: 60, warming: true,
            horizons: [.init(horizonSeconds: 60, valueAtRisk: 0.5, expectedShortfall: 1, breaches: 2, windows: 10)],
            models: [.init(model: "sgd", forecast: 0.25)], kindSeq: 4)
        try Self.check(
            .risk(risk),
            """
            b1 06 d5                | magic, kind 6 risk, flags 0xd5: price, var, confidence, horizon_s, warming
            0b 00 00 00 00 00 00 00 | 3   seq u64 11
            04 00 00 00 00 00 00 00 | 11  kind_seq u64 4
            00 65 f7 53 fe 9c 97 17 | 19  ts i64 1700000000500000000
            00 00 00 00 00 00 59 40 | 27  price f64 100.0 (bit 0)
            00 00 00 00 00 00 e0 3f |     var f64 0.5 (bit 2)
            ae 47 e1 7a 14 ae ef 3f |     confidence f64 0.99 (bit 4)
            00 00 00 00 00 00 4e 40 |     horizon_s f64 60.0 (bit 6); warming (bit 7) takes no bytes
            03 53 50 59             |     symbol sym "SPY"
            01 00 00 00             |     1 model
            01                      |     model flags: forecast (bit 0), no mae
            03 00 00 00 73 67 64    |     model text "sgd"
            00 00 00 00 00 00 d0 3f |     forecast f64 0.25
            01 00 00 00             |     1 horizon
            03                      |     horizon flags: var (bit 0), es (bit 1)
            00 00 00 00 00 00 4e 40 |     horizon_s f64 60.0
            00 00 00 00 00 00 e0 3f |     var f64 0.5
            00 00 00 00 00 00 f0 3f |     es f64 1.0
            02 00 00 00 00 00 00 00 |     breaches u64 2
            0a 00 00 00 00 00 00 00 |     windows u64 10
            """)
    }

    /// Always 115 bytes. Distinct values in every counter, a multi-byte `seq` to show the byte order, and
    /// a negative `lag_ns` (two's complement).
    @Test func heartbeat() throws {
        let beat = Heartbeat(
            seq: 0x0102_0304_0506_0708, ts: 1_700_000_000_500_000_000, eventsIn: 1_000, malformed: 2, dropped: 3,
            alertsOut: 4, hedgesOut: 5, lagNs: -5, kindSeq: 6, lostUpstream: 7, quarantined: 8, rejectedSymbols: 9,
            rejectedAccounts: 10, disconnects: 11)
        let golden = """
            b1 07 00                | magic, kind 7 heartbeat, flags 0
            08 07 06 05 04 03 02 01 | 3   seq u64 0x0102030405060708
            06 00 00 00 00 00 00 00 | 11  kind_seq u64 6
            00 65 f7 53 fe 9c 97 17 | 19  ts i64 1700000000500000000
            e8 03 00 00 00 00 00 00 | 27  events_in u64 1000
            02 00 00 00 00 00 00 00 | 35  malformed u64 2
            03 00 00 00 00 00 00 00 | 43  dropped u64 3
            04 00 00 00 00 00 00 00 | 51  alerts_out u64 4
            05 00 00 00 00 00 00 00 | 59  hedges_out u64 5
            fb ff ff ff ff ff ff ff | 67  lag_ns i64 -5
            07 00 00 00 00 00 00 00 | 75  lost_upstream u64 7
            08 00 00 00 00 00 00 00 | 83  quarantined u64 8
            09 00 00 00 00 00 00 00 | 91  rejected_symbols u64 9
            0a 00 00 00 00 00 00 00 | 99  rejected_accounts u64 10
            0b 00 00 00 00 00 00 00 | 107 disconnects u64 11
            """
        #expect(Self.bytes(golden).count == 115)
        try Self.check(.heartbeat(beat), golden)
    }
}

import MarketEvents
import Testing

@Suite struct EncodingTests {
    static let tick = WireEvent.tick(
        Tick(
            symbol: "AAPL", ts: 1_700_000_000_123_456_789, price: 189.25, size: 100, bid: 189.24, ask: 189.26,
            bidSize: 300, askSize: 200, seq: 42))

    static let alert = WireEvent.alert(
        Alert(
            seq: 7, ts: 1_700_000_000_500_000_000, eventTs: 1_700_000_000_123_456_789, symbol: "AAPL",
            kind: .volatility,
            severity: .warning, state: .raised, value: 0.0123, threshold: 0.01, message: "vol \"spike\"\n",
            drivers: [.init(feature: "ewma_vol", contribution: 0.8), .init(feature: "spread_bps", contribution: -0.05)],
            kindSeq: 3))

    @Test func tickGoldenJSON() {
        let expected =
            #"{"symbol":"AAPL","ts":1700000000123456789,"price":189.25,"size":100.0,"bid":189.24,"#
            + #""ask":189.26,"bid_size":300.0,"ask_size":200.0,"seq":42}"#
        #expect(String(decoding: WireCodec.encodeJSON(Self.tick), as: UTF8.self) == expected)
    }

    @Test func alertGoldenJSON() {
        let expected =
            #"{"type":"alert","seq":7,"kind_seq":3,"ts":1700000000500000000,"event_ts":1700000000123456789,"#
            + #""symbol":"AAPL","kind":"volatility","severity":"warning","state":"raised","value":0.0123,"#
            + #""threshold":0.01,"message":"vol \"spike\"\u000a","drivers":[{"feature":"ewma_vol","contribution":0.8},"#
            + #"{"feature":"spread_bps","contribution":-0.05}],"account":null}"#
        #expect(String(decoding: WireCodec.encodeJSON(Self.alert), as: UTF8.self) == expected)
    }

    @Test func absentOptionalsAreOmittedInboundAndNullOutbound() {
        let position = WireEvent.position(Position(account: "ACC-1", symbol: "SPY", quantity: -10, ts: 5))
        #expect(
            String(decoding: WireCodec.encodeJSON(position), as: UTF8.self)
                == #"{"account":"ACC-1","symbol":"SPY","quantity":-10.0,"ts":5}"#)
        let risk = WireEvent.risk(
            RiskSnapshot(
                seq: 1, ts: 2, symbol: "SPY", volatility: 0.02, models: [.init(model: "sgd", mae: 0.5)], kindSeq: 1))
        #expect(
            String(decoding: WireCodec.encodeJSON(risk), as: UTF8.self)
                == #"{"type":"risk","seq":1,"kind_seq":1,"ts":2,"symbol":"SPY","price":null,"volatility":0.02,"var":null,"es":null,"#
                + #""confidence":null,"drawdown":null,"horizon_s":null,"warming":false,"horizons":[],"#
                + #""models":[{"model":"sgd","forecast":null,"mae":0.5}]}"#)
    }

    /// The worked example of Docs/WIRE.md.
    @Test func tickGoldenBinary() {
        let event = WireEvent.tick(
            Tick(symbol: "AAPL", ts: 1_700_000_000_123_456_789, price: 189.25, size: 100, seq: 42))
        let hex = WireCodec.encodeBinary(event).map {
            String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
        }
        #expect(
            hex.joined(separator: " ")
                == "b1 01 21 15 cd 85 3d fe 9c 97 17 00 00 00 00 00 a8 67 40 00 00 00 00 00 00 59 40 "
                + "2a 00 00 00 00 00 00 00 04 41 41 50 4c")
    }

    /// Doubles are written exactly as Swift's `description` prints them (the integral fast path included).
    @Test(arguments: ["integral", "random bits", "awkward"])
    func doublesAreWrittenAsSwiftDescription(family: String) {
        var generator = EventGenerator(seed: 5)
        for index in 0..<5_000 {
            let value: Double
            switch family {
            case "integral":
                let magnitude = Double(generator.rng.next() >> UInt64(generator.int(11...63)))
                value = index.isMultiple(of: 2) ? magnitude : -magnitude
            case "random bits":
                value = Double(bitPattern: generator.rng.next())
                if !value.isFinite { continue }
            default:
                let base = [
                    0x1p53, 0x1p53 - 1, 0x1p53 + 2, 1e15, 1e16, 9.999999999999998e15, 0.5, 1, -1, 0, -0.0, 1e300,
                ]
                value = base[index % base.count] * (index < base.count ? 1 : Double(generator.int(1...9)))
            }
            let event = WireEvent.position(Position(account: "A", symbol: "B", quantity: value, ts: 0))
            let text = String(decoding: WireCodec.encodeJSON(event), as: UTF8.self)
            #expect(text.contains(#""quantity":\#(value.description),"#), "\(text)")
        }
    }

    @Test(arguments: EventGenerator.Kind.allCases, Encoding.allCases)
    func encodingIsStable(kind: EventGenerator.Kind, encoding: Encoding) {
        var generator = EventGenerator(seed: 99)
        for _ in 0..<200 {
            let event = generator.event(kind)
            let first = encoding.encode(event)
            #expect(first == encoding.encode(event))
            var appended: [UInt8] = []
            switch encoding {
            case .json: WireCodec.encodeJSON(event, into: &appended)
            case .binary: WireCodec.encodeBinary(event, into: &appended)
            }
            #expect(appended == first)
        }
    }

    /// Re-encoding a decoded canonical payload gives the same bytes (encode -> decode -> encode).
    @Test(arguments: EventGenerator.Kind.allCases)
    func canonicalJSONIsAFixedPoint(kind: EventGenerator.Kind) throws {
        var generator = EventGenerator(seed: 1234)
        for _ in 0..<200 {
            let event = generator.event(kind)
            let payload = WireCodec.encodeJSON(event)
            let decoded = try WireCodec().decode(topic: Array(event.topic.utf8), payload: payload)
            #expect(WireCodec.encodeJSON(decoded) == payload)
        }
    }
}

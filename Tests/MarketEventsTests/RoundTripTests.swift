import MarketEvents
import Testing

enum Encoding: String, CaseIterable, Sendable {
    case json, binary

    func encode(_ event: WireEvent) -> [UInt8] {
        switch self {
        case .json: WireCodec.encodeJSON(event)
        case .binary: WireCodec.encodeBinary(event)
        }
    }
}

@Suite struct RoundTripTests {
    let codec = WireCodec()

    @Test(arguments: EventGenerator.Kind.allCases, Encoding.allCases)
    func generatedEventsRoundTripBitForBit(kind: EventGenerator.Kind, encoding: Encoding) throws {
        var generator = EventGenerator(seed: 0x5EED_0000 + UInt64(kind.rawValue.utf8.count))
        for _ in 0..<2_000 {
            let event = generator.event(kind)
            let topic = generator.topic(for: event)
            #expect(ContractChecker.violations(of: event, topic: topic).isEmpty, "generator made an invalid event")
            let payload = encoding.encode(event)
            let decoded = try codec.decode(topic: Array(topic.utf8), payload: payload)
            #expect(identical(decoded, event), "\(event)")
            if !identical(decoded, event) { return }
        }
    }

    @Test(arguments: Encoding.allCases)
    func appendingEncodersKeepWhatIsInTheBuffer(encoding: Encoding) throws {
        var generator = EventGenerator(seed: 7)
        let event = generator.event(.tick)
        var buffer: [UInt8] = [1, 2, 3]
        switch encoding {
        case .json: WireCodec.encodeJSON(event, into: &buffer)
        case .binary: WireCodec.encodeBinary(event, into: &buffer)
        }
        #expect(buffer == [1, 2, 3] + encoding.encode(event))
    }

    @Test(arguments: [
        0.1, 0.2, 0.30000000000000004, 1e-300, 0x1p-1074, 2.2250738585072014e-308, 1.7976931348623157e308, 1e22, 1e23,
        0x1p53 + 2, 1.2345678901234568e29, 4.35, 1.0 / 3.0, 2.0 / 3.0, 1e-7, 5e-5,
    ])
    func awkwardDoublesSurviveJSON(value: Double) throws {
        let event = WireEvent.position(Position(account: "ACC", symbol: "X", quantity: -value, ts: 1, price: value))
        let decoded = try codec.decode(topic: Array("position.ACC".utf8), payload: WireCodec.encodeJSON(event))
        #expect(identical(decoded, event))
    }

    /// Number spellings another writer may use (Python, C++, hand-written) parse to the correctly rounded
    /// double; the standard library's parser is the oracle.
    @Test(arguments: [
        "1E2", "1e+2", "1.5e-3", "100", "0.000001", "-0", "1234567890123456789012345",
        "0.1000000000000000055511151231257827", "2.2250738585072011e-308", "4.9406564584124654e-324", "1e-400",
        "17976931348623157" + String(repeating: "0", count: 292), "0." + String(repeating: "0", count: 400) + "1e401",
        "1" + String(repeating: "0", count: 400) + "e-400", "9007199254740993", "9007199254740995", "0.1e1",
        "12.34E-1", "123456789012345678", "1234567890123456789", "12345678901234567890", "0.30000000000000004",
        "2.5e-324", "2.4703282292062328e-324", "8.98846567431158e307", "1.7976931348623158e308",
    ])
    func numberSpellingsParseCorrectlyRounded(text: String) throws {
        let payload = #"{"account":"A","symbol":"B","ts":0,"quantity":"# + text + "}"
        let event = try codec.decode(topic: Array("position.A".utf8), payload: Array(payload.utf8))
        guard case .position(let position) = event else { Issue.record("not a position"); return }
        let expected = try #require(Double(text))
        #expect(position.quantity.bitPattern == expected.bitPattern, "\(text) -> \(position.quantity)")
    }

    @Test(arguments: [
        ("0", Int64(0)), ("-0", 0), ("1700000000123456789", 1_700_000_000_123_456_789),
        ("9223372036854775807", Int64.max), ("9007199254740993", 9_007_199_254_740_993),
    ])
    func timestampsAreExactIntegers(text: String, expected: Int64) throws {
        let payload = #"{"symbol":"A","price":1,"ts":"# + text + "}"
        let event = try codec.decode(topic: Array("tick.A".utf8), payload: Array(payload.utf8))
        guard case .tick(let tick) = event else { Issue.record("not a tick"); return }
        #expect(tick.ts == expected)
    }

    @Test func heartbeatLagMayBeNegativeDownToInt64Min() throws {
        var payload = #"{"type":"heartbeat","seq":1,"ts":2,"events_in":3,"malformed":4,"dropped":5,"#
        payload += #""alerts_out":6,"hedges_out":18446744073709551615,"lag_ns":-9223372036854775808,"kind_seq":7,"#
        payload += #""lost_upstream":8,"quarantined":9,"rejected_symbols":10,"rejected_accounts":11,"disconnects":12}"#
        let event = try codec.decode(topic: Array("heartbeat".utf8), payload: Array(payload.utf8))
        #expect(
            event
                == .heartbeat(
                    Heartbeat(
                        seq: 1, ts: 2, eventsIn: 3, malformed: 4, dropped: 5, alertsOut: 6, hedgesOut: .max,
                        lagNs: .min, kindSeq: 7, lostUpstream: 8, quarantined: 9, rejectedSymbols: 10,
                        rejectedAccounts: 11, disconnects: 12)))
    }

    @Test func escapesAndSurrogatePairsDecode() throws {
        let payload = #"""
            {"ts":1,"symbols":["A\u0042C"],"headline":"\"q\" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude80 \u0000","pr\u0069ce":1}
            """#
        let event = try codec.decode(topic: Array("news.ABC".utf8), payload: Array(payload.utf8))
        #expect(event == .news(News(ts: 1, symbols: ["ABC"], headline: "\"q\" \\ / \u{8}\u{c}\n\r\t é 🚀 \u{0}")))
    }

    @Test func nullMeansAbsentForOptionalFields() throws {
        let payload = #"{"symbol":"A","ts":1,"price":2,"size":null,"bid":null,"seq":null,"extra":null}"#
        let event = try codec.decode(topic: Array("tick.A".utf8), payload: Array(payload.utf8))
        #expect(event == .tick(Tick(symbol: "A", ts: 1, price: 2)))
    }

    @Test func unknownFieldsAreSkippedAndWhitespaceAllowed() throws {
        let payload =
            " \n\t{ \"x\" : [ {\"y\": [true, false, null, -1.5e3, \"é\"]} ] , \"symbol\" : \"A\" ,"
            + " \"ts\" : 1 , \"price\" : 2 , \"type\": \"whatever\" } \r\n"
        let event = try codec.decode(topic: Array("tick.A".utf8), payload: Array(payload.utf8))
        #expect(event == .tick(Tick(symbol: "A", ts: 1, price: 2)))
    }
}

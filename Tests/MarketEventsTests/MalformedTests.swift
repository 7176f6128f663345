import MarketEvents
import Testing

/// One malformed message and the error it must produce.
struct Malformed: Sendable, CustomTestStringConvertible {
    var name: String
    var topic: [UInt8]
    var payload: [UInt8]
    var reason: WireError.Reason
    /// The expected `field`; `nil` means "not checked".
    var field: String?

    init(_ name: String, _ topic: String, _ payload: [UInt8], _ reason: WireError.Reason, field: String? = nil) {
        self.name = name
        self.topic = Array(topic.utf8)
        self.payload = payload
        self.reason = reason
        self.field = field
    }

    init(_ name: String, _ topic: String, _ json: String, _ reason: WireError.Reason, field: String? = nil) {
        self.init(name, topic, Array(json.utf8), reason, field: field)
    }

    var testDescription: String { name }
}

/// A valid tick payload with `members` appended (or the tick's own members replaced by `replacing`).
private func tick(_ members: String = "", replacing: String? = nil) -> String {
    "{" + (replacing ?? #""symbol":"AAPL","ts":1700000000000000000,"price":101.5"#) + members + "}"
}

private func bytes(_ parts: [UInt8]...) -> [UInt8] { parts.flatMap { $0 } }

private let validBinaryTick = WireCodec.encodeBinary(.tick(Tick(symbol: "AAPL", ts: 1, price: 2)))

@Suite struct MalformedTests {
    static let json: [Malformed] = [
        // Grammar.
        .init("unterminated object", "tick.AAPL", #"{"symbol":"AAPL","#, .invalidJSON),
        .init("missing comma", "tick.AAPL", #"{"symbol":"AAPL" "ts":1,"price":1}"#, .invalidJSON),
        .init("trailing comma", "tick.AAPL", tick(","), .invalidJSON),
        .init("trailing comma in array", "news.A", #"{"ts":1,"symbols":["A",],"headline":""}"#, .invalidJSON),
        .init("leading zero", "tick.AAPL", tick(#","size":01"#), .invalidJSON),
        .init("bare fraction", "tick.AAPL", tick(#","size":.5"#), .invalidJSON),
        .init("dot without digits", "tick.AAPL", tick(#","size":1."#), .invalidJSON),
        .init("plus sign", "tick.AAPL", tick(#","size":+1"#), .invalidJSON),
        .init("single quotes", "tick.AAPL", "{'symbol':'AAPL'}", .invalidJSON),
        .init("unquoted key", "tick.AAPL", "{symbol:1}", .invalidJSON),
        .init("bad escape", "tick.AAPL", tick(#","x":"\q""#), .invalidJSON),
        .init("raw control character in string", "tick.AAPL", tick(",\"x\":\"a\u{1}b\""), .invalidJSON),
        .init("truncated unicode escape", "tick.AAPL", tick(#","x":"\u12"#), .invalidJSON),
        .init(
            "nesting too deep", "tick.AAPL",
            tick(#","x":"# + String(repeating: "[", count: 40) + String(repeating: "]", count: 40)), .invalidJSON,
            field: "x"),
        .init("misspelled literal", "tick.AAPL", tick(#","x":nul"#), .invalidJSON),
        .init("only whitespace", "tick.AAPL", "  \n", .invalidJSON),
        .init("payload ends after a colon", "tick.AAPL", #"{"symbol":"AAPL","price":"#, .invalidJSON, field: "price"),
        .init(
            "payload ends inside a number", "tick.AAPL", #"{"symbol":"AAPL","price":1.5e"#, .invalidJSON, field: "price"
        ),
        .init("payload ends after a minus", "tick.AAPL", #"{"symbol":"AAPL","price":-"#, .invalidJSON, field: "price"),
        .init("garbage after object", "tick.AAPL", tick() + " x", .trailingBytes),
        .init("second object", "tick.AAPL", tick() + "{}", .trailingBytes),
        // Not an object.
        .init("array payload", "tick.AAPL", "[1,2]", .notAnObject),
        .init("string payload", "tick.AAPL", #""AAPL""#, .notAnObject),
        .init("number payload", "tick.AAPL", "42", .notAnObject),
        .init("null payload", "tick.AAPL", " null ", .notAnObject),
        // Types.
        .init(
            "price as string", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":1,"price":"101.5""#), .wrongType,
            field: "price"),
        .init(
            "ts with fraction", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":1.5,"price":1"#), .wrongType,
            field: "ts"),
        .init(
            "ts with exponent", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":1e3,"price":1"#), .wrongType,
            field: "ts"),
        .init(
            "symbol as number", "tick.AAPL", tick(replacing: #""symbol":5,"ts":1,"price":1"#), .wrongType,
            field: "symbol"),
        .init("seq as bool", "tick.AAPL", tick(#","seq":true"#), .wrongType, field: "seq"),
        .init("seq with fraction", "tick.AAPL", tick(#","seq":1.0"#), .wrongType, field: "seq"),
        .init("symbols as string", "news.A", #"{"ts":1,"symbols":"A","headline":""}"#, .wrongType, field: "symbols"),
        .init(
            "headline as object", "news.A", #"{"ts":1,"symbols":["A"],"headline":{}}"#, .wrongType, field: "headline"),
        .init("driver not an object", "alert.A", alert(drivers: "[1]"), .wrongType, field: "drivers[0]"),
        .init(
            "driver contribution as string", "alert.A",
            alert(drivers: #"[{"feature":"f","contribution":1},{"feature":"f","contribution":"x"}]"#), .wrongType,
            field: "drivers[1].contribution"),
        .init("type not a string", "alert.A", alert(drivers: "[]", type: "1"), .wrongType, field: "type"),
        // Missing.
        .init("missing price", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":1"#), .missingField, field: "price"),
        .init(
            "null price", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":1,"price":null"#), .missingField,
            field: "price"),
        .init("missing symbol", "tick.AAPL", tick(replacing: #""ts":1,"price":1"#), .missingField, field: "symbol"),
        .init("empty object", "tick.AAPL", "{}", .missingField, field: "symbol"),
        .init("missing headline", "news.A", #"{"ts":1,"symbols":["A"]}"#, .missingField, field: "headline"),
        .init(
            "missing quantity", "position.ACC", #"{"account":"ACC","symbol":"A","ts":1}"#, .missingField,
            field: "quantity"),
        .init(
            "missing driver feature", "alert.A", alert(drivers: #"[{"contribution":1}]"#), .missingField,
            field: "drivers[0].feature"),
        .init(
            "missing heartbeat counter", "heartbeat",
            #"{"seq":1,"ts":1,"events_in":0,"malformed":0,"dropped":0,"alerts_out":0,"hedges_out":0}"#, .missingField,
            field: "lag_ns"),
        // Non-finite.
        .init(
            "NaN price", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":1,"price":NaN"#), .nonFinite,
            field: "price"),
        .init(
            "Infinity price", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":1,"price":Infinity"#), .nonFinite,
            field: "price"),
        .init(
            "-Infinity quantity", "position.ACC", #"{"account":"ACC","symbol":"A","ts":1,"quantity":-Infinity}"#,
            .nonFinite, field: "quantity"),
        .init("NaN in unknown field", "tick.AAPL", tick(#","extra":[1,NaN]"#), .nonFinite, field: "extra"),
        .init(
            "overflow 1e999", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":1,"price":1e999"#), .nonFinite,
            field: "price"),
        .init(
            "overflow -1e999", "position.ACC", #"{"account":"ACC","symbol":"A","ts":1,"quantity":-1e999}"#, .nonFinite,
            field: "quantity"),
        .init(
            "overflow long mantissa", "tick.AAPL", tick(#","size":"# + String(repeating: "9", count: 400)), .nonFinite,
            field: "size"),
        // Ranges.
        .init(
            "negative price", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":1,"price":-1.5"#), .outOfRange,
            field: "price"),
        .init(
            "zero price", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":1,"price":0"#), .outOfRange,
            field: "price"),
        .init(
            "negative zero price", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":1,"price":-0.0"#), .outOfRange,
            field: "price"),
        .init(
            "underflow price", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":1,"price":1e-400"#), .outOfRange,
            field: "price"),
        .init("negative size", "tick.AAPL", tick(#","size":-1"#), .outOfRange, field: "size"),
        .init("zero bid", "tick.AAPL", tick(#","bid":0"#), .outOfRange, field: "bid"),
        .init(
            "negative ts", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":-1,"price":1"#), .outOfRange, field: "ts"
        ),
        .init(
            "ts over Int64", "tick.AAPL", tick(replacing: #""symbol":"AAPL","ts":9223372036854775808,"price":1"#),
            .outOfRange, field: "ts"),
        .init("seq over UInt64", "tick.AAPL", tick(#","seq":18446744073709551616"#), .outOfRange, field: "seq"),
        .init("negative seq", "tick.AAPL", tick(#","seq":-1"#), .outOfRange, field: "seq"),
        .init(
            "lag below Int64", "heartbeat",
            #"{"seq":1,"ts":1,"events_in":0,"malformed":0,"dropped":0,"alerts_out":0,"hedges_out":0,"lag_ns":-9223372036854775809}"#,
            .outOfRange, field: "lag_ns"),
        .init(
            "sentiment above 1", "news.A", #"{"ts":1,"symbols":["A"],"headline":"","sentiment":1.5}"#, .outOfRange,
            field: "sentiment"),
        .init(
            "sentiment below -1", "news.A", #"{"ts":1,"symbols":["A"],"headline":"","sentiment":-1.0000001}"#,
            .outOfRange, field: "sentiment"),
        .init("empty symbols", "news.A", #"{"ts":1,"symbols":[],"headline":""}"#, .outOfRange, field: "symbols"),
        .init(
            "bad symbol in news", "news.A", #"{"ts":1,"symbols":["A","B C"],"headline":""}"#, .outOfRange,
            field: "symbols[1]"),
        .init(
            "symbol with space", "tick.AAPL", tick(replacing: #""symbol":"AA PL","ts":1,"price":1"#), .outOfRange,
            field: "symbol"),
        .init(
            "empty symbol", "tick.AAPL", tick(replacing: #""symbol":"","ts":1,"price":1"#), .outOfRange, field: "symbol"
        ),
        .init(
            "symbol of 65 bytes", "tick.AAPL",
            tick(replacing: #""symbol":""# + String(repeating: "A", count: 65) + #"","ts":1,"price":1"#), .outOfRange,
            field: "symbol"),
        .init(
            "non-ASCII symbol", "tick.AAPL", tick(replacing: #""symbol":"\u00e9","ts":1,"price":1"#), .outOfRange,
            field: "symbol"),
        .init(
            "escaped control in symbol", "tick.AAPL", tick(replacing: #""symbol":"A\nB","ts":1,"price":1"#),
            .outOfRange, field: "symbol"),
        .init(
            "bad account", "position.ACC", #"{"account":"AC\tC","symbol":"A","ts":1,"quantity":1}"#, .outOfRange,
            field: "account"),
        .init("unknown alert kind", "alert.A", alert(drivers: "[]", kind: "bogus"), .outOfRange, field: "kind"),
        .init(
            "confidence of 1", "risk.A", #"{"seq":1,"ts":1,"symbol":"A","confidence":1}"#, .outOfRange,
            field: "confidence"),
        .init(
            "negative mae", "risk.A", #"{"seq":1,"ts":1,"symbol":"A","models":[{"model":"m","mae":-1}]}"#, .outOfRange,
            field: "models[0].mae"),
        // Duplicates.
        .init("duplicate price", "tick.AAPL", tick(#","price":2"#), .duplicateField, field: "price"),
        .init("duplicate via escape", "tick.AAPL", tick(#","pric\u0065":2"#), .duplicateField, field: "price"),
        .init("duplicate null optional", "tick.AAPL", tick(#","size":null,"size":1"#), .duplicateField, field: "size"),
        // UTF-8.
        .init(
            "invalid UTF-8 in value", "news.A",
            bytes(Array(#"{"ts":1,"symbols":["A"],"headline":"ab"#.utf8), [0xFF], Array(#""}"#.utf8)), .invalidUTF8,
            field: "headline"),
        .init(
            "invalid UTF-8 in key", "tick.AAPL",
            bytes(Array(#"{"sym"#.utf8), [0xC3, 0x28], Array(#"":1,"symbol":"AAPL","ts":1,"price":1}"#.utf8)),
            .invalidUTF8),
        .init(
            "invalid UTF-8 in unknown field", "tick.AAPL",
            bytes(Array(#"{"symbol":"AAPL","ts":1,"price":1,"x":["#.utf8), [0x22, 0xE2, 0x82, 0x22], Array("]}".utf8)),
            .invalidUTF8, field: "x"),
        .init(
            "overlong encoding", "news.A",
            bytes(Array(#"{"ts":1,"symbols":["A"],"headline":""#.utf8), [0xC0, 0x80], Array(#""}"#.utf8)), .invalidUTF8,
            field: "headline"),
        .init(
            "encoded surrogate", "news.A",
            bytes(Array(#"{"ts":1,"symbols":["A"],"headline":""#.utf8), [0xED, 0xA0, 0x80], Array(#""}"#.utf8)),
            .invalidUTF8, field: "headline"),
        .init(
            "above U+10FFFF", "news.A",
            bytes(Array(#"{"ts":1,"symbols":["A"],"headline":""#.utf8), [0xF4, 0x90, 0x80, 0x80], Array(#""}"#.utf8)),
            .invalidUTF8, field: "headline"),
        .init(
            "lone high surrogate escape", "news.A", #"{"ts":1,"symbols":["A"],"headline":"\ud83d x"}"#, .invalidUTF8,
            field: "headline"),
        .init(
            "lone low surrogate escape", "news.A", #"{"ts":1,"symbols":["A"],"headline":"\ude80"}"#, .invalidUTF8,
            field: "headline"),
        // Topics.
        .init("tick topic mismatch", "tick.MSFT", tick(), .topicMismatch, field: "symbol"),
        .init(
            "news key not in symbols", "news.MSFT", #"{"ts":1,"symbols":["AAPL","SPY"],"headline":""}"#, .topicMismatch,
            field: "symbols"),
        .init(
            "position account mismatch", "position.ACC2", #"{"account":"ACC1","symbol":"A","ts":1,"quantity":1}"#,
            .topicMismatch, field: "account"),
        .init("alert type on hedge topic", "hedge.A", #"{"type":"alert"}"#, .topicMismatch, field: "type"),
        .init("kind without key", "tick", tick(), .invalidTopic),
        .init("unknown kind", "tock.AAPL", tick(), .invalidTopic),
        .init("empty topic", "", tick(), .invalidTopic),
        .init("empty key", "tick.", tick(), .invalidTopic),
        .init("key with space", "tick.AA PL", tick(), .invalidTopic),
        .init("heartbeat with key", "heartbeat.x", "{}", .invalidTopic),
        .init("non-ASCII topic", "tick.\u{e9}", tick(), .invalidTopic),
        .init("uppercase kind", "TICK.AAPL", tick(), .invalidTopic),
        // Encoding byte and empty payload.
        .init("empty payload", "tick.AAPL", [UInt8](), .emptyPayload),
        .init("unknown encoding byte", "tick.AAPL", "x{}", .unknownEncoding),
        .init("NaN payload", "tick.AAPL", "NaN", .unknownEncoding),
        .init("binary v2", "tick.AAPL", [0xB2, 1, 0], .unknownEncoding),
        .init("UTF-8 BOM", "tick.AAPL", bytes([0xEF, 0xBB, 0xBF], Array(tick().utf8)), .unknownEncoding),
    ]

    static let binary: [Malformed] = [
        .init("magic only", "tick.AAPL", [0xB1], .truncated),
        .init("unknown kind byte", "tick.AAPL", [0xB1, 0x09, 0x00], .outOfRange, field: "kind"),
        .init("kind byte zero", "tick.AAPL", [0xB1, 0x00, 0x00], .outOfRange, field: "kind"),
        .init("kind byte of another kind", "news.AAPL", validBinaryTick, .topicMismatch, field: "kind"),
        .init(
            "reserved tick flag", "tick.AAPL", patched(validBinaryTick, at: 2, to: 0x40), .outOfRange, field: "flags"),
        .init("reserved hedge flag", "hedge.A", [0xB1, 5, 4], .outOfRange, field: "flags"),
        .init(
            "NaN price", "tick.AAPL", patched(validBinaryTick, at: 11, with: Double.nan.bitPattern), .nonFinite,
            field: "price"),
        .init(
            "infinite price", "tick.AAPL", patched(validBinaryTick, at: 11, with: Double.infinity.bitPattern),
            .nonFinite, field: "price"),
        .init(
            "negative price", "tick.AAPL", patched(validBinaryTick, at: 11, with: (-2.0).bitPattern), .outOfRange,
            field: "price"),
        .init("negative ts", "tick.AAPL", patched(validBinaryTick, at: 3, with: UInt64.max), .outOfRange, field: "ts"),
        .init("zero-length symbol", "tick.AAPL", Array(validBinaryTick[..<19]) + [0], .outOfRange, field: "symbol"),
        .init(
            "symbol with space", "tick.AAPL", Array(validBinaryTick[..<19]) + [2, 0x41, 0x20], .outOfRange,
            field: "symbol"),
        .init("binary topic mismatch", "tick.MSFT", validBinaryTick, .topicMismatch, field: "symbol"),
        .init("trailing byte", "tick.AAPL", validBinaryTick + [0], .trailingBytes),
        .init(
            "huge symbol count", "news.A", [0xB1, 2, 0] + le(UInt64(1)) + [0xFF, 0xFF, 0xFF, 0xFF], .truncated,
            field: "symbols"),
        .init(
            "zero symbol count", "news.A", [0xB1, 2, 0] + le(UInt64(1)) + [0, 0, 0, 0], .outOfRange, field: "symbols"),
        .init(
            "invalid UTF-8 headline", "news.A",
            [0xB1, 2, 0] + le(UInt64(1)) + [1, 0, 0, 0, 1, 0x41, 1, 0, 0, 0, 0xFF], .invalidUTF8, field: "headline"),
        .init("bad alert severity code", "alert.A", alertBinary(patching: 36, to: 3), .outOfRange, field: "severity"),
        .init("binary garbage", "tick.AAPL", [0xB1, 1, 0, 0xDE, 0xAD, 0xBE, 0xEF], .truncated),
    ]

    @Test(arguments: json + binary)
    func malformedMessagesAreRejectedWithTheRightReason(_ testCase: Malformed) {
        do {
            let event = try WireCodec().decode(topic: testCase.topic, payload: testCase.payload)
            Issue.record("accepted \(event)")
        } catch {
            #expect(error.reason == testCase.reason, "\(error)")
            if let field = testCase.field { #expect(error.field == field, "\(error)") }
            #expect(!error.description.isEmpty)
        }
    }

    @Test(arguments: [0, 1, 3])
    func messagesMustHaveTwoFrames(count: Int) {
        let frames = Array(repeating: Array("tick.AAPL".utf8), count: count)
        #expect(throws: WireError.self) { try WireCodec().decode(frames: frames) }
        do {
            _ = try WireCodec().decode(frames: frames)
        } catch {
            #expect(error.reason == .frameCount)
        }
    }

    @Test func twoFramesDecode() throws {
        let event = try WireCodec().decode(frames: [Array("tick.AAPL".utf8), Array(tick().utf8)])
        #expect(event == .tick(Tick(symbol: "AAPL", ts: 1_700_000_000_000_000_000, price: 101.5)))
    }

    @Test(arguments: [Encoding.json, .binary])
    func payloadsOverTheLimitAreOversized(encoding: Encoding) throws {
        let event = WireEvent.news(News(ts: 1, symbols: ["A"], headline: String(repeating: "x", count: 100)))
        let payload = encoding.encode(event)
        let codec = WireCodec(maxPayloadBytes: payload.count - 1)
        do {
            _ = try codec.decode(topic: Array("news.A".utf8), payload: payload)
            Issue.record("accepted an oversized payload")
        } catch {
            #expect(error.reason == .oversized)
        }
        #expect(
            try WireCodec(maxPayloadBytes: payload.count).decode(topic: Array("news.A".utf8), payload: payload) == event
        )
        #expect(WireCodec().maxPayloadBytes == 1 << 20 && WireCodec.defaultMaxPayloadBytes == 1 << 20)
    }

    /// Every proper prefix of a valid binary encoding is `truncated`; one extra byte is `trailingBytes`.
    @Test(arguments: EventGenerator.Kind.allCases)
    func binaryTruncatedAtEveryPositionAndTrailingBytes(kind: EventGenerator.Kind) {
        var generator = EventGenerator(seed: 42)
        for _ in 0..<20 {
            let event = generator.event(kind)
            let topic = Array(event.topic.utf8)
            let payload = WireCodec.encodeBinary(event)
            for length in 1..<payload.count {
                do {
                    _ = try WireCodec().decode(topic: topic, payload: Array(payload[..<length]))
                    Issue.record("accepted a \(length)-byte prefix of \(payload.count)")
                } catch {
                    #expect(error.reason == .truncated, "prefix \(length): \(error)")
                }
            }
            for extra: [UInt8] in [[0], [0xB1], [1, 2, 3]] {
                do {
                    _ = try WireCodec().decode(topic: topic, payload: payload + extra)
                    Issue.record("accepted trailing bytes")
                } catch {
                    #expect(error.reason == .trailingBytes)
                }
            }
        }
    }

    @Test func errorDescriptionNamesReasonFieldAndOffset() {
        do {
            _ = try WireCodec().decode(
                topic: Array("tick.AAPL".utf8), payload: Array(#"{"symbol":"AAPL","ts":1,"price":-1.5}"#.utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.description == "out_of_range: field 'price': must be > 0, got -1.5 (at byte 32)")
            #expect(error.offset == 32)
        }
    }
}

private func alert(drivers: String, type: String = #""alert""#, kind: String = "volatility") -> String {
    #"{"type":"# + type + #","seq":1,"ts":1,"event_ts":1,"symbol":"A","kind":""# + kind
        + #"","severity":"info","state":"raised","value":1,"threshold":1,"message":"","drivers":"# + drivers + "}"
}

private func le(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

private func patched(_ payload: [UInt8], at offset: Int, to byte: UInt8) -> [UInt8] {
    var copy = payload
    copy[offset] = byte
    return copy
}

private func patched(_ payload: [UInt8], at offset: Int, with word: UInt64) -> [UInt8] {
    var copy = payload
    copy.replaceSubrange(offset..<offset + 8, with: le(word))
    return copy
}

private func alertBinary(patching offset: Int, to byte: UInt8) -> [UInt8] {
    let event = WireEvent.alert(
        Alert(
            seq: 1, ts: 1, eventTs: 1, symbol: "A", kind: .drawdown, severity: .critical, state: .cleared, value: 1,
            threshold: 1, message: "m"))
    return patched(WireCodec.encodeBinary(event), at: offset, to: byte)
}

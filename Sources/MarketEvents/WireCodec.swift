/// The wire codecs of contract v1: strict decoding of `[topic, payload]` messages of all seven kinds
/// and canonical JSON and binary encoding of payloads. See Docs/WIRE.md for the byte-level contract.
///
/// Decoding validates everything the contract says (grammar, UTF-8, types, ranges, the symbol rule,
/// topic agreement) and throws a `WireError` naming the first violation; it never traps on bad input.
/// The payload's first byte selects the encoding: `{`, `[`, `"`, `-`, a digit, `t`, `f`, `n` or JSON
/// whitespace means JSON, `0xB1` means binary v1, anything else is `unknownEncoding`.
///
/// Cost: O(payload bytes); no Foundation. A successful decode allocates only what the event keeps
/// (strings over 15 bytes, arrays), plus a scratch array for a JSON string or key that contains
/// escapes. A value type with no shared state: use one per thread or share it freely.
public struct WireCodec: Sendable {
    /// 1 MiB.
    public static let defaultMaxPayloadBytes: Int = 1 << 20

    /// Payloads larger than this are rejected as `oversized` before any parsing.
    public var maxPayloadBytes: Int

    /// Whether `symbol` is a valid symbol or account under the wire contract (1...64 bytes of printable
    /// ASCII 0x21...0x7E), the same rule decoding applies.
    public static func isValidSymbol(_ symbol: String) -> Bool {
        var symbol = symbol
        return symbol.withUTF8 { MarketEvents.isValidSymbol(UnsafeRawBufferPointer($0)) }
    }

    public init(maxPayloadBytes: Int = WireCodec.defaultMaxPayloadBytes) {
        self.maxPayloadBytes = maxPayloadBytes
    }

    // MARK: Decoding

    /// Decodes one `[topic, payload]` message.
    ///
    /// Checks, in order: payload size (`oversized`), empty payload, the topic (`invalidTopic`), the
    /// encoding byte, then the payload itself, then that the topic's key matches the payload (the
    /// symbol of tick/alert/hedge/risk, the account of a position, one of a news item's symbols).
    ///
    /// - Complexity: O(`topic.count + payload.count`).
    public func decode(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) throws(WireError) -> WireEvent {
        guard payload.count <= maxPayloadBytes else {
            throw WireError(.oversized, detail: "payload is \(payload.count) bytes, the limit is \(maxPayloadBytes)")
        }
        guard let first = payload.first else { throw WireError(.emptyPayload, detail: "the payload frame is empty") }
        let (kind, key) = try Self.parseTopic(topic)
        switch first {
        case binaryV1Magic:
            return try Self.decodeBinary(kind, payload, key: key)
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "-"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"),
            0x20, 0x09, 0x0A, 0x0D:
            return try Self.decodeJSON(kind, payload, key: key)
        default:
            throw WireError(
                .unknownEncoding, detail: "first byte 0x\(hex2(first)) is neither JSON nor binary v1 (0xb1)", offset: 0)
        }
    }

    /// Decodes one `[topic, payload]` message held in arrays. See `decode(topic:payload:)`.
    public func decode(topic: [UInt8], payload: [UInt8]) throws(WireError) -> WireEvent {
        let result = topic.withUnsafeBytes { topic in
            payload.withUnsafeBytes { payload in
                Result { () throws(WireError) in try decode(topic: topic, payload: payload) }
            }
        }
        return try result.get()
    }

    /// Checks that a message has exactly two frames (`frameCount` otherwise), then decodes it.
    public func decode(frames: [[UInt8]]) throws(WireError) -> WireEvent {
        guard frames.count == 2 else {
            throw WireError(.frameCount, detail: "a message is two frames [topic, payload], got \(frames.count)")
        }
        return try decode(topic: frames[0], payload: frames[1])
    }

    /// Splits `kind.key` (or `heartbeat`) and validates both parts.
    static func parseTopic(_ topic: UnsafeRawBufferPointer) throws(WireError) -> (EventKind, UnsafeRawBufferPointer?) {
        // Kinds are matched byte for byte against ASCII names and keys must be printable ASCII, so a
        // non-ASCII byte anywhere fails one of the two checks below.
        let dot = topic.firstIndex(of: UInt8(ascii: "."))
        let kindBytes = UnsafeRawBufferPointer(rebasing: topic[..<(dot ?? topic.count)])
        guard let kind = EventKind.named(kindBytes) else {
            let shown =
                kindBytes.count <= 32 && kindBytes.allSatisfy({ (0x20...0x7E).contains($0) })
                ? "'\(String(decoding: kindBytes, as: UTF8.self))'" : "(not 1-32 printable ASCII characters)"
            throw WireError(
                .invalidTopic,
                detail: "unknown kind \(shown): expected tick, news, position, alert, hedge, risk or heartbeat")
        }
        guard let dot else {
            if kind.hasKey {
                throw WireError(.invalidTopic, detail: "topic '\(kind.name)' needs a key: '\(kind.name).KEY'")
            }
            return (kind, nil)
        }
        guard kind.hasKey else { throw WireError(.invalidTopic, detail: "the heartbeat topic has no key") }
        let key = UnsafeRawBufferPointer(rebasing: topic[(dot + 1)...])
        if let violation = symbolViolation(key) {
            throw WireError(.invalidTopic, detail: "topic key \(violation)")
        }
        return (kind, key)
    }

    /// The topic's key (if any) must equal the payload's symbol or account (`topicMismatch` otherwise).
    @inline(__always)
    static func checkKey(_ key: UnsafeRawBufferPointer?, names value: String, _ field: StaticString) throws(WireError) {
        guard let key, !stringEquals(value, key) else { return }
        throw WireError(
            .topicMismatch, field: "\(field)",
            detail: "topic key '\(String(decoding: key, as: UTF8.self))' but payload \(field) '\(value)'")
    }

    /// A news topic's key must be one of the item's symbols (`topicMismatch` otherwise).
    static func checkKey(_ key: UnsafeRawBufferPointer?, isOneOf symbols: [String]) throws(WireError) {
        guard let key, !symbols.contains(where: { stringEquals($0, key) }) else { return }
        throw WireError(
            .topicMismatch, field: "symbols",
            detail: "topic key '\(String(decoding: key, as: UTF8.self))' is not one of the news item's symbols")
    }

    // MARK: Encoding

    /// Appends the canonical JSON payload of `event` (no topic) to `buffer`.
    ///
    /// Stable: fixed key order (`type` first for outbound kinds, then the fields in contract order),
    /// no whitespace, integers as integers, doubles as Swift's shortest round-trip text. Absent
    /// optional inbound fields are omitted; outbound messages always carry every key, `null` when
    /// absent. Meant for valid events: a non-finite double is written as `null`.
    ///
    /// - Complexity: O(output bytes); appends in place, allocating only when `buffer` grows.
    public static func encodeJSON(_ event: WireEvent, into buffer: inout [UInt8]) {
        var writer = JSONWriter(bytes: [])
        swap(&writer.bytes, &buffer)
        writeJSON(event, to: &writer)
        swap(&writer.bytes, &buffer)
    }

    /// The canonical JSON payload of `event`. See `encodeJSON(_:into:)`.
    public static func encodeJSON(_ event: WireEvent) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        encodeJSON(event, into: &buffer)
        return buffer
    }

    /// Appends the binary v1 payload of `event` to `buffer` (layout in Docs/WIRE.md). Doubles are
    /// written bit for bit. Meant for valid events: a symbol over 255 bytes is cut to 255.
    ///
    /// - Complexity: O(output bytes); appends in place, allocating only when `buffer` grows.
    public static func encodeBinary(_ event: WireEvent, into buffer: inout [UInt8]) {
        appendBinary(event, to: &buffer)
    }

    /// The binary v1 payload of `event`. See `encodeBinary(_:into:)`.
    public static func encodeBinary(_ event: WireEvent) -> [UInt8] {
        var buffer: [UInt8] = []
        encodeBinary(event, into: &buffer)
        return buffer
    }
}

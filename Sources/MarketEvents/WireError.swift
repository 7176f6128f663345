/// Why a message broke the wire contract (v1): the reason, the wire field when there is one, a
/// human-readable detail, and the payload byte offset when known.
///
/// A decode error is data, not a crash: the engine counts it in `malformed` and may keep the frame for
/// inspection. Building one allocates (its strings); the success path of the codecs never builds one.
public struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of violation. Raw values are stable snake_case names, suitable for metric labels.
    public enum Reason: String, Sendable, CaseIterable {
        /// The message is not exactly two frames (`[topic, payload]`).
        case frameCount = "frame_count"
        /// The payload is larger than `WireCodec.maxPayloadBytes`.
        case oversized
        /// The payload frame is empty.
        case emptyPayload = "empty_payload"
        /// Unknown kind, empty or invalid key, a key on `heartbeat`, or a non-ASCII topic.
        case invalidTopic = "invalid_topic"
        /// The topic's key disagrees with the payload's symbol or account (news: key not in `symbols`),
        /// or a binary kind byte / JSON `type` names another kind than the topic.
        case topicMismatch = "topic_mismatch"
        /// The first payload byte starts neither a JSON text nor a known binary version.
        case unknownEncoding = "unknown_encoding"
        /// The payload breaks the JSON grammar (RFC 8259).
        case invalidJSON = "invalid_json"
        /// The payload is valid JSON but not an object.
        case notAnObject = "not_an_object"
        /// A string (key, value, or skipped unknown value) is not valid UTF-8, or a `\u` escape is a
        /// lone surrogate.
        case invalidUTF8 = "invalid_utf8"
        /// A required field is absent or `null`.
        case missingField = "missing_field"
        /// A field has the wrong JSON type (including a fraction or exponent where an integer is required).
        case wrongType = "wrong_type"
        /// A `NaN`/`Infinity`/`-Infinity` literal, a number that overflows to infinity, or (binary) a
        /// NaN or infinite double.
        case nonFinite = "non_finite"
        /// A value outside its range: price <= 0, sentiment outside [-1, 1], negative size, integer
        /// overflow, invalid symbol, unknown enum string or code, reserved flag bits set, ...
        case outOfRange = "out_of_range"
        /// A known field appears twice in one object.
        case duplicateField = "duplicate_field"
        /// The binary payload ends before its layout does.
        case truncated
        /// Bytes after the binary layout, or non-whitespace after the JSON object.
        case trailingBytes = "trailing_bytes"
    }

    public var reason: Reason
    /// The wire field name, e.g. `"price"`, `"symbols[1]"`, `"drivers[0].contribution"`.
    public var field: String?
    /// Human-readable reason, e.g. `"must be > 0, got -1.5"`.
    public var detail: String
    /// Byte offset in the payload where the violation was found, when known.
    public var offset: Int?

    init(_ reason: Reason, field: String? = nil, detail: String, offset: Int? = nil) {
        self.reason = reason
        self.field = field
        self.detail = detail
        self.offset = offset
    }

    /// `reason: field 'name': detail (at byte N)`, leaving out the parts that are unknown.
    public var description: String {
        var text = reason.rawValue
        if let field { text += ": field '\(field)'" }
        text += ": \(detail)"
        if let offset { text += " (at byte \(offset))" }
        return text
    }
}

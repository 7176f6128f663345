// A strict RFC 8259 scanner over one payload, reading in place: no tokens are materialised and nothing
// is allocated except the Swift strings a decoded event keeps (and, rarely, a scratch array for a
// string that contains escapes).

/// How deep a skipped unknown value may nest (the payload's own object is depth 1).
let maxJSONDepth = 32

private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")

/// The content of a JSON string token, between its quotes, as payload offsets.
struct RawString {
    var start: Int
    var end: Int
    /// Whether the content contains a backslash escape (then it must be unescaped before use).
    var hasEscapes: Bool
}

/// A JSON number token, already checked against the grammar.
struct NumberToken {
    var start: Int
    var end: Int
    /// No fraction and no exponent.
    var isInteger: Bool
}

/// One kind of JSON object the codec reads: its field names and which of them are required.
///
/// `JSONReader.readObject(_:)` parses the members, skips unknown ones, rejects duplicates, turns
/// `null` into "absent" (or `missingField` for a required field), and calls `read(field:from:)` with
/// the reader positioned at a non-null value.
protocol JSONObjectBuilder {
    /// Wire names; a field's index here is its id. At most 64.
    static var fields: [StaticString] { get }
    /// Bit `i` set when `fields[i]` is required.
    static var requiredMask: UInt64 { get }
    mutating func read(field: Int, from reader: inout JSONReader) throws(WireError)
}

struct JSONReader {
    let base: UnsafePointer<UInt8>
    let end: Int
    var pos: Int = 0

    /// - Precondition: `buffer` is not empty.
    init(_ buffer: UnsafeRawBufferPointer) {
        base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        end = buffer.count
    }

    // MARK: Errors

    func error(_ reason: WireError.Reason, _ detail: String, at offset: Int? = nil) -> WireError {
        WireError(reason, detail: detail, offset: offset ?? pos)
    }

    func unexpected(_ expecting: String) -> WireError {
        if pos >= end { return error(.invalidJSON, "unexpected end of payload, expected \(expecting)") }
        return error(.invalidJSON, "expected \(expecting), got \(describe(base[pos]))")
    }

    func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(hex2(byte))"
    }

    /// A `wrongType` error for the value at `pos`, after checking that the value is at least valid JSON
    /// (a grammar or UTF-8 error in it is reported instead).
    mutating func wrongType(_ expected: String) -> WireError {
        let start = pos
        let got: String
        switch base[start] {
        case quote: got = "a string"
        case UInt8(ascii: "{"): got = "an object"
        case UInt8(ascii: "["): got = "an array"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): got = "a boolean"
        case UInt8(ascii: "n"): got = "null"
        default: got = "a number"
        }
        do {
            try skipValue(depth: 2)
        } catch {
            return error
        }
        return WireError(.wrongType, detail: "expected \(expected), got \(got)", offset: start)
    }

    // MARK: Structure

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end {
            switch base[pos] {
            case 0x20, 0x0A, 0x0D, 0x09: pos += 1
            default: return
            }
        }
    }

    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        if pos < end && base[pos] == byte {
            pos += 1
            return true
        }
        return false
    }

    /// Consumes `literal` if the payload continues with it.
    mutating func consumeLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard end - pos >= count else { return false }
        let text = literal.utf8Start
        for index in 0..<count where base[pos + index] != text[index] { return false }
        pos += count
        return true
    }

    /// After `{` or `[` and whitespace: consumes `close` and returns `false` for an empty container,
    /// otherwise returns `true`.
    @inline(__always)
    mutating func hasFirstItem(close: UInt8) -> Bool {
        skipWhitespace()
        return !consume(close)
    }

    /// After an item: consumes `,` (and whitespace) and returns `true`, or consumes `close` and returns
    /// `false`.
    @inline(__always)
    mutating func hasNextItem(close: UInt8) throws(WireError) -> Bool {
        skipWhitespace()
        if consume(UInt8(ascii: ",")) {
            skipWhitespace()
            return true
        }
        if consume(close) { return false }
        throw unexpected(close == UInt8(ascii: "}") ? "',' or '}'" : "',' or ']'")
    }

    /// Checks that only whitespace follows the payload's object.
    mutating func finish() throws(WireError) {
        skipWhitespace()
        if pos < end {
            throw error(.trailingBytes, "\(describe(base[pos])) after the JSON object")
        }
    }

    /// Reads the object at `pos` (whitespace already skipped) into `builder`.
    ///
    /// Errors inside a member name the member in `field`. Missing required fields are reported after
    /// the closing brace. `depth` is the object's own depth (the payload object is 1).
    mutating func readObject<B: JSONObjectBuilder>(_ builder: inout B, depth: Int = 1) throws(WireError) {
        guard consume(UInt8(ascii: "{")) else { throw wrongType("an object") }
        var seen: UInt64 = 0
        var hint = 0
        if hasFirstItem(close: UInt8(ascii: "}")) {
            repeat {
                let keyStart = pos
                guard pos < end, base[pos] == quote else { throw unexpected("a string key") }
                let key = try scanString()
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else { throw unexpected("':'") }
                skipWhitespace()
                let field = lookup(key, in: B.fields, hint: hint)
                do throws(WireError) {
                    if let field {
                        let bit: UInt64 = 1 << UInt64(field)
                        if seen & bit != 0 {
                            throw WireError(.duplicateField, detail: "appears more than once", offset: keyStart)
                        }
                        seen |= bit
                        hint = field + 1
                        guard pos < end else { throw unexpected("a value") }
                        if base[pos] == UInt8(ascii: "n") && consumeLiteral("null") {
                            if B.requiredMask & bit != 0 {
                                throw WireError(.missingField, detail: "required, got null", offset: keyStart)
                            }
                        } else {
                            try builder.read(field: field, from: &self)
                        }
                    } else {
                        try skipValue(depth: depth + 1)
                    }
                } catch {
                    throw error.inField(field.map { "\(B.fields[$0])" } ?? Self.shownKey(makeString(key)))
                }
            } while try hasNextItem(close: UInt8(ascii: "}"))
        }
        let missing = B.requiredMask & ~seen
        if missing != 0 {
            let index = missing.trailingZeroBitCount
            throw WireError(.missingField, field: "\(B.fields[index])", detail: "required", offset: pos)
        }
    }

    /// Reads the array at `pos`, calling `element` with the reader at each element and its index.
    /// Errors inside an element name it as `[i]`.
    mutating func readArray(
        _ element: (inout JSONReader, Int) throws(WireError) -> Void
    ) throws(WireError) {
        guard consume(UInt8(ascii: "[")) else { throw wrongType("an array") }
        guard hasFirstItem(close: UInt8(ascii: "]")) else { return }
        var index = 0
        repeat {
            guard pos < end else { throw unexpected("a value") }
            do throws(WireError) {
                try element(&self, index)
            } catch {
                throw error.inField("[\(index)]")
            }
            index += 1
        } while try hasNextItem(close: UInt8(ascii: "]"))
    }

    /// The index of `key` in `fields`, trying `hint` first: payloads in canonical order hit it every time.
    @inline(__always)
    private func lookup(_ key: RawString, in fields: [StaticString], hint: Int) -> Int? {
        if key.hasEscapes {
            let bytes = unescape(key)
            return bytes.withUnsafeBytes { buffer in fields.firstIndex { bytesEqual(buffer, $0) } }
        }
        let buffer = UnsafeRawBufferPointer(start: base + key.start, count: key.end - key.start)
        if hint < fields.count && bytesEqual(buffer, fields[hint]) { return hint }
        return fields.firstIndex { bytesEqual(buffer, $0) }
    }

    /// Validates and steps over any JSON value (used for unknown fields), nesting at most
    /// `maxJSONDepth` containers deep.
    mutating func skipValue(depth: Int) throws(WireError) {
        skipWhitespace()
        guard pos < end else { throw unexpected("a value") }
        switch base[pos] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = base[pos] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            guard depth <= maxJSONDepth else {
                throw error(.invalidJSON, "nesting deeper than \(maxJSONDepth) levels")
            }
            pos += 1
            guard hasFirstItem(close: close) else { return }
            repeat {
                if close == UInt8(ascii: "}") {
                    guard pos < end, base[pos] == quote else { throw unexpected("a string key") }
                    _ = try scanString()
                    skipWhitespace()
                    guard consume(UInt8(ascii: ":")) else { throw unexpected("':'") }
                }
                try skipValue(depth: depth + 1)
            } while try hasNextItem(close: close)
        case quote:
            _ = try scanString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try scanNumber()
        case UInt8(ascii: "t"):
            guard consumeLiteral("true") else { throw unexpected("'true'") }
        case UInt8(ascii: "f"):
            guard consumeLiteral("false") else { throw unexpected("'false'") }
        case UInt8(ascii: "n"):
            guard consumeLiteral("null") else { throw unexpected("'null'") }
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            try rejectNonFiniteLiteral()
        default:
            throw unexpected("a value")
        }
    }

    /// At `N`, `I` or `-I`: throws `nonFinite` for the literals `NaN`, `Infinity`, `-Infinity` (which
    /// Python's `json.dumps` emits), `invalidJSON` for anything else.
    mutating func rejectNonFiniteLiteral() throws(WireError) {
        let start = pos
        for literal: StaticString in ["NaN", "Infinity", "-Infinity"] where consumeLiteral(literal) {
            throw WireError(.nonFinite, detail: "\(literal) is not a JSON number", offset: start)
        }
        throw unexpected("a value")
    }

    // MARK: Strings

    /// Scans the string token at `pos` (which is `"`), validating escapes and UTF-8.
    ///
    /// Lone surrogates in `\u` escapes are `invalidUTF8`; raw control characters are `invalidJSON`.
    mutating func scanString() throws(WireError) -> RawString {
        pos += 1
        let start = pos
        var hasEscapes = false
        while true {
            // Eight plain ASCII bytes at a time: no quote, backslash, control or non-ASCII byte.
            while pos + 8 <= end {
                let word = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self)
                let ones: UInt64 = 0x0101_0101_0101_0101
                let high: UInt64 = 0x8080_8080_8080_8080
                let quotes = word ^ (ones &* 0x22)
                let slashes = word ^ (ones &* 0x5C)
                // Standard "has a zero byte" / "has a byte < n" tests: exact about existence.
                let hasQuote = (quotes &- ones) & ~quotes
                let hasSlash = (slashes &- ones) & ~slashes
                let hasControl = (word &- (ones &* 0x20)) & ~word
                if (hasQuote | hasSlash | hasControl | word) & high != 0 { break }
                pos += 8
            }
            guard pos < end else { throw error(.invalidJSON, "unterminated string", at: start - 1) }
            let byte = base[pos]
            if byte == quote {
                pos += 1
                return RawString(start: start, end: pos - 1, hasEscapes: hasEscapes)
            } else if byte == backslash {
                hasEscapes = true
                try scanEscape()
            } else if byte < 0x20 {
                throw error(.invalidJSON, "control character 0x\(hex2(byte)) in a string must be escaped")
            } else if byte < 0x80 {
                pos += 1
            } else {
                guard let length = UTF8Check.sequenceLength(base, at: pos, end: end) else {
                    throw error(.invalidUTF8, "invalid UTF-8 byte 0x\(hex2(byte)) in a string")
                }
                pos += length
            }
        }
    }

    private mutating func scanEscape() throws(WireError) {
        guard pos + 1 < end else { throw error(.invalidJSON, "unterminated escape") }
        switch base[pos + 1] {
        case quote, backslash, UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
            UInt8(ascii: "r"), UInt8(ascii: "t"):
            pos += 2
        case UInt8(ascii: "u"):
            let unit = try hex4(at: pos + 2)
            switch unit {
            case 0xD800...0xDBFF:
                guard pos + 7 < end, base[pos + 6] == backslash, base[pos + 7] == UInt8(ascii: "u") else {
                    throw error(
                        .invalidUTF8, "lone high surrogate \\u\(hex2(UInt8(unit >> 8)))\(hex2(UInt8(unit & 0xFF)))")
                }
                let low = try hex4(at: pos + 8)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error(.invalidUTF8, "high surrogate not followed by a low surrogate")
                }
                pos += 12
            case 0xDC00...0xDFFF:
                throw error(.invalidUTF8, "lone low surrogate")
            default:
                pos += 6
            }
        default:
            throw error(.invalidJSON, "invalid escape \\\(describe(base[pos + 1]))")
        }
    }

    private func hex4(at offset: Int) throws(WireError) -> UInt16 {
        guard offset + 4 <= end else { throw error(.invalidJSON, "truncated \\u escape", at: offset) }
        var value: UInt16 = 0
        for index in offset..<offset + 4 {
            guard let digit = hexValue(base[index]) else {
                throw error(.invalidJSON, "invalid hex digit in \\u escape", at: index)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// The UTF-8 bytes of an escaped string token (already validated by `scanString`).
    func unescape(_ raw: RawString) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.end - raw.start)
        var index = raw.start
        func hex(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in at..<at + 4 { value = value << 4 | UInt32(hexValue(base[offset])!) }
            return value
        }
        while index < raw.end {
            let byte = base[index]
            guard byte == backslash else {
                bytes.append(byte)
                index += 1
                continue
            }
            let escape = base[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex(index)
                index += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex(index + 2) - 0xDC00)
                    index += 6
                }
                bytes.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
            default: bytes.append(escape)  // " \ /
            }
        }
        return bytes
    }

    /// Calls `body` with the string's UTF-8 bytes (in place when it has no escapes).
    func withBytes<R>(of raw: RawString, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if raw.hasEscapes {
            return unescape(raw).withUnsafeBytes(body)
        }
        return body(UnsafeRawBufferPointer(start: base + raw.start, count: raw.end - raw.start))
    }

    /// An unknown key as an error names it (it is the sender's text): control characters escaped as
    /// `\u{…}`, at most 32 characters and `…`. - Complexity: O(32).
    static func shownKey(_ key: String) -> String {
        var shown = ""
        for (i, scalar) in key.unicodeScalars.enumerated() {
            if i == 32 { return shown + "…" }
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                shown += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    func makeString(_ raw: RawString) -> String {
        withBytes(of: raw) { String(decoding: $0, as: UTF8.self) }
    }

    /// Reads a string value.
    mutating func readString() throws(WireError) -> String {
        guard base[pos] == quote else { throw wrongType("a string") }
        return makeString(try scanString())
    }

    /// Reads a string value that must satisfy the symbol rule (`outOfRange` otherwise).
    mutating func readSymbol() throws(WireError) -> String {
        let start = pos
        guard base[pos] == quote else { throw wrongType("a string") }
        let raw = try scanString()
        return try withBytes(of: raw) { bytes -> Result<String, WireError> in
            if let violation = symbolViolation(bytes) {
                return .failure(WireError(.outOfRange, detail: violation, offset: start))
            }
            return .success(String(decoding: bytes, as: UTF8.self))
        }.get()
    }

    /// Reads a string that must be one of `E`'s raw values.
    mutating func readEnum<E: RawRepresentable & CaseIterable>(_: E.Type) throws(WireError) -> E
    where E.RawValue == String {
        let start = pos
        guard base[pos] == quote else { throw wrongType("a string") }
        let raw = try scanString()
        let found = withBytes(of: raw) { bytes in E.allCases.first { stringEquals($0.rawValue, bytes) } }
        guard let found else {
            let allowed = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw WireError(.outOfRange, detail: "must be one of \(allowed)", offset: start)
        }
        return found
    }
}

@inline(__always)
func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

extension WireError {
    /// This error with `name` prefixed to its field path (`name`, `name.inner` or `name[i]...`).
    func inField(_ name: String) -> WireError {
        var copy = self
        if let inner = field {
            copy.field = inner.hasPrefix("[") ? name + inner : name + "." + inner
        } else {
            copy.field = name
        }
        return copy
    }
}

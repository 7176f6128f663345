/// Why a CSV file was rejected: the file, the 1-based line and the reason, printed as `FILE:LINE: reason`.
/// Text from the file appears in `reason` only as short excerpts (`excerpt(_:)`), never whole.
public struct CSVError: Error, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var reason: String

    public init(path: String, line: Int, reason: String) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(path):\(line): \(reason)" }
}

/// One field of a record: the bytes `[start, end)` of the file, without the quotes of a quoted field.
public struct CSVField: Sendable {
    public var start: Int
    public var end: Int
    /// A quoted field with doubled quotes (`""`) inside: its text needs unescaping.
    public var hasEscapedQuotes: Bool
}

/// Splits a file's bytes into records of fields, RFC 4180 style: a leading UTF-8 byte-order mark is
/// skipped; lines end in `\n`, `\r\n` or a lone `\r` (old Mac and some spreadsheet exports; the last
/// line's terminator is optional); a field in double quotes
/// may hold commas, line breaks and doubled quotes. Blank lines at the end of the file are ignored; a
/// blank line before more data is an error.
///
/// Holds a pointer into the caller's buffer, which must stay alive and end with one extra 0 byte (so
/// `strtod` always stops inside it).
/// - Complexity: O(record length) per record; no allocation once `fields` has grown to the widest record.
public struct CSVRecordReader {
    let base: UnsafePointer<UInt8>
    public let count: Int
    public let path: String
    private var position = 0
    /// The line the next record starts on.
    private var line = 1
    /// The line the last record read started on (a quoted field may carry it over several lines).
    public private(set) var recordLine = 0

    public init(base: UnsafePointer<UInt8>, count: Int, path: String) {
        self.base = base
        self.count = count
        self.path = path
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { position = 3 }
    }

    /// An error naming the file and the current record's line.
    public func error(_ reason: String) -> CSVError { CSVError(path: path, line: recordLine, reason: reason) }

    /// Reads the next record into `fields` (cleared first). Returns `false` at the end of the file.
    /// - Throws: `CSVError` for a blank line followed by data, an unterminated quoted field, or text
    ///   between a closing quote and the next comma.
    public mutating func next(into fields: inout [CSVField]) throws(CSVError) -> Bool {
        fields.removeAll(keepingCapacity: true)
        guard position < count else { return false }
        recordLine = line
        if isBreak(position) {
            var i = position
            while i < count && (base[i] == UInt8(ascii: "\n") || base[i] == UInt8(ascii: "\r")) { i += 1 }
            if i == count {
                position = count
                return false
            }
            throw error("empty line")
        }
        var i = position
        while true {
            if i < count && base[i] == UInt8(ascii: "\"") {
                i += 1
                let start = i
                var escaped = false
                while true {
                    guard i < count else {
                        throw error("unterminated quoted field in column \(fields.count + 1)")
                    }
                    if base[i] == UInt8(ascii: "\"") {
                        if i + 1 < count && base[i + 1] == UInt8(ascii: "\"") {
                            escaped = true
                            i += 2
                            continue
                        }
                        break
                    }
                    if isLineEnd(i) { line += 1 }
                    i += 1
                }
                fields.append(CSVField(start: start, end: i, hasEscapedQuotes: escaped))
                i += 1
                guard i == count || base[i] == UInt8(ascii: ",") || isBreak(i) else {
                    throw error("text after the closing quote in column \(fields.count)")
                }
            } else {
                let start = i
                while i < count && base[i] != UInt8(ascii: ",") && base[i] != UInt8(ascii: "\n")
                    && base[i] != UInt8(ascii: "\r")
                {
                    i += 1
                }
                fields.append(CSVField(start: start, end: i, hasEscapedQuotes: false))
            }
            if i < count && base[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            // The end of the record: skip its terminator.
            if i < count && base[i] == UInt8(ascii: "\r") { i += 1 }
            if i < count && base[i] == UInt8(ascii: "\n") { i += 1 }
            line += 1
            position = i
            return true
        }
    }

    /// Whether byte `i` is a `\r` or `\n`: a record ends there (outside quotes).
    private func isBreak(_ i: Int) -> Bool { base[i] == UInt8(ascii: "\n") || base[i] == UInt8(ascii: "\r") }

    /// Whether a line ends at byte `i`: a `\n`, or a `\r` not followed by `\n` (its `\r\n` ends at the `\n`).
    private func isLineEnd(_ i: Int) -> Bool {
        base[i] == UInt8(ascii: "\n")
            || (base[i] == UInt8(ascii: "\r") && (i + 1 == count || base[i + 1] != UInt8(ascii: "\n")))
    }

    /// The field's bytes (still escaped).
    public func bytes(_ field: CSVField) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + field.start, count: field.end - field.start)
    }

    /// The field's text, unescaped; `nil` if it is not valid UTF-8. Allocates.
    public func text(_ field: CSVField) -> String? {
        guard field.hasEscapedQuotes else { return String(validating: bytes(field), as: UTF8.self) }
        // Unescaped byte by byte: as Characters, a quote followed by a combining mark is not a quote.
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(field.end - field.start)
        var previousWasQuote = false
        for byte in bytes(field) {
            if byte == UInt8(ascii: "\""), previousWasQuote {
                previousWasQuote = false
                continue
            }
            previousWasQuote = byte == UInt8(ascii: "\"")
            unescaped.append(byte)
        }
        return String(validating: unescaped, as: UTF8.self)
    }

    /// The field's text for an error message, in single quotes: `excerpt(_:)` of its first bytes.
    public func quoted(_ field: CSVField) -> String {
        let raw = bytes(field)
        let text = String(decoding: UnsafeBufferPointer(rebasing: raw.prefix(4 * excerptLimit)), as: UTF8.self)
        return "'" + excerpt(text, complete: raw.count <= 4 * excerptLimit) + "'"
    }

    /// Whether the field's bytes are exactly `expected`'s. - Complexity: O(length), no allocation.
    func field(_ field: CSVField, equals expected: [UInt8]) -> Bool {
        let raw = bytes(field)
        return !field.hasEscapedQuotes && raw.elementsEqual(expected)
    }
}

/// Characters of file text an error message shows at most (`excerpt(_:)`).
let excerptLimit = 40

/// Text from a file as an error message shows it: control characters escaped (`\r`, `\n`, `\t`,
/// `\u{1B}`), cut with `…` before it passes `excerptLimit` characters as shown (escapes count in full;
/// ending in `…` anyway when `complete` is false), so a message never carries a whole line or file, nor a
/// byte that moves the terminal's cursor.
/// - Complexity: O(`excerptLimit`), whatever the length of `text`.
public func excerpt(_ text: some StringProtocol, complete: Bool = true) -> String {
    var shown = ""
    var length = 0
    for scalar in text.unicodeScalars {
        let piece: String? =
            switch scalar {
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
                || scalar.value == 0x2029:
                "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: nil
            }
        let pieceLength = piece?.count ?? 1
        if length + pieceLength > excerptLimit { return shown + "…" }
        length += pieceLength
        if let piece { shown += piece } else { shown.unicodeScalars.append(scalar) }
    }
    return complete ? shown : shown + "…"
}

/// A list of names for an error message, cut to about 100 characters, each name an `excerpt(_:)`.
public func abbreviatedList(_ names: some Collection<String>) -> String {
    var text = ""
    for (i, name) in names.enumerated() {
        let next = (i == 0 ? "" : ", ") + excerpt(name)
        if text.count + next.count > 90 {
            return text + ", … (\(names.count) in all)"
        }
        text += next
    }
    return text
}

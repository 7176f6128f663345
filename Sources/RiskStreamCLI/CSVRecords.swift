/// Why a CSV file was rejected: the file, the 1-based line and the reason, printed as `FILE:LINE: reason`.
struct CSVError: Error, CustomStringConvertible {
    var path: String
    var line: Int
    var reason: String

    var description: String { "\(path):\(line): \(reason)" }
}

/// One field of a record: the bytes `[start, end)` of the file, without the quotes of a quoted field.
struct CSVField {
    var start: Int
    var end: Int
    /// A quoted field with doubled quotes (`""`) inside: its text needs unescaping.
    var hasEscapedQuotes: Bool
}

/// Splits a file's bytes into records of fields, RFC 4180 style: a leading UTF-8 byte-order mark is
/// skipped; lines end in `\n` or `\r\n` (the last one's terminator is optional); a field in double quotes
/// may hold commas, line breaks and doubled quotes. Blank lines at the end of the file are ignored; a
/// blank line before more data is an error.
///
/// Holds a pointer into the caller's buffer, which must stay alive and end with one extra 0 byte (so
/// `strtod` always stops inside it).
/// - Complexity: O(record length) per record; no allocation once `fields` has grown to the widest record.
struct CSVRecordReader {
    let base: UnsafePointer<UInt8>
    let count: Int
    let path: String
    private var position = 0
    /// The line the next record starts on.
    private var line = 1
    /// The line the last record read started on (a quoted field may carry it over several lines).
    private(set) var recordLine = 0

    init(base: UnsafePointer<UInt8>, count: Int, path: String) {
        self.base = base
        self.count = count
        self.path = path
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { position = 3 }
    }

    func error(_ reason: String) -> CSVError { CSVError(path: path, line: recordLine, reason: reason) }

    /// Reads the next record into `fields` (cleared first). Returns `false` at the end of the file.
    /// - Throws: `CSVError` for a blank line followed by data, an unterminated quoted field, or text
    ///   between a closing quote and the next comma.
    mutating func next(into fields: inout [CSVField]) throws(CSVError) -> Bool {
        fields.removeAll(keepingCapacity: true)
        guard position < count else { return false }
        recordLine = line
        if isLineEnd(position) {
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
                    if base[i] == UInt8(ascii: "\n") { line += 1 }
                    i += 1
                }
                fields.append(CSVField(start: start, end: i, hasEscapedQuotes: escaped))
                i += 1
                guard i == count || base[i] == UInt8(ascii: ",") || isLineEnd(i) else {
                    throw error("text after the closing quote in column \(fields.count)")
                }
            } else {
                let start = i
                while i < count && base[i] != UInt8(ascii: ",") && base[i] != UInt8(ascii: "\n") { i += 1 }
                var end = i
                if end > start && base[end - 1] == UInt8(ascii: "\r") && (i == count || base[i] == UInt8(ascii: "\n")) {
                    end -= 1
                }
                fields.append(CSVField(start: start, end: end, hasEscapedQuotes: false))
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

    private func isLineEnd(_ i: Int) -> Bool {
        base[i] == UInt8(ascii: "\n")
            || (base[i] == UInt8(ascii: "\r") && (i + 1 == count || base[i + 1] == UInt8(ascii: "\n")))
    }

    /// The field's bytes (still escaped).
    func bytes(_ field: CSVField) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + field.start, count: field.end - field.start)
    }

    /// The field's text, unescaped; `nil` if it is not valid UTF-8. Allocates.
    func text(_ field: CSVField) -> String? {
        guard let raw = String(validating: bytes(field), as: UTF8.self) else { return nil }
        return field.hasEscapedQuotes ? raw.replacing("\"\"", with: "\"") : raw
    }

    /// The field's text for an error message: at most 40 bytes, invalid UTF-8 repaired.
    func quoted(_ field: CSVField) -> String {
        let raw = bytes(field)
        let text = String(decoding: UnsafeBufferPointer(rebasing: raw.prefix(40)), as: UTF8.self)
        return "'" + text + (raw.count > 40 ? "…'" : "'")
    }

    /// Whether the field's bytes are exactly `expected`'s. - Complexity: O(length), no allocation.
    func field(_ field: CSVField, equals expected: [UInt8]) -> Bool {
        let raw = bytes(field)
        return !field.hasEscapedQuotes && raw.elementsEqual(expected)
    }
}

/// A list of names for an error message, cut to about 100 characters.
func abbreviatedList(_ names: some Collection<String>) -> String {
    var text = ""
    for (i, name) in names.enumerated() {
        let next = (i == 0 ? "" : ", ") + name
        if text.count + next.count > 90 {
            return text + ", … (\(names.count) in all)"
        }
        text += next
    }
    return text
}

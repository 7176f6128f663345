#if canImport(Glibc)
import Glibc
#endif

/// Why a CSV file was rejected: the file, the 1-based line and the reason, printed as `FILE:LINE: reason`.
struct CSVError: Error, CustomStringConvertible {
    var path: String
    var line: Int
    var reason: String

    var description: String { "\(path):\(line): \(reason)" }
}

/// A numeric table read from a strict CSV file: one feature vector and one target per data row.
///
/// The format, and nothing else:
/// - Line 1 is the header: comma-separated column names, each optionally in double quotes (no commas,
///   quotes or line breaks inside a name). Names are non-empty and unique.
/// - Every other line is a data row with exactly as many comma-separated fields as the header, each a
///   finite decimal number (`-1.5`, `2e-3`; no spaces, quotes, hex, `nan` or `inf`).
/// - Lines end in `\n` or `\r\n`; the last line's terminator is optional. An empty line is an error.
/// - One column is the target; every other column is a feature, in header order.
struct CSVTable {
    /// Feature column names, in header order (the target column removed).
    var featureNames: [String]
    var targetName: String
    /// One feature vector per data row (`featureNames.count` values each).
    var rows: [[Double]]
    /// One target per data row.
    var targets: [Double]

    /// Reads and validates a whole file.
    /// - Throws: `CSVError` naming the line and the reason (unreadable file, empty file, bad header,
    ///   missing target column, wrong field count, empty, non-numeric or non-finite value, no data rows).
    /// - Complexity: O(file size); one pass, one `strtod` per field, no per-field allocation.
    static func read(path: String, target: String) throws(CSVError) -> CSVTable {
        var bytes: [UInt8]
        do {
            bytes = try readWholeFile(path)
        } catch {
            throw CSVError(path: path, line: 0, reason: "cannot read: \(error.description)")
        }
        bytes.append(0)  // a terminator for strtod; never part of the content
        do {
            return try bytes.withUnsafeBufferPointer { buffer throws(CSVError) in
                var parser = Parser(base: buffer.baseAddress!, count: buffer.count - 1, path: path)
                return try parser.table(target: target)
            }
        }
    }

    /// The byte-level parser. Holds a pointer into the caller's buffer, which stays alive for the call.
    private struct Parser {
        let base: UnsafePointer<UInt8>
        let count: Int
        let path: String
        var position = 0
        var line = 1

        init(base: UnsafePointer<UInt8>, count: Int, path: String) {
            self.base = base
            self.count = count
            self.path = path
        }

        func error(_ reason: String) -> CSVError { CSVError(path: path, line: line, reason: reason) }

        /// The current line's content `[start, end)` without its terminator; advances past it.
        mutating func nextLine() -> (start: Int, end: Int)? {
            guard position < count else { return nil }
            let start = position
            var end = start
            while end < count && base[end] != UInt8(ascii: "\n") { end += 1 }
            position = end + 1
            if end > start && base[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            return (start, end)
        }

        mutating func table(target: String) throws(CSVError) -> CSVTable {
            guard let header = nextLine() else { throw error("empty file: no header row") }
            let names = try headerNames(header)
            guard let targetIndex = names.firstIndex(of: target) else {
                throw error("no target column '\(target)' (columns: \(names.joined(separator: ", ")))")
            }
            let featureNames = names.enumerated().filter { $0.offset != targetIndex }.map(\.element)
            var rows: [[Double]] = []
            var targets: [Double] = []
            var row = [Double](repeating: 0, count: names.count)
            while let (start, end) = nextLine() {
                line += 1
                guard end > start else { throw error("empty line") }
                try parseRow(start, end, names: names, into: &row)
                targets.append(row[targetIndex])
                var features = row
                features.remove(at: targetIndex)
                rows.append(features)
            }
            guard !rows.isEmpty else {
                line += 1
                throw error("no data rows after the header")
            }
            return CSVTable(featureNames: featureNames, targetName: target, rows: rows, targets: targets)
        }

        func headerNames(_ range: (start: Int, end: Int)) throws(CSVError) -> [String] {
            guard range.end > range.start else { throw error("empty header row") }
            var names: [String] = []
            var fieldStart = range.start
            for i in range.start...range.end where i == range.end || base[i] == UInt8(ascii: ",") {
                var s = fieldStart
                var e = i
                if e - s >= 2 && base[s] == UInt8(ascii: "\"") && base[e - 1] == UInt8(ascii: "\"") {
                    s += 1
                    e -= 1
                }
                let field = UnsafeBufferPointer(start: base + s, count: e - s)
                guard !field.contains(UInt8(ascii: "\"")) else {
                    throw error("column \(names.count + 1): stray quote in header name")
                }
                guard let name = String(validating: field, as: UTF8.self), !name.isEmpty else {
                    throw error("column \(names.count + 1): empty or non-UTF-8 header name")
                }
                guard !names.contains(name) else { throw error("duplicate column '\(name)'") }
                names.append(name)
                fieldStart = i + 1
            }
            return names
        }

        func parseRow(_ start: Int, _ end: Int, names: [String], into row: inout [Double]) throws(CSVError) {
            var column = 0
            var fieldStart = start
            var i = start
            while true {
                if i == end || base[i] == UInt8(ascii: ",") {
                    guard column < names.count else {
                        throw error("more than \(names.count) fields; the header has \(names.count)")
                    }
                    row[column] = try number(fieldStart, i, column: names[column])
                    column += 1
                    if i == end { break }
                    fieldStart = i + 1
                }
                i += 1
            }
            guard column == names.count else {
                throw error("\(column) fields; the header has \(names.count)")
            }
        }

        /// One field as a finite Double. Only `[0-9+-.eE]` reach `strtod`, so it never sees spaces, hex,
        /// `nan` or `inf`; a value too large for a Double is reported as non-finite.
        func number(_ start: Int, _ end: Int, column: String) throws(CSVError) -> Double {
            guard end > start else { throw error("empty value in column '\(column)'") }
            var plain = true
            for i in start..<end {
                switch base[i] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"),
                    UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                    continue
                default:
                    plain = false
                }
                if !plain { break }
            }
            guard plain else {
                let text = fieldText(start, end)
                let word = text.lowercased().trimmingSign()
                if word == "nan" || word == "inf" || word == "infinity" {
                    throw error("non-finite value '\(text)' in column '\(column)'")
                }
                throw error("non-numeric value '\(text)' in column '\(column)'")
            }
            var stop: UnsafeMutablePointer<CChar>?
            let value = UnsafeRawPointer(base + start).withMemoryRebound(to: CChar.self, capacity: end - start + 1) {
                strtod($0, &stop)
            }
            let consumed = stop.map { UnsafeRawPointer($0) - UnsafeRawPointer(base + start) } ?? 0
            guard consumed == end - start else {
                throw error("non-numeric value '\(fieldText(start, end))' in column '\(column)'")
            }
            guard value.isFinite else {
                throw error("non-finite value '\(fieldText(start, end))' in column '\(column)'")
            }
            return value
        }

        /// A field's text for an error message (at most 40 bytes): only built on the error path.
        func fieldText(_ start: Int, _ end: Int) -> String {
            String(decoding: UnsafeBufferPointer(start: base + start, count: min(end - start, 40)), as: UTF8.self)
        }
    }
}

extension String {
    fileprivate func trimmingSign() -> Substring {
        first == "+" || first == "-" ? dropFirst() : self[...]
    }
}

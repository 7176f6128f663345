#if canImport(Glibc)
    import Glibc
#endif

/// Which columns of a CSV file to read, and how.
public struct CSVColumns: Sendable {
    /// The target (evaluate) or price (backtest) column: numeric, required.
    public var target: String
    /// Whether every other column is a numeric feature (evaluate) or none is (backtest).
    public var readsFeatures = true
    /// Columns that are never features (evaluate's `--ignore-column`). Each must exist.
    public var ignored: [String] = []
    /// The time column, or `nil` to look for one by name (`detectsTime`) or to have none.
    public var time: String?
    /// Without `time`, whether a column named like a time (`date`, `time`, `timestamp`, `ts`, …) is taken
    /// as the time column.
    public var detectsTime = false
    /// Keep each row's time as written (for `backtest --out`).
    public var keepsTimeText = false
    /// Read only the rows of this symbol.
    public var symbol: String?
    /// The symbol column, or `nil` to look for one named `symbol` or `ticker` (any case).
    public var symbolColumn: String?

    public init(
        target: String, readsFeatures: Bool = true, ignored: [String] = [], time: String? = nil,
        detectsTime: Bool = false, keepsTimeText: Bool = false, symbol: String? = nil, symbolColumn: String? = nil
    ) {
        self.target = target
        self.readsFeatures = readsFeatures
        self.ignored = ignored
        self.time = time
        self.detectsTime = detectsTime
        self.keepsTimeText = keepsTimeText
        self.symbol = symbol
        self.symbolColumn = symbolColumn
    }

    /// Column names taken for a time column when none is named: exact names, any case.
    public static let timeNames: Set<String> = [
        "date", "time", "datetime", "date_time", "timestamp", "ts", "ts_ns", "ts_ms", "ts_us", "ts_s", "time_ns",
        "epoch", "trade_date", "local_time", "utc_time", "gmt time",
    ]
    public static let symbolNames: Set<String> = ["symbol", "ticker"]
}

/// A numeric table read from a CSV file: one feature vector, one target, and optionally one time per
/// selected data row.
///
/// The format:
/// - Records as `CSVRecordReader` splits them (RFC 4180 quoting, LF, CRLF or CR, an optional UTF-8 BOM).
/// - The first record is the header: non-empty, unique column names.
/// - Every other record has exactly as many fields as the header. Only the columns in use are read: the
///   target and the features must be finite decimal numbers (`-1.5`, `2e-3`; no spaces, hex, `nan` or
///   `inf`, quotes around the number are fine); the time column is a time (`CSVTimeReader`) that never
///   decreases; a column nobody uses may hold anything.
/// - With a symbol, only the rows whose symbol column equals it are read; without one, a file whose
///   symbol column holds two different symbols is an error (their prices are not one series).
public struct CSVTable {
    /// Feature column names, in header order.
    public internal(set) var featureNames: [String]
    public internal(set) var targetName: String
    /// One feature vector per selected data row (`featureNames.count` values each).
    public internal(set) var rows: [[Double]]
    /// One target per selected data row.
    public internal(set) var targets: [Double]
    /// The file line each selected row starts on.
    public internal(set) var lines: [Int]
    /// The time column, if any, and whether it was found by its name rather than named by the user.
    public internal(set) var timeColumn: String?
    public internal(set) var timeDetected = false
    /// The time column's format (of its first value).
    public internal(set) var timeFormat: CSVTimeFormat?
    /// Nanoseconds since the Unix epoch per selected row (empty without a time column).
    public internal(set) var times: [Int64] = []
    /// The time of each selected row as written (only with `keepsTimeText`).
    public internal(set) var timeTexts: [String] = []
    /// The symbol column and the symbol read, if any.
    public internal(set) var symbolColumn: String?
    public internal(set) var symbol: String?
    /// Columns that are neither the target nor features (ignored, time, symbol), in header order.
    public internal(set) var excludedColumns: [String]

    /// Reads and validates a whole file.
    /// - Throws: `CSVError` naming the line and the reason (unreadable file, empty file, bad header,
    ///   missing column, wrong field count, empty, non-numeric or non-finite value, a time that is not
    ///   one or goes backwards, no data rows, several symbols).
    /// - Complexity: O(file size); one pass, one `strtod` per numeric field in use; no per-field
    ///   allocation (a kept time text allocates one string per row).
    public static func read(path: String, columns: CSVColumns) throws(CSVError) -> CSVTable {
        let bytes: [UInt8]
        do {
            bytes = try readWholeFile(path)
        } catch {
            throw CSVError(path: path, line: 0, reason: "cannot read: \(error.description)")
        }
        return try read(bytes: bytes, path: path, columns: columns)
    }

    /// Reads and validates a file's bytes held in memory; `path` only names it in errors. See
    /// `read(path:columns:)`.
    public static func read(bytes: [UInt8], path: String, columns: CSVColumns) throws(CSVError) -> CSVTable {
        var bytes = bytes
        bytes.append(0)  // a terminator for strtod; never part of the content
        return try bytes.withUnsafeBufferPointer { buffer throws(CSVError) in
            var records = CSVRecordReader(base: buffer.baseAddress!, count: buffer.count - 1, path: path)
            return try Self.read(&records, columns)
        }
    }

    private static func read(_ records: inout CSVRecordReader, _ columns: CSVColumns) throws(CSVError) -> CSVTable {
        var fields: [CSVField] = []
        guard try records.next(into: &fields) else {
            throw CSVError(path: records.path, line: 1, reason: "empty file: no header row")
        }
        let names = try headerNames(records, fields)
        let layout = try Layout(names: names, columns: columns, error: records.error)
        var table = CSVTable(
            featureNames: layout.features.map { names[$0] }, targetName: columns.target, rows: [], targets: [],
            lines: [], timeColumn: layout.time.map { names[$0] }, timeDetected: layout.timeDetected,
            symbolColumn: layout.symbol.map { names[$0] }, symbol: columns.symbol,
            excludedColumns: layout.excluded.map { names[$0] })
        let wanted = columns.symbol.map { Array($0.utf8) }
        var firstSymbol: (field: CSVField, line: Int)?
        var symbolsSeen: [String] = []
        var lastSkipped: CSVField?
        var timeReader = CSVTimeReader()
        var previousTime: (ns: Int64, field: CSVField)?
        var row = [Double](repeating: 0, count: layout.features.count)
        let detectedNote = layout.timeDetected ? "; taken as the time by its name (--time-column none: a feature)" : ""
        while try records.next(into: &fields) {
            guard fields.count == names.count else {
                let problem = fields.count < names.count ? "\(fields.count) fields" : "more than \(names.count) fields"
                throw records.error("\(problem); the header has \(names.count)")
            }
            if let s = layout.symbol {
                if let wanted {
                    guard records.field(fields[s], equals: wanted) else {
                        // Remember a few other symbols for the error message, reading a text only on a change.
                        let changed = lastSkipped.map { !records.bytes($0).elementsEqual(records.bytes(fields[s])) }
                        if changed ?? true, symbolsSeen.count < 12, let text = records.text(fields[s]),
                            !symbolsSeen.contains(text)
                        {
                            symbolsSeen.append(text)
                        }
                        lastSkipped = fields[s]
                        continue
                    }
                } else if let first = firstSymbol {
                    if !records.bytes(fields[s]).elementsEqual(records.bytes(first.field)) {
                        throw records.error(
                            "several symbols in column '\(excerpt(names[s]))' (\(records.quoted(first.field)) on line "
                                + "\(first.line), \(records.quoted(fields[s])) here): choose one with --symbol")
                    }
                } else {
                    firstSymbol = (fields[s], records.recordLine)
                }
            }
            if let t = layout.time {
                let field = fields[t]
                guard let ns = timeReader.nanoseconds(records.bytes(field)) else {
                    throw records.error(
                        "not a time \(records.quoted(field)) in column '\(excerpt(names[t]))' (ISO 8601 date or "
                            + "date-time, M/D/YYYY, or epoch s/ms/µs/ns)" + detectedNote)
                }
                if let previous = previousTime, ns < previous.ns {
                    throw records.error(
                        "time goes backwards in column '\(excerpt(names[t]))' (\(records.quoted(field)) after "
                            + "\(records.quoted(previous.field)))" + detectedNote)
                }
                previousTime = (ns, field)
                table.times.append(ns)
                if columns.keepsTimeText { table.timeTexts.append(records.text(field) ?? "") }
            }
            table.targets.append(try number(records, fields[layout.target], column: names[layout.target]))
            for (k, c) in layout.features.enumerated() {
                row[k] = try number(records, fields[c], column: names[c], hint: true)
            }
            table.rows.append(row)
            table.lines.append(records.recordLine)
        }
        table.timeFormat = timeReader.firstFormat
        guard !table.targets.isEmpty else {
            if let symbol = columns.symbol, let s = layout.symbol {
                throw CSVError(
                    path: records.path, line: 1,
                    reason: "no rows for symbol '\(symbol)' in column '\(excerpt(names[s]))' (symbols: "
                        + "\(abbreviatedList(symbolsSeen)))")
            }
            throw CSVError(path: records.path, line: records.recordLine + 1, reason: "no data rows after the header")
        }
        return table
    }

    /// The header's names, checked: non-empty, valid UTF-8, unique.
    /// - Complexity: O(header bytes): duplicates are found with a hash set, not by comparing each name
    ///   with every name before it (that was quadratic: 80,000 columns took minutes).
    static func headerNames(_ records: CSVRecordReader, _ fields: [CSVField]) throws(CSVError) -> [String] {
        var names: [String] = []
        names.reserveCapacity(fields.count)
        var seen = Set<String>(minimumCapacity: fields.count)
        for (i, field) in fields.enumerated() {
            guard let name = records.text(field), !name.isEmpty else {
                throw records.error("column \(i + 1): empty or non-UTF-8 header name")
            }
            guard seen.insert(name).inserted else { throw records.error("duplicate column '\(excerpt(name))'") }
            names.append(name)
        }
        return names
    }

    /// Which header positions hold the target, the features, the time and the symbol.
    private struct Layout {
        var target: Int
        var features: [Int]
        /// Every column that is neither the target nor a feature, in header order.
        var excluded: [Int]
        var time: Int?
        var timeDetected = false
        var symbol: Int?

        init(names: [String], columns: CSVColumns, error: (String) -> CSVError) throws(CSVError) {
            func index(_ name: String, _ role: String) throws(CSVError) -> Int {
                guard let i = names.firstIndex(of: name) else {
                    throw error("no \(role) column '\(excerpt(name))' (columns: \(abbreviatedList(names)))")
                }
                return i
            }
            target = try index(columns.target, "target")
            if let name = columns.time {
                time = try index(name, "time")
            } else if columns.detectsTime {
                time = names.firstIndex { CSVColumns.timeNames.contains($0.lowercased()) }
                timeDetected = time != nil
            }
            if let name = columns.symbolColumn {
                symbol = try index(name, "symbol")
            } else {
                symbol = names.firstIndex { CSVColumns.symbolNames.contains($0.lowercased()) }
                if symbol == nil, columns.symbol != nil {
                    throw error(
                        "--symbol needs a symbol column: none is named symbol or ticker; name it with --symbol-column")
                }
            }
            var notFeatures = Set([target])
            for name in columns.ignored { notFeatures.insert(try index(name, "--ignore-column")) }
            if let time { notFeatures.insert(time) }
            if let symbol { notFeatures.insert(symbol) }
            let target = self.target
            if columns.readsFeatures {
                features = names.indices.filter { !notFeatures.contains($0) }
                excluded = names.indices.filter { notFeatures.contains($0) && $0 != target }
            } else {
                features = []
                excluded = names.indices.filter { $0 != target }
            }
        }
    }

    /// One field as a finite Double. Only `[0-9+-.eE]` reach `strtod`, so it never sees spaces, hex,
    /// `nan` or `inf`; a value too large for a Double is reported as non-finite.
    public static func number(
        _ records: CSVRecordReader, _ field: CSVField, column: String, hint: Bool = false
    )
        throws(CSVError) -> Double
    {
        let raw = records.bytes(field)
        guard !raw.isEmpty else { throw records.error("empty value in column '\(excerpt(column))'") }
        let plain = raw.allSatisfy { b in
            (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
        }
        var value = Double.nan
        var consumed = 0
        if plain {
            var stop: UnsafeMutablePointer<CChar>?
            value = UnsafeRawPointer(raw.baseAddress!).withMemoryRebound(to: CChar.self, capacity: raw.count + 1) {
                strtod($0, &stop)
            }
            consumed = stop.map { UnsafeRawPointer($0) - UnsafeRawPointer(raw.baseAddress!) } ?? 0
        }
        guard plain && consumed == raw.count else {
            let word = String(decoding: raw.prefix(12), as: UTF8.self).lowercased().trimmingSign()
            if word == "nan" || word == "inf" || word == "infinity" {
                throw records.error("non-finite value \(records.quoted(field)) in column '\(excerpt(column))'")
            }
            let advice = hint ? " (not a feature? leave it out with --ignore-column '\(excerpt(column))')" : ""
            throw records.error("non-numeric value \(records.quoted(field)) in column '\(excerpt(column))'\(advice)")
        }
        guard value.isFinite else {
            throw records.error("non-finite value \(records.quoted(field)) in column '\(excerpt(column))'")
        }
        return value
    }
}

extension String {
    fileprivate func trimmingSign() -> Substring {
        first == "+" || first == "-" ? dropFirst() : self[...]
    }
}

import CSVReading

/// The CSV reader's input: a whole file.
///
/// Checked: splitting into records never traps, every field lies inside the file after the one before
/// it, record lines increase; a table read with the first column as the target (and a time column found
/// by name) is consistent (one target, one line and one feature vector of the header's width per row,
/// every value finite, lines increasing, times never decreasing, every column accounted for) and reads
/// back the same from the CSV it writes; a rejected file's message names a line inside the file and
/// shows its text only as short one-line excerpts.
public func checkCSV(_ input: UnsafeRawBufferPointer) -> [String] {
    let bytes = Array(input)
    var problems = checkRecords(bytes)
    guard problems.isEmpty, let target = firstHeaderName(bytes) else { return problems }
    let columns = CSVColumns(target: target, detectsTime: true)
    let table: CSVTable
    do {
        table = try CSVTable.read(bytes: bytes, path: "fuzz.csv", columns: columns)
    } catch {
        let lines = bytes.count { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") } + 1
        if error.line < 0 || error.line > lines + 1 {
            problems.append("line \(error.line) of a \(lines)-line file")
        }
        if let problem = messageProblem(error.description, limit: 800) { problems.append(problem) }
        return problems
    }
    let n = table.targets.count
    if n == 0 { problems.append("a table without rows") }
    if table.rows.count != n || table.lines.count != n { problems.append("rows, targets and lines differ in count") }
    if table.rows.contains(where: { $0.count != table.featureNames.count }) {
        problems.append("a row of the wrong width")
    }
    if table.targets.contains(where: { !$0.isFinite }) || table.rows.contains(where: { $0.contains { !$0.isFinite } })
    {
        problems.append("a non-finite value")
    }
    if zip(table.lines, table.lines.dropFirst()).contains(where: { $0 >= $1 }) {
        problems.append("lines not increasing")
    }
    if table.timeColumn != nil && table.times.count != n { problems.append("\(table.times.count) times for \(n) rows") }
    if zip(table.times, table.times.dropFirst()).contains(where: { $0 > $1 }) { problems.append("time goes backwards") }
    let width = table.featureNames.count + 1 + table.excludedColumns.count
    if let header = headerWidth(bytes), header != width {
        problems.append("\(width) columns accounted for of \(header)")
    }
    // A second column named like a symbol is a feature here but would be taken as the symbol column when
    // read back alone: no round trip for those.
    let symbolLike = table.featureNames.contains { ["symbol", "ticker"].contains($0.lowercased()) }
    guard problems.isEmpty, !symbolLike else { return problems }
    // Written back (target and features, numbers in shortest round-trip form), it reads the same.
    var text = ([table.targetName] + table.featureNames).map(quotedField).joined(separator: ",") + "\n"
    for (target, row) in zip(table.targets, table.rows) {
        text += ([target] + row).map { "\($0)" }.joined(separator: ",") + "\n"
    }
    do {
        let again = try CSVTable.read(
            bytes: Array(text.utf8), path: "again.csv", columns: CSVColumns(target: table.targetName))
        if again.targets != table.targets || again.rows != table.rows || again.featureNames != table.featureNames {
            problems.append("the table read back differs")
        }
    } catch {
        problems.append("the table written back is rejected: \(error)")
    }
    return problems
}

/// Reads every record, checking the fields' positions. Stops at the first error the reader throws.
private func checkRecords(_ bytes: [UInt8]) -> [String] {
    var terminated = bytes
    terminated.append(0)
    return terminated.withUnsafeBufferPointer { buffer in
        var records = CSVRecordReader(base: buffer.baseAddress!, count: bytes.count, path: "fuzz.csv")
        var fields: [CSVField] = []
        var lastLine = 0
        var recordCount = 0
        while true {
            let more: Bool
            do { more = try records.next(into: &fields) } catch { return [] }
            guard more else { return [] }
            recordCount += 1
            if recordCount > bytes.count + 1 { return ["more records than bytes"] }
            if fields.isEmpty { return ["a record without fields"] }
            if records.recordLine <= lastLine { return ["record line \(records.recordLine) after \(lastLine)"] }
            lastLine = records.recordLine
            var previousEnd = 0
            for field in fields {
                if field.start < previousEnd || field.end < field.start || field.end > bytes.count {
                    return ["field [\(field.start), \(field.end)) after \(previousEnd) in \(bytes.count) bytes"]
                }
                previousEnd = field.end
            }
        }
    }
}

/// The header's first name, if the file has a readable one.
private func firstHeaderName(_ bytes: [UInt8]) -> String? { headerFields(bytes)?.first }

private func headerWidth(_ bytes: [UInt8]) -> Int? { headerFields(bytes)?.count }

private func headerFields(_ bytes: [UInt8]) -> [String]? {
    var terminated = bytes
    terminated.append(0)
    return terminated.withUnsafeBufferPointer { buffer -> [String]? in
        var records = CSVRecordReader(base: buffer.baseAddress!, count: bytes.count, path: "fuzz.csv")
        var fields: [CSVField] = []
        guard (try? records.next(into: &fields)) == true else { return nil }
        let names = fields.map { records.text($0) }
        guard let first = names.first, let name = first, !name.isEmpty else { return nil }
        return names.map { $0 ?? "" }
    }
}

/// RFC 4180 quoting, by bytes (as Characters, a quote followed by a combining mark is not a quote).
private func quotedField(_ text: String) -> String {
    var quoted: [UInt8] = [UInt8(ascii: "\"")]
    for byte in text.utf8 {
        quoted.append(byte)
        if byte == UInt8(ascii: "\"") { quoted.append(byte) }
    }
    quoted.append(UInt8(ascii: "\""))
    return String(decoding: quoted, as: UTF8.self)
}

import ArgumentParser
import CSVReading
import Journal
import MarketEvents

struct JournalImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Make a journal of tick frames from a CSV file of trades or quotes.",
        discussion: """
            Each data row becomes one tick.<SYMBOL> frame, encoded as the wire contract says (binary \
            by default, or JSON) and checked by the engine's own decoder, journaled with its event time \
            as the receive time; each symbol's ticks carry seq 1, 2, 3, … in file order. A trade file \
            needs a price column; a quote file needs bid and ask columns, and a row without a price \
            takes the mid ((bid + ask) / 2) as its price. Size, bid and ask are optional per row (an \
            empty field leaves the field out). Times are ISO 8601 dates or date-times, M/D/YYYY, or \
            epoch s/ms/µs/ns (unit by magnitude, as `evaluate`); without --time-column a column named \
            time, timestamp, ts, date, … is used. Without --symbol-column a column named symbol or \
            ticker is used; --symbol names the symbol of a file that has none, or picks one symbol's \
            rows of a file that has several.

            --out must be a new or empty directory. A bad row exits 65 with FILE:LINE: reason and \
            leaves what was imported before it.

            Example:
              riskstream journal import --csv trades.csv --out journals/trades
              riskstream journal import --csv es.csv --symbol ES --price-column px --out j
              riskstream journal import --csv fx.csv --bid-column b --ask-column a --out q
            """
    )

    @Option(help: ArgumentHelp("The CSV file (a header row, then one trade or quote per row).", valueName: "file"))
    var csv: String

    @Option(help: ArgumentHelp("The journal directory to create.", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("The symbol column (default: the one named symbol or ticker).", valueName: "column"))
    var symbolColumn: String?

    @Option(
        help: ArgumentHelp(
            "The symbol of every row (a file without a symbol column), or the one symbol read.", valueName: "symbol"))
    var symbol: String?

    @Option(help: ArgumentHelp("The trade price column (default: price, if there is one).", valueName: "column"))
    var priceColumn: String?

    @Option(help: ArgumentHelp("The bid column.", valueName: "column"))
    var bidColumn: String?

    @Option(help: ArgumentHelp("The ask column.", valueName: "column"))
    var askColumn: String?

    @Option(help: ArgumentHelp("The traded size column (default: size, if there is one).", valueName: "column"))
    var sizeColumn: String?

    @Option(help: ArgumentHelp("The event time column (default: one named like a time).", valueName: "column"))
    var timeColumn: String?

    @Option(help: "Payload encoding of the ticks: binary or json.")
    var encoding: String = "binary"

    func validate() throws {
        guard encoding == "binary" || encoding == "json" else {
            throw ValidationError("--encoding must be binary or json")
        }
        guard (bidColumn == nil) == (askColumn == nil) else {
            throw ValidationError("--bid-column and --ask-column go together")
        }
    }

    func run() throws {
        let existing = (try? JournalDirectory.segments(out)) ?? []
        guard existing.isEmpty else {
            throw failure(
                "\(out) already holds a journal (\(existing.count) segment(s)): import into a new directory",
                ExitStatus.usage)
        }
        let writer: JournalWriter
        do {
            writer = try JournalWriter(directory: out, options: .init(fsync: .os, whenFull: .block))
        } catch {
            throw failure(error.description, ExitStatus.dataError)
        }
        var importer = TickImporter(command: self)
        let outcome: Result<Void, CSVError>
        do {
            try importer.read { topic, payload, ts in
                writer.append(topic: topic, payload: payload, receiveTime: ts)
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        writer.close()
        if let error = writer.lastError {
            throw failure("\(out): \(error.description)", ExitStatus.software)
        }
        let written = Int(writer.written.load(ordering: .relaxed))
        let symbols = importer.seqBySymbol.sorted { $0.key < $1.key }.map { "\($0.key) \(grouped(Int($0.value)))" }
        var line = "imported \(grouped(written)) tick(s) from \(csv) into \(out) (\(encoding))"
        if let first = importer.firstTime, let last = importer.lastTime {
            line += ", time \(isoTime(first)) – \(isoTime(last))"
        }
        print(line)
        print("symbols: " + abbreviatedList(symbols))
        if case .failure(let error) = outcome { throw failure(error.description, ExitStatus.dataError) }
    }
}

/// Reads trade or quote rows of a CSV file as contract ticks.
struct TickImporter {
    let command: JournalImportCommand
    var seqBySymbol: [String: UInt64] = [:]
    var firstTime: Int64?
    var lastTime: Int64?

    init(command: JournalImportCommand) { self.command = command }

    /// Which header positions hold what.
    struct Layout {
        var symbol: Int?
        var price: Int?
        var bid: Int?
        var ask: Int?
        var size: Int?
        var time: Int
    }

    /// Calls `emit(topic, payload, ts)` for each row, in file order.
    /// - Throws: `CSVError` naming the line and the reason.
    mutating func read(_ emit: ([UInt8], [UInt8], Int64) -> Void) throws(CSVError) {
        var bytes: [UInt8]
        do {
            bytes = try readWholeFile(command.csv)
        } catch {
            throw CSVError(path: command.csv, line: 0, reason: "cannot read: \(error.description)")
        }
        bytes.append(0)  // strtod's terminator, never content
        try bytes.withUnsafeBufferPointer { buffer throws(CSVError) in
            var records = CSVRecordReader(base: buffer.baseAddress!, count: buffer.count - 1, path: command.csv)
            try read(&records, emit)
        }
    }

    private mutating func read(
        _ records: inout CSVRecordReader, _ emit: ([UInt8], [UInt8], Int64) -> Void
    )
        throws(CSVError)
    {
        var fields: [CSVField] = []
        guard try records.next(into: &fields) else {
            throw CSVError(path: records.path, line: 1, reason: "empty file: no header row")
        }
        let names = fields.map { records.text($0) ?? "" }
        let layout = try self.layout(names, records)
        let codec = WireCodec()
        var timeReader = CSVTimeReader()
        var payload: [UInt8] = []
        var rows = 0
        while try records.next(into: &fields) {
            guard fields.count == names.count else {
                throw records.error("\(fields.count) fields; the header has \(names.count)")
            }
            let symbol: String
            if let s = layout.symbol {
                guard let text = records.text(fields[s]), !text.isEmpty else {
                    throw records.error("empty symbol in column '\(names[s])'")
                }
                if let wanted = command.symbol, text != wanted { continue }
                symbol = text
            } else {
                symbol = command.symbol!
            }
            guard let ts = timeReader.nanoseconds(records.bytes(fields[layout.time])) else {
                throw records.error(
                    "not a time \(records.quoted(fields[layout.time])) in column '\(names[layout.time])' (ISO 8601, "
                        + "M/D/YYYY, or epoch s/ms/µs/ns)")
            }
            func optional(_ column: Int?) throws(CSVError) -> Double? {
                guard let column, !records.bytes(fields[column]).isEmpty else { return nil }
                return try CSVTable.number(records, fields[column], column: names[column])
            }
            let bid = try optional(layout.bid)
            let ask = try optional(layout.ask)
            var price = try optional(layout.price)
            if price == nil, let bid, let ask { price = (bid + ask) / 2 }
            guard let price else {
                throw records.error("no price: the price field is empty and the row has no bid and ask")
            }
            let seq = (seqBySymbol[symbol] ?? 0) + 1
            let tick = Tick(
                symbol: symbol, ts: ts, price: price, size: try optional(layout.size), bid: bid, ask: ask, seq: seq)
            payload.removeAll(keepingCapacity: true)
            if command.encoding == "json" {
                WireCodec.encodeJSON(.tick(tick), into: &payload)
            } else {
                WireCodec.encodeBinary(.tick(tick), into: &payload)
            }
            let topic = Array("tick.\(symbol)".utf8)
            do {
                _ = try codec.decode(topic: topic, payload: payload)
            } catch {
                throw records.error("the row makes no valid tick: \(error.description)")
            }
            seqBySymbol[symbol] = seq
            firstTime = min(firstTime ?? ts, ts)
            lastTime = max(lastTime ?? ts, ts)
            emit(topic, payload, ts)
            rows += 1
        }
        guard rows > 0 else {
            throw CSVError(path: records.path, line: records.recordLine + 1, reason: "no data rows to import")
        }
    }

    private func layout(_ names: [String], _ records: CSVRecordReader) throws(CSVError) -> Layout {
        func index(_ name: String?, _ role: String) throws(CSVError) -> Int? {
            guard let name else { return nil }
            guard let i = names.firstIndex(of: name) else {
                throw records.error("no \(role) column '\(name)' (columns: \(abbreviatedList(names)))")
            }
            return i
        }
        var layout = Layout(time: 0)
        layout.symbol =
            try index(command.symbolColumn, "symbol")
            ?? names.firstIndex { CSVColumns.symbolNames.contains($0.lowercased()) }
        if layout.symbol == nil && command.symbol == nil {
            throw records.error(
                "no symbol column (none is named symbol or ticker): name it with --symbol-column, "
                    + "or give the file's symbol with --symbol")
        }
        layout.price = try index(command.priceColumn, "price") ?? names.firstIndex { $0.lowercased() == "price" }
        layout.bid = try index(command.bidColumn, "bid")
        layout.ask = try index(command.askColumn, "ask")
        layout.size = try index(command.sizeColumn, "size") ?? names.firstIndex { $0.lowercased() == "size" }
        guard layout.price != nil || layout.bid != nil else {
            throw records.error(
                "no price column (none is named price): name it with --price-column, or give "
                    + "--bid-column and --ask-column")
        }
        guard
            let time = try index(command.timeColumn, "time")
                ?? names.firstIndex(where: {
                    CSVColumns.timeNames.contains($0.lowercased())
                })
        else {
            throw records.error("no time column (none is named like a time): name it with --time-column")
        }
        layout.time = time
        return layout
    }
}

import Foundation
import Testing

/// `backtest` and `evaluate` on files as people have them: Yahoo downloads, CRLF and a byte-order mark,
/// quoted fields, several symbols in one file, times in every common notation.
@Suite struct RealFilesTests {
    typealias TempFile = EvaluateCommandTests.TempFile

    /// Consecutive calendar days from 1999-01-04, as (ISO 8601, M/D/YYYY) texts.
    static func days(_ count: Int) -> [(iso: String, us: String)] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: 1999, month: 1, day: 4))!
        return (0..<count).map { i in
            let c = calendar.dateComponents(
                [.year, .month, .day], from: calendar.date(byAdding: .day, value: i, to: start)!)
            let iso = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            return (iso, "\(c.month!)/\(c.day!)/\(c.year!)")
        }
    }

    /// A Yahoo-style file (`Date,Open,High,Low,Close,Adj Close,Volume`) of `prices` in "Adj Close".
    static func yahoo(_ prices: [Double], usDates: Bool, lineEnd: String = "\n") -> String {
        var text = "Date,Open,High,Low,Close,Adj Close,Volume" + lineEnd
        for (price, day) in zip(prices, days(prices.count)) {
            let date = usDates ? day.us : day.iso
            text +=
                "\(date),\(price * 0.99),\(price * 1.01),\(price * 0.98),\(price * 1.001),\(price),1234500\(lineEnd)"
        }
        return text
    }

    static func backtestJSON(_ arguments: [String]) throws -> [String: Any] {
        let output = try CLI.run(["backtest", "--json"] + arguments)
        #expect(output.status == 0, "\(output.stderr)")
        return try BacktestCommandTests.json(output.stdout)
    }

    @Test(arguments: [false, true])
    func yahooFileBacktestsAsIs(usDates: Bool) throws {
        let (plain, prices) = BacktestCommandTests.walk(count: 700, seed: 5)
        let reference = try TempFile("plain.csv", contents: plain)
        defer { reference.cleanUp() }
        let file = try TempFile(
            "NDAQ.csv", contents: Self.yahoo(prices, usDates: usDates, lineEnd: usDates ? "\r\n" : "\n"))
        defer { file.cleanUp() }
        let expected = try Self.backtestJSON(["--csv", reference.path, "--price-column", "price"])
        let got = try Self.backtestJSON([
            "--csv", file.path, "--price-column", "Adj Close", "--time-column", "Date", "--confidence", "0.99",
        ])
        #expect(got["observations"] as? Int == 449)
        #expect(got["breaches"] as? Int == expected["breaches"] as? Int)
        #expect(got["kupiec_lr"] as? Double == expected["kupiec_lr"] as? Double)
    }

    @Test func byteOrderMarkCRLFAndQuotedFields() throws {
        // Targets 1, 2, 4, 7, 11 (as EvaluateCommandTests.table): naive at delay 0 has MAE 11/5. The
        // note column holds quoted commas, doubled quotes and a line break; the header names are quoted.
        let rows = [
            "10,1,\"plain\"", "20,\"2\",\"a, b\"", "30,4,\"say \"\"hi\"\"\"", "40,7,\"two\r\nlines\"", "50,11,",
        ]
        let contents = "\u{FEFF}\"x\",\"target\",\"note, free text\"\r\n" + rows.joined(separator: "\r\n") + "\r\n"
        let file = try TempFile(contents: contents)
        defer { file.cleanUp() }
        let ok = try CLI.run([
            "evaluate", "--csv", file.path, "--model", "naive", "--ignore-column", "note, free text", "--json",
        ])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("\"mae\":2.2,"), "\(ok.stdout)")
        #expect(ok.stdout.contains("\"rows\":5,") && ok.stdout.contains("\"features\":1,"))
        // Without --ignore-column the note is a feature and not a number: the error names the line.
        let refused = try CLI.run(["evaluate", "--csv", file.path, "--model", "naive"])
        #expect(refused.status == 65)
        #expect(
            refused.stderr.contains(
                "\(file.path):2: non-numeric value 'plain' in column 'note, free text' (not a feature? leave it out "
                    + "with --ignore-column 'note, free text')"), "\(refused.stderr)")
        // A bad value after the two-line field is reported on its own line (7, not 6).
        let shifted = try TempFile(contents: contents.replacingOccurrences(of: "50,11,", with: "50,x,"))
        defer { shifted.cleanUp() }
        let late = try CLI.run([
            "evaluate", "--csv", shifted.path, "--model", "naive", "--ignore-column", "note, free text",
        ])
        #expect(late.stderr.contains("\(shifted.path):7: non-numeric value 'x' in column 'target'"), "\(late.stderr)")
    }

    @Test func severalSymbolsAreReadOneAtATime() throws {
        let (aaplCSV, aapl) = BacktestCommandTests.walk(count: 400, seed: 1)
        let (googCSV, goog) = BacktestCommandTests.walk(count: 500, seed: 2)
        _ = aaplCSV
        let dates = Self.days(500)
        var text = "ticker,date,open,adj_close\n"
        for (i, p) in aapl.enumerated() { text += "AAPL,\(dates[i].iso),1,\(p)\n" }
        for (i, p) in goog.enumerated() { text += "GOOG,\(dates[i].iso),1,\(p)\n" }
        let file = try TempFile("stocks.csv", contents: text)
        defer { file.cleanUp() }
        let alone = try TempFile("goog.csv", contents: googCSV)
        defer { alone.cleanUp() }
        let expected = try Self.backtestJSON(["--csv", alone.path, "--price-column", "price", "--warm-up", "100"])
        let got = try Self.backtestJSON([
            "--csv", file.path, "--price-column", "adj_close", "--time-column", "date", "--symbol", "GOOG",
            "--warm-up", "100",
        ])
        #expect(got["observations"] as? Int == 399)
        #expect(got["breaches"] as? Int == expected["breaches"] as? Int)

        let mixed = try CLI.run(["backtest", "--csv", file.path, "--price-column", "adj_close"])
        #expect(mixed.status == 65)
        #expect(
            mixed.stderr.contains(
                "\(file.path):402: several symbols in column 'ticker' ('AAPL' on line 2, 'GOOG' here): choose one "
                    + "with --symbol"), "\(mixed.stderr)")
        let missing = try CLI.run(["backtest", "--csv", file.path, "--price-column", "adj_close", "--symbol", "MSFT"])
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("no rows for symbol 'MSFT' in column 'ticker' (symbols: AAPL, GOOG)"))
        // The symbol column can be named, and then it is not a feature of evaluate either.
        let renamed = try TempFile("renamed.csv", contents: text.replacingOccurrences(of: "ticker,", with: "name,"))
        defer { renamed.cleanUp() }
        let evaluated = try CLI.run([
            "evaluate", "--csv", renamed.path, "--target", "adj_close", "--symbol", "AAPL", "--symbol-column", "name",
            "--model", "naive",
        ])
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        #expect(evaluated.stdout.contains("rows         400"))
        #expect(evaluated.stdout.contains("features     1 (open)"), "\(evaluated.stdout)")
        #expect(evaluated.stdout.contains("symbol       AAPL (column name)"))
    }

    struct TimeCase: Sendable, CustomTestStringConvertible {
        var values: [String]
        var format: String
        var testDescription: String { "\(format): \(values[0])" }
    }

    /// The same instants (2024-01-02 09:00:00 UTC and 1.5 s later) in every notation; a later one first
    /// would go backwards, so the order check sees the parsed instants.
    @Test(arguments: [
        TimeCase(values: ["1704186000", "1704186001.5"], format: "epoch s"),
        TimeCase(values: ["1704186000000", "1704186001500"], format: "epoch ms"),
        TimeCase(values: ["1704186000000000", "1704186001500000"], format: "epoch µs"),
        TimeCase(values: ["1704186000000000000", "1704186001500000000"], format: "epoch ns"),
        TimeCase(values: ["2024-01-02T09:00:00Z", "2024-01-02 09:00:01.5"], format: "ISO 8601"),
        TimeCase(values: ["2024-01-02T11:00:00+02:00", "2024-01-02T04:00:01.500-0500"], format: "ISO 8601"),
        TimeCase(values: ["1/2/2024 9:00", "1/2/2024 09:00:01.5"], format: "M/D/YYYY"),
    ])
    func timeNotationsAndUnits(_ c: TimeCase) throws {
        let forward = try TempFile(contents: "ts,x,target\n\(c.values[0]),1,1\n\(c.values[1]),2,2\n")
        defer { forward.cleanUp() }
        let ok = try CLI.run(["evaluate", "--csv", forward.path, "--model", "naive"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("time column  ts (found by name, not a feature; \(c.format))"), "\(ok.stdout)")
        #expect(ok.stdout.contains("features     1 (x)"))
        // The later instant first, the earlier second: backwards whatever the notation of each.
        let backward = try TempFile(contents: "ts,x,target\n\(c.values[1]),1,1\n\(c.values[0]),2,2\n")
        defer { backward.cleanUp() }
        let refused = try CLI.run(["evaluate", "--csv", backward.path, "--model", "naive"])
        #expect(refused.status == 65)
        #expect(
            refused.stderr.contains(
                "\(backward.path):3: time goes backwards in column 'ts' ('\(c.values[0])' after '\(c.values[1])'); "
                    + "taken as the time by its name (--time-column none: a feature)"),
            "\(refused.stderr)")
    }

    @Test(arguments: ["2024-13-01", "2/30/2024", "1/2/24", "12:00", "2024-01-02T25:00", "yesterday", "1e9"])
    func notATimeExits65(value: String) throws {
        let file = try TempFile("prices.csv", contents: "Date,Close\n1/1/2024,100\n\(value),101\n")
        defer { file.cleanUp() }
        let output = try CLI.run(["backtest", "--csv", file.path, "--price-column", "Close", "--time-column", "Date"])
        #expect(output.status == 65)
        #expect(output.stderr.contains("\(file.path):3: not a time '\(value)' in column 'Date'"), "\(output.stderr)")
    }

    @Test func backtestTimeGoesBackwardsOnUSDates() throws {
        let file = try TempFile(
            "prices.csv", contents: "Date,Close\r\n1/5/1999,100\r\n1/6/1999,101\r\n1/4/1999,102\r\n")
        defer { file.cleanUp() }
        let output = try CLI.run(["backtest", "--csv", file.path, "--price-column", "Close", "--time-column", "Date"])
        #expect(output.status == 65)
        #expect(
            output.stderr.contains(
                "\(file.path):4: time goes backwards in column 'Date' ('1/4/1999' after '1/6/1999')"),
            "\(output.stderr)")
    }

    /// A time column is never a feature: the same table with and without a timestamp column gives the
    /// same sgd figures, whether the column is found by name or named.
    @Test func timeColumnIsNeverAFeature() throws {
        let (_, prices) = BacktestCommandTests.walk(count: 300, seed: 4)
        var with = "timestamp,a,b,target\n"
        var without = "a,b,target\n"
        for i in 2..<prices.count {
            let row = "\(prices[i - 1]),\(prices[i - 2]),\(prices[i])"
            with += "\(1_704_186_000_000 + Int64(i) * 60_000),\(row)\n"
            without += row + "\n"
        }
        let a = try TempFile(contents: with)
        defer { a.cleanUp() }
        let b = try TempFile(contents: without)
        defer { b.cleanUp() }
        let reference = try CLI.run(["evaluate", "--csv", b.path, "--model", "sgd", "--json"])
        let detected = try CLI.run(["evaluate", "--csv", a.path, "--model", "sgd", "--json"])
        #expect(reference.status == 0 && detected.status == 0, "\(detected.stderr)")
        func mae(_ text: String) -> Double? { BacktestCommandTests.number(text, "mae") }
        #expect(mae(detected.stdout) == mae(reference.stdout))
        #expect(detected.stdout.contains("\"features\":2,\"time_column\":\"timestamp\""), "\(detected.stdout)")
        // Asked for: `--time-column none` makes it a feature, and the figures change.
        let asked = try CLI.run(["evaluate", "--csv", a.path, "--model", "sgd", "--json", "--time-column", "none"])
        #expect(asked.stdout.contains("\"features\":3,\"time_column\":null"), "\(asked.stdout)")
        #expect(mae(asked.stdout) != mae(reference.stdout))
        // Other columns left out by name are left out the same way.
        let ignored = try CLI.run(["evaluate", "--csv", a.path, "--model", "sgd", "--ignore-column", "b"])
        #expect(ignored.stdout.contains("features     1 (a)"), "\(ignored.stdout)")
        #expect(ignored.stdout.contains("ignored      b"))
        let typo = try CLI.run(["evaluate", "--csv", a.path, "--model", "sgd", "--ignore-column", "c"])
        #expect(typo.status == 65)
        #expect(typo.stderr.contains(":1: no --ignore-column column 'c' (columns: timestamp, a, b, target)"))
    }

    /// `--out` has one row per scored return, its breaches are the ones printed, and --warm-up moves
    /// the first scored row.
    @Test func outFileMatchesThePrintedBacktest() throws {
        let (_, prices) = BacktestCommandTests.walk(count: 900, seed: 8)
        let file = try TempFile("NDAQ.csv", contents: Self.yahoo(prices, usDates: false))
        defer { file.cleanUp() }
        let out = file.sibling("observations.csv")
        let figures = try Self.backtestJSON([
            "--csv", file.path, "--price-column", "Adj Close", "--time-column", "Date", "--warm-up", "120",
            "--method", "t", "--out", out,
        ])
        let observations = try #require(figures["observations"] as? Int)
        let breaches = try #require(figures["breaches"] as? Int)
        #expect(observations == 899 - 120)
        #expect(breaches > 0)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "time,price,return,var,es,breach")
        #expect(lines.count == observations + 1)
        let rows = lines.dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(rows.reduce(0) { $0 + Int($1[5])! } == breaches)
        let days = Self.days(prices.count)
        // The first scored return is the 121st: it ends at price index 121.
        #expect(rows[0][0] == days[121].iso && Double(rows[0][1]) == prices[121])
        for row in rows {
            let r = Double(row[2])!
            let valueAtRisk = Double(row[3])!
            let es = Double(row[4])!
            #expect(valueAtRisk > 0 && es >= valueAtRisk)
            #expect((r < -valueAtRisk) == (row[5] == "1"))
        }
        #expect(
            abs(rows.map { Double($0[3])! }.reduce(0, +) / Double(observations) - (figures["mean_var"] as! Double))
                < 1e-12)
    }

    @Test func errorMessagesNeverEchoALongLine() throws {
        let long = String(repeating: "y", count: 500)
        let file = try TempFile(contents: "x,target\n1,2\n\(long),3\n")
        defer { file.cleanUp() }
        let output = try CLI.run(["evaluate", "--csv", file.path, "--model", "naive"])
        #expect(output.status == 65)
        #expect(output.stderr.contains(":3: non-numeric value 'yyyy"), "\(output.stderr)")
        #expect(output.stderr.count < file.path.count + 200, "\(output.stderr.count)")
        let wide = try TempFile(contents: (0..<80).map { "column\($0)" }.joined(separator: ",") + "\n")
        defer { wide.cleanUp() }
        let header = try CLI.run(["evaluate", "--csv", wide.path, "--model", "naive"])
        #expect(header.status == 65)
        #expect(header.stderr.contains("(80 in all)"))
        #expect(header.stderr.count < wide.path.count + 200, "\(header.stderr)")
    }
}

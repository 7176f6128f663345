import Foundation
import Testing

/// Files as they come from the wild, or from someone hostile, through the commands that read CSV
/// (issue 10): wide headers in linear time, every line ending, short one-line error messages, absurd
/// prices refused, and only the README's exit codes.
@Suite struct HostileFilesTests {
    typealias TempFile = EvaluateCommandTests.TempFile

    /// 200,000 columns: linear reading takes about a second; the quadratic duplicate check it replaces
    /// (each name compared with every name before it) took minutes (80,000 columns: 210 s in debug), so
    /// it would run past the limit by a wide margin.
    @Test func aWideHeaderIsReadInLinearTime() throws {
        let width = 200_000
        let header = "price," + (1..<width).map { "c\($0)" }.joined(separator: ",")
        let row = { (price: Int) in "\(price)," + String(repeating: "1,", count: width - 2) + "1" }
        let file = try TempFile("wide.csv", contents: ([header] + (100..<105).map(row)).joined(separator: "\n") + "\n")
        defer { file.cleanUp() }
        let output = try CLI.run(
            ["backtest", "--csv", file.path, "--price-column", "price", "--warm-up", "1", "--json"], within: 120)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("\"observations\":"))
    }

    static let prices = (0..<300).map { "\(1_700_000_000 + $0),\(100 + Double($0 % 7) * 0.25)" }

    /// LF, CRLF and a lone CR end lines alike, with or without a byte-order mark: the same figures.
    @Test(arguments: [("\n", ""), ("\r\n", ""), ("\r", ""), ("\r", "\u{FEFF}"), ("\r\n", "\u{FEFF}")])
    func everyLineEndingReadsTheSame(ending: String, bom: String) throws {
        let reference = try TempFile("lf.csv", contents: "ts,price\n" + Self.prices.joined(separator: "\n") + "\n")
        defer { reference.cleanUp() }
        let variant = try TempFile(
            "variant.csv", contents: bom + "ts,price" + ending + Self.prices.joined(separator: ending) + ending)
        defer { variant.cleanUp() }
        let arguments = ["--price-column", "price", "--time-column", "ts", "--json"]
        let expected = try CLI.run(["backtest", "--csv", reference.path] + arguments)
        let output = try CLI.run(["backtest", "--csv", variant.path] + arguments)
        #expect(expected.status == 0, "\(expected.stderr)")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == expected.stdout)
    }

    /// A CR-only file's lines are numbered as lines, in errors too.
    @Test func crOnlyErrorsNameTheLine() throws {
        let file = try TempFile("cr.csv", contents: "ts,price\r1,100\r2,abc\r3,101\r")
        defer { file.cleanUp() }
        let output = try CLI.run(["backtest", "--csv", file.path, "--price-column", "price"])
        #expect(output.status == 65)
        #expect(output.stderr.contains("\(file.path):3: non-numeric value 'abc' in column 'price'"), "\(output.stderr)")
    }

    struct Hostile: Sendable, CustomTestStringConvertible {
        var name: String
        var contents: String
        var shows: String
        var testDescription: String { name }
    }

    static let huge = String(repeating: "x\r\ny ", count: 20_000)

    /// Text from the file appears in a message only as a short excerpt (≤ 40 characters and `…`), with
    /// control characters escaped: one short line on stderr whatever the file holds.
    @Test(arguments: [
        Hostile(
            name: "a quoted value of 80 KB with line breaks", contents: "price\n\"\(huge)\"\n",
            shows: "non-numeric value 'x\\r\\ny x\\r\\ny "),
        Hostile(
            name: "a duplicated 80 KB header name", contents: "\"\(huge)\",price,\"\(huge)\"\n1,2,3\n",
            shows: "duplicate column 'x\\r\\ny x\\r\\ny "),
        Hostile(
            name: "terminal escapes in a value", contents: "price\n100\n\u{1B}[2J\u{07}\n",
            shows: "non-numeric value '\\u{1B}[2J\\u{7}'"),
        Hostile(
            name: "a symbol column of junk",
            contents: "symbol,price\n\"\(huge)\",1\nB\u{1B},2\n", shows: "several symbols in column 'symbol' ('x\\r\\n"),
    ])
    func messagesShowShortOneLineExcerpts(hostile: Hostile) throws {
        let file = try TempFile("hostile.csv", contents: hostile.contents)
        defer { file.cleanUp() }
        let output = try CLI.run(["backtest", "--csv", file.path, "--price-column", "price"])
        #expect(output.status == 65)
        #expect(output.stderr.contains(hostile.shows), "\(output.stderr.prefix(500))")
        #expect(output.stderr.utf8.count < 400, "\(output.stderr.prefix(500))")
        #expect(output.stderr.split(separator: "\n").count == 1)
        #expect(!output.stderr.contains("\u{1B}") && !output.stderr.contains("\r"))
    }

    /// A doubled quote followed by a combining mark is still an escaped quote (as Characters, `"` plus
    /// U+0348 is one Character that is not `"`; found by the CSV fuzzer).
    @Test func anEscapedQuoteBeforeACombiningMarkIsUnescaped() throws {
        let name = "t\"\u{348}x"
        let file = try TempFile(contents: "\"t\"\"\u{348}x\",f\n1,2\n3,4\n5,6\n")
        defer { file.cleanUp() }
        let output = try CLI.run(["evaluate", "--csv", file.path, "--target", name, "--model", "naive", "--json"])
        #expect(output.status == 0, "\(output.stderr)")
    }

    /// `score` names a line's unknown type as an excerpt too, not the sender's whole string.
    @Test func scoreShowsAnUnknownTypeAsAnExcerpt() throws {
        let start = #"{"type":"start","ts":1000000000000,"symbols":["AAA"],"regime":"normal"}"#
        let junk = #"{"type":"\u001b[2J"# + String(repeating: "x", count: 5_000) + #"","ts":1000000000001}"#
        let output = try ScoreCommandTests().score(truth: start + "\n" + junk + "\n")
        #expect(output.status == 65)
        #expect(output.stderr.contains("truth.jsonl:2: unknown type '\\u{1B}[2Jxxx"), "\(output.stderr.prefix(300))")
        #expect(output.stderr.utf8.count < 400 && !output.stderr.contains("\u{1B}"), "\(output.stderr.prefix(300))")
    }

    /// Prices a thousand times apart from one line to the next (±1e155 junk, or a ratio that overflows
    /// to infinity) are bad data, refused with the file, line and column, not scored as returns.
    @Test(arguments: [
        ("1e155", "1e-155", "price 1e-155 in column 'price' after 1e+155 (line 2)"),
        ("1e300", "1e-300", "price 1e-300 in column 'price' after 1e+300 (line 2)"),
        ("1", "1000.5", "price 1000.5 in column 'price' after 1.0 (line 2)"),
    ])
    func absurdPriceStepsExit65(first: String, second: String, reason: String) throws {
        let rows = (0..<350).map { $0 % 2 == 0 ? first : second }
        let file = try TempFile("absurd.csv", contents: "price\n" + rows.joined(separator: "\n") + "\n")
        defer { file.cleanUp() }
        let output = try CLI.run(["backtest", "--csv", file.path, "--price-column", "price"])
        #expect(output.status == 65)
        #expect(output.stderr.contains("\(file.path):3: \(reason): a step over 1000× either way"), "\(output.stderr)")
        #expect(output.stdout.isEmpty)
    }

    /// A step just inside the bound is a (wild) return, scored.
    @Test func aStepJustInsideTheBoundIsScored() throws {
        let rows = (0..<300).map { $0 == 280 ? "99900" : "100" }
        let file = try TempFile("wild.csv", contents: "price\n" + rows.joined(separator: "\n") + "\n")
        defer { file.cleanUp() }
        let output = try CLI.run(["backtest", "--csv", file.path, "--price-column", "price", "--json"])
        #expect(output.status == 0, "\(output.stderr)")
    }

    /// An output file that cannot be written is bad input (65), as the README's table says, for every
    /// command that writes one.
    @Test(arguments: [
        ["synth", "--rows", "10", "--out", "/nonexistent/folder/out.csv"],
        ["synth", "--prices", "--symbol", "AAPL", "--events", "100", "--out", "/nonexistent/folder/out.csv"],
    ])
    func unwritableOutputExits65(arguments: [String]) throws {
        let output = try CLI.run(arguments)
        #expect(output.status == 65, "\(output.stderr)")
        #expect(output.stderr.contains("cannot write /nonexistent/folder/out.csv"), "\(output.stderr)")
    }

    @Test func unwritableBacktestOutputExits65() throws {
        let file = try TempFile("prices.csv", contents: "ts,price\n" + Self.prices.joined(separator: "\n") + "\n")
        defer { file.cleanUp() }
        let output = try CLI.run([
            "backtest", "--csv", file.path, "--price-column", "price", "--out", "/nonexistent/folder/out.csv",
        ])
        #expect(output.status == 65, "\(output.stderr)")
        #expect(output.stderr.contains("cannot write"), "\(output.stderr)")
    }
}

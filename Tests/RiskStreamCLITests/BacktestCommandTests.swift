import Foundation
import RiskModels
import Testing

/// `riskstream backtest` and `riskstream synth --prices`, run as an operator would, on real files.
@Suite struct BacktestCommandTests {
    typealias TempFile = EvaluateCommandTests.TempFile

    /// A seeded random walk with a volatility that doubles for the middle third, as `ts,price` text, and
    /// its prices (which the file round-trips exactly: Swift prints the shortest round-trip form).
    static func walk(count: Int, seed: UInt64) -> (csv: String, prices: [Double]) {
        var state = seed
        func uniform() -> Double {  // SplitMix64
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return (Double((z ^ (z >> 31)) >> 11) + 0.5) / 9_007_199_254_740_992
        }
        var prices = [100.0]
        var csv = "ts,price\n1000,100.0\n"
        for i in 1..<count {
            let sigma = i > count / 3 && i < 2 * count / 3 ? 0.02 : 0.01
            let z = (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
            let price = prices[i - 1] * exp(sigma * z)
            prices.append(price)
            csv += "\(1000 + i),\(price)\n"
        }
        return (csv, prices)
    }

    static func json(_ output: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
    }

    /// A number field of the one-line JSON object read with Swift's own parser, which round-trips the
    /// printed shortest form exactly (Foundation's JSON parser can be an ulp off).
    static func number(_ output: String, _ key: String) -> Double? {
        guard let start = output.range(of: "\"\(key)\":")?.upperBound else { return nil }
        let end = output[start...].firstIndex { $0 == "," || $0 == "}" } ?? output.endIndex
        return Double(output[start..<end])
    }

    /// The figures `backtest --json` prints are the library's: the same forecaster, the same loop.
    @Test(arguments: VaRMethod.allCases)
    func figuresMatchTheLibrary(method: VaRMethod) throws {
        let (csv, prices) = Self.walk(count: 1500, seed: 3)
        let file = try TempFile("prices.csv", contents: csv)
        defer { file.cleanUp() }
        let output = try CLI.run([
            "backtest", "--csv", file.path, "--price-column", "price", "--time-column", "ts", "--method",
            method.rawValue, "--confidence", "0.975", "--json",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let figures = try Self.json(output.stdout)

        // The same computation through RiskModels: warm-up 250 returns, forecast before each return.
        var forecaster = method.makeForecaster(confidence: 0.975, warmupReturns: 250)
        var backtest = VaRBacktest(confidence: 0.975)
        var shortfall = ExpectedShortfallBacktest(confidence: 0.975)
        for i in 1..<prices.count {
            let r = log(prices[i] / prices[i - 1])
            if let f = forecaster.forecast() {
                backtest.record(breach: f.isBreached(by: r))
                shortfall.record(return: r, forecast: f)
            }
            forecaster.observe(return: r)
        }
        #expect(backtest.observations == 1499 - 250)
        #expect(figures["method"] as? String == method.rawValue)
        #expect(figures["observations"] as? Int == backtest.observations)
        #expect(figures["breaches"] as? Int == backtest.breaches)
        #expect(Self.number(output.stdout, "expected_breaches") == backtest.expectedBreaches)
        #expect(Self.number(output.stdout, "breach_rate") == backtest.breachRate)
        #expect(Self.number(output.stdout, "kupiec_lr") == backtest.kupiec.statistic)
        #expect(Self.number(output.stdout, "kupiec_p") == backtest.kupiec.pValue)
        #expect(Self.number(output.stdout, "christoffersen_lr") == backtest.christoffersen.statistic)
        #expect(Self.number(output.stdout, "christoffersen_p") == backtest.christoffersen.pValue)
        #expect(Self.number(output.stdout, "conditional_coverage_p") == backtest.conditionalCoverage.pValue)
        #expect(figures["basel_zone"] as? String == backtest.baselZone.rawValue)
        #expect(figures["basel_breaches"] as? Int == backtest.recentBreaches)
        #expect(figures["basel_observations"] as? Int == 250)
        #expect(Self.number(output.stdout, "es_mcneil_frey_p") == shortfall.mcNeilFrey().pValue)
        #expect(Self.number(output.stdout, "es_acerbi_szekely_z2") == shortfall.acerbiSzekely().meanResidual)
        #expect(Self.number(output.stdout, "es_acerbi_szekely_p") == shortfall.acerbiSzekely().pValue)
        #expect(backtest.breaches > 0)
    }

    @Test func textReportsTheSameFigures() throws {
        let (csv, _) = Self.walk(count: 800, seed: 9)
        let file = try TempFile("prices.csv", contents: csv)
        defer { file.cleanUp() }
        let text = try CLI.run(["backtest", "--csv", file.path, "--price-column", "price", "--method", "t"])
        let json = try CLI.run(["backtest", "--csv", file.path, "--price-column", "price", "--method", "t", "--json"])
        #expect(text.status == 0 && json.status == 0)
        let figures = try Self.json(json.stdout)
        let breaches = try #require(figures["breaches"] as? Int)
        let zone = try #require(figures["basel_zone"] as? String)
        let basel = try #require(figures["basel_breaches"] as? Int)
        #expect(text.lines.contains("observations          549 (after a warm-up of 250 returns)"), "\(text.stdout)")
        #expect(text.lines.contains("actual breaches       \(breaches)"))
        #expect(text.lines.contains("Basel zone            \(zone) (\(basel) breaches in the last 250)"))
        #expect(text.stdout.contains("Kupiec POF            LR "))
        #expect(text.stdout.contains("Christoffersen ind.   LR "))
        #expect(text.stdout.contains("ES McNeil–Frey        mean (L−ES)/ES "))
        #expect(text.stdout.contains("ES Acerbi–Székely Z2  "))
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        var contents: String
        var arguments: [String]
        var line: Int
        var reason: String
        var testDescription: String { "line \(line): \(reason)" }
    }

    static let rows = (1...300).map { "\($0),\(100 + Double($0 % 7))" }.joined(separator: "\n")

    @Test(arguments: [
        BadInput(
            contents: "ts,price\n1,100\n2,-3\n", arguments: [], line: 3,
            reason: "non-positive price -3.0 in column 'price'"),
        BadInput(contents: "ts,price\n1,100\n2,0\n", arguments: [], line: 3, reason: "non-positive price 0.0"),
        BadInput(contents: "ts,close\n1,100\n", arguments: [], line: 1, reason: "no target column 'price'"),
        BadInput(
            contents: "t,price\n1,100\n", arguments: ["--time-column", "ts"], line: 1, reason: "no time column 'ts'"),
        BadInput(
            contents: "ts,price\n1,100\n3,101\n2,102\n", arguments: ["--time-column", "ts"], line: 4,
            reason: "time goes backwards in column 'ts' ('2' after '3')"),
        BadInput(contents: "ts,price\n1,100\n2,abc\n", arguments: [], line: 3, reason: "non-numeric value 'abc'"),
        BadInput(contents: "ts,price\n1,100\n2\n", arguments: [], line: 3, reason: "1 fields; the header has 2"),
        BadInput(contents: "ts,price\n", arguments: [], line: 2, reason: "no data rows"),
    ])
    func badInputExits65WithFileAndLine(bad: BadInput) throws {
        let file = try TempFile("prices.csv", contents: bad.contents)
        defer { file.cleanUp() }
        let output = try CLI.run(["backtest", "--csv", file.path, "--price-column", "price"] + bad.arguments)
        #expect(output.status == 65)
        #expect(output.stderr.contains("\(file.path):\(bad.line): \(bad.reason)"), "\(output.stderr)")
        #expect(output.stdout.isEmpty)
    }

    @Test func tooShortForTheWarmUpExits65() throws {
        let file = try TempFile("prices.csv", contents: "ts,price\n" + Self.rows + "\n")
        defer { file.cleanUp() }
        // 300 prices give 299 returns: 49 scored. 251 prices would give 0.
        let ok = try CLI.run(["backtest", "--csv", file.path, "--price-column", "price", "--json"])
        #expect(ok.status == 0)
        #expect(try Self.json(ok.stdout)["observations"] as? Int == 49)
        let short = try TempFile(
            "short.csv", contents: "ts,price\n" + Self.rows.split(separator: "\n").prefix(251).joined(separator: "\n"))
        defer { short.cleanUp() }
        let output = try CLI.run(["backtest", "--csv", short.path, "--price-column", "price"])
        #expect(output.status == 65)
        #expect(output.stderr.contains("251 prices give 250 returns"), "\(output.stderr)")
    }

    @Test(arguments: [
        ["--confidence", "1"], ["--confidence", "0"], ["--confidence", "abc"], ["--method", "garch"],
        ["--price-column"], ["--bogus"],
    ])
    func badFlagsExit64(flags: [String]) throws {
        let file = try TempFile("prices.csv", contents: "ts,price\n" + Self.rows + "\n")
        defer { file.cleanUp() }
        let base =
            flags == ["--price-column"]
            ? ["backtest", "--csv", file.path] : ["backtest", "--csv", file.path, "--price-column", "price"]
        let output = try CLI.run(base + flags)
        #expect(output.status == 64, "\(output.stderr)")
        #expect(output.stdout.isEmpty)
    }

    @Test func synthPricesIsADeterministicPriceSeries() throws {
        let file = try TempFile("prices.csv")
        defer { file.cleanUp() }
        let again = file.sibling("again.csv")
        let other = file.sibling("other.csv")
        for (path, seed) in [(file.path, "7"), (again, "7"), (other, "8")] {
            let output = try CLI.run([
                "synth", "--prices", "--symbol", "MSFT", "--events", "6000", "--seed", seed, "--out", path,
            ])
            #expect(output.status == 0, "\(output.stderr)")
        }
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        #expect(text == (try String(contentsOfFile: again, encoding: .utf8)))
        #expect(text != (try String(contentsOfFile: other, encoding: .utf8)))
        let lines = text.split(separator: "\n")
        #expect(lines.first == "ts,price")
        // Six symbols tick in turn (news aside): MSFT gets about a sixth of the events.
        #expect(lines.count > 800 && lines.count < 1100, "\(lines.count)")
        var previous = Int64.min
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",")
            let ts = try #require(Int64(fields[0]))
            let price = try #require(Double(fields[1]))
            #expect(ts > previous && price > 300 && price < 550)
            previous = ts
        }
        // And it backtests.
        let backtest = try CLI.run(["backtest", "--csv", file.path, "--price-column", "price", "--time-column", "ts"])
        #expect(backtest.status == 0, "\(backtest.stderr)")
    }
}

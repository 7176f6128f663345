import ArgumentParser
import CSVReading
import RiskModels

#if canImport(Glibc)
    import Glibc
#endif

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Backtest one-step-ahead Value at Risk on a CSV price series.",
        discussion: """
            Returns are log returns of consecutive prices, r_t = log(p_t / p_(t−1)), in file order. Before \
            each return the method forecasts its VaR from the returns before it (one step ahead), then \
            learns the return; a return below −VaR is a breach. The first --warm-up returns (default \
            \(BacktestRun.defaultWarmupReturns)) warm the method up and are not scored, for every method.

            Methods (Docs/BACKTEST.md):
              ewma         RiskMetrics EWMA σ (λ 0.94), normal
              t            the same σ, unit-variance Student-t, ν = 5
              quantile     SGD quantile regression of r_(t+1)/σ_t (pinball loss)
              model        SGD regression of |r_(t+1)|/σ_t turned into σ, normal
              fhs          EWMA-filtered historical simulation, last 1,000 r_t/σ_t
              garch-fhs    the same with GJR-GARCH(1,1) σ and mean
              garch-t      GJR-GARCH(1,1), Student-t, MLE on the last 2,000 returns,
                           refitted every 50
              garch-skewt  the same with Hansen's skewed-t innovations

            Printed: observations scored, expected and actual breaches, breach rate, Kupiec's \
            proportion-of-failures LR and p-value, Christoffersen's independence LR and p-value, the \
            conditional coverage LR and p-value, and the Basel traffic-light zone of the last 250 scored \
            observations with its breach count, and two tests of ES with one-sided bootstrap p-values \
            (9,999 samples, seed 1): McNeil and Frey's on the breaches (mean exceedance residual \
            (loss − ES)/ES) and Acerbi and Székely's Z2 over every scored observation.

            The CSV has a header row; only the price column (and the time and symbol columns, if any) \
            is read, so a Yahoo-style file (Date,Open,High,Low,Close,Adj Close,Volume) works as it is. \
            Times are ISO 8601 dates or date-times, M/D/YYYY, or epoch s/ms/µs/ns (unit by magnitude, as \
            `evaluate`). A file of several symbols (a `symbol` or `ticker` column) needs --symbol. Fields \
            may be quoted (RFC 4180), lines end in LF, CRLF or CR, a UTF-8 byte-order mark is skipped. A \
            bad CSV, a missing column, a non-positive price, a price over \(Int(PriceSeries.maximumStep)) \
            times (or under 1/\(Int(PriceSeries.maximumStep)) of) the one before it (bad data or an \
            unadjusted split, not a return), or a time going backwards exits 65 with FILE:LINE: reason; \
            nothing is skipped.

            --out writes one CSV row per scored return: time (as written, or the data row number without \
            a time column), price, return, var, es (positive numbers, log return), breach (1 or 0).

            Example:
              riskstream synth --prices --symbol AAPL --events 200000 --out prices.csv
              riskstream backtest --csv prices.csv --price-column price --method t
              riskstream backtest --csv ndaq.csv --price-column "Adj Close" --method fhs
            """
    )

    @Option(help: ArgumentHelp("The CSV file.", valueName: "file"))
    var csv: String

    @Option(help: ArgumentHelp("The price column.", valueName: "column"))
    var priceColumn: String

    @Option(
        help: ArgumentHelp("A time column that must never decrease (checked; --out prints it).", valueName: "column")
    )
    var timeColumn: String?

    @Option(help: ArgumentHelp("Read only this symbol's rows.", valueName: "symbol"))
    var symbol: String?

    @Option(help: ArgumentHelp("The symbol column (default: the one named symbol or ticker).", valueName: "column"))
    var symbolColumn: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Returns that warm the method up before scoring.", valueName: "returns"))
    var warmUp: Int = BacktestRun.defaultWarmupReturns

    @Option(help: ArgumentHelp("Write one CSV row per scored return here, for plotting.", valueName: "file"))
    var out: String?

    @Option(parsing: .unconditional, help: "Confidence level c of the VaR, in (0, 1).")
    var confidence: Double = 0.99

    @Option(help: "Forecasting method: ewma, t, quantile, model, fhs, garch-fhs, garch-t or garch-skewt.")
    var method: String = "ewma"

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard confidence > 0 && confidence < 1 else { throw ValidationError("--confidence must be in (0, 1)") }
        guard warmUp >= 1 else { throw ValidationError("--warm-up must be >= 1") }
        guard VaRMethod(rawValue: method) != nil else {
            throw ValidationError(
                "--method must be one of \(VaRMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let series: PriceSeries
        do {
            series = try PriceSeries.read(
                path: csv,
                columns: CSVColumns(
                    target: priceColumn, readsFeatures: false, time: timeColumn, keepsTimeText: out != nil,
                    symbol: symbol, symbolColumn: symbolColumn))
        } catch {
            throw failure(error.description, ExitStatus.dataError)
        }
        let prices = series.prices
        let run = BacktestRun(
            prices: prices, method: VaRMethod(rawValue: method)!, confidence: confidence, warmupReturns: warmUp,
            recordsObservations: out != nil)
        guard run.backtest.observations > 0 else {
            throw failure(
                "\(csv): \(prices.count) prices give \(max(prices.count - 1, 0)) returns; the backtest scores "
                    + "returns after the first \(warmUp)", ExitStatus.dataError)
        }
        if let out {
            do {
                try writeWholeFile(out, Array(series.observationsCSV(run.observations).utf8))
            } catch {
                throw failure("\(out): cannot write: \(error.description)", ExitStatus.dataError)
            }
        }
        print(json ? run.json : run.text)
    }
}

/// One backtest of one method over a price series: pure, deterministic, no I/O.
struct BacktestRun {
    /// Returns that warm every method up before scoring starts (K), unless `--warm-up` says otherwise.
    static let defaultWarmupReturns = 250

    var method: VaRMethod
    var warmupReturns: Int
    /// One entry per scored return, when asked for (`backtest --out`).
    var observations: [Observation] = []
    private let recordsObservations: Bool
    var backtest: VaRBacktest
    var shortfall: ExpectedShortfallBacktest
    /// Sums of the scored forecasts, for their means.
    var sumVaR = 0.0
    var sumES = 0.0

    /// Runs the method over the log returns of `prices`: forecast, score (after the warm-up), learn.
    /// - Complexity: O(prices.count); O(1) memory beyond the input, plus one `Observation` per scored
    ///   return when `recordsObservations`.
    init(
        prices: [Double], method: VaRMethod, confidence: Double, warmupReturns: Int = defaultWarmupReturns,
        recordsObservations: Bool = false
    ) {
        self.method = method
        self.warmupReturns = warmupReturns
        self.recordsObservations = recordsObservations
        backtest = VaRBacktest(confidence: confidence)
        shortfall = ExpectedShortfallBacktest(confidence: confidence)
        var forecaster = method.makeForecaster(confidence: confidence, warmupReturns: warmupReturns)
        run(&forecaster, prices)
    }

    private mutating func run(_ forecaster: inout some VaRForecaster, _ prices: [Double]) {
        for i in prices.indices.dropFirst() {
            let r = log(prices[i] / prices[i - 1])
            if i > warmupReturns, let f = forecaster.forecast() {
                let breach = f.isBreached(by: r)
                backtest.record(breach: breach)
                shortfall.record(return: r, forecast: f)
                sumVaR += f.valueAtRisk
                sumES += f.expectedShortfall
                if recordsObservations {
                    observations.append(Observation(index: i, return: r, forecast: f, breach: breach))
                }
            }
            forecaster.observe(return: r)
        }
    }

    var meanVaR: Double { backtest.observations > 0 ? sumVaR / Double(backtest.observations) : 0 }
    var meanES: Double { backtest.observations > 0 ? sumES / Double(backtest.observations) : 0 }

    var text: String {
        let b = backtest
        let kupiec = b.kupiec
        let independence = b.christoffersen
        let coverage = b.conditionalCoverage
        let meanBps = "\(formatFixed(meanVaR * 10_000, 2)), \(formatFixed(meanES * 10_000, 2))"
        let basel = "\(b.baselZone.rawValue) (\(b.recentBreaches) breaches in the last \(b.recentObservations))"
        let es = shortfall.mcNeilFrey()
        let z2 = shortfall.acerbiSzekely()
        return """
            method                \(method.rawValue)
            confidence            \(b.confidence)
            observations          \(b.observations) (after a warm-up of \(warmupReturns) returns)
            expected breaches     \(formatFixed(b.expectedBreaches, 2))
            actual breaches       \(b.breaches)
            breach rate           \(formatFixed(b.breachRate * 100, 3))%
            mean VaR, ES          \(meanBps) bps of log return
            Kupiec POF            LR \(formatFixed(kupiec.statistic, 4))  p \(formatFixed(kupiec.pValue, 4))
            Christoffersen ind.   LR \(formatFixed(independence.statistic, 4))  p \(formatFixed(independence.pValue, 4))
            conditional coverage  LR \(formatFixed(coverage.statistic, 4))  p \(formatFixed(coverage.pValue, 4))
            Basel zone            \(basel)
            ES McNeil–Frey        mean (L−ES)/ES \(formatFixed(es.meanResidual, 4))  t \(formatFixed(es.statistic, 4))  p \(formatFixed(es.pValue, 4))
            ES Acerbi–Székely Z2  \(formatFixed(z2.meanResidual, 4))  t \(formatFixed(z2.statistic, 4))  p \(formatFixed(z2.pValue, 4))
            """
    }

    var json: String {
        let b = backtest
        let es = shortfall.mcNeilFrey()
        let z2 = shortfall.acerbiSzekely()
        let fields: [(String, String)] = [
            ("method", "\"\(method.rawValue)\""),
            ("confidence", "\(b.confidence)"),
            ("warmup_returns", "\(warmupReturns)"),
            ("observations", "\(b.observations)"),
            ("expected_breaches", "\(b.expectedBreaches)"),
            ("breaches", "\(b.breaches)"),
            ("breach_rate", "\(b.breachRate)"),
            ("mean_var", "\(meanVaR)"),
            ("mean_es", "\(meanES)"),
            ("kupiec_lr", "\(b.kupiec.statistic)"),
            ("kupiec_p", "\(b.kupiec.pValue)"),
            ("christoffersen_lr", "\(b.christoffersen.statistic)"),
            ("christoffersen_p", "\(b.christoffersen.pValue)"),
            ("conditional_coverage_lr", "\(b.conditionalCoverage.statistic)"),
            ("conditional_coverage_p", "\(b.conditionalCoverage.pValue)"),
            ("basel_zone", "\"\(b.baselZone.rawValue)\""),
            ("basel_breaches", "\(b.recentBreaches)"),
            ("basel_observations", "\(b.recentObservations)"),
            ("es_mean_residual", "\(es.meanResidual)"),
            ("es_mcneil_frey_t", "\(es.statistic)"),
            ("es_mcneil_frey_p", "\(es.pValue)"),
            ("es_acerbi_szekely_z2", "\(z2.meanResidual)"),
            ("es_acerbi_szekely_t", "\(z2.statistic)"),
            ("es_acerbi_szekely_p", "\(z2.pValue)"),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}

extension BacktestRun {
    /// One scored return: the price index it ends at, the return, the forecast made before it, a breach.
    struct Observation {
        var index: Int
        var `return`: Double
        var forecast: RiskForecast
        var breach: Bool
    }
}

/// The prices a backtest reads from a CSV file, with their times as written (for `--out`).
struct PriceSeries {
    var prices: [Double]
    /// Each price's time as written, or empty without a time column.
    var timeTexts: [String]

    /// The largest factor between two consecutive prices (either way) taken as a return. Beyond it the
    /// pair is bad data (a wrong unit, a missing decimal point, an unadjusted split, ±1e155 junk), and
    /// its log return (≥ 6.9, or not even finite) would swamp every estimator after it.
    static let maximumStep = 1_000.0

    /// Reads `columns.target` as prices, checked: every price > 0, each within `maximumStep` times the
    /// one before it, and the time column (if any) never decreasing (`CSVTable` checks it). Nothing is
    /// skipped: a backtest of a series with holes cut into it would not be the series' backtest.
    /// - Throws: `CSVError` with the file, line, column and reason.
    /// - Complexity: O(file size).
    static func read(path: String, columns: CSVColumns) throws(CSVError) -> PriceSeries {
        let table = try CSVTable.read(path: path, columns: columns)
        let column = excerpt(columns.target)
        for (i, price) in table.targets.enumerated() {
            guard price > 0 else {
                throw CSVError(
                    path: path, line: table.lines[i], reason: "non-positive price \(price) in column '\(column)'")
            }
            guard i > 0 else { continue }
            let previous = table.targets[i - 1]
            let step = price / previous
            guard step <= maximumStep && step >= 1 / maximumStep else {
                throw CSVError(
                    path: path, line: table.lines[i],
                    reason: "price \(price) in column '\(column)' after \(previous) (line \(table.lines[i - 1])): a "
                        + "step over \(Int(maximumStep))× either way is bad data, not a return (wrong units, an "
                        + "unadjusted split?)")
            }
        }
        return PriceSeries(prices: table.targets, timeTexts: table.timeTexts)
    }

    /// The `--out` file: a header and one row per observation.
    func observationsCSV(_ observations: [BacktestRun.Observation]) -> String {
        var text = "time,price,return,var,es,breach\n"
        for o in observations {
            let time = timeTexts.isEmpty ? "\(o.index + 1)" : csvField(timeTexts[o.index])
            text += "\(time),\(prices[o.index]),\(o.return),\(o.forecast.valueAtRisk),"
                + "\(o.forecast.expectedShortfall),\(o.breach ? 1 : 0)\n"
        }
        return text
    }

    /// A field quoted as RFC 4180 asks when it holds a comma, a quote or a line break.
    /// - Note: by bytes, not Characters: a quote or comma followed by a combining mark is one Character
    ///   that equals neither, yet a CSV reader sees the quote or the comma.
    private func csvField(_ text: String) -> String {
        let special: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\r")]
        guard text.utf8.contains(where: special.contains) else { return text }
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8 {
            quoted.append(byte)
            if byte == UInt8(ascii: "\"") { quoted.append(byte) }
        }
        quoted.append(UInt8(ascii: "\""))
        return String(decoding: quoted, as: UTF8.self)
    }
}

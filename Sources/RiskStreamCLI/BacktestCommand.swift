import ArgumentParser
import RiskModels

#if canImport(Glibc)
    import Glibc
#endif

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Backtest one-step-ahead Value at Risk on a CSV price series.",
        discussion: """
            Returns are log returns of consecutive prices, r_t = log(p_t / p_(t−1)), in file order. Before
            each return the method forecasts its VaR from the returns before it (one step ahead), then
            learns the return; a return below −VaR is a breach. The first \(BacktestRun.warmupReturns)
            returns warm the method up and are not scored, for every method.

            Methods (Docs/BACKTEST.md):
              ewma      RiskMetrics EWMA σ (λ 0.94, seeded with the mean of the first 20 squared returns), normal
              t         the same σ with a unit-variance Student-t, ν = 5
              quantile  SGD quantile regression (pinball, τ = 1 − c) of r_(t+1)/σ_t on [|r_t|/σ_t, log σ_t, r_t/σ_t]
              model     SGD regression of |r_(t+1)|/σ_t on the same features, turned into σ, normal
              fhs          EWMA-filtered historical simulation: σ_(t+1) × quantile of the last 1,000 r_t/σ_t
              garch-fhs    the same with GJR-GARCH(1,1) σ and mean (Student-t likelihood)
              garch-t      GJR-GARCH(1,1), constant mean, Student-t innovations, MLE on the last 2,000
                           returns refitted every 50
              garch-skewt  the same with Hansen's skewed-t innovations

            Printed: observations scored, expected and actual breaches, breach rate, Kupiec's
            proportion-of-failures LR and p-value, Christoffersen's independence LR and p-value, the
            conditional coverage LR and p-value, and the Basel traffic-light zone of the last 250 scored
            observations with its breach count, and two tests of ES with one-sided bootstrap p-values
            (9,999 samples, seed 1): McNeil and Frey's on the breaches (mean exceedance residual
            (loss − ES)/ES) and Acerbi and Székely's Z2 over every scored observation.

            The CSV is read strictly (as `evaluate`): a header, then numeric rows. A bad CSV, a missing
            column, a non-positive price or a time going backwards exits 65 with FILE:LINE: reason.

            Example: riskstream synth --prices --symbol AAPL --events 200000 --out prices.csv
                     riskstream backtest --csv prices.csv --price-column price --time-column ts --method t
            """
    )

    @Option(help: ArgumentHelp("The CSV file.", valueName: "file"))
    var csv: String

    @Option(help: ArgumentHelp("The price column.", valueName: "column"))
    var priceColumn: String

    @Option(
        help: ArgumentHelp("A time column that must never decrease (checked, not otherwise used).", valueName: "column")
    )
    var timeColumn: String?

    @Option(help: "Confidence level c of the VaR, in (0, 1).")
    var confidence: Double = 0.99

    @Option(help: "Forecasting method: ewma, t, quantile, model, fhs, garch-fhs, garch-t or garch-skewt.")
    var method: String = "ewma"

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard confidence > 0 && confidence < 1 else { throw ValidationError("--confidence must be in (0, 1)") }
        guard VaRMethod(rawValue: method) != nil else {
            throw ValidationError(
                "--method must be one of \(VaRMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let prices: [Double]
        do {
            prices = try BacktestRun.readPrices(path: csv, priceColumn: priceColumn, timeColumn: timeColumn)
        } catch {
            throw failure(error.description, ExitStatus.dataError)
        }
        let run = BacktestRun(prices: prices, method: VaRMethod(rawValue: method)!, confidence: confidence)
        guard run.backtest.observations > 0 else {
            throw failure(
                "\(csv): \(prices.count) prices give \(max(prices.count - 1, 0)) returns; the backtest scores "
                    + "returns after the first \(BacktestRun.warmupReturns)", ExitStatus.dataError)
        }
        print(json ? run.json : run.text)
    }
}

/// One backtest of one method over a price series: pure, deterministic, no I/O.
struct BacktestRun {
    /// Returns that warm every method up before scoring starts (K).
    static let warmupReturns = 250

    var method: VaRMethod
    var backtest: VaRBacktest
    var shortfall: ExpectedShortfallBacktest
    /// Sums of the scored forecasts, for their means.
    var sumVaR = 0.0
    var sumES = 0.0

    /// Runs the method over the log returns of `prices`: forecast, score (after the warm-up), learn.
    /// - Complexity: O(prices.count), O(1) memory beyond the input.
    init(prices: [Double], method: VaRMethod, confidence: Double) {
        self.method = method
        backtest = VaRBacktest(confidence: confidence)
        shortfall = ExpectedShortfallBacktest(confidence: confidence)
        var forecaster = method.makeForecaster(confidence: confidence, warmupReturns: Self.warmupReturns)
        run(&forecaster, prices)
    }

    private mutating func run(_ forecaster: inout some VaRForecaster, _ prices: [Double]) {
        for i in prices.indices.dropFirst() {
            let r = log(prices[i] / prices[i - 1])
            if i > Self.warmupReturns, let f = forecaster.forecast() {
                backtest.record(breach: f.isBreached(by: r))
                shortfall.record(return: r, forecast: f)
                sumVaR += f.valueAtRisk
                sumES += f.expectedShortfall
            }
            forecaster.observe(return: r)
        }
    }

    var meanVaR: Double { backtest.observations > 0 ? sumVaR / Double(backtest.observations) : 0 }
    var meanES: Double { backtest.observations > 0 ? sumES / Double(backtest.observations) : 0 }

    /// The prices of `priceColumn`, checked: every price > 0, and `timeColumn` (if any) never decreasing.
    /// - Throws: `CSVError` with the file, line and reason.
    static func readPrices(path: String, priceColumn: String, timeColumn: String?) throws(CSVError) -> [Double] {
        let table = try CSVTable.read(path: path, target: priceColumn)
        // Data row i is on line i + 2: the header is line 1 and empty lines are rejected.
        for (i, price) in table.targets.enumerated() where price <= 0 {
            throw CSVError(path: path, line: i + 2, reason: "non-positive price \(price) in column '\(priceColumn)'")
        }
        if let timeColumn {
            guard let column = table.featureNames.firstIndex(of: timeColumn) else {
                let names = ([priceColumn] + table.featureNames).joined(separator: ", ")
                throw CSVError(path: path, line: 1, reason: "no time column '\(timeColumn)' (columns: \(names))")
            }
            for i in table.rows.indices.dropFirst() where table.rows[i][column] < table.rows[i - 1][column] {
                throw CSVError(
                    path: path, line: i + 2,
                    reason: "time goes backwards in column '\(timeColumn)' (\(table.rows[i][column]) after "
                        + "\(table.rows[i - 1][column]))")
            }
        }
        return table.targets
    }

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
            observations          \(b.observations) (after a warm-up of \(Self.warmupReturns) returns)
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
            ("warmup_returns", "\(Self.warmupReturns)"),
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

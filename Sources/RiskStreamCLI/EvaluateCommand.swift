import ArgumentParser
import CSVReading
import OnlineLearning

#if canImport(Glibc)
import Glibc
#endif

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score an online model on a CSV stream by progressive validation with delayed labels.",
        discussion: """
            The CSV has a header row naming its columns; the target column (default `target`) is what \
            the model forecasts and every other column is a numeric feature, except the columns named \
            by --ignore-column, the symbol column, and the time column. The time column is --time-column, \
            or else the first column named date, time, datetime, timestamp or ts (any case; the report \
            says which): it is never a feature and must not go backwards (`--time-column none`: no time \
            column, every column is a feature). Times are ISO 8601 dates or date-times, M/D/YYYY, or \
            epoch numbers whose unit (s, ms, µs, ns) the first value's magnitude tells: below 1e11 s, \
            below 1e14 ms, below 1e17 µs, else ns. A file of several symbols (a `symbol` or `ticker` \
            column) is read one symbol at a time with --symbol. Fields may be quoted (RFC 4180); lines \
            end in LF, CRLF or CR; a UTF-8 byte-order mark is skipped. At row t the model first \
            learns row t−H (H = --delay), whose label has just matured, then predicts row t: exactly \
            River's progressive_val_score with delay=H (so H = 0 and H = 1 both learn each row right \
            after predicting it). Every row's prediction is scored; the last rows are never learned.

            rows/s times the predict+learn loop alone (not reading the CSV). Peak memory is the \
            process's resident high-water mark (VmHWM).

            Models: \(modelNames.joined(separator: ", ")). A bad CSV exits 65 with FILE:LINE: reason.

            Example:
              riskstream evaluate --csv stream.csv --delay 50 --model ewma-baseline --json
            """
    )

    @Option(help: ArgumentHelp("The CSV file.", valueName: "file"))
    var csv: String

    @Option(help: ArgumentHelp("The target column.", valueName: "column"))
    var target: String = "target"

    @Option(
        name: .customLong("ignore-column"),
        help: ArgumentHelp("A column that is not a feature (repeatable).", valueName: "column"))
    var ignoredColumns: [String] = []

    @Option(help: ArgumentHelp("The time column, or none (default: found by name).", valueName: "column"))
    var timeColumn: String?

    @Option(help: ArgumentHelp("Read only this symbol's rows.", valueName: "symbol"))
    var symbol: String?

    @Option(help: ArgumentHelp("The symbol column (default: the one named symbol or ticker).", valueName: "column"))
    var symbolColumn: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Rows between a row and its label becoming known (H).", valueName: "rows"))
    var delay: Int = 0

    @Option(help: ArgumentHelp("The model.", valueName: "name"))
    var model: String

    @Option(help: "SGD loss: squared, huber, epsilon-insensitive, quantile.")
    var loss: String?

    @Option(parsing: .unconditional, help: "τ of the quantile loss, in (0, 1).")
    var quantile: Double?

    @Option(parsing: .unconditional, help: "SGD base learning rate (default 0.25; 0.5 with --no-standardize).")
    var learningRate: Double?

    @Option(parsing: .unconditional, help: "SGD L2 penalty.")
    var l2: Double?

    @Flag(inversion: .prefixedNo, help: "sgd, sgd-quantile: standardise features online (Welford) before the model.")
    var standardize = true

    @Option(parsing: .unconditional, help: "sgd, sgd-quantile: clamp standardised features to ±this many σ (default 5; 0: no clamp).")
    var clip: Double?

    @Option(help: "sgd, sgd-quantile: learn the standardised target too (true, the default, or false).")
    var scaleTarget: Bool?

    @Option(help: "arf: how the trees' predictions combine, median (default) or mean.")
    var aggregation: String?

    @Option(parsing: .unconditional, help: "Trees in a forest.")
    var trees: Int?

    @Option(parsing: .unconditional, help: "Maximum tree depth.")
    var maxDepth: Int?

    @Option(parsing: .unconditional, help: "Examples a leaf sees between split attempts.")
    var gracePeriod: Int?

    @Option(parsing: .unconditional, help: "Smoothing factor of ewma-baseline, in (0, 1] (default 0.05).")
    var alpha: Double?

    @Option(parsing: .unconditional, help: "Seed of the model's randomness.")
    var seed: UInt64 = 42

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard delay >= 0, delay <= 10_000_000 else { throw ValidationError("--delay must be 0 to 10000000 rows") }
    }

    var columns: CSVColumns {
        CSVColumns(
            target: target, ignored: ignoredColumns, time: timeColumn == "none" ? nil : timeColumn,
            detectsTime: timeColumn == nil, symbol: symbol, symbolColumn: symbolColumn)
    }

    var options: ModelOptions {
        ModelOptions(
            loss: loss, quantile: quantile, learningRate: learningRate, l2: l2, trees: trees,
            maxDepth: maxDepth, gracePeriod: gracePeriod, alpha: alpha, standardize: standardize,
            aggregation: aggregation, clip: clip, scaleTarget: scaleTarget)
    }

    func run() throws {
        let table: CSVTable
        do {
            table = try CSVTable.read(path: csv, columns: columns)
        } catch {
            throw failure(error.description, ExitStatus.dataError)
        }
        // The baselines need only the target; a learner needs at least one feature.
        guard !table.featureNames.isEmpty || ["naive", "ewma-baseline"].contains(model) else {
            throw failure("\(csv): no feature column besides the target '\(target)'", ExitStatus.dataError)
        }
        let regressor: any OnlineRegressor
        do {
            regressor = try makeModel(
                name: model, options: options, featureCount: table.featureNames.count, seed: seed)
        } catch {
            throw failure(error.description, ExitStatus.usage)
        }
        let result = progressiveValidation(regressor, table: table, delay: delay)
        let report = EvaluationReport(
            model: model, rows: table.rows.count, delay: delay, metrics: result.metrics,
            seconds: result.seconds, peakResidentBytes: peakResidentBytes(), columns: ColumnSummary(table))
        print(json ? report.json : report.text)
    }
}

/// The figures `evaluate` prints.
struct EvaluationReport {
    var model: String
    var rows: Int
    var delay: Int
    var metrics: RegressionMetrics
    /// Seconds of the predict+learn loop alone.
    var seconds: Double
    var peakResidentBytes: Int?
    var columns: ColumnSummary

    var rowsPerSecond: Double { seconds > 0 ? Double(rows) / seconds : 0 }

    var text: String {
        let memory = peakResidentBytes.map { formatFixed(Double($0) / 1_048_576, 1) + " MiB" } ?? "unknown"
        return """
            model        \(model)
            rows         \(rows)
            delay        \(delay)
            MAE          \(metrics.mae)
            RMSE         \(metrics.rmse)
            R²           \(metrics.r2)
            rows/s       \(Int(rowsPerSecond.rounded())) (predict+learn loop, \(formatFixed(seconds * 1000, 1)) ms)
            peak memory  \(memory) (VmHWM)
            features     \(columns.features.count) (\(abbreviatedList(columns.features)))
            """ + columns.extraLines
    }

    var json: String {
        func number(_ x: Double) -> String { x.isFinite ? x.description : "null" }
        let name = model.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0 != "\"" && $0 != "\\" } ? model : "?"
        return "{\"model\":\"\(name)\",\"rows\":\(rows),\"delay\":\(delay),\"mae\":\(number(metrics.mae)),"
            + "\"rmse\":\(number(metrics.rmse)),\"r2\":\(number(metrics.r2)),"
            + "\"rows_per_second\":\(number(rowsPerSecond)),"
            + "\"peak_rss_bytes\":\(peakResidentBytes.map(String.init) ?? "null"),\"seconds\":\(number(seconds)),"
            + "\"features\":\(columns.features.count),\"time_column\":\(jsonString(columns.timeColumn)),"
            + "\"symbol\":\(jsonString(columns.symbol))}"
    }
}

/// What `evaluate` says about the columns it read: the features, the time column (and whether it was
/// found by name), the symbol, and the columns left out.
struct ColumnSummary {
    var features: [String]
    var timeColumn: String?
    var timeDetected: Bool
    var timeFormat: CSVTimeFormat?
    var symbol: String?
    var symbolColumn: String?
    var ignored: [String]

    init(_ table: CSVTable) {
        features = table.featureNames
        timeColumn = table.timeColumn
        timeDetected = table.timeDetected
        timeFormat = table.timeFormat
        symbol = table.symbol
        symbolColumn = table.symbolColumn
        ignored = table.excludedColumns.filter { $0 != table.timeColumn && $0 != table.symbolColumn }
    }

    /// The report's lines after `features`, each with its leading newline.
    var extraLines: String {
        var text = ""
        if let timeColumn {
            let how = timeDetected ? "found by name, not a feature" : "not a feature"
            text += "\ntime column  \(timeColumn) (\(how); \(timeFormat.map { "\($0)" } ?? "no rows"))"
        }
        if let symbol, let symbolColumn { text += "\nsymbol       \(symbol) (column \(symbolColumn))" }
        if !ignored.isEmpty { text += "\nignored      \(abbreviatedList(ignored))" }
        return text
    }
}

/// A JSON string literal (quotes, backslashes and control characters escaped), or `null`.
func jsonString(_ text: String?) -> String {
    guard let text else { return "null" }
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// Progressive validation with a label delay of `delay` rows, exactly River's
/// `progressive_val_score(delay=H)`: before row t is predicted, every row up to t − H has been learned
/// (row t − H just now, as its label matures). River releases a row's label before the next row's
/// question once `i + H <= t`, so H = 0 and H = 1 are the same protocol: each row is learned right after
/// it is predicted. Rows whose label would mature after the end are predicted and scored, never learned.
/// Only the loop is timed.
///
/// Runs `OnlineLearning.ProgressiveValidation` over the table; the metrics are those of every scored row.
func progressiveValidation(_ model: any OnlineRegressor, table: CSVTable, delay: Int)
    -> (metrics: RegressionMetrics, seconds: Double)
{
    func loop<Model: OnlineRegressor>(_ model: Model) -> (metrics: RegressionMetrics, seconds: Double) {
        var validation = ProgressiveValidation(model: model, delay: .rows(delay))
        let rows = table.rows
        let targets = table.targets
        let start = monotonicSeconds()
        for t in rows.indices { _ = validation.process(rows[t], targets[t]) }
        return (validation.metrics, monotonicSeconds() - start)
    }
    return loop(model)
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

/// The process's peak resident set size (VmHWM in /proc/self/status), `nil` where that is unavailable.
func peakResidentBytes() -> Int? {
    guard let bytes = try? readWholeFile("/proc/self/status") else { return nil }
    let status = String(decoding: bytes, as: UTF8.self)
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2, let kib = Int(fields[1]) else { return nil }
        return kib * 1024
    }
    return nil
}

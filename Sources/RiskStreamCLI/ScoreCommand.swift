import ArgumentParser
import CSVReading

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score alerts against a simulated market's ground truth: precision, recall, delay.",
        discussion: """
            --truth is what `riskstream feed --truth FILE` wrote; --alerts is what \
            `riskstream tail --topic alert.` printed while the engine ran on that feed. Per alert kind it \
            prints raised alerts, true and false positives, precision, the truth events the kind should \
            catch (targets), how many it caught within --window seconds of event time (recall), the \
            detection delay (median and max, event time), and raised alerts per symbol per hour of \
            event time; then, for each scripted crash, the first critical alert and whether it came \
            within --crash-deadline seconds. Exit 65 on a bad line, naming FILE:LINE.

            Matching rule (W = --window). Only raised alerts count; a cleared one ends the time it is \
            open. Targets: volatility and liquidity, \
            each symbol's move into the stressed regime lasting at least --min-episode (volatility also \
            each crash); var_breach, crashes and jumps of at least --jump-sigmas; drawdown, crashes; \
            news_shock, negative news; model_drift, every regime change; data_quality, none. A target at \
            t is detected by the first alert of its kind on one of its symbols with event_ts in \
            [t, t + W], or by one already open at t (raised before, not yet cleared: delay 0). An alert \
            is a true positive when it falls in [t, t + W] of one of its kind's \
            targets, or (volatility, var_breach, drawdown, liquidity) while its symbol is stressed or \
            within W after that ends, within W after any upward regime change, or during a crash and \
            W after it; any other alert is a false positive.

            Example:
              riskstream score --truth truth.jsonl --alerts alerts.jsonl
            """
    )

    @Option(help: ArgumentHelp("Ground truth from `riskstream feed --truth`.", valueName: "file"))
    var truth: String

    @Option(help: ArgumentHelp("Alerts as printed by `riskstream tail --topic alert.`.", valueName: "file"))
    var alerts: String

    @Option(parsing: .unconditional, help: ArgumentHelp("Matching window after a truth event, seconds of event time.", valueName: "s"))
    var window: Double = 60

    @Option(parsing: .unconditional, help: ArgumentHelp("Smallest jump, in true per-tick sigmas, that var_breach must catch.", valueName: "n"))
    var jumpSigmas: Double = 10

    @Option(parsing: .unconditional, help: ArgumentHelp("A crash's first critical alert must come within this many seconds.", valueName: "s"))
    var crashDeadline: Double = 10

    @Option(parsing: .unconditional, 
        help: ArgumentHelp("Shortest stressed spell that volatility and liquidity must catch, seconds.", valueName: "s")
    )
    var minEpisode: Double = 10

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    func validate() throws {
        guard window > 0, window.isFinite else { throw ValidationError("--window must be > 0") }
        guard jumpSigmas >= 0, jumpSigmas.isFinite else { throw ValidationError("--jump-sigmas must be >= 0") }
        guard crashDeadline > 0, crashDeadline.isFinite else { throw ValidationError("--crash-deadline must be > 0") }
        guard minEpisode >= 0, minEpisode.isFinite else { throw ValidationError("--min-episode must be >= 0") }
    }

    func run() throws {
        let truthData: AlertScoring.Truth
        let alertList: [AlertScoring.Alert]
        do {
            truthData = try ScoreFiles.readTruth(path: truth)
            alertList = try ScoreFiles.readAlerts(path: alerts)
        } catch {
            throw failure(error.description, ExitStatus.dataError)
        }
        let options = AlertScoring.Options(
            windowNanoseconds: Int64(window * 1e9), jumpSigmas: jumpSigmas,
            crashDeadlineNanoseconds: Int64(crashDeadline * 1e9), minimumEpisodeNanoseconds: Int64(minEpisode * 1e9))
        let scoring = AlertScoring(truth: truthData, options: options)
        let scores = scoring.score(alertList)
        let crashes = scoring.scoreCrashes(alertList)
        var text = json ? ScoreReport.json(scoring, scores, crashes) : ScoreReport.table(scoring, scores, crashes)
        text += "\n"
        var bytes = Array(text.utf8)
        writeAll(fd: 1, &bytes)
    }
}

/// A problem in one of `score`'s files, at a line.
struct ScoreFileError: Error, CustomStringConvertible {
    var description: String
}

/// Reading the truth and alert files line by line.
enum ScoreFiles {
    /// Each non-blank line of a file, parsed, with its 1-based number.
    static func lines(path: String) throws(ScoreFileError) -> [(Int, JSONValue)] {
        let text: String
        do {
            let bytes = try readWholeFile(path)
            guard let decoded = String(validating: bytes, as: UTF8.self) else {
                throw FileError(description: "not valid UTF-8")
            }
            text = decoded
        } catch {
            throw ScoreFileError(description: "cannot read \(path): \(error)")
        }
        var out: [(Int, JSONValue)] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            do {
                let value = try JSONValue.parse(trimmed)
                guard case .object = value else { throw JSONParseError(description: "not a JSON object") }
                out.append((i + 1, value))
            } catch {
                throw ScoreFileError(description: "\(path):\(i + 1): \(error)")
            }
        }
        return out
    }

    static func readTruth(path: String) throws(ScoreFileError) -> AlertScoring.Truth {
        var truth: AlertScoring.Truth?
        var lastTs: Int64 = .min
        var end: Int64?
        for (number, line) in try lines(path: path) {
            func bad(_ what: String) -> ScoreFileError { ScoreFileError(description: "\(path):\(number): \(what)") }
            guard let type = line["type"]?.string else { throw bad("missing string field 'type'") }
            guard let ts = line["ts"]?.int else { throw bad("missing integer field 'ts' (nanoseconds)") }
            lastTs = max(lastTs, ts)
            if type == "start" {
                guard truth == nil else { throw bad("a second start line") }
                guard let symbols = strings(line["symbols"]), !symbols.isEmpty else {
                    throw bad("start needs a non-empty 'symbols' array of strings")
                }
                guard let level = line["regime"]?.string.flatMap(AlertScoring.Level.init) else {
                    throw bad("start needs 'regime': calm, normal or stressed")
                }
                truth = AlertScoring.Truth(start: ts, end: ts, symbols: symbols, initialLevel: level)
                continue
            }
            guard truth != nil else { throw bad("the first line must be the start line") }
            let symbols = strings(line["symbols"]) ?? line["symbol"]?.string.map { [$0] }
            switch type {
            case "regime":
                guard let symbol = line["symbol"]?.string else { throw bad("regime needs 'symbol'") }
                guard let from = line["from"]?.string.flatMap(AlertScoring.Level.init),
                    let to = line["to"]?.string.flatMap(AlertScoring.Level.init)
                else { throw bad("regime needs 'from' and 'to': calm, normal or stressed") }
                truth!.regimeChanges.append(.init(ts: ts, symbol: symbol, from: from, to: to))
            case "jump":
                guard let symbols else { throw bad("jump needs 'symbol' or 'symbols'") }
                guard let sigmas = line["sigmas"]?.number ?? (line["sigmas"] == .null ? .infinity : nil) else {
                    throw bad("jump needs a number 'sigmas'")
                }
                truth!.jumps.append(.init(ts: ts, symbols: symbols, endTs: ts, sigmas: sigmas))
            case "crash":
                guard let symbols else { throw bad("crash needs 'symbols'") }
                guard let endTs = line["end_ts"]?.int, endTs >= ts else { throw bad("crash needs 'end_ts' >= ts") }
                truth!.crashes.append(.init(ts: ts, symbols: symbols, endTs: endTs))
            case "news":
                guard let symbols else { throw bad("news needs 'symbols'") }
                truth!.negativeNews.append(.init(ts: ts, symbols: symbols, endTs: ts))
            case "end":
                end = ts
            default:
                throw bad("unknown type '\(excerpt(type))'")
            }
        }
        guard var result = truth else { throw ScoreFileError(description: "\(path): no start line (empty file?)") }
        result.end = max(result.start, end ?? lastTs)
        return result
    }

    /// Raised alerts; other topics, cleared alerts and tail's error lines are skipped.
    static func readAlerts(path: String) throws(ScoreFileError) -> [AlertScoring.Alert] {
        var alerts: [AlertScoring.Alert] = []
        // Indices of the open (not yet cleared) alerts of each kind and symbol: O(1) per message.
        var open: [String: [Int]] = [:]
        for (number, line) in try lines(path: path) {
            func bad(_ what: String) -> ScoreFileError { ScoreFileError(description: "\(path):\(number): \(what)") }
            guard let topic = line["topic"]?.string else { throw bad("missing string field 'topic'") }
            guard topic.hasPrefix("alert."), line["error"] == nil else { continue }
            guard let payload = line["payload"], case .object = payload else { throw bad("missing object 'payload'") }
            guard let kind = payload["kind"]?.string else { throw bad("payload needs string 'kind'") }
            guard let eventTs = payload["event_ts"]?.int else { throw bad("payload needs integer 'event_ts'") }
            guard let state = payload["state"]?.string else { throw bad("payload needs string 'state'") }
            guard let symbol = payload["symbol"]?.string else { throw bad("payload needs string 'symbol'") }
            let key = "\(kind) \(symbol)"
            guard state == "raised" else {
                // A clear ends every open alert of its kind and symbol (the raise and its escalations).
                for k in open.removeValue(forKey: key) ?? [] { alerts[k].clearedTs = eventTs }
                continue
            }
            let severity = payload["severity"]?.string ?? "warning"
            // A raised message that lowers the severity of an alert still open (critical back to warning)
            // is an update of that alert, not a new one.
            if severity != "critical", open[key, default: []].contains(where: { alerts[$0].severity == "critical" }) {
                continue
            }
            // A market-wide alert (`alert.MARKET`) names its symbols in its drivers, `symbol:<SYM>`.
            let named = (payload["drivers"]?.array ?? []).compactMap { driver -> String? in
                guard let feature = driver["feature"]?.string, feature.hasPrefix("symbol:") else { return nil }
                return String(feature.dropFirst("symbol:".count))
            }
            let symbols = (strings(payload["symbols"]) ?? []) + named + [symbol]
            open[key, default: []].append(alerts.count)
            alerts.append(.init(eventTs: eventTs, symbols: symbols, kind: kind, severity: severity))
        }
        return alerts
    }

    private static func strings(_ value: JSONValue?) -> [String]? {
        guard let items = value?.array else { return nil }
        let texts = items.compactMap(\.string)
        return texts.count == items.count ? texts : nil
    }
}

/// `score`'s two output forms.
enum ScoreReport {
    static func seconds(_ ns: Int64?) -> String {
        ns.map { formatFixed(Double($0) / 1e9, 1) + " s" } ?? "-"
    }

    static func ratio(_ x: Double?) -> String { x.map { formatFixed($0, 3) } ?? "-" }

    static func table(
        _ scoring: AlertScoring, _ scores: [AlertScoring.KindScore], _ crashes: [AlertScoring.CrashScore]
    ) -> String {
        let truth = scoring.truth
        var lines = [
            "\(truth.symbols.count) symbols, \(formatFixed(scoring.hours, 2)) h of event time, window "
                + "\(seconds(scoring.options.windowNanoseconds)); "
                + "\(truth.regimeChanges.count) regime changes, \(truth.jumps.count) jumps, "
                + "\(truth.crashes.count) crashes, \(truth.negativeNews.count) negative news",
            "",
        ]
        let header = [
            "kind", "alerts", "TP", "FP", "precision", "targets", "found", "recall", "delay p50",
            "delay max", "/symbol/h",
        ]
        var rows = [header]
        var total = 0
        var truePositives = 0
        for s in scores {
            total += s.alerts
            truePositives += s.truePositives
            rows.append([
                s.kind, String(s.alerts), String(s.truePositives), String(s.falsePositives), ratio(s.precision),
                String(s.targets), String(s.detected), ratio(s.recall), seconds(s.medianDelay),
                seconds(s.maxDelay), formatFixed(scoring.perSymbolHour(s.alerts), 2),
            ])
        }
        rows.append([
            "all", String(total), String(truePositives), String(total - truePositives),
            ratio(total > 0 ? Double(truePositives) / Double(total) : nil), "", "", "", "", "",
            formatFixed(scoring.perSymbolHour(total), 2),
        ])
        let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows {
            let cells = row.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - row[c].count)
                return c == 0 ? row[c] + pad : pad + row[c]
            }
            lines.append(cells.joined(separator: "  "))
        }
        for crash in crashes {
            let at = formatFixed(Double(crash.ts - truth.start) / 1e9, 1)
            let length = formatFixed(Double(crash.endTs - crash.ts) / 1e9, 1)
            if let hit = crash.firstCritical {
                lines.append(
                    "crash at +\(at) s (\(length) s): first critical alert after \(seconds(hit.delay)) "
                        + "(\(hit.kind) \(hit.symbol)): " + (crash.withinDeadline ? "within" : "NOT within")
                        + " \(seconds(scoring.options.crashDeadlineNanoseconds)); "
                        + "\(formatFixed(crash.criticalPerMinuteBefore, 1)) critical alerts a minute before it")
            } else {
                lines.append("crash at +\(at) s (\(length) s): no critical alert during the crash")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func json(
        _ scoring: AlertScoring, _ scores: [AlertScoring.KindScore], _ crashes: [AlertScoring.CrashScore]
    ) -> String {
        func number(_ x: Double?) -> String { x.flatMap { $0.isFinite ? String($0) : nil } ?? "null" }
        func secondsValue(_ ns: Int64?) -> String { number(ns.map { Double($0) / 1e9 }) }
        let kinds = scores.map { s in
            "\(JSONLine.quoted(s.kind)):{\"alerts\":\(s.alerts),\"true_positives\":\(s.truePositives),"
                + "\"false_positives\":\(s.falsePositives),\"precision\":\(number(s.precision)),"
                + "\"targets\":\(s.targets),\"detected\":\(s.detected),\"recall\":\(number(s.recall)),"
                + "\"delay_median_s\":\(secondsValue(s.medianDelay)),\"delay_max_s\":\(secondsValue(s.maxDelay)),"
                + "\"per_symbol_hour\":\(number(scoring.perSymbolHour(s.alerts)))}"
        }
        let total = scores.reduce(0) { $0 + $1.alerts }
        let truePositives = scores.reduce(0) { $0 + $1.truePositives }
        let crashItems = crashes.map { c in
            "{\"ts\":\(c.ts),\"end_ts\":\(c.endTs),\"first_critical_delay_s\":\(secondsValue(c.firstCritical?.delay)),"
                + "\"kind\":\(c.firstCritical.map { JSONLine.quoted($0.kind) } ?? "null"),"
                + "\"symbol\":\(c.firstCritical.map { JSONLine.quoted($0.symbol) } ?? "null"),"
                + "\"within_deadline\":\(c.withinDeadline),"
                + "\"critical_per_minute_before\":\(number(c.criticalPerMinuteBefore))}"
        }
        return "{\"symbols\":\(scoring.truth.symbols.count),\"hours\":\(number(scoring.hours)),"
            + "\"window_s\":\(secondsValue(scoring.options.windowNanoseconds)),"
            + "\"kinds\":{\(kinds.joined(separator: ","))},"
            + "\"all\":{\"alerts\":\(total),\"true_positives\":\(truePositives),"
            + "\"precision\":\(number(total > 0 ? Double(truePositives) / Double(total) : nil)),"
            + "\"per_symbol_hour\":\(number(scoring.perSymbolHour(total)))},"
            + "\"crashes\":[\(crashItems.joined(separator: ","))]}"
    }
}

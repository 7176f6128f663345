/// Alert quality against a simulator's ground truth (`riskstream score`). Pure: no I/O.
///
/// The matching rule, with `W` the window (`--window`, 60 s of event time by default):
///
/// - Only `raised` messages count as alerts, except one that lowers the severity of an alert still open
///   (an update of it); a `cleared` message of the same kind and symbol ends the time the alert is open. An alert names its symbol, or several through a `symbols` array or
///   `symbol:<SYM>` drivers (a market-wide alert).
/// - **Targets** (for recall) per kind:
///   volatility: each symbol's change into the `stressed` regime for at least `--min-episode` (10 s; a
///   shorter spell is not a regime a desk could act on, though alerts during it still count as explained),
///   and each scripted crash;
///   var_breach: crashes and jumps of at least `--jump-sigmas` true per-tick sigmas;
///   drawdown: crashes; liquidity: changes into `stressed` (as for volatility); news_shock: negative news;
///   model_drift: every regime change (either way); data_quality: none (the simulator sends no bad data).
///   A target at `t` on symbols `S` is detected by the first alert of the kind on a symbol of `S` with
///   `event_ts` in `[t, t + W]` (its delay is that alert's `event_ts − t`), or by one already open at `t`
///   (raised before and not yet cleared: the desk is already warned, delay 0; an alert that does not
///   flap must not cost recall when stress returns before it has cleared).
/// - **True positives** (for precision): an alert is explained when its `event_ts` is within `[t, t + W]`
///   of one of its kind's targets on its symbols, or, for volatility, var_breach, drawdown and liquidity,
///   when its symbol is in the `stressed` regime (or left it less than `W` ago), within `W` after an
///   upward regime change, or during a crash (until `W` after its end). Any other alert is a false
///   positive, so every data_quality alert on the simulator is one.
/// - **Crashes**: the first `critical` alert of any kind on a crash's symbols from its start to its end;
///   the target is that it comes within `--crash-deadline` (10 s) of the start. The rate of critical
///   alerts in the 10 minutes before the crash is reported beside it: when it is high, the first one
///   may owe nothing to the crash.
/// - **Alerts per symbol per hour**: raised alerts / symbols in the truth / hours from its start to its end.
struct AlertScoring {
    struct Options {
        var windowNanoseconds: Int64 = 60_000_000_000
        var jumpSigmas: Double = 10
        var crashDeadlineNanoseconds: Int64 = 10_000_000_000
        var minimumEpisodeNanoseconds: Int64 = 10_000_000_000
    }

    enum Level: Int, Comparable {
        case calm, normal, stressed

        init?(_ name: String) {
            switch name {
            case "calm": self = .calm
            case "normal": self = .normal
            case "stressed": self = .stressed
            default: return nil
            }
        }

        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    /// What the market did, read from a `--truth` file.
    struct Truth {
        struct RegimeChange {
            var ts: Int64
            var symbol: String
            var from: Level
            var to: Level
        }

        struct Event {
            var ts: Int64
            var symbols: [String]
            /// Crash end; `ts` for point events.
            var endTs: Int64
            /// Jump size in sigmas (jumps only).
            var sigmas: Double = 0
        }

        var start: Int64
        var end: Int64
        var symbols: [String]
        var initialLevel: Level
        var regimeChanges: [RegimeChange] = []
        var jumps: [Event] = []
        var crashes: [Event] = []
        var negativeNews: [Event] = []
    }

    struct Alert {
        var eventTs: Int64
        var symbols: [String]
        var kind: String
        var severity: String
        /// When a `cleared` message of the same kind and symbol ended it; `nil`: still open at the end.
        var clearedTs: Int64? = nil
    }

    struct KindScore {
        var kind: String
        var alerts = 0
        var truePositives = 0
        var targets = 0
        var detected = 0
        /// Detection delays of the detected targets, nanoseconds, ascending.
        var delays: [Int64] = []

        var falsePositives: Int { alerts - truePositives }
        var precision: Double? { alerts > 0 ? Double(truePositives) / Double(alerts) : nil }
        var recall: Double? { targets > 0 ? Double(detected) / Double(targets) : nil }
        /// The median delay (the mean of the two middle ones for an even count), nanoseconds.
        var medianDelay: Int64? {
            guard !delays.isEmpty else { return nil }
            let upper = delays.count / 2
            return delays.count % 2 == 1 ? delays[upper] : delays[upper - 1] + (delays[upper] - delays[upper - 1]) / 2
        }
        var maxDelay: Int64? { delays.last }
    }

    struct CrashScore {
        var ts: Int64
        var endTs: Int64
        /// The first critical alert within the crash: its delay, kind and symbol.
        var firstCritical: (delay: Int64, kind: String, symbol: String)?
        var withinDeadline: Bool
        /// Critical alerts a minute on the crash's symbols in the 10 minutes before it (from the truth's
        /// start if that is sooner): the background rate, against which a first critical alert may be
        /// chance.
        var criticalPerMinuteBefore: Double
    }

    /// The kinds of the wire contract, in its order; other kinds found in the alerts follow.
    static let kinds = [
        "volatility", "var_breach", "drawdown", "liquidity", "news_shock", "data_quality", "model_drift",
    ]
    /// Kinds that a stressed market or a crash explains.
    static let marketKinds: Set<String> = ["volatility", "var_breach", "drawdown", "liquidity"]

    let truth: Truth
    let options: Options

    /// Per symbol, the stretches of event time spent in `stressed`, `[start, end)`, ascending.
    private let stressed: [String: [(Int64, Int64)]]
    private let upwardChanges: [String: [Int64]]

    init(truth: Truth, options: Options) {
        self.truth = truth
        self.options = options
        var level = Dictionary(uniqueKeysWithValues: truth.symbols.map { ($0, truth.initialLevel) })
        var since = Dictionary(uniqueKeysWithValues: truth.symbols.map { ($0, truth.start) })
        var stressed: [String: [(Int64, Int64)]] = [:]
        var upward: [String: [Int64]] = [:]
        for change in truth.regimeChanges.sorted(by: { $0.ts < $1.ts }) {
            let previous = level[change.symbol] ?? change.from
            if previous == .stressed && change.to != .stressed {
                stressed[change.symbol, default: []].append((since[change.symbol] ?? truth.start, change.ts))
            }
            if change.to == .stressed && previous != .stressed { since[change.symbol] = change.ts }
            if change.to > change.from { upward[change.symbol, default: []].append(change.ts) }
            level[change.symbol] = change.to
        }
        for (symbol, current) in level where current == .stressed {
            stressed[symbol, default: []].append((since[symbol] ?? truth.start, truth.end))
        }
        self.stressed = stressed
        upwardChanges = upward
    }

    /// Targets of a kind: (time, symbols).
    func targets(of kind: String) -> [(ts: Int64, symbols: [String])] {
        let crashes = truth.crashes.map { ($0.ts, $0.symbols) }
        let intoStress = truth.regimeChanges.filter { change in
            change.to == .stressed && change.from != .stressed
                && stressed[change.symbol]?.contains {
                    $0.0 == change.ts && $0.1 - $0.0 >= options.minimumEpisodeNanoseconds
                } == true
        }.map { ($0.ts, [$0.symbol]) }
        switch kind {
        case "volatility": return intoStress + crashes
        case "var_breach":
            return crashes + truth.jumps.filter { $0.sigmas >= options.jumpSigmas }.map { ($0.ts, $0.symbols) }
        case "drawdown": return crashes
        case "liquidity": return intoStress
        case "news_shock": return truth.negativeNews.map { ($0.ts, $0.symbols) }
        case "model_drift": return truth.regimeChanges.map { ($0.ts, [$0.symbol]) }
        default: return []
        }
    }

    /// Whether the truth explains an alert (see the type's matching rule).
    func explains(_ alert: Alert, targets: [(ts: Int64, symbols: [String])]) -> Bool {
        let w = options.windowNanoseconds
        let t = alert.eventTs
        for target in targets where t >= target.ts && t <= target.ts + w {
            if target.symbols.contains(where: alert.symbols.contains) { return true }
        }
        guard Self.marketKinds.contains(alert.kind) else { return false }
        for symbol in alert.symbols {
            if stressed[symbol]?.contains(where: { t >= $0.0 && t <= $0.1 + w }) == true { return true }
            if upwardChanges[symbol]?.contains(where: { t >= $0 && t <= $0 + w }) == true { return true }
        }
        return truth.crashes.contains { crash in
            t >= crash.ts && t <= crash.endTs + w && crash.symbols.contains(where: alert.symbols.contains)
        }
    }

    /// Scores every kind seen in the alerts or the wire contract, in the contract's order.
    func score(_ alerts: [Alert]) -> [KindScore] {
        var kinds = Self.kinds
        for alert in alerts where !kinds.contains(alert.kind) { kinds.append(alert.kind) }
        return kinds.map { kind in
            let mine = alerts.filter { $0.kind == kind }.sorted { $0.eventTs < $1.eventTs }
            let targets = targets(of: kind)
            var score = KindScore(kind: kind, alerts: mine.count, targets: targets.count)
            score.truePositives = mine.count(where: { explains($0, targets: targets) })
            for target in targets {
                let first = mine.first {
                    $0.eventTs >= target.ts && $0.eventTs <= target.ts + options.windowNanoseconds
                        && target.symbols.contains(where: $0.symbols.contains)
                }
                let open = mine.contains {
                    $0.eventTs < target.ts && ($0.clearedTs ?? .max) > target.ts
                        && target.symbols.contains(where: $0.symbols.contains)
                }
                if open {
                    score.detected += 1
                    score.delays.append(0)
                } else if let first {
                    score.detected += 1
                    score.delays.append(first.eventTs - target.ts)
                }
            }
            score.delays.sort()
            return score
        }
    }

    /// The first critical alert inside each crash.
    func scoreCrashes(_ alerts: [Alert]) -> [CrashScore] {
        let critical = alerts.filter { $0.severity == "critical" }.sorted { $0.eventTs < $1.eventTs }
        return truth.crashes.map { crash in
            let first = critical.first { alert in
                alert.eventTs >= crash.ts && alert.eventTs <= crash.endTs
                    && crash.symbols.contains(where: alert.symbols.contains)
            }
            let hit = first.map { alert in
                (alert.eventTs - crash.ts, alert.kind, alert.symbols.first { crash.symbols.contains($0) } ?? "")
            }
            let from = max(truth.start, crash.ts - 600_000_000_000)
            let before = critical.count(where: { alert in
                alert.eventTs >= from && alert.eventTs < crash.ts
                    && crash.symbols.contains(where: alert.symbols.contains)
            })
            let minutes = Double(crash.ts - from) / 6e10
            return CrashScore(
                ts: crash.ts, endTs: crash.endTs, firstCritical: hit,
                withinDeadline: hit.map { $0.0 <= options.crashDeadlineNanoseconds } ?? false,
                criticalPerMinuteBefore: minutes > 0 ? Double(before) / minutes : 0)
        }
    }

    /// Hours of event time the truth covers (at least one nanosecond).
    var hours: Double { Double(max(truth.end - truth.start, 1)) / 3.6e12 }

    /// Raised alerts per symbol per hour of event time.
    func perSymbolHour(_ count: Int) -> Double {
        Double(count) / Double(max(truth.symbols.count, 1)) / hours
    }
}

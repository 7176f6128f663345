import MarketEvents
import RiskEngine

/// The demo's live view: built only from what the engine publishes (risk snapshots, alerts,
/// heartbeats), as any downstream subscriber would see it.
///
/// On a terminal it redraws a table in place four times a second; piped, it prints one line per alert
/// and a status line per heartbeat, so the output reads well in a log.
final class LiveView {
    struct Row {
        var price: Double?
        var volatility: Double?
        var valueAtRisk: Double?
        var drawdown: Double?
        /// The model with the lowest rolling MAE, and that MAE.
        var bestModel: String?
        var bestMAE: Double?
    }

    let terminal: Bool
    let feed: String
    let engine: String
    private var order: [String] = []
    private var rows: [String: Row] = [:]
    /// Raised alerts not yet cleared, by "symbol kind".
    private var open: [String: Alert] = [:]
    private var recent: [String] = []
    private var heartbeat: Heartbeat?
    private var previousHeartbeat: Heartbeat?
    private var raised = 0
    private var cleared = 0
    private var hedges = 0
    private var nextRefresh: Int64 = 0

    init(terminal: Bool, feed: String, engine: String) {
        self.terminal = terminal
        self.feed = feed
        self.engine = engine
        if !terminal {
            emit("demo: feed \(feed) -> engine -> \(engine) -> this view (Ctrl-C to stop)")
        } else {
            emit("\u{1B}[?25l", newline: false)  // hide the cursor while redrawing
        }
    }

    func observe(_ event: WireEvent) {
        switch event {
        case .risk(let r):
            if rows[r.symbol] == nil { order.append(r.symbol) }
            let best = r.models.filter { $0.mae != nil }.min { $0.mae! < $1.mae! }
            rows[r.symbol] = Row(
                price: r.price, volatility: r.volatility, valueAtRisk: r.valueAtRisk, drawdown: r.drawdown,
                bestModel: best?.model, bestMAE: best?.mae)
        case .alert(let a):
            let key = "\(a.symbol) \(a.kind.rawValue)"
            if a.state == .raised {
                raised += 1
                if a.kind != .dataQuality || a.drivers.first?.feature == "stale" { open[key] = a }
            } else {
                cleared += 1
                open[key] = nil
            }
            var line = "\(clock(a.ts)) \(a.state.rawValue.uppercased()) \(a.severity.rawValue) \(a.kind.rawValue) "
                + "\(a.symbol): \(a.message)"
            if a.state == .raised, !a.drivers.isEmpty {
                line += " [drivers: " + a.drivers.prefix(3).map { "\($0.feature) \(formatFixed($0.contribution, 4))" }
                    .joined(separator: ", ") + "]"
            }
            remember(line)
        case .hedge(let h):
            hedges += 1
            remember(
                "\(clock(h.ts)) HEDGE \(h.account) \(h.symbol): \(formatFixed(h.quantity, 0)) \(h.hedgeSymbol) "
                    + "(ratio \(formatFixed(h.ratio, 2)), notional \(formatFixed(h.notional, 0))): \(h.reason)")
        case .heartbeat(let h):
            previousHeartbeat = heartbeat
            heartbeat = h
            if !terminal { emit(statusLine()) }
        case .tick, .news, .position: break
        }
    }

    private func remember(_ line: String) {
        recent.append(line)
        if recent.count > 10 { recent.removeFirst() }
        if !terminal { emit(line) }
    }

    func refreshIfDue(now: Int64) {
        guard terminal, now >= nextRefresh else { return }
        nextRefresh = now + 250_000_000
        var screen = "\u{1B}[H\u{1B}[2J"
        screen += "RiskStream demo   feed \(feed) → engine → \(engine)   (Ctrl-C to stop)\n\n"
        screen += pad("SYMBOL", 8) + pad("PRICE", 12) + pad("VOL (ann.)", 12) + pad("VaR/tick", 10)
            + pad("DRAWDOWN", 10) + pad("BEST MODEL (MAE)", 20) + "ALERTS\n"
        for symbol in order {
            let row = rows[symbol]!
            let alerts = open.values.filter { $0.symbol == symbol }.map { "\($0.kind.rawValue):\($0.severity.rawValue)" }
                .sorted().joined(separator: " ")
            let model = row.bestModel.map { "\($0) (\(percent(row.bestMAE)))" } ?? "-"
            screen += pad(symbol, 8) + pad(number(row.price, 2), 12) + pad(percent(row.volatility), 12)
                + pad(basisPoints(row.valueAtRisk), 10) + pad(percent(row.drawdown), 10) + pad(model, 20) + alerts + "\n"
        }
        screen += "\n" + statusLine() + "\n\nrecent alerts and hedges:\n"
        screen += recent.reversed().map { "  " + $0 }.joined(separator: "\n") + "\n"
        emit(screen, newline: false)
    }

    func finish() {
        if terminal {
            nextRefresh = 0
            refreshIfDue(now: .max)
            emit("\u{1B}[?25h", newline: false)
        }
        emit("demo: \(raised) alerts raised, \(cleared) cleared, \(open.count) still open, \(hedges) hedge signals")
    }

    private func statusLine() -> String {
        guard let h = heartbeat else { return "waiting for the engine's first heartbeat…" }
        var rate = "-"
        if let p = previousHeartbeat, h.ts > p.ts {
            rate = String(Int((Double(h.eventsIn - p.eventsIn) / (Double(h.ts - p.ts) / 1e9)).rounded()))
        }
        return "events_in=\(h.eventsIn) events/s=\(rate) malformed=\(h.malformed) dropped=\(h.dropped) "
            + "alerts_out=\(h.alertsOut) hedges_out=\(h.hedgesOut) lag=\(number(Double(h.lagNs) / 1e6, 2)) ms seq=\(h.seq)"
    }

    private func emit(_ text: String, newline: Bool = true) {
        var bytes = Array((newline ? text + "\n" : text).utf8)
        writeAll(fd: 1, &bytes)
    }

    private func clock(_ ts: Int64) -> String {
        let secondsOfDay = (ts / 1_000_000_000) % 86_400
        let two = { (v: Int64) in v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(secondsOfDay / 3600)):\(two(secondsOfDay / 60 % 60)):\(two(secondsOfDay % 60))"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private func number(_ value: Double?, _ digits: Int) -> String {
        value.map { formatFixed($0, digits) } ?? "-"
    }

    private func basisPoints(_ value: Double?) -> String {
        value.map { formatFixed($0 * 10_000, 2) + "bp" } ?? "-"
    }

    private func percent(_ value: Double?) -> String {
        value.map { formatFixed($0 * 100, 1) + "%" } ?? "-"
    }
}

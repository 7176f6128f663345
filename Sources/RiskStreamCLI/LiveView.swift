import MarketEvents
import RiskEngine
import RiskModels

#if canImport(Glibc)
import Glibc
#endif

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
        /// The horizon of `valueAtRisk`, seconds.
        var horizonSeconds: Double?
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
            emit("\u{1B}[?1049h\u{1B}[?25l", newline: false)  // alternate screen, cursor hidden while redrawing
        }
    }

    func observe(_ event: WireEvent) {
        switch event {
        case .risk(let r):
            if rows[r.symbol] == nil { order.append(r.symbol) }
            let best = r.models.filter { $0.mae != nil }.min { $0.mae! < $1.mae! }
            rows[r.symbol] = Row(
                price: r.price, volatility: r.volatility, valueAtRisk: r.valueAtRisk, drawdown: r.drawdown,
                horizonSeconds: r.horizonSeconds, bestModel: best?.model, bestMAE: best?.mae)
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

    /// Keeps `line` (text from the wire, control characters escaped) for the screen, or prints it.
    private func remember(_ line: String) {
        let line = EngineLog.escapingControls(line)
        recent.append(line)
        if recent.count > 10 { recent.removeFirst() }
        if !terminal { emit(line) }
    }

    /// Redraws the screen when a quarter of a second has passed since the last redraw.
    /// - Complexity: O(symbols + recent lines) per redraw; nothing when not due or not a terminal.
    func refreshIfDue(now: Int64) {
        guard terminal, now >= nextRefresh else { return }
        nextRefresh = now &+ 250_000_000
        render()
    }

    /// The whole screen, fitted to the terminal: every line cut to its width, and as many symbols and
    /// recent alerts as its height leaves room for. It draws on the alternate screen, so a long run
    /// leaves nothing in the scrollback; `finish()` prints the final state on the normal screen.
    private func render() {
        let (columns, rows) = Self.terminalSize()
        var lines = screenLines(maximumLines: rows)
        if lines.count > rows { lines.removeLast(lines.count - rows) }
        var screen = "\u{1B}[H"
        for (i, line) in lines.enumerated() {
            screen += Self.cut(line, to: columns - 1) + "\u{1B}[K" + (i + 1 < lines.count ? "\n" : "")
        }
        screen += "\u{1B}[J"
        emit(screen, newline: false)
    }

    /// The screen's lines, top to bottom; at most `maximumLines` (the symbols table and the recent
    /// alerts share what the fixed lines leave).
    private func screenLines(maximumLines: Int) -> [String] {
        var top = ["RiskStream demo  \(feed) -> engine -> \(engine)  Ctrl-C stops", ""]
        top.append(
            pad("SYMBOL", 7) + pad("PRICE", 11) + pad("VOL ann.", 9) + pad("VaR " + varLabel, 8) + pad("DD", 7)
                + pad("BEST MODEL", 13) + "OPEN ALERTS")
        let status = statusLines()
        let fixed = top.count + 1 + status.count + 2
        let room = max(2, maximumLines - fixed)
        let symbolRows = order.count <= room / 2 ? order.count : max(1, room / 2)
        for symbol in order.prefix(symbolRows) {
            let row = rows[symbol]!
            let alerts = open.values.filter { $0.symbol == symbol }
                .map { "\(shortKind($0.kind)):\($0.severity == .critical ? "CRIT" : "warn")" }
                .sorted().joined(separator: " ")
            top.append(
                pad(symbol, 7) + pad(number(row.price, 2), 11) + pad(percent(row.volatility), 9)
                    + pad(percent(row.valueAtRisk), 8) + pad(percent(row.drawdown), 7)
                    + pad(row.bestModel ?? "-", 13) + alerts)
        }
        if symbolRows < order.count { top.append("  … \(order.count - symbolRows) more symbols") }
        var lines = top + [""] + status + ["", "recent alerts and hedges (newest first):"]
        let recentRoom = max(0, maximumLines - lines.count)
        lines += recent.reversed().prefix(recentRoom).map { "  " + $0 }
        return lines
    }

    /// The VaR column's horizon, `1m` for 60 s, from the snapshots.
    private var varLabel: String {
        rows.values.lazy.compactMap(\.horizonSeconds).first.map { HorizonVaR.label(seconds: $0) } ?? ""
    }

    private func shortKind(_ kind: Alert.Kind) -> String {
        switch kind {
        case .volatility: "vol"
        case .varBreach: "var"
        case .drawdown: "dd"
        case .liquidity: "liq"
        case .newsShock: "news"
        case .dataQuality: "dq"
        case .modelDrift: "drift"
        }
    }

    /// Stops redrawing: leaves the alternate screen, shows the cursor again, then prints the final
    /// table (on a terminal) and the summary line on the normal screen. Safe to call once.
    func finish() {
        if terminal {
            emit("\u{1B}[?1049l\u{1B}[?25h", newline: false)
            let (columns, _) = Self.terminalSize()
            for line in screenLines(maximumLines: 24) { emit(Self.cut(line, to: columns - 1)) }
        }
        emit("demo: \(raised) alerts raised, \(cleared) cleared, \(open.count) still open, \(hedges) hedge signals")
    }

    /// Columns and rows of standard output's terminal; 80×24 when it cannot be read.
    static func terminalSize() -> (columns: Int, rows: Int) {
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20, size.ws_row >= 8 else { return (80, 24) }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    /// `line` cut to `width` characters (the view writes one character per column).
    static func cut(_ line: String, to width: Int) -> String {
        line.count <= width ? line : String(line.prefix(max(0, width - 1))) + "…"
    }

    private func statusLines() -> [String] {
        guard let h = heartbeat else { return ["waiting for the engine's first heartbeat…"] }
        var rate = "-"
        if let p = previousHeartbeat, h.ts > p.ts {
            rate = String(Int((Double(h.eventsIn - p.eventsIn) / (Double(h.ts - p.ts) / 1e9)).rounded()))
        }
        return [
            "events \(h.eventsIn) (\(rate)/s)  malformed \(h.malformed)  dropped \(h.dropped)  "
                + "lag \(number(Double(h.lagNs) / 1e6, 2)) ms",
            "alerts \(h.alertsOut) (\(raised) raised, \(cleared) cleared, \(open.count) open)  "
                + "hedges \(h.hedgesOut)  seq \(h.seq)",
        ]
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

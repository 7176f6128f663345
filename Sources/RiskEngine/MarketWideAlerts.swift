import MarketEvents

/// Folds per-symbol alerts of one kind into one market-wide alert when most symbols raise it at once:
/// a desk wants "volatility is up across the market (5 of 6 symbols)", not six messages.
///
/// Rule, per alert kind (`data_quality` is never folded: each is about one feed):
/// - Every per-symbol alert updates which symbols have that kind open (raised and not cleared).
/// - While no market alert of the kind is open, each raise is remembered with its event time; once the
///   distinct symbols raising within `window` reach `max(minimumSymbols, ⌈fraction × active⌉)`, where
///   active symbols are those with an event within `window` of event time,
///   one alert for the symbol `MARKET` is raised, naming them (its drivers: each symbol's value), and
///   the raise that tipped it is folded into it instead of going out on its own.
/// - While it is open, further raises of that kind are folded (not published; `folded` counts them), and
///   so are the clears of folded raises. A critical raise escalates the market alert, and it is sent
///   again, naming them all, each time two more symbols have joined (so every symbol in the event is
///   named, in a handful of messages rather than one per symbol). It clears, in one message, once fewer
///   than half of the symbols that opened it still have the kind open.
///
/// Event time only, so a replay folds exactly the same alerts. - Complexity: O(symbols) per alert of a
/// kind, no allocation on the tick path (only when an alert goes out).
struct MarketWideAlerts {
    static let symbol = "MARKET"

    let minimumSymbols: Int
    let fraction: Double
    let window: Int64

    private struct KindState {
        /// Symbols with this kind open, and their newest value and severity.
        var open: [String: (value: Double, severity: Alert.Severity)] = [:]
        /// Raises within the window while no market alert is open: (symbol, event time).
        var recent: [(symbol: String, ts: Int64)] = []
        /// The open market alert: its severity, how many symbols opened it, and how many its latest
        /// message named.
        var market: (severity: Alert.Severity, symbols: Int, named: Int)?
        /// Symbols whose raises were folded into the open market alert.
        var folded: Set<String> = []
    }

    private var kinds: [Alert.Kind: KindState] = [:]
    /// Per-symbol alert messages folded into a market alert instead of being published.
    private(set) var folded: UInt64 = 0

    init(configuration: Pipeline.Risk.MarketWide) {
        minimumSymbols = configuration.minimumSymbols
        fraction = configuration.fraction
        window = configuration.windowMilliseconds * 1_000_000
    }

    /// What to publish for one per-symbol alert: the alert itself, a market alert instead, or nothing.
    /// `symbolsSeen` is how many symbols had an event within `window`.
    mutating func route(_ alert: Alert, symbolsSeen: Int) -> [Alert] {
        guard alert.kind != .dataQuality, alert.symbol != Self.symbol else { return [alert] }
        var state = kinds[alert.kind] ?? KindState()
        defer { kinds[alert.kind] = state }
        if alert.state == .cleared {
            state.open[alert.symbol] = nil
            var out: [Alert] = []
            if state.folded.remove(alert.symbol) != nil {
                folded += 1
            } else {
                out.append(alert)
            }
            if let market = state.market, state.open.count * 2 < market.symbols {
                // Symbols still open keep their raise folded: their clear stays quiet too.
                state.market = nil
                out.append(
                    Self.marketAlert(
                        kind: alert.kind, severity: market.severity, state: .cleared, at: alert.eventTs,
                        value: Double(state.open.count), threshold: Double(market.symbols) / 2,
                        message: "market-wide \(alert.kind.rawValue) over: \(state.open.count) symbol(s) still open",
                        drivers: Self.drivers(state.open)))
            }
            return out
        }
        let wasOpen = state.open[alert.symbol] != nil
        state.open[alert.symbol] = (alert.value, alert.severity)
        if let market = state.market {
            // A symbol whose raise went out on its own keeps its own messages (its clear will go out too).
            if wasOpen && !state.folded.contains(alert.symbol) { return [alert] }
            state.folded.insert(alert.symbol)
            folded += 1
            let escalates = alert.severity == .critical && market.severity != .critical
            guard escalates || state.open.count >= market.named + 2 else { return [] }
            state.market = (escalates ? .critical : market.severity, market.symbols, state.open.count)
            let names = state.open.keys.sorted().joined(separator: ", ")
            return [
                Self.marketAlert(
                    kind: alert.kind, severity: state.market!.severity, state: .raised, at: alert.eventTs,
                    value: Double(state.open.count), threshold: Double(market.symbols),
                    message: "market-wide \(alert.kind.rawValue)\(escalates ? " is critical" : ""): now "
                        + "\(state.open.count) symbols (\(names)); latest: \(alert.message)",
                    drivers: Self.drivers(state.open))
            ]
        }
        // A new raise outside a market alert goes out on its own, and so will its clear.
        state.folded.remove(alert.symbol)
        state.recent.removeAll { $0.ts < alert.eventTs - window || $0.symbol == alert.symbol }
        state.recent.append((alert.symbol, alert.eventTs))
        let needed = max(minimumSymbols, Int((fraction * Double(symbolsSeen)).rounded(.up)))
        guard state.recent.count >= needed else { return [alert] }
        let names = state.recent.map(\.symbol)
        let severity: Alert.Severity = names.contains { state.open[$0]?.severity == .critical } ? .critical : .warning
        state.market = (severity, names.count, names.count)
        state.folded = [alert.symbol]
        state.recent.removeAll()
        folded += 1
        let seconds = Double(window) / 1e9
        return [
            Self.marketAlert(
                kind: alert.kind, severity: severity, state: .raised, at: alert.eventTs, value: Double(names.count),
                threshold: Double(needed),
                message: "market-wide \(alert.kind.rawValue): \(names.count) of \(symbolsSeen) active symbols within "
                    + "\((seconds * 10).rounded() / 10) s (\(names.joined(separator: ", "))); latest: \(alert.message)",
                drivers: Self.drivers(state.open.filter { names.contains($0.key) }))
        ]
    }

    /// One driver per symbol: its alert's value, largest first.
    private static func drivers(_ open: [String: (value: Double, severity: Alert.Severity)]) -> [Alert.Driver] {
        let drivers = open.map { Alert.Driver(feature: "symbol:\($0.key)", contribution: $0.value.value) }
            .sorted { abs($0.contribution) != abs($1.contribution) ? abs($0.contribution) > abs($1.contribution) : $0.feature < $1.feature }
        return drivers.isEmpty ? [.init(feature: "symbols_open", contribution: 0)] : drivers
    }

    private static func marketAlert(
        kind: Alert.Kind, severity: Alert.Severity, state: Alert.State, at ts: Int64, value: Double, threshold: Double,
        message: String, drivers: [Alert.Driver]
    ) -> Alert {
        Alert(
            seq: 0, ts: 0, eventTs: ts, symbol: symbol, kind: kind, severity: severity, state: state, value: value,
            threshold: threshold, message: message, drivers: drivers)
    }
}

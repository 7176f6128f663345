import ArgumentParser
import MarketEvents
import MarketSimulator

#if canImport(Glibc)
    import Glibc
#endif

/// The simulated market behind `riskstream feed`: calibration, tape realism, session, regimes and a
/// scripted crash. Turns the flags into a `SimulatorConfiguration`.
struct FeedMarketOptions: ParsableArguments {
    enum Microstructure: String, ExpressibleByArgument, CaseIterable {
        /// Every print carries a quote; the tick grid is scaled with volatility (fine); a fresh side
        /// per print. What today's tick-by-tick estimators read without bias.
        case smooth
        /// Real tick grids (the index trades like a futures contract, in whole ticks of about 2 bp),
        /// persistent order flow so most prints repeat the last price, 10 % trade-only prints and
        /// bursts of prints in one millisecond.
        case realistic
    }

    enum Session: String, ExpressibleByArgument, CaseIterable {
        /// The same intensity all day.
        case flat
        /// A US equity day in UTC: quiet overnight, a busy open at 14:30, a busier close.
        case usEquities = "us-equities"
    }

    @Option(parsing: .unconditional, help: ArgumentHelp("Seed of the simulator.", valueName: "n"))
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp("Comma-separated symbols (default: the simulator's standard set).", valueName: "list"))
    var symbols: String?

    @Option(parsing: .unconditional, 
        help: ArgumentHelp(
            "Annualised volatility of the index in the normal regime at the event rate (calm reads at 0.6 of it).",
            valueName: "fraction"))
    var indexVolatility: Double = 0.2

    @Option(parsing: .unconditional, 
        help: ArgumentHelp(
            "Events per second of simulated time (default: --rate, or 1000 when --rate is 0).", valueName: "n"))
    var eventRate: Double?

    @Option(help: "Tape realism.")
    var microstructure: Microstructure = .smooth

    @Option(help: ArgumentHelp("Tick size of one symbol, SYMBOL=SIZE (repeatable).", valueName: "symbol=size"))
    var tickSize: [String] = []

    @Option(help: "Trading intensity by time of day of the simulated clock (with --timestamps simulated).")
    var session: Session = .flat

    @Option(
        help: ArgumentHelp(
            "Start of the simulated clock, HH:MM UTC on 2023-11-14 (default 22:13:20).", valueName: "hh:mm"))
    var start: String?

    @Option(help: ArgumentHelp("Regime of the first event: calm, normal or stressed.", valueName: "regime"))
    var regime: String = "normal"

    @Flag(help: "Stay in the first regime: no spontaneous or news-driven regime changes.")
    var holdRegime = false

    @Option(
        help: ArgumentHelp(
            "Mean time in the calm, normal and stressed regimes, seconds of event time at each regime's own "
                + "event rate (default: 40000, 30000 and 4000 events).", valueName: "c,n,s"))
    var regimeSeconds: String?

    @Option(parsing: .unconditional, 
        help: ArgumentHelp("Start a scripted market-wide crash this many seconds of event time in.", valueName: "s"))
    var crashAt: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Fall of the scripted crash, a fraction of the price.", valueName: "fraction"))
    var crashSize: Double = 0.03

    @Option(parsing: .unconditional, help: ArgumentHelp("Length of the scripted crash, seconds of event time.", valueName: "s"))
    var crashDuration: Double = 30

    var symbolList: [String]? {
        symbols.map { $0.split(separator: ",").map { String($0) } }
    }

    func validate() throws {
        if let list = symbolList {
            guard !list.isEmpty else { throw ValidationError("--symbols needs at least one symbol") }
            for symbol in list where !WireCodec.isValidSymbol(symbol) {
                throw ValidationError("--symbols: '\(symbol)' is not 1-64 printable ASCII characters without spaces")
            }
        }
        guard indexVolatility > 0, indexVolatility.isFinite else {
            throw ValidationError("--index-volatility must be > 0")
        }
        if let eventRate, !(eventRate > 0 && eventRate.isFinite) { throw ValidationError("--event-rate must be > 0") }
        _ = try parsedTickSizes()
        _ = try startSecondOfDay()
        guard Regime.allCases.contains(where: { $0.description == regime }) else {
            throw ValidationError("--regime must be calm, normal or stressed")
        }
        _ = try parsedRegimeSeconds()
        if let crashAt, !(crashAt >= 0 && crashAt.isFinite) { throw ValidationError("--crash-at must be >= 0") }
        guard crashSize > 0, crashSize < 1 else { throw ValidationError("--crash-size must be in (0, 1)") }
        guard crashDuration > 0, crashDuration.isFinite else { throw ValidationError("--crash-duration must be > 0") }
    }

    func parsedTickSizes() throws -> [(String, Double)] {
        try tickSize.map { item in
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let size = Double(parts[1]), size > 0, size.isFinite else {
                throw ValidationError("--tick-size '\(item)': expected SYMBOL=SIZE with SIZE > 0")
            }
            return (String(parts[0]), size)
        }
    }

    func startSecondOfDay() throws -> Int? {
        guard let start else { return nil }
        let parts = start.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m)
        else { throw ValidationError("--start '\(start)': expected HH:MM (UTC)") }
        return h * 3600 + m * 60
    }

    func parsedRegimeSeconds() throws -> [Double]? {
        guard let regimeSeconds else { return nil }
        let values = regimeSeconds.split(separator: ",").map { Double($0) }
        guard values.count == 3, values.allSatisfy({ ($0 ?? 0) > 0 && ($0 ?? 0).isFinite }) else {
            throw ValidationError("--regime-seconds '\(regimeSeconds)': expected three positive numbers c,n,s")
        }
        return values.map { $0! }
    }

    /// Simulated events per second, given the publishing rate (0: as fast as possible).
    func simulatedRate(publishingRate: Double) -> Double {
        eventRate ?? (publishingRate > 0 ? publishingRate : 1000)
    }

    /// The market: calibrated so the index reads `indexVolatility` in the normal regime at
    /// `calibrationRate` events per second (the rate at which event timestamps advance: the publishing
    /// rate on the wall clock, else the simulated rate), with the simulated clock at `simulatedRate`.
    /// - Precondition: `validate()` passed.
    func configuration(simulatedRate: Double, calibrationRate: Double) throws -> SimulatorConfiguration {
        var c = symbolList.map { SimulatorConfiguration.symbols($0, seed: seed) } ?? .standard(seed: seed)
        let realistic = microstructure == .realistic
        if realistic { c.useRealisticTape() }
        c.scaleVolatility(
            by: c.volatilityScale(eventsPerSecond: calibrationRate, indexVolatility: indexVolatility),
            scalingTickSizes: !realistic)
        c.meanEventSpacingNanoseconds = max(1, Int64((1e9 / simulatedRate).rounded()))
        for (symbol, size) in try parsedTickSizes() {
            guard let i = c.instruments.firstIndex(where: { $0.symbol == symbol }) else {
                throw ValidationError("--tick-size: \(symbol) is not one of the symbols")
            }
            c.instruments[i].tickSize = size
        }
        if session == .usEquities { c.session = .usEquities }
        if let second = try startSecondOfDay() {
            c.startTimestamp = (1_699_920_000 + Int64(second)) * 1_000_000_000
        }
        c.initialRegime = Regime.allCases.first { $0.description == regime } ?? .normal
        if let seconds = try parsedRegimeSeconds() {
            for (regime, s) in zip(Regime.allCases, seconds) {
                // Events come faster in volatile regimes: multiplier^elasticity times the base rate.
                let intensity = pow(c[regime].volatilityMultiplier, c.intensityElasticity)
                c[regime].meanDurationEvents = max(1, s * simulatedRate * intensity)
            }
        }
        if holdRegime {
            for regime in Regime.allCases { c[regime].meanDurationEvents = .greatestFiniteMagnitude }
            c.newsStressRate = 0
        }
        if let crashAt {
            c.crash = .init(
                offsetNanoseconds: Int64(crashAt * 1e9), durationNanoseconds: max(1, Int64(crashDuration * 1e9)),
                size: crashSize)
        }
        return c
    }
}

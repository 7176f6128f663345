import MarketEvents
import MarketSimulator
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One long simulation, recorded per symbol in the simulator's step order, with the ground truth the
/// simulator exposes at each tick. Each symbol ticks once per step, so index `k` of every symbol's
/// arrays belongs to step `k`.
struct SimulatedRun: Sendable {
    struct SymbolSeries: Sendable {
        /// Log return of the mid, `(bid + ask) / 2`, since the previous tick of the symbol (0 for the first).
        var midReturns: [Double] = []
        var regimes: [Regime] = []
        var trueVolatilities: [Double] = []
        var spreadBasisPoints: [Double] = []
        var depths: [Double] = []
        /// Time since the previous event of any kind.
        var spacings: [Double] = []
    }

    struct NewsMark: Sendable {
        var symbol: String
        var sentiment: Double?
        /// Number of ticks of `symbol` emitted before the news.
        var tickIndex: Int
    }

    var configuration: SimulatorConfiguration
    /// Per symbol, in configuration order; see `series(_:)`.
    var all: [SymbolSeries]
    var news: [NewsMark] = []
    /// Jumps drawn in each step (from the ground-truth counter) and the step's regime.
    var stepJumps: [(regime: Regime, jumps: Int)] = []

    func series(_ symbol: String) -> SymbolSeries {
        all[configuration.instruments.firstIndex { $0.symbol == symbol }!]
    }

    init(_ configuration: SimulatorConfiguration, events: Int) {
        self.configuration = configuration
        let symbols = configuration.instruments.map(\.symbol)
        let position = Dictionary(uniqueKeysWithValues: symbols.enumerated().map { ($1, $0) })
        all = Array(repeating: SymbolSeries(), count: symbols.count)
        for i in all.indices {
            all[i].midReturns.reserveCapacity(events / symbols.count + 1)
        }
        var simulator = MarketSimulator(configuration: configuration)
        var lastMid = Array(repeating: Double.nan, count: symbols.count)
        var lastTs = configuration.startTimestamp
        var jumpsBefore = 0
        for _ in 0..<events {
            switch simulator.next() {
            case .tick(let tick):
                let i = position[tick.symbol]!
                let bid = tick.bid!
                let ask = tick.ask!
                let mid = (bid + ask) / 2
                if i == 0 {
                    // A new step began with this tick.
                    stepJumps.append((simulator.regime, simulator.jumpCount - jumpsBefore))
                    jumpsBefore = simulator.jumpCount
                }
                all[i].midReturns.append(lastMid[i].isNaN ? 0 : log(mid / lastMid[i]))
                all[i].regimes.append(simulator.regime)
                all[i].trueVolatilities.append(simulator.trueVolatility(of: tick.symbol)!)
                all[i].spreadBasisPoints.append((ask - bid) / mid * 1e4)
                all[i].depths.append((tick.bidSize! + tick.askSize!) / 2)
                all[i].spacings.append(Double(tick.ts - lastTs))
                lastMid[i] = mid
                lastTs = tick.ts
            case .news(let item):
                let symbol = item.symbols[0]
                let ticksSoFar = all[position[symbol]!].midReturns.count
                news.append(NewsMark(symbol: symbol, sentiment: item.sentiment, tickIndex: ticksSoFar))
                lastTs = item.ts
            default:
                Issue.record("unexpected event kind")
            }
        }
    }

    static let standardEvents = 360_000

    /// The standard market with three times the default news rate, so news effects can be measured in
    /// one short run (which also makes stress more frequent: about 45% of steps instead of about 18%).
    /// Built once, shared by the tests that read it.
    static let standard: SimulatedRun = {
        var configuration = SimulatorConfiguration.standard(seed: 2024)
        configuration.newsProbability = 0.003
        return SimulatedRun(configuration, events: standardEvents)
    }()
}

func mean(_ xs: some Collection<Double>) -> Double {
    xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count)
}

/// Root mean square: the realised volatility of returns.
func rms(_ xs: some Collection<Double>) -> Double {
    xs.isEmpty ? .nan : (xs.reduce(0) { $0 + $1 * $1 } / Double(xs.count)).squareRoot()
}

import SeededRandom

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything that defines a simulated market. Two simulators built from equal configurations produce
/// identical event streams, bit for bit.
///
/// Units. Volatilities are per *step*: one step moves every symbol once and is followed by one tick of
/// each symbol, so a volatility is the standard deviation of the log return between two consecutive
/// ticks of a symbol. Durations and half-lives are counted in tick events (a step is
/// `instruments.count` tick events). Simulated clock time only labels events (see
/// `meanEventSpacingNanoseconds`); it does not scale volatility.
///
/// Call `validate()` on a configuration built from user input; `MarketSimulator.init` traps on an
/// invalid one.
///
/// The defaults are tuned for a lively demo (per-tick volatilities of about ten basis points, a stress
/// episode every few tens of thousands of events), not for realism at any particular frequency.
public struct SimulatorConfiguration: Sendable, Hashable {
    /// One simulated instrument.
    ///
    /// Its log return per step is `beta * f + idiosyncraticVolatility * m * (1 + shock) * z + jumps`, where
    /// `f` is the market factor's return, `m` the market volatility multiplier and `shock` the decaying
    /// effect of negative news about this symbol.
    public struct Instrument: Sendable, Hashable {
        /// 1...64 printable ASCII bytes, no whitespace (the wire contract's rule).
        public var symbol: String
        /// Mid price at the start, `> 0`.
        public var initialPrice: Double
        /// Loading on the market factor: the regression slope of this symbol's returns on the index's.
        public var beta: Double
        /// Standard deviation of the symbol's own per-step log-return noise in the normal regime at
        /// median volatility, `>= 0`. Zero for an index, which is the market factor itself.
        public var idiosyncraticVolatility: Double
        /// Price grid; bid, ask and trade prices are whole multiples of it. `> 0`.
        public var tickSize: Double
        /// Quoted spread, in basis points of the mid, when the symbol's volatility is at its base level.
        /// The spread scales with volatility and is never less than one tick.
        public var spreadBasisPoints: Double
        /// Median quoted size on each side at base volatility, in lots (`> 0`); divided by the volatility
        /// ratio, so books thin out in stress.
        public var typicalDepth: Double
        /// Median trade size in lots (`> 0`); trade sizes are lognormal around it.
        public var typicalTradeSize: Double

        public init(
            symbol: String, initialPrice: Double, beta: Double = 1, idiosyncraticVolatility: Double = 0.001,
            tickSize: Double = 0.01, spreadBasisPoints: Double = 2, typicalDepth: Double = 500,
            typicalTradeSize: Double = 100
        ) {
            self.symbol = symbol
            self.initialPrice = initialPrice
            self.beta = beta
            self.idiosyncraticVolatility = idiosyncraticVolatility
            self.tickSize = tickSize
            self.spreadBasisPoints = spreadBasisPoints
            self.typicalDepth = typicalDepth
            self.typicalTradeSize = typicalTradeSize
        }
    }

    /// What one regime does to the market.
    public struct RegimeSettings: Sendable, Hashable {
        /// Multiplies every volatility (market and idiosyncratic), `> 0`.
        public var volatilityMultiplier: Double
        /// Probability of a jump per step for the market factor and, independently, for each non-index
        /// symbol, in `[0, 1]`.
        public var jumpProbability: Double
        /// Mean time spent in the regime before leaving it spontaneously, in tick events (`>= 1`).
        public var meanDurationEvents: Double

        public init(volatilityMultiplier: Double, jumpProbability: Double, meanDurationEvents: Double) {
            self.volatilityMultiplier = volatilityMultiplier
            self.jumpProbability = jumpProbability
            self.meanDurationEvents = meanDurationEvents
        }
    }

    /// The simulated instruments, in the order their ticks are emitted within a step. Non-empty.
    public var instruments: [Instrument]
    /// The instrument that is the market index (beta 1, no idiosyncratic noise, no idiosyncratic jumps),
    /// if any. Market-wide news is tagged with it; without an index it is tagged with every symbol.
    public var indexSymbol: String?
    public var seed: UInt64
    /// Time of the first event, nanoseconds since the Unix epoch, `>= 0`.
    public var startTimestamp: Int64
    /// Mean simulated time between consecutive events in the normal regime at median volatility, `>= 1`.
    /// Spacings are exponential (a Poisson stream) with mean
    /// `meanEventSpacingNanoseconds / m^intensityElasticity`, rounded to whole nanoseconds and at least 1,
    /// so timestamps are strictly increasing and events arrive faster when volatility is high.
    public var meanEventSpacingNanoseconds: Int64
    /// How strongly event intensity follows the market volatility multiplier `m`, `>= 0` (0: constant).
    public var intensityElasticity: Double

    /// Per-step volatility of the market factor in the normal regime at median volatility, `>= 0`.
    public var marketVolatility: Double
    public var calm: RegimeSettings
    public var normal: RegimeSettings
    public var stressed: RegimeSettings
    /// The regime of the first step.
    public var initialRegime: Regime
    /// When the market leaves `normal` spontaneously, the probability it goes to `stressed` (else calm).
    public var normalToStressedShare: Double
    /// Stationary standard deviation of the mean-reverting log-volatility factor, `>= 0`.
    public var volatilityOfVolatility: Double
    /// Half-life of the log-volatility factor's mean reversion, in tick events, `> 0`.
    public var volatilityHalfLifeEvents: Double
    /// Mean and standard deviation of a jump's log return.
    public var jumpMean: Double
    public var jumpStandardDeviation: Double
    /// Half-life of log prices' pull back to their initial level, in tick events, `> 0`. Slow by default
    /// (200 000 events, a pull of about 3.5e-6 of the log distance per event); it only keeps prices
    /// within a few multiples of where they started over long runs.
    public var priceMeanReversionHalfLifeEvents: Double

    /// Probability that an event is news rather than a tick, in `[0, 1)`.
    public var newsProbability: Double
    /// Fraction of news published without a sentiment (the engine then computes it), in `[0, 1]`.
    /// The hidden sentiment still moves the market.
    public var sentimentOmittedFraction: Double
    /// Fraction of news about the whole market rather than one symbol, in `[0, 1]`.
    public var marketNewsFraction: Double
    /// Fraction of news that is noise: sentiment in `[-0.1, 0.1]`, no effect on the market. In `[0, 1]`.
    public var neutralNewsFraction: Double
    /// Per-event probability of jumping into `stressed` per unit of news pressure, `>= 0`. Negative
    /// market news of sentiment `s` adds `|s|` to the pressure, negative symbol news
    /// `|s| * symbolNewsMarketWeight`; the pressure decays with `newsImpactHalfLifeEvents`.
    public var newsStressRate: Double
    /// Share of a symbol's negative news that spills over into market stress pressure, in `[0, 1]`.
    public var symbolNewsMarketWeight: Double
    /// Negative news of sentiment `s` about a symbol raises that symbol's idiosyncratic volatility by a
    /// factor `1 + newsVolatilityShock * |s|`, decaying with `newsImpactHalfLifeEvents`. `>= 0`.
    public var newsVolatilityShock: Double
    /// Half-life of news effects (stress pressure and symbol shocks), in tick events, `> 0`.
    public var newsImpactHalfLifeEvents: Double
    /// A simulated desk reporting positions; `nil` (the default) sends none.
    public var desk: Desk?
    /// Realistic prints (persistent order flow, trade-only prints, same-millisecond bursts); `nil` (the
    /// default): every print carries a quote and trades on a side drawn afresh.
    public var microstructure: Microstructure?
    /// Intensity by time of day of the simulated clock; `nil` (the default): the same all day.
    public var session: SessionCalendar?
    /// A scripted market-wide crash; `nil` (the default): none.
    public var crash: Crash?

    /// A configuration with the given instruments and default market dynamics.
    public init(instruments: [Instrument], indexSymbol: String? = nil, seed: UInt64) {
        self.instruments = instruments
        self.indexSymbol = indexSymbol
        self.seed = seed
        startTimestamp = 1_700_000_000_000_000_000
        meanEventSpacingNanoseconds = 1_000_000
        intensityElasticity = 1
        marketVolatility = 0.0008
        calm = RegimeSettings(volatilityMultiplier: 0.6, jumpProbability: 0.0002, meanDurationEvents: 40_000)
        normal = RegimeSettings(volatilityMultiplier: 1, jumpProbability: 0.0005, meanDurationEvents: 30_000)
        stressed = RegimeSettings(volatilityMultiplier: 2.5, jumpProbability: 0.005, meanDurationEvents: 4_000)
        initialRegime = .normal
        normalToStressedShare = 0.2
        volatilityOfVolatility = 0.25
        volatilityHalfLifeEvents = 2_000
        jumpMean = 0
        jumpStandardDeviation = 0.01
        priceMeanReversionHalfLifeEvents = 200_000
        newsProbability = 0.001
        sentimentOmittedFraction = 0.1
        marketNewsFraction = 0.3
        neutralNewsFraction = 0.4
        newsStressRate = 0.002
        symbolNewsMarketWeight = 0.2
        newsVolatilityShock = 2.5
        newsImpactHalfLifeEvents = 300
    }

    /// The settings of one regime.
    public subscript(regime: Regime) -> RegimeSettings {
        get {
            switch regime {
            case .calm: calm
            case .normal: normal
            case .stressed: stressed
            }
        }
        set {
            switch regime {
            case .calm: calm = newValue
            case .normal: normal = newValue
            case .stressed: stressed = newValue
            }
        }
    }

    /// Six symbols: the index `SPX` and five stocks with betas from 0.6 to 1.8.
    public static func standard(seed: UInt64) -> SimulatorConfiguration {
        SimulatorConfiguration(
            instruments: [
                Instrument(
                    symbol: "SPX", initialPrice: 5_000, beta: 1, idiosyncraticVolatility: 0,
                    spreadBasisPoints: 0.5, typicalDepth: 50, typicalTradeSize: 5),
                Instrument(symbol: "AAPL", initialPrice: 190, beta: 1.2, idiosyncraticVolatility: 0.0008),
                Instrument(
                    symbol: "MSFT", initialPrice: 420, beta: 1, idiosyncraticVolatility: 0.0007,
                    spreadBasisPoints: 1.5),
                Instrument(
                    symbol: "TSLA", initialPrice: 250, beta: 1.8, idiosyncraticVolatility: 0.0018,
                    spreadBasisPoints: 4, typicalDepth: 300),
                Instrument(symbol: "JPM", initialPrice: 200, beta: 1.1, idiosyncraticVolatility: 0.0007),
                Instrument(
                    symbol: "XOM", initialPrice: 110, beta: 0.6, idiosyncraticVolatility: 0.0009,
                    spreadBasisPoints: 3),
            ],
            indexSymbol: "SPX", seed: seed)
    }

    /// Names recognised as an index by `symbols(_:seed:)`.
    static let indexNames: Set<String> = ["SPX", "ES", "SPY", "NDX", "NQ", "DJI", "YM", "INDEX"]

    /// The given symbols with parameters drawn from `seed`: the first symbol named like an index
    /// (`SPX`, `ES`, `SPY`, `NDX`, `NQ`, `DJI`, `YM`, `INDEX`) becomes the index; the others get a beta
    /// in `[0.5, 1.8]`, an idiosyncratic volatility in `[0.0005, 0.0015]`, a price in `[20, 500]` and
    /// a spread in `[1, 5]` basis points.
    /// Symbols are not checked here: call `validate()` before building a simulator from user input.
    public static func symbols(_ symbols: [String], seed: UInt64) -> SimulatorConfiguration {
        var generator = Xoshiro256(seed: seed ^ 0x5EED_5EED_F0CA_1E55)
        var index: String?
        var instruments: [Instrument] = []
        for symbol in symbols {
            if index == nil && indexNames.contains(symbol) {
                index = symbol
                let futures = symbol == "ES" || symbol == "NQ" || symbol == "YM"
                instruments.append(
                    Instrument(
                        symbol: symbol, initialPrice: 5_000, beta: 1, idiosyncraticVolatility: 0,
                        tickSize: futures ? 0.25 : 0.01, spreadBasisPoints: 0.5, typicalDepth: 50,
                        typicalTradeSize: 5))
                continue
            }
            let beta = 0.5 + 1.3 * generator.nextUnitDouble()
            let idiosyncratic = 0.0005 + 0.001 * generator.nextUnitDouble()
            let price = (20 * exp(log(25.0) * generator.nextUnitDouble()) * 100).rounded() / 100
            let spread = 1 + 4 * generator.nextUnitDouble()
            instruments.append(
                Instrument(
                    symbol: symbol, initialPrice: price, beta: beta, idiosyncraticVolatility: idiosyncratic,
                    spreadBasisPoints: spread))
        }
        return SimulatorConfiguration(instruments: instruments, indexSymbol: index, seed: seed)
    }
}

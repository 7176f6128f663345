public import MarketEvents
import SeededRandom

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A seeded, deterministic market: an endless stream of ticks and news for several correlated symbols.
///
/// The model, one *step* at a time (a step moves every symbol once; then each symbol ticks once, in
/// `instruments` order, with news events interleaved at random):
///
/// - Regime `r`: a birth–death Markov chain calm ⇄ normal ⇄ stressed, leaving regime `r` with
///   probability `n / meanDurationEvents(r)` per step (`n` instruments). Negative news adds to a decaying
///   stress pressure `P`; from calm or normal the market jumps straight to stressed with probability
///   `n · newsStressRate · P`.
/// - Log-volatility `h`: AR(1), `h ← φh + σ_h √(1−φ²) ε`, stationary deviation `volatilityOfVolatility`.
///   Market multiplier `m = regimeMultiplier(r) · exp(h)`.
/// - Market factor `f = marketVolatility · m · ε_M (+ J)`, and for each symbol
///   `Δlog S_i = β_i f + σ_i · m · (1 + shock_i) · ε_i (+ J_i) − κ (log S_i − log S_i(0))` with
///   `σ_i = idiosyncraticVolatility`.
///   Jumps `J ~ N(jumpMean, jumpStandardDeviation)` occur with the regime's `jumpProbability` per step,
///   on the factor and on each non-index symbol independently; `κ` is a very slow pull to the start price.
/// - Quotes around the mid `S_i`: spread `spreadBasisPoints · S_i · v_i` where `v_i` is the ratio of
///   the symbol's current to base volatility, widened outward to the tick grid and at least one tick,
///   so `0 < bid < ask` always. Depth per side is lognormal with median `typicalDepth / v_i`. A trade
///   of lognormal size hits the ask (buyer) or the bid (seller), buyers more likely after an up move.
/// - Time: exponential spacing with mean `meanEventSpacingNanoseconds / m^intensityElasticity`, so
///   trading intensity rises with volatility.
///
/// Ground truth for tests and demos: `regime`, `trueVolatility(of:)`, `jumpCount`.
///
/// A value type: copying a simulator forks the stream (both copies then produce the same events).
public struct MarketSimulator: Sendable {
    /// The configuration this simulator was built from.
    public let configuration: SimulatorConfiguration

    /// The current market regime (ground truth): the regime of the step the latest tick belongs to.
    public private(set) var regime: Regime
    /// Jumps drawn so far (market-factor jumps plus idiosyncratic ones), ground truth.
    public private(set) var jumpCount: Int = 0

    var generator: Xoshiro256
    /// The second normal of the last polar-method pair, if not used yet.
    var spareNormal: Double?
    /// Plain-data per-instrument state (no references, so reading it copies no strings).
    var instruments: [InstrumentState]
    /// The instruments' symbols, same order.
    let symbols: [String]
    let regimeConstants: [RegimeConstants]
    /// Index of the instrument that ticks next; `instruments.count` means a new step is due.
    var cursor: Int
    /// Timestamp of the next event.
    var timestamp: Int64
    var logVolatility: Double = 0
    var marketMultiplier: Double
    var meanSpacing: Double
    var stressPressure: Double = 0
    var newsCount: UInt64 = 0

    // Per-step constants derived from the configuration.
    let volatilityPersistence: Double
    let volatilityInnovation: Double
    let newsDecayPerStep: Double
    let newsStressPerStep: Double
    let priceReversionPerStep: Double

    /// Builds the simulator; nothing is drawn until the first `next()`.
    /// - Precondition: `configuration.validate()` does not throw.
    /// - Complexity: O(number of instruments).
    public init(configuration: SimulatorConfiguration) {
        if let error = configuration.validationError {
            preconditionFailure("invalid simulator configuration: \(error)")
        }
        self.configuration = configuration
        let c = configuration
        let n = Double(c.instruments.count)
        generator = Xoshiro256(seed: c.seed)
        regime = c.initialRegime
        regimeConstants = Regime.allCases.map { RegimeConstants(c[$0], instrumentCount: n) }
        marketMultiplier = c[c.initialRegime].volatilityMultiplier
        meanSpacing = 0
        instruments = c.instruments.map {
            InstrumentState($0, isIndex: $0.symbol == c.indexSymbol, marketVolatility: c.marketVolatility)
        }
        symbols = c.instruments.map(\.symbol)
        cursor = c.instruments.count
        timestamp = c.startTimestamp
        volatilityPersistence = pow(0.5, n / c.volatilityHalfLifeEvents)
        volatilityInnovation =
            c.volatilityOfVolatility * (1 - volatilityPersistence * volatilityPersistence).squareRoot()
        newsDecayPerStep = pow(0.5, n / c.newsImpactHalfLifeEvents)
        newsStressPerStep = n * c.newsStressRate
        priceReversionPerStep = 1 - pow(0.5, n / c.priceMeanReversionHalfLifeEvents)
        for i in instruments.indices {
            instruments[i].updateVolatility(market: c.marketVolatility, multiplier: marketMultiplier)
        }
        meanSpacing = spacing(multiplier: marketMultiplier)
    }

    /// The next event: a tick (probability `1 - newsProbability`) or a news item. Timestamps start at
    /// `startTimestamp` and strictly increase. Ticks carry no `seq`: the publisher assigns it.
    /// - Complexity: amortised O(1): O(number of instruments) once per step, i.e. once every
    ///   `instruments.count` ticks. A tick allocates nothing (its symbol string is shared with the
    ///   configuration); a news item allocates its strings and symbol array.
    public mutating func next() -> WireEvent {
        let ts = timestamp
        let spacing = (meanSpacing * generator.nextExponential(rate: 1)).rounded()
        timestamp = ts + (spacing >= 1 ? Int64(min(spacing, 1e15)) : 1)
        if configuration.newsProbability > 0 && generator.nextUnitDouble() < configuration.newsProbability {
            return .news(makeNews(ts: ts))
        }
        if let desk = configuration.desk, desk.positionProbability > 0,
            generator.nextUnitDouble() < desk.positionProbability
        {
            return .position(makePosition(desk, ts: ts))
        }
        if cursor == instruments.count {
            advanceStep()
            cursor = 0
        }
        let i = cursor
        cursor += 1
        return .tick(makeTick(i, ts: ts))
    }

    /// The symbol's current volatility (ground truth): the standard deviation of the diffusive part of
    /// its log return over the current step, jumps excluded. `nil` for an unknown symbol.
    /// - Complexity: O(number of instruments).
    public func trueVolatility(of symbol: String) -> Double? {
        symbols.firstIndex(of: symbol).map { instruments[$0].volatility }
    }

    /// A standard normal by Marsaglia's polar method: one logarithm and one square root per two
    /// normals, no trigonometry. Deterministic; the number of draws varies (about 2.5 per pair).
    mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        while true {
            let u = 2 * generator.nextUnitDouble() - 1
            let v = 2 * generator.nextUnitDouble() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let scale = (-2 * log(s) / s).squareRoot()
                spareNormal = v * scale
                return u * scale
            }
        }
    }

    /// Mean event spacing in nanoseconds at market volatility multiplier `m`.
    func spacing(multiplier m: Double) -> Double {
        let elasticity = configuration.intensityElasticity
        let intensity = elasticity == 1 ? m : (elasticity == 0 ? 1 : pow(m, elasticity))
        return Double(configuration.meanEventSpacingNanoseconds) / intensity
    }

    mutating func advanceStep() {
        let c = configuration
        // Regime: news-driven entry into stress first, then the spontaneous birth–death move.
        stressPressure *= newsDecayPerStep
        let newsDraw = generator.nextUnitDouble()
        let moveDraw = generator.nextUnitDouble()
        let leave = regimeConstants[regime.rawValue].leaveProbability
        if regime != .stressed && newsDraw < newsStressPerStep * stressPressure {
            regime = .stressed
        } else if moveDraw < leave {
            switch regime {
            case .calm: regime = .normal
            case .normal: regime = moveDraw < leave * c.normalToStressedShare ? .stressed : .calm
            case .stressed: regime = .normal
            }
        }
        let constants = regimeConstants[regime.rawValue]

        logVolatility = volatilityPersistence * logVolatility + volatilityInnovation * normal()
        let m = constants.volatilityMultiplier * exp(logVolatility)
        marketMultiplier = m
        meanSpacing = spacing(multiplier: m)

        var factor = c.marketVolatility * m * normal()
        if generator.nextUnitDouble() < constants.jumpProbability {
            factor += c.jumpMean + c.jumpStandardDeviation * normal()
            jumpCount += 1
        }
        for i in instruments.indices {
            instruments[i].shock *= newsDecayPerStep
            instruments[i].updateVolatility(market: c.marketVolatility, multiplier: m)
            let state = instruments[i]
            var r = state.beta * factor - priceReversionPerStep * (state.logPrice - state.logInitialPrice)
            if state.idiosyncraticVolatility > 0 {
                r += state.idiosyncraticVolatility * m * (1 + state.shock) * normal()
            }
            if !state.isIndex && generator.nextUnitDouble() < constants.jumpProbability {
                r += c.jumpMean + c.jumpStandardDeviation * normal()
                jumpCount += 1
            }
            instruments[i].lastReturn = r
            // A safety net far outside anything the mean reversion allows: keeps mid × units finite.
            // Below the grid the quote is still one tick bid, two ticks ask.
            instruments[i].logPrice = min(max(state.logPrice + r, -50), 50)
        }
    }

    mutating func makeTick(_ i: Int, ts: Int64) -> Tick {
        let state = instruments[i]
        let mid = exp(state.logPrice)
        let halfSpread = mid * state.halfSpreadFraction * state.volatilityRatio
        let bidUnits = max(((mid - halfSpread) * state.unitsPerPrice).rounded(.down), 1)
        let askUnits = max(((mid + halfSpread) * state.unitsPerPrice).rounded(.up), bidUnits + 1)
        let bid = state.price(units: bidUnits)
        let ask = state.price(units: askUnits)

        let buyProbability = state.lastReturn > 0 ? 0.75 : (state.lastReturn < 0 ? 0.25 : 0.5)
        let price = generator.nextUnitDouble() < buyProbability ? ask : bid
        let size = max((state.typicalTradeSize * exp(0.8 * normal())).rounded(), 1)
        let depth = state.typicalDepth / state.volatilityRatio
        let bidSize = max((depth * exp(0.5 * normal())).rounded(), 1)
        let askSize = max((depth * exp(0.5 * normal())).rounded(), 1)
        return Tick(
            symbol: symbols[i], ts: ts, price: price, size: size, bid: bid, ask: ask, bidSize: bidSize,
            askSize: askSize)
    }
}

/// One regime's settings in the form a step uses.
struct RegimeConstants: Sendable {
    let volatilityMultiplier: Double
    let jumpProbability: Double
    /// Probability of leaving the regime spontaneously in one step.
    let leaveProbability: Double

    init(_ settings: SimulatorConfiguration.RegimeSettings, instrumentCount: Double) {
        volatilityMultiplier = settings.volatilityMultiplier
        jumpProbability = settings.jumpProbability
        leaveProbability = min(1, instrumentCount / settings.meanDurationEvents)
    }
}

/// One instrument's parameters and latent state; plain data.
struct InstrumentState: Sendable {
    let beta: Double
    let idiosyncraticVolatility: Double
    let isIndex: Bool
    /// Diffusive volatility in the normal regime at median log-volatility without news shock.
    let baseVolatility: Double
    let logInitialPrice: Double
    /// Grid units per unit of price, `1 / tickSize`.
    let unitsPerPrice: Double
    /// When `1 / tickSize` is a whole number, grid prices are `units / unitsPerPrice` (the double
    /// nearest the decimal, e.g. 12.34 rather than 1234 × 0.01 = 12.340000000000002).
    let gridDivides: Bool
    let tickSize: Double
    let halfSpreadFraction: Double
    let typicalDepth: Double
    let typicalTradeSize: Double

    var logPrice: Double
    var lastReturn: Double = 0
    /// Decaying multiplier excess on idiosyncratic volatility from negative news.
    var shock: Double = 0
    var volatility: Double = 0
    /// `volatility / baseVolatility`, or the market multiplier when the base is zero.
    var volatilityRatio: Double = 1

    init(_ instrument: SimulatorConfiguration.Instrument, isIndex: Bool, marketVolatility: Double) {
        beta = instrument.beta
        idiosyncraticVolatility = instrument.idiosyncraticVolatility
        self.isIndex = isIndex
        let systematic = instrument.beta * marketVolatility
        baseVolatility = (systematic * systematic + idiosyncraticVolatility * idiosyncraticVolatility).squareRoot()
        logInitialPrice = log(instrument.initialPrice)
        logPrice = logInitialPrice
        tickSize = instrument.tickSize
        let reciprocal = 1 / instrument.tickSize
        let whole = reciprocal.rounded()
        gridDivides = whole >= 1 && abs(reciprocal - whole) <= 1e-9 * whole
        unitsPerPrice = gridDivides ? whole : reciprocal
        halfSpreadFraction = 0.5e-4 * instrument.spreadBasisPoints
        typicalDepth = instrument.typicalDepth
        typicalTradeSize = instrument.typicalTradeSize
    }

    mutating func updateVolatility(market: Double, multiplier m: Double) {
        let systematic = beta * market
        let own = idiosyncraticVolatility * (1 + shock)
        volatility = m * (systematic * systematic + own * own).squareRoot()
        volatilityRatio = baseVolatility > 0 ? volatility / baseVolatility : m * (1 + shock)
    }

    /// The grid price of a whole number of ticks (`units >= 1`).
    func price(units: Double) -> Double {
        gridDivides ? units / unitsPerPrice : units * tickSize
    }
}

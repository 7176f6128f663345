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
/// Optional realism (`SimulatorConfiguration.microstructure`, `session`, `crash`): persistent order flow
/// so most prints repeat the previous price, trade-only prints, bursts of prints of one symbol in the
/// same millisecond (extra prints at the unchanged quote, a few microseconds apart, outside the step
/// structure), a time-of-day intensity multiplier on event spacing, and a scripted crash that pushes
/// every log price down linearly in event time.
///
/// Ground truth for tests and demos: `regime`, `trueVolatility(of:)`, `jumpCount`, and, while
/// `recordsGroundTruth` is on, the log of regime changes, jumps, crashes and negative news
/// (`takeGroundTruth()`).
///
/// A value type: copying a simulator forks the stream (both copies then produce the same events).
public struct MarketSimulator: Sendable {
    /// The configuration this simulator was built from.
    public let configuration: SimulatorConfiguration

    /// The current market regime (ground truth): the regime of the step the latest tick belongs to.
    public private(set) var regime: Regime
    /// Jumps drawn so far (market-factor jumps plus idiosyncratic ones), ground truth.
    public private(set) var jumpCount: Int = 0
    /// Whether regime changes, jumps, crashes and negative news are logged for `takeGroundTruth()`.
    /// Off by default, so a simulator nobody drains never grows.
    public var recordsGroundTruth = false
    var groundTruth: [GroundTruthEvent] = []

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
    /// Timestamp of the latest event.
    var lastTimestamp: Int64 = .min
    /// Extra same-millisecond prints still due for instrument `burstInstrument`.
    var burstRemaining = 0
    var burstInstrument = 0
    /// Log move of the scripted crash applied so far, and whether its start and end were logged.
    var crashApplied: Double = 0
    var crashLogged = (start: false, end: false)

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
        if burstRemaining > 0, let print = nextBurstPrint() { return .tick(print) }
        let ts = timestamp
        var spacing = meanSpacing * generator.nextExponential(rate: 1)
        if let session = configuration.session { spacing /= session.intensity(at: ts) }
        spacing.round()
        timestamp = ts + (spacing >= 1 ? Int64(min(spacing, 1e15)) : 1)
        lastTimestamp = ts
        if configuration.newsProbability > 0 && generator.nextUnitDouble() < configuration.newsProbability {
            return .news(makeNews(ts: ts))
        }
        if let desk = configuration.desk, desk.positionProbability > 0,
            generator.nextUnitDouble() < desk.positionProbability
        {
            return .position(makePosition(desk, ts: ts))
        }
        if cursor == instruments.count {
            advanceStep(ts: ts)
            cursor = 0
        }
        let i = cursor
        cursor += 1
        let tick = makeTick(i, ts: ts)
        if let m = configuration.microstructure, generator.nextUnitDouble() < m.burstProbability {
            burstInstrument = i
            burstRemaining = geometric(mean: m.meanBurstLength)
        }
        return .tick(tick)
    }

    /// Returns and forgets the ground truth logged since the last call (empty unless
    /// `recordsGroundTruth`), oldest first.
    /// - Complexity: O(1); allocates nothing when there is nothing to return.
    public mutating func takeGroundTruth() -> [GroundTruthEvent] {
        if groundTruth.isEmpty { return [] }
        let taken = groundTruth
        groundTruth = []
        return taken
    }

    /// One more print of a burst: the same instrument, its unchanged state, 1-20 µs after the previous
    /// event and in the same millisecond (else the burst ends and `nil` is returned). Pushes the next
    /// scheduled event back if the print would reach it, so timestamps still strictly increase.
    mutating func nextBurstPrint() -> Tick? {
        burstRemaining -= 1
        let ts = lastTimestamp + 1_000 + Int64(generator.next() % 19_001)
        guard ts / 1_000_000 == lastTimestamp / 1_000_000 else {
            burstRemaining = 0
            return nil
        }
        lastTimestamp = ts
        if timestamp <= ts { timestamp = ts + 1 }
        return makeTick(burstInstrument, ts: ts)
    }

    /// A geometric count on 1, 2, 3, … with the given mean (`>= 1`). One draw.
    mutating func geometric(mean: Double) -> Int {
        let u = generator.nextOpenUnitDouble()
        guard mean > 1 else { return 1 }
        return 1 + Int(min(log(u) / log(1 - 1 / mean), 1e6))
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

    mutating func advanceStep(ts: Int64) {
        let c = configuration
        // Regime: news-driven entry into stress first, then the spontaneous birth–death move.
        stressPressure *= newsDecayPerStep
        let newsDraw = generator.nextUnitDouble()
        let moveDraw = generator.nextUnitDouble()
        let leave = regimeConstants[regime.rawValue].leaveProbability
        let previousRegime = regime
        let byNews = regime != .stressed && newsDraw < newsStressPerStep * stressPressure
        if byNews {
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

        let logging = recordsGroundTruth
        let volatilitiesBefore = logging && regime != previousRegime ? instruments.map(\.volatility) : []
        var factor = c.marketVolatility * m * normal()
        if generator.nextUnitDouble() < constants.jumpProbability {
            let jump = c.jumpMean + c.jumpStandardDeviation * normal()
            factor += jump
            jumpCount += 1
            if logging {
                let sigma = c.marketVolatility * m
                record(ts, .jump(symbol: nil, size: jump, sigmas: sigma > 0 ? abs(jump) / sigma : .infinity))
            }
        }
        let crashMove = c.crash.map { scriptedCrashMove($0, ts: ts) } ?? 0
        for i in instruments.indices {
            instruments[i].shock *= newsDecayPerStep
            instruments[i].updateVolatility(market: c.marketVolatility, multiplier: m)
            let state = instruments[i]
            var r = state.beta * factor - priceReversionPerStep * (state.logPrice - state.logInitialPrice)
            if state.idiosyncraticVolatility > 0 {
                r += state.idiosyncraticVolatility * m * (1 + state.shock) * normal()
            }
            if !state.isIndex && generator.nextUnitDouble() < constants.jumpProbability {
                let jump = c.jumpMean + c.jumpStandardDeviation * normal()
                r += jump
                jumpCount += 1
                if logging {
                    let sigma = instruments[i].volatility
                    record(ts, .jump(symbol: symbols[i], size: jump, sigmas: sigma > 0 ? abs(jump) / sigma : .infinity))
                }
            }
            r += crashMove
            instruments[i].lastReturn = r
            // A safety net far outside anything the mean reversion allows: keeps mid × units finite.
            // Below the grid the quote is still one tick bid, two ticks ask.
            instruments[i].logPrice = min(max(state.logPrice + r, -50), 50)
        }
        if !volatilitiesBefore.isEmpty {
            let tickSpacing = meanSpacing * Double(instruments.count) / (c.session?.intensity(at: ts) ?? 1)
            let changes = instruments.indices.map {
                GroundTruthEvent.VolatilityChange(
                    symbol: symbols[$0], before: volatilitiesBefore[$0], after: instruments[$0].volatility,
                    tickSpacingNanoseconds: tickSpacing)
            }
            record(ts, .regimeChange(from: previousRegime, to: regime, byNews: byNews, volatilities: changes))
        }
    }

    /// The crash's log move for the step at `ts` (the part of its linear path not yet applied), logging
    /// its start and end.
    mutating func scriptedCrashMove(_ crash: SimulatorConfiguration.Crash, ts: Int64) -> Double {
        let level = crash.logMove(elapsed: ts - configuration.startTimestamp)
        let move = level - crashApplied
        crashApplied = level
        if recordsGroundTruth && level < 0 && !crashLogged.start {
            crashLogged.start = true
            let end = configuration.startTimestamp + crash.offsetNanoseconds + crash.durationNanoseconds
            record(ts, .crashStart(size: crash.size, endTs: end))
        }
        if recordsGroundTruth && level <= log1p(-crash.size) && !crashLogged.end {
            crashLogged.end = true
            record(ts, .crashEnd(size: crash.size))
        }
        return move
    }

    mutating func record(_ ts: Int64, _ kind: GroundTruthEvent.Kind) {
        groundTruth.append(GroundTruthEvent(ts: ts, kind: kind))
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
        var buy = generator.nextUnitDouble() < buyProbability
        var tradeOnly = false
        if let m = configuration.microstructure {
            if generator.nextUnitDouble() < m.sameSideProbability, let previous = state.lastBuy { buy = previous }
            instruments[i].lastBuy = buy
            tradeOnly = generator.nextUnitDouble() < m.tradeOnlyFraction
        }
        let price = buy ? ask : bid
        let size = max((state.typicalTradeSize * exp(0.8 * normal())).rounded(), 1)
        if tradeOnly { return Tick(symbol: symbols[i], ts: ts, price: price, size: size) }
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
    /// Side of the latest print (true: at the ask) when order flow is persistent; `nil` before it.
    var lastBuy: Bool?
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

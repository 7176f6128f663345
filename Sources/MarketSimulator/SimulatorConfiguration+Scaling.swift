extension SimulatorConfiguration {
    /// Trading seconds in a year, as the engine annualises volatility: 252 days of 6.5 hours.
    public static let tradingSecondsPerYear = 5_896_800.0

    /// Multiplies every volatility (the market factor, each instrument's idiosyncratic volatility and
    /// the jump sizes) by `factor`, and every tick size too unless `scalingTickSizes` is false, leaving
    /// regimes, news and timing alone.
    ///
    /// The default calibration moves prices by several basis points per tick, which is lively at a
    /// simulated 1 ms spacing. A feed replayed on the wall clock at a lower rate (the demo) scales it down
    /// so that annualised volatility lands in the tens of percent, as on a real desk. Scaling the tick
    /// sizes with it keeps the grid as fine relative to a tick's move as before; a realistic tape keeps
    /// its real grid instead.
    /// - Precondition: `factor > 0`.
    public mutating func scaleVolatility(by factor: Double, scalingTickSizes: Bool = true) {
        precondition(factor > 0 && factor.isFinite, "volatility scale must be positive")
        marketVolatility *= factor
        jumpMean *= factor
        jumpStandardDeviation *= factor
        for i in instruments.indices {
            instruments[i].idiosyncraticVolatility *= factor
            if scalingTickSizes { instruments[i].tickSize *= factor }
        }
    }

    /// The volatility scale that gives the market factor (the index) an annualised volatility of
    /// `indexVolatility` in the normal regime at median log-volatility, when `eventsPerSecond` events
    /// are spread evenly over the instruments: per-tick variance × ticks per second of a symbol ×
    /// `tradingSecondsPerYear`, the engine's EWMA annualisation. Without a market factor, the first
    /// instrument's idiosyncratic volatility stands in for it. Calm regimes then read at
    /// `calm.volatilityMultiplier` of it (0.6 by default), higher-beta and noisier stocks higher.
    /// - Returns: 1 when the market has no volatility at all.
    public func volatilityScale(eventsPerSecond: Double, indexVolatility: Double) -> Double {
        let perTick = marketVolatility > 0 ? marketVolatility : (instruments.first?.idiosyncraticVolatility ?? 0)
        let ticksPerSecond = eventsPerSecond / Double(max(instruments.count, 1))
        let annualised = perTick * (ticksPerSecond * Self.tradingSecondsPerYear).squareRoot()
        return annualised > 0 && annualised.isFinite ? indexVolatility / annualised : 1
    }

    /// Calibrates the market to a desk's units at a given event rate: sets the simulated clock to
    /// `eventsPerSecond` (mean spacing `1e9 / eventsPerSecond` ns) and scales volatility by
    /// `volatilityScale(eventsPerSecond:indexVolatility:)`, so the stream reads the same whether its
    /// events keep their simulated timestamps or are stamped on the wall clock at that rate.
    /// - Precondition: `eventsPerSecond > 0`, `indexVolatility > 0`.
    public mutating func calibrate(
        eventsPerSecond: Double, indexVolatility: Double = 0.25, scalingTickSizes: Bool = true
    ) {
        precondition(eventsPerSecond > 0 && indexVolatility > 0, "calibration needs positive rates")
        meanEventSpacingNanoseconds = max(1, Int64((1e9 / eventsPerSecond).rounded()))
        scaleVolatility(
            by: volatilityScale(eventsPerSecond: eventsPerSecond, indexVolatility: indexVolatility),
            scalingTickSizes: scalingTickSizes)
    }

    /// Makes the tape realistic: persistent order flow, trade-only prints and same-millisecond bursts
    /// (`Microstructure()`'s defaults), and an index that trades like a futures contract, in whole ticks
    /// of about 2 bp of its start price (rounded to a multiple of 0.25; 1.0 at 5,000). Other tick sizes
    /// are kept.
    public mutating func useRealisticTape() {
        microstructure = Microstructure()
        if let index = indexSymbol, let i = instruments.firstIndex(where: { $0.symbol == index }) {
            let price = instruments[i].initialPrice
            let tick = max(0.25, (price * 2e-4 / 0.25).rounded() * 0.25)
            if tick <= price { instruments[i].tickSize = tick }
        }
    }
}

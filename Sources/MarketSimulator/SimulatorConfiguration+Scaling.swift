extension SimulatorConfiguration {
    /// Multiplies every volatility (the market factor, each instrument's idiosyncratic volatility and
    /// the jump sizes) and every tick size by `factor`, leaving regimes, news and timing alone.
    ///
    /// The default calibration moves prices by several basis points per tick, which is lively at a
    /// simulated 1 ms spacing. A feed replayed on the wall clock at a lower rate (the demo) scales it down
    /// so that annualised volatility lands in the tens of percent, as on a real desk.
    /// - Precondition: `factor > 0`.
    public mutating func scaleVolatility(by factor: Double) {
        precondition(factor > 0 && factor.isFinite, "volatility scale must be positive")
        marketVolatility *= factor
        jumpMean *= factor
        jumpStandardDeviation *= factor
        for i in instruments.indices {
            instruments[i].idiosyncraticVolatility *= factor
            instruments[i].tickSize *= factor
        }
    }
}

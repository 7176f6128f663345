internal import SeededRandom

/// McNeil and Frey's (2000) exceedance-residual test of Expected Shortfall, with a seeded bootstrap p-value.
///
/// For every scored return r_t that breaches its VaR (r_t < −VaR_t), with loss L_t = −r_t, the residual
///
///     e_t = (L_t − ES_t) / ES_t
///
/// is kept. If ES_t is right, E[L_t − ES_t | breach, past] = 0, and dividing by ES_t (known before r_t,
/// and > 0) keeps a zero mean; McNeil and Frey divide by σ_t instead, which needs a volatility every
/// forecaster does not have (for a location-scale model with ES = k·σ the two differ by the constant k).
/// H0: the residuals have mean zero; H1 (one-sided): mean > 0, ES is too small.
///
/// The statistic is t = ē/(s/√n) over the n residuals (s the sample standard deviation). Its p-value is
/// the bootstrap of Efron and Tibshirani (1993, §16.4), as McNeil and Frey: the residuals are centred
/// (e_i − ē, so H0 holds), B samples of n are drawn from them with replacement, and
/// p = (1 + #{t*_b ≥ t})/(B + 1). The draws come from a `Xoshiro256` with the given seed, so a p-value is
/// reproducible. With fewer than 2 breaches (or no spread) there is nothing to test: p = 1.
///
/// What it does not see. Conditioning on the breaches makes it a test of the tail's *shape* beyond VaR:
/// a forecast whose VaR and ES are both too small by the same factor has, for a heavy (power-law) tail,
/// exceedances whose mean is still close to its ES, and passes; its breach count fails Kupiec's test
/// instead. `acerbiSzekely` tests both at once.
///
/// - Complexity: `record` O(1) amortised, memory O(breaches); `mcNeilFrey` O(B·breaches),
///   `acerbiSzekely` O(B·observations).
public struct ExpectedShortfallBacktest: Sendable {
    public let confidence: Double
    /// The exceedance residuals, in time order.
    public private(set) var residuals: [Double] = []
    /// L_t/ES_t of each breach, in time order, and the observations recorded.
    public private(set) var lossRatios: [Double] = []
    public private(set) var observations = 0

    public init(confidence: Double) {
        precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1)")
        self.confidence = confidence
    }

    /// Records one scored return and the forecast it was scored against.
    public mutating func record(return r: Double, forecast f: RiskForecast) {
        observations += 1
        guard f.isBreached(by: r), f.expectedShortfall > 0 else { return }
        residuals.append((-r - f.expectedShortfall) / f.expectedShortfall)
        lossRatios.append(-r / f.expectedShortfall)
    }

    /// Acerbi and Székely's (2014) second statistic over the N observations, p = 1 − c:
    ///
    ///     Z₂ = Σ_t L_t·I_t / (N·p·ES_t) − 1,   I_t = [r_t < −VaR_t]
    ///
    /// the mean of the daily terms X_t = L_t·I_t/(p·ES_t) − 1, each with mean zero when both the breach
    /// probability and ES_t are right; Z₂ > 0 when losses beyond VaR are more frequent or larger than the
    /// forecast says. Acerbi and Székely simulate Z₂ under each day's forecast distribution; a
    /// `VaRForecaster` gives only VaR and ES, so the p-value here is a bootstrap of the daily terms, as for
    /// McNeil–Frey: the statistic is t = X̄/(s/√N), the terms are centred, resampled B times with
    /// replacement (`Xoshiro256` with `seed`), and p = (1 + #{t*_b ≥ t})/(B + 1), one-sided (ES too small).
    /// `meanResidual` is Z₂. With no breach (no spread) p = 1.
    public func acerbiSzekely(bootstrapSamples: Int = 9_999, seed: UInt64 = 1) -> Result {
        precondition(bootstrapSamples >= 1, "the bootstrap needs at least one sample")
        let n = observations
        let p = 1 - confidence
        guard n >= 2, !lossRatios.isEmpty else {
            return Result(breaches: lossRatios.count, meanResidual: n > 0 ? -1 : 0, statistic: 0, pValue: 1)
        }
        // Terms: breaches first, then the quiet days' −1 (the order does not matter to the bootstrap).
        var terms = lossRatios.map { $0 / p - 1 }
        terms.append(contentsOf: repeatElement(-1, count: n - lossRatios.count))
        let (z2, t) = Self.meanAndStatistic(terms)
        guard let t else { return Result(breaches: lossRatios.count, meanResidual: z2, statistic: 0, pValue: 1) }
        let pValue = Self.bootstrap(terms.map { $0 - z2 }, above: t, samples: bootstrapSamples, seed: seed)
        return Result(breaches: lossRatios.count, meanResidual: z2, statistic: t, pValue: pValue)
    }

    /// (1 + #{t*_b ≥ t})/(B + 1) over B resamples of the centred values.
    private static func bootstrap(_ centred: [Double], above t: Double, samples: Int, seed: UInt64) -> Double {
        let n = centred.count
        var sample = centred
        var generator = Xoshiro256(seed: seed)
        var atLeast = 0
        for _ in 0..<samples {
            for i in 0..<n { sample[i] = centred[Int.random(in: 0..<n, using: &generator)] }
            if let tb = meanAndStatistic(sample).statistic, tb >= t { atLeast += 1 }
        }
        return Double(1 + atLeast) / Double(samples + 1)
    }

    /// The test's result.
    public struct Result: Sendable, Hashable {
        /// Breaches tested.
        public var breaches: Int
        /// McNeil–Frey: ē, the mean exceedance residual (a fraction of ES: 0.1 means losses beyond VaR were
        /// 10% above ES). Acerbi–Székely: Z₂.
        public var meanResidual: Double
        /// t = ē/(s/√n) (or X̄/(s/√N)); 0 when undefined.
        public var statistic: Double
        /// One-sided bootstrap p-value of H0 (ES right) against ES too small.
        public var pValue: Double
    }

    /// - Precondition: `bootstrapSamples >= 1`.
    public func mcNeilFrey(bootstrapSamples: Int = 9_999, seed: UInt64 = 1) -> Result {
        precondition(bootstrapSamples >= 1, "the bootstrap needs at least one sample")
        let n = residuals.count
        guard n >= 2 else {
            return Result(breaches: n, meanResidual: residuals.first ?? 0, statistic: 0, pValue: 1)
        }
        let (mean, t) = Self.meanAndStatistic(residuals)
        guard let t else { return Result(breaches: n, meanResidual: mean, statistic: 0, pValue: 1) }
        let p = Self.bootstrap(residuals.map { $0 - mean }, above: t, samples: bootstrapSamples, seed: seed)
        return Result(breaches: n, meanResidual: mean, statistic: t, pValue: p)
    }

    /// The mean and ē/(s/√n), the statistic `nil` when s = 0.
    private static func meanAndStatistic(_ x: [Double]) -> (mean: Double, statistic: Double?) {
        let n = Double(x.count)
        var sum = 0.0
        for v in x { sum += v }
        let mean = sum / n
        var squares = 0.0
        for v in x { squares += (v - mean) * (v - mean) }
        let s = (squares / (n - 1)).squareRoot()
        guard s > 0 else { return (mean, nil) }
        return (mean, mean / (s / n.squareRoot()))
    }
}

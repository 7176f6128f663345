internal import Glibc

/// Hansen's (1994) skewed Student-t with zero mean and unit variance: the innovation z of a GARCH model.
///
/// With η > 2 degrees of freedom and skew λ ∈ (−1, 1) (λ < 0: a longer left tail), and
///
///     c = Γ((η+1)/2) / (√(π(η−2)) Γ(η/2)),   a = 4λc(η−2)/(η−1),   b² = 1 + 3λ² − a²,
///
/// the density is
///
///     g(z) = b·c·(1 + ((b·z + a)/(1 − λ))²/(η − 2))^(−(η+1)/2)   for z < −a/b
///     g(z) = b·c·(1 + ((b·z + a)/(1 + λ))²/(η − 2))^(−(η+1)/2)   for z ≥ −a/b.
///
/// λ = 0 is the Student-t scaled to unit variance, z = √((η−2)/η)·T with T ~ t_η.
///
/// Everything reduces to the unit-variance t u = √((η−2)/η)·T: left of the mode −a/b, z = ((1 − λ)u − a)/b
/// and P(Z ≤ z) = (1 − λ)·P(U ≤ u); right of it, z = ((1 + λ)u − a)/b and
/// P(Z ≤ z) = (1 − λ)/2 + (1 + λ)·(P(U ≤ u) − ½). The quantile inverts that piecewise and the tail mean
/// uses ∫_{−∞}^t x f_η(x) dx = −f_η(t)·(η + t²)/(η − 1).
///
/// - Complexity: `logDensity` O(1), one `log1p`; `cdf` and `quantile` as `StudentT`'s. No allocation.
public struct SkewedStudentT: Sendable, Hashable {
    /// η, the degrees of freedom (> 2).
    public let degreesOfFreedom: Double
    /// λ, the skew, in (−1, 1).
    public let skew: Double
    let a: Double
    let b: Double
    /// log(b·c), the density's log normaliser.
    let logNormaliser: Double
    /// √((η − 2)/η): a t_η variable times this has unit variance.
    let unitScale: Double
    let t: StudentT

    /// - Precondition: `degreesOfFreedom > 2` and finite, `−1 < skew < 1`.
    public init(degreesOfFreedom eta: Double, skew lambda: Double = 0) {
        precondition(eta > 2 && eta.isFinite, "skewed Student-t needs finite η > 2, got \(eta)")
        precondition(lambda > -1 && lambda < 1, "skewed Student-t needs −1 < λ < 1, got \(lambda)")
        degreesOfFreedom = eta
        skew = lambda
        let logC = lgamma((eta + 1) / 2) - lgamma(eta / 2) - 0.5 * log(Double.pi * (eta - 2))
        a = 4 * lambda * exp(logC) * (eta - 2) / (eta - 1)
        b = (1 + 3 * lambda * lambda - a * a).squareRoot()
        logNormaliser = log(b) + logC
        unitScale = ((eta - 2) / eta).squareRoot()
        t = StudentT(degreesOfFreedom: eta)
    }

    /// log g(z).
    public func logDensity(_ z: Double) -> Double {
        let y = b * z + a
        let u = y / (y < 0 ? 1 - skew : 1 + skew)
        return logNormaliser - (degreesOfFreedom + 1) / 2 * log1p(u * u / (degreesOfFreedom - 2))
    }

    /// g(z).
    public func density(_ z: Double) -> Double { exp(logDensity(z)) }

    /// P(Z ≤ z).
    public func cdf(_ z: Double) -> Double {
        let y = b * z + a
        if y < 0 { return (1 - skew) * t.cdf(y / (1 - skew) / unitScale) }
        return (1 - skew) / 2 + (1 + skew) * (t.cdf(y / (1 + skew) / unitScale) - 0.5)
    }

    /// The z with P(Z ≤ z) = p. - Precondition: `0 < p < 1`.
    public func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "quantile needs 0 < p < 1, got \(p)")
        let mode = (1 - skew) / 2
        if p < mode { return ((1 - skew) * unitScale * t.quantile(p / (1 - skew)) - a) / b }
        let q = min(0.5 + (p - mode) / (1 + skew), 1 - Double.ulpOfOne)
        return ((1 + skew) * unitScale * t.quantile(q) - a) / b
    }

    /// E[Z | Z ≤ q] for q = `quantile(p)`: the (negative) mean of the lower tail of probability p.
    /// - Precondition: `0 < p < 1`.
    public func lowerTailMean(probability p: Double) -> Double {
        let q = quantile(p)
        let mode = -a / b
        let eta = degreesOfFreedom
        // ∫_{−∞}^x s f_η(s) ds, the partial first moment of t_η.
        func partial(_ x: Double) -> Double { -t.density(x) * (eta + x * x) / (eta - 1) }
        // Left piece, z up to min(q, mode): z = ((1 − λ)u − a)/b with u = unitScale·T.
        let left = (b * min(q, mode) + a) / (1 - skew) / unitScale
        var sum = (1 - skew) / b * ((1 - skew) * unitScale * partial(left) - a * t.cdf(left))
        if q > mode {
            let right = (b * q + a) / (1 + skew) / unitScale
            sum += (1 + skew) / b * ((1 + skew) * unitScale * (partial(right) - partial(0)) - a * (t.cdf(right) - 0.5))
        }
        return sum / p
    }
}

/// VaR and ES per unit of σ of a location-scale return r = μ + σ·z, z with a known lower tail.
struct LowerTailShape: Sendable, Hashable {
    /// The (1 − c)-quantile of z (negative in any sane case).
    let quantile: Double
    /// E[z | z ≤ quantile].
    let tailMean: Double

    init(quantile: Double, tailMean: Double) {
        self.quantile = quantile
        self.tailMean = min(tailMean, quantile)
    }

    init(_ z: SkewedStudentT, confidence c: Double) {
        self.init(quantile: z.quantile(1 - c), tailMean: z.lowerTailMean(probability: 1 - c))
    }

    /// VaR = −(μ + σ·q) and ES = −(μ + σ·E[z | z ≤ q]), VaR floored at 0 (ES then at VaR).
    func forecast(mean mu: Double, volatility sigma: Double) -> RiskForecast {
        let v = max(-(mu + sigma * quantile), 0)
        return RiskForecast(valueAtRisk: v, expectedShortfall: max(-(mu + sigma * tailMean), v))
    }
}

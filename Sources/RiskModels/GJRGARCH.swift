internal import Glibc
public import OnlineLearning

/// A GJR-GARCH(1,1) (Glosten, Jagannathan and Runkle, 1993) with a constant mean and Hansen's skewed-t
/// innovations, in the returns' own units:
///
///     r_t = μ + ε_t,   ε_t = σ_t·z_t,   z_t ~ SkewedStudentT(η, λ) (zero mean, unit variance)
///     σ²_(t+1) = ω + (α + γ·[ε_t < 0])·ε_t² + β·σ²_t
///
/// λ = 0 is the symmetric Student-t. The parameter space the estimator searches is ω > 0, α, γ, β ≥ 0,
/// α + γ/2 + β < 1 (covariance stationarity for symmetric z), η > 2.05 and |λ| < 0.99.
public struct GJRGARCHParameters: Sendable, Hashable {
    public var mean: Double
    public var omega: Double
    public var alpha: Double
    public var gamma: Double
    public var beta: Double
    public var degreesOfFreedom: Double
    public var skew: Double

    public init(
        mean: Double, omega: Double, alpha: Double, gamma: Double, beta: Double, degreesOfFreedom: Double,
        skew: Double = 0
    ) {
        self.mean = mean
        self.omega = omega
        self.alpha = alpha
        self.gamma = gamma
        self.beta = beta
        self.degreesOfFreedom = degreesOfFreedom
        self.skew = skew
    }

    /// α + γ/2 + β.
    public var persistence: Double { alpha + gamma / 2 + beta }

    /// The innovation distribution.
    public var innovation: SkewedStudentT { SkewedStudentT(degreesOfFreedom: degreesOfFreedom, skew: skew) }

    /// σ²_(t+1) from σ²_t = `variance` and the residual ε_t = r_t − μ.
    @inlinable
    public func nextVariance(variance h: Double, residual e: Double) -> Double {
        omega + (alpha + (e < 0 ? gamma : 0)) * e * e + beta * h
    }

    /// The same parameters for returns multiplied by `k`: μ·k, ω·k².
    func scaled(by k: Double) -> GJRGARCHParameters {
        var p = self
        p.mean *= k
        p.omega *= k * k
        return p
    }

    /// Maximum-likelihood estimate on `returns` (oldest first), from `start` (a warm start) or from textbook
    /// values (`GJRGARCHEstimator`); `nil` for fewer than 2 returns or returns without variation.
    /// - Complexity: O(n) per likelihood evaluation, a few hundred to 3,000 evaluations.
    public static func maximumLikelihood(
        _ returns: [Double], skewed: Bool, start: GJRGARCHParameters? = nil
    ) -> GJRGARCHParameters? {
        var estimator = GJRGARCHEstimator(skewed: skewed)
        return estimator.fit(returns, start: start)
    }

    /// −log L of `returns` (oldest first), σ² started at arch's backcast (see `GJRGARCHEstimator`).
    public func negativeLogLikelihood(_ returns: [Double]) -> Double {
        GJRGARCHEstimator.negativeLogLikelihood(
            self, returns, initialVariance: GJRGARCHEstimator.backcast(returns, mean: mean))
    }

    var isValid: Bool {
        mean.isFinite && omega > 0 && omega.isFinite && alpha >= 0 && gamma >= 0 && beta >= 0 && persistence < 1
            && degreesOfFreedom > 2 && degreesOfFreedom.isFinite && abs(skew) < 1
    }
}

/// Maximum-likelihood estimation of `GJRGARCHParameters` on a window of returns.
///
/// How. The returns are divided by their sample standard deviation s (so ω is O(1), as arch's advice to
/// fit percent returns), the likelihood is maximised by `NelderMead` over unconstrained coordinates
///
///     θ = (μ, log ω, log(α/δ), log((γ/2)/δ), log(β/δ), log(η − 2.05) [, atanh(λ/0.99)]),  δ = 1 − α − γ/2 − β
///
/// (so α, γ, β ≥ 0 and α + γ/2 + β < 1 hold everywhere), and μ, ω are scaled back by s and s².
/// The variance recursion starts from arch's backcast: the 0.94^i-weighted mean of the first
/// min(75, n) squared demeaned returns. A cold fit runs from textbook values (α 0.03, γ 0.09, β 0.88,
/// η 8, λ −0.1) and restarts once from its optimum; a warm fit starts from the previous parameters with a
/// smaller simplex. The result is never worse, in likelihood on the window, than the start point.
///
/// - Complexity: O(n) per likelihood evaluation; a warm fit takes a few hundred evaluations (at most
///   `warmEvaluations`), a cold one at most 2·`coldEvaluations`. Allocates the scaled window once per fit.
struct GJRGARCHEstimator: Sendable {
    let skewed: Bool
    var coldEvaluations = 1_500
    var warmEvaluations = 400
    private var optimizer: NelderMead
    private static let minimumDegreesOfFreedom = 2.05
    private static let maximumDegreesOfFreedom = 300.0
    private static let skewBound = 0.99

    init(skewed: Bool) {
        self.skewed = skewed
        optimizer = NelderMead(dimension: skewed ? 7 : 6)
    }

    /// Textbook starting values for returns of unit variance.
    func coldStart(mean: Double) -> GJRGARCHParameters {
        GJRGARCHParameters(
            mean: mean, omega: 0.045, alpha: 0.03, gamma: 0.09, beta: 0.88, degreesOfFreedom: 8,
            skew: skewed ? -0.1 : 0)
    }

    /// Fits the window `returns` (oldest first), from `start` when given (a warm start; any units, the
    /// returns' own) or from `coldStart`. Returns `nil` when the window has fewer than 2 returns or no
    /// variation.
    mutating func fit(_ returns: [Double], start: GJRGARCHParameters?) -> GJRGARCHParameters? {
        guard returns.count >= 2 else { return nil }
        let n = Double(returns.count)
        let mean = returns.reduce(0, +) / n
        let variance = returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        guard variance > 0 && variance.isFinite else { return nil }
        let s = variance.squareRoot()
        let x = returns.map { $0 / s }
        let h0 = Self.backcast(x, mean: mean / s)
        let skewed = skewed
        let objective = { (theta: [Double]) -> Double in
            Self.negativeLogLikelihood(Self.parameters(theta, skewed: skewed), x, initialVariance: h0)
        }
        var theta: [Double]
        if let start, start.isValid {
            theta = Self.coordinates(start.scaled(by: 1 / s), skewed: skewed)
            theta = optimizer.minimize(from: theta, step: 0.1, maxEvaluations: warmEvaluations, objective).point
        } else {
            theta = Self.coordinates(coldStart(mean: mean / s), skewed: skewed)
            theta = optimizer.minimize(from: theta, step: 0.5, maxEvaluations: coldEvaluations, objective).point
            theta = optimizer.minimize(from: theta, step: 0.2, maxEvaluations: coldEvaluations, objective).point
        }
        return Self.parameters(theta, skewed: skewed).scaled(by: s)
    }

    /// arch's backcast: Σ w_i (x_i − μ)² over the first min(75, n) returns, w_i ∝ 0.94^i.
    static func backcast(_ x: [Double], mean: Double) -> Double {
        var weight = 1.0
        var total = 0.0
        var sum = 0.0
        for i in 0..<min(75, x.count) {
            sum += weight * (x[i] - mean) * (x[i] - mean)
            total += weight
            weight *= 0.94
        }
        return sum / total
    }

    /// −log L of `returns` (oldest first) with the variance recursion started at `initialVariance`:
    /// Σ_t [½·log σ²_t − log g((r_t − μ)/σ_t)]. `+∞` for invalid parameters or a non-finite sum.
    /// - Complexity: O(n), one `log` and one `log1p` per return, no allocation.
    static func negativeLogLikelihood(
        _ p: GJRGARCHParameters, _ returns: [Double], initialVariance: Double
    ) -> Double {
        guard p.isValid else { return .infinity }
        let z = p.innovation
        var h = initialVariance
        var sum = 0.0
        for r in returns {
            let e = r - p.mean
            sum += 0.5 * log(h) - z.logDensity(e / h.squareRoot())
            h = p.nextVariance(variance: h, residual: e)
        }
        return sum.isFinite ? sum : .infinity
    }

    /// The optimiser's coordinates θ of `p`.
    static func coordinates(_ p: GJRGARCHParameters, skewed: Bool) -> [Double] {
        let slack = max(1 - p.persistence, 1e-10)
        func ratio(_ x: Double) -> Double { log(max(x, 1e-10) / slack) }
        var theta = [
            p.mean, log(p.omega), ratio(p.alpha), ratio(p.gamma / 2), ratio(p.beta),
            log(max(p.degreesOfFreedom - minimumDegreesOfFreedom, 1e-6)),
        ]
        if skewed { theta.append(atanh(max(min(p.skew / skewBound, 0.999_999), -0.999_999))) }
        return theta
    }

    /// `GJRGARCHParameters` from θ (entries clamped to ±30 so that nothing overflows).
    static func parameters(_ theta: [Double], skewed: Bool) -> GJRGARCHParameters {
        func at(_ i: Int) -> Double { max(min(theta[i], 30), -30) }
        let ea = exp(at(2))
        let eg = exp(at(3))
        let eb = exp(at(4))
        let total = 1 + ea + eg + eb
        return GJRGARCHParameters(
            mean: theta[0], omega: exp(at(1)), alpha: ea / total, gamma: 2 * eg / total, beta: eb / total,
            degreesOfFreedom: min(minimumDegreesOfFreedom + exp(at(5)), maximumDegreesOfFreedom),
            skew: skewed ? skewBound * tanh(at(6)) : 0)
    }
}

/// An online GJR-GARCH(1,1) filter whose parameters are re-estimated by maximum likelihood on a rolling
/// window of the last `window` returns, every `refitEvery` returns once `minimumFitReturns` have been seen
/// (the first fit cold, later ones warm-started from the last). Between refits each return updates σ²
/// by the recursion with the current parameters.
///
/// Before the first fit (the fallback) the parameters are fixed textbook values, α 0.03, γ 0.09,
/// β 0.88, η 8, no skew, μ 0, with ω variance-targeted, ω = (1 − α − γ/2 − β)·mean(r²) of the returns so
/// far; σ² is the mean of r² over the first 20 returns and follows the recursion afterwards.
///
/// - Complexity: `observe` O(1) between refits; a refit is O(window · evaluations) (see
///   `GJRGARCHEstimator`), so amortised O(window · evaluations / refitEvery) per return. Memory O(window).
public struct GJRGARCHFilter: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// Returns in the estimation window.
        public var window: Int
        /// Returns between refits.
        public var refitEvery: Int
        /// Returns before the first fit.
        public var minimumFitReturns: Int
        /// Hansen skewed-t innovations (else the symmetric Student-t).
        public var skewed: Bool

        public init(window: Int = 2_000, refitEvery: Int = 50, minimumFitReturns: Int = 250, skewed: Bool) {
            precondition(window >= 20 && refitEvery >= 1 && minimumFitReturns >= 20, "invalid GJR-GARCH configuration")
            self.window = window
            self.refitEvery = refitEvery
            self.minimumFitReturns = minimumFitReturns
            self.skewed = skewed
        }
    }

    public let configuration: Configuration
    public private(set) var parameters: GJRGARCHParameters
    /// σ² of the next return.
    public private(set) var variance = 0.0
    /// Returns observed.
    public private(set) var count = 0
    /// Fits done so far.
    public private(set) var fits = 0
    /// (r_t − μ)/σ_t of the last return, σ_t its forecast; `nil` when σ_t was 0.
    public private(set) var lastStandardizedResidual: Double?
    private var sumSquares = 0.0
    private var returns: RingWindow<Double>
    private var estimator: GJRGARCHEstimator
    private static let seedReturns = 20

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        returns = RingWindow(capacity: configuration.window)
        estimator = GJRGARCHEstimator(skewed: configuration.skewed)
        parameters = GJRGARCHParameters(
            mean: 0, omega: 0, alpha: 0.03, gamma: 0.09, beta: 0.88, degreesOfFreedom: 8, skew: 0)
    }

    public var volatility: Double { variance.squareRoot() }

    /// Folds in `r` (ignored when not finite). Returns whether the parameters were re-estimated.
    @discardableResult
    public mutating func observe(_ r: Double) -> Bool {
        guard r.isFinite else { return false }
        let e = r - parameters.mean
        lastStandardizedResidual = variance > 0 ? e / variance.squareRoot() : nil
        count += 1
        sumSquares += r * r
        returns.append(r)
        if fits == 0 {
            let meanSquare = sumSquares / Double(count)
            parameters.omega = (1 - parameters.persistence) * meanSquare
            variance = count <= Self.seedReturns ? meanSquare : parameters.nextVariance(variance: variance, residual: e)
        } else {
            variance = parameters.nextVariance(variance: variance, residual: e)
        }
        let c = configuration
        guard count >= c.minimumFitReturns, (count - c.minimumFitReturns) % c.refitEvery == 0 else { return false }
        return refit()
    }

    private mutating func refit() -> Bool {
        let window = Array(returns)
        guard let fitted = estimator.fit(window, start: fits > 0 ? parameters : nil) else { return false }
        parameters = fitted
        fits += 1
        // σ² of the next return under the new parameters: the recursion over the window from its backcast.
        var h = GJRGARCHEstimator.backcast(window, mean: fitted.mean)
        for r in window { h = fitted.nextVariance(variance: h, residual: r - fitted.mean) }
        variance = h
        return true
    }

    /// The standardised residuals (r_t − μ)/σ_t of the last `limit` returns in the window (oldest first)
    /// under the current parameters, σ_t from the recursion over the whole window from its backcast.
    /// - Complexity: O(window).
    public func standardizedResiduals(last limit: Int) -> [Double] {
        let p = parameters
        let window = Array(returns)
        guard !window.isEmpty else { return [] }
        var h = GJRGARCHEstimator.backcast(window, mean: p.mean)
        var out: [Double] = []
        out.reserveCapacity(min(limit, window.count))
        for (i, r) in window.enumerated() {
            let e = r - p.mean
            if i >= window.count - limit && h > 0 { out.append(e / h.squareRoot()) }
            h = p.nextVariance(variance: h, residual: e)
        }
        return out
    }
}

extension GJRGARCHFilter: Checkpointable {
    public static var stateTag: String { "gjr-garch-filter" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        let c = configuration
        writer.write(c.window)
        writer.write(c.refitEvery)
        writer.write(c.minimumFitReturns)
        writer.write(c.skewed)
        let p = parameters
        writer.write([p.mean, p.omega, p.alpha, p.gamma, p.beta, p.degreesOfFreedom, p.skew])
        writer.write(variance)
        writer.write(count)
        writer.write(fits)
        writer.write(lastStandardizedResidual ?? .nan)
        writer.write(sumSquares)
        writer.write(Array(returns))
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let window = try reader.readInt()
        let refitEvery = try reader.readInt()
        let minimumFitReturns = try reader.readInt()
        let skewed = try reader.readBool()
        guard window >= 20, refitEvery >= 1, minimumFitReturns >= 20 else {
            throw ModelStateError(offset: at, reason: "invalid GJR-GARCH configuration")
        }
        self.init(
            Configuration(window: window, refitEvery: refitEvery, minimumFitReturns: minimumFitReturns, skewed: skewed))
        let p = try reader.readDoubles(limit: 7)
        variance = try reader.readDouble()
        count = try reader.readInt()
        fits = try reader.readInt()
        let last = try reader.readDouble()
        sumSquares = try reader.readDouble()
        let saved = try reader.readDoubles(limit: window)
        guard p.count == 7, variance >= 0, variance.isFinite, count >= saved.count, fits >= 0 else {
            throw ModelStateError(offset: at, reason: "invalid GJR-GARCH state")
        }
        parameters = GJRGARCHParameters(
            mean: p[0], omega: p[1], alpha: p[2], gamma: p[3], beta: p[4], degreesOfFreedom: p[5], skew: p[6])
        guard parameters.degreesOfFreedom > 2, abs(parameters.skew) < 1 else {
            throw ModelStateError(offset: at, reason: "invalid GJR-GARCH innovation")
        }
        lastStandardizedResidual = last.isNaN ? nil : last
        for r in saved { returns.append(r) }
    }
}

/// (e, f) GJR-GARCH(1,1) VaR/ES with Student-t (`garch-t`) or Hansen skewed-t (`garch-skewt`) innovations
/// from a `GJRGARCHFilter`: with μ, σ_(t+1) and z's lower (1 − c)-quantile q and tail mean m,
/// VaR = −(μ + σ·q) and ES = −(μ + σ·m) (VaR floored at 0).
public struct GJRGARCHVaR: VaRForecaster {
    public let confidence: Double
    public let warmupReturns: Int
    public private(set) var filter: GJRGARCHFilter
    private var shape: LowerTailShape

    public init(confidence: Double, warmupReturns: Int, configuration: GJRGARCHFilter.Configuration) {
        precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1)")
        precondition(warmupReturns >= 1, "warm-up needs at least one return")
        self.confidence = confidence
        self.warmupReturns = warmupReturns
        filter = GJRGARCHFilter(configuration)
        shape = LowerTailShape(filter.parameters.innovation, confidence: confidence)
    }

    public func forecast() -> RiskForecast? {
        guard filter.count >= warmupReturns else { return nil }
        return shape.forecast(mean: filter.parameters.mean, volatility: filter.volatility)
    }

    public mutating func observe(return r: Double) {
        if filter.observe(r) { shape = LowerTailShape(filter.parameters.innovation, confidence: confidence) }
    }

    public static var stateTag: String { "var-gjr-garch" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(confidence)
        writer.write(warmupReturns)
        writer.write(model: filter)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        confidence = try readConfidence(&reader)
        warmupReturns = try readWarmup(&reader)
        filter = try reader.read(model: GJRGARCHFilter.self)
        shape = LowerTailShape(filter.parameters.innovation, confidence: confidence)
    }
}

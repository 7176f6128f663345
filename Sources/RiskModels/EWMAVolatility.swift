internal import Glibc

/// RiskMetrics exponentially weighted volatility of log returns, with time scaling for irregular ticks.
///
/// Returns. Each accepted price `p_t` after the first gives the log return `r_t = log(p_t / p_{t−1})`
/// against the previous accepted price, and the elapsed time `Δt_t = max(0, ts_t − ts_{t−1})` in
/// seconds. `restartReturns()` breaks the chain (used after a quarantined event): the next price starts
/// a new chain and gives no return.
///
/// Recursion (zero-mean convention of RiskMetrics), applied to both squared returns and elapsed times
/// with the same λ:
///
///     σ²_t = λ · σ²_{t−1} + (1 − λ) · r_t²
///     τ_t  = λ · τ_{t−1}  + (1 − λ) · Δt_t
///
/// Initialisation. For the first `warmupReturns` returns the estimates are the equal-weight means
/// `σ²_k = (1/k) Σ r_i²` and `τ_k = (1/k) Σ Δt_i` (so `warmupReturns == 1` seeds with the first squared
/// return); the recursion takes over from return `warmupReturns + 1`. `isWarm` is true once
/// `warmupReturns` returns have been seen.
///
/// Time scaling. Ticks are irregular, so `σ²_t` is a variance per event. The variance per second is the
/// ratio of the two averages, `σ²_t / τ_t`: the exponentially weighted squared move divided by the
/// exponentially weighted time it took. Ticks with the same timestamp (`Δt = 0`) add their squared move
/// and no time, so their variance is charged to the time around them rather than dividing by zero; only
/// while every return so far had `Δt = 0` (so `τ = 0`) is the per-second figure unavailable (`nil`).
/// Annualised volatility is `sqrt(σ²/τ · tradingSecondsPerYear)`, by default 252 days of 6.5 hours.
///
/// - Complexity: O(1) per price, no allocation, constant memory.
public struct EWMAVolatility: Sendable, Hashable {
    /// Trading seconds in a year by default: 252 days of 6.5 hours.
    public static let defaultTradingSecondsPerYear = 252 * 6.5 * 3600

    /// Decay factor λ in (0, 1): the weight kept by the previous estimate.
    public let lambda: Double
    /// Returns averaged with equal weights before the recursion starts; `isWarm` after this many.
    public let warmupReturns: Int

    /// How many returns have been folded in since `init`.
    public private(set) var returnCount = 0
    /// Per-event variance of log returns, `σ²`; 0 before the first return.
    public private(set) var perEventVariance = 0.0
    /// Average elapsed time between accepted prices in seconds, `τ`; 0 before the first return.
    public private(set) var meanInterval = 0.0
    /// The previous accepted price, or `nil` at the start of a chain.
    public private(set) var lastPrice: Double?
    /// The time of `lastPrice`, nanoseconds.
    public private(set) var lastTimestamp: Int64 = 0

    /// - Parameters:
    ///   - lambda: decay factor, `0 < lambda < 1` (RiskMetrics daily: 0.94).
    ///   - warmupReturns: returns averaged with equal weights to initialise, `>= 1`.
    public init(lambda: Double = 0.94, warmupReturns: Int = 20) {
        precondition(lambda > 0 && lambda < 1, "EWMA lambda must be in (0, 1)")
        precondition(warmupReturns >= 1, "EWMA warm-up needs at least one return")
        self.lambda = lambda
        self.warmupReturns = warmupReturns
    }

    /// Whether `warmupReturns` returns have been seen, so the estimate is meaningful.
    public var isWarm: Bool { returnCount >= warmupReturns }

    /// Folds in an accepted price observed at `ts` (nanoseconds) and returns the log return against the
    /// previous accepted price, or `nil` at the start of a chain.
    /// - Precondition: `price` is finite and `> 0` (the wire contract guarantees it).
    /// - Complexity: O(1), no allocation.
    @discardableResult
    public mutating func observe(price: Double, at ts: Int64) -> Double? {
        defer {
            lastPrice = price
            lastTimestamp = ts
        }
        guard let previous = lastPrice else { return nil }
        let r = log(price / previous)
        let dt = ts > lastTimestamp ? Double(ts - lastTimestamp) * 1e-9 : 0
        fold(squaredReturn: r * r, interval: dt)
        return r
    }

    /// Makes the next price start a new chain: no return is computed across the gap. The estimates
    /// are kept.
    public mutating func restartReturns() {
        lastPrice = nil
    }

    private mutating func fold(squaredReturn r2: Double, interval dt: Double) {
        returnCount += 1
        if returnCount <= warmupReturns {
            let k = Double(returnCount)
            perEventVariance += (r2 - perEventVariance) / k
            meanInterval += (dt - meanInterval) / k
        } else {
            perEventVariance = lambda * perEventVariance + (1 - lambda) * r2
            meanInterval = lambda * meanInterval + (1 - lambda) * dt
        }
    }

    /// Per-event volatility `σ = sqrt(σ²)`, in log-return units; 0 before the first return.
    public var perEventVolatility: Double { perEventVariance.squareRoot() }

    /// Variance per second, `σ² / τ`; `nil` before the first return with elapsed time.
    public var variancePerSecond: Double? {
        meanInterval > 0 ? perEventVariance / meanInterval : nil
    }

    /// Volatility per square-root second, `sqrt(σ² / τ)`; `nil` when `variancePerSecond` is.
    public var volatilityPerSqrtSecond: Double? {
        variancePerSecond?.squareRoot()
    }

    /// Annualised volatility, `sqrt(σ² / τ · tradingSecondsPerYear)`; `nil` when `variancePerSecond` is.
    public func annualized(tradingSecondsPerYear: Double = defaultTradingSecondsPerYear) -> Double? {
        variancePerSecond.map { ($0 * tradingSecondsPerYear).squareRoot() }
    }
}

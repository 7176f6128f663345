internal import Glibc

/// Variance per second of a price, estimated on a grid of event time so that it is robust to market
/// microstructure: bid/ask bounce, a discrete price grid, bursts of prints in one millisecond and long
/// runs of unchanged prices.
///
/// Sampling. A sample is taken at the first accepted price at least `samplingSeconds` of event time
/// after the previous sample; its log return `r` against the previous sample covers `Δt` seconds (the
/// exact elapsed time, so irregular sampling is not a bias). Prints between samples only move the
/// price the next sample sees: a burst of 50 prints in one millisecond is one observation, not 50, and
/// unchanged prices are zero returns of the time they took.
///
/// Estimate. Two exponentially weighted means over samples, with the weight of a sample decaying with
/// the event time after it (half-life `halfLifeSeconds`; a gap counts at most `maximumGapSeconds`, so
/// a closed market does not erase the memory):
///
///     q = E_w[ r_t² / Δt_t ]                      (realised variance per second)
///     c = E_w[ r_t·r_{t−1} / √(Δt_t·Δt_{t−1}) ]   (first-order autocovariance per second)
///     variance per second = max(q + 2c, q / 4)
///
/// The `2c` term is the first-order kernel correction (Zhou 1996): independent noise on each price
/// (bounce between bid and ask, rounding to the tick grid) adds `2η²` to every `r²` and `−η²` to every
/// `r_t·r_{t−1}`, so it cancels in `q + 2c`, while a true random walk has no autocovariance. The floor
/// keeps the estimate positive when sampling error makes the correction overshoot. The means are
/// normalised by their total weight, so the first samples give an unbiased equal-weight start.
///
/// - Complexity: O(1) per price, no allocation, a dozen words of state.
public struct IntradayVariance: Sendable, Hashable {
    public struct Configuration: Sendable, Hashable {
        /// Least event time between two samples, seconds.
        public var samplingSeconds: Double
        /// Event time after which a sample's weight has halved, seconds.
        public var halfLifeSeconds: Double
        /// A longer interval between samples decays the memory as if it were this long, seconds.
        public var maximumGapSeconds: Double
        /// Samples before the estimate is used (`isWarm`).
        public var warmupSamples: Int

        public init(
            samplingSeconds: Double = 5, halfLifeSeconds: Double = 300, maximumGapSeconds: Double = 300,
            warmupSamples: Int = 24
        ) {
            self.samplingSeconds = samplingSeconds
            self.halfLifeSeconds = halfLifeSeconds
            self.maximumGapSeconds = maximumGapSeconds
            self.warmupSamples = warmupSamples
        }

        /// Why these values cannot be used, or `nil`.
        public var problem: String? {
            guard samplingSeconds > 0, samplingSeconds.isFinite else { return "sampling must be > 0 seconds" }
            guard halfLifeSeconds > 0, halfLifeSeconds.isFinite else { return "half-life must be > 0 seconds" }
            guard maximumGapSeconds >= samplingSeconds, maximumGapSeconds.isFinite else {
                return "the maximum gap must be at least the sampling interval"
            }
            return warmupSamples >= 2 ? nil : "warm-up needs at least 2 samples"
        }
    }

    public let configuration: Configuration
    private let samplingNanoseconds: Int64
    /// Samples taken since `init` (returns folded in).
    public private(set) var sampleCount = 0
    private var sampleTs: Int64 = 0
    private var samplePrice = 0.0
    private var started = false
    /// The previous sample's return per √second, for the autocovariance.
    private var previousScaledReturn: Double?
    private var weight = 0.0
    private var squares = 0.0
    private var products = 0.0
    private var productWeight = 0.0

    /// - Precondition: `configuration.problem == nil`.
    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.problem == nil, "IntradayVariance: \(configuration.problem ?? "")")
        self.configuration = configuration
        samplingNanoseconds = Int64((configuration.samplingSeconds * 1e9).rounded())
    }

    /// Whether `warmupSamples` samples have been folded in.
    public var isWarm: Bool { sampleCount >= configuration.warmupSamples }

    /// Variance of the log price per second of event time; `nil` before the first sample.
    public var perSecondVariance: Double? {
        guard weight > 0 else { return nil }
        let q = squares / weight
        let c = productWeight > 0 ? products / productWeight : 0
        return max(q + 2 * c, q / 4)
    }

    /// Volatility over `seconds` of event time, √(variance per second × seconds); `nil` before the
    /// first sample.
    public func volatility(overSeconds seconds: Double) -> Double? {
        perSecondVariance.map { ($0 * seconds).squareRoot() }
    }

    /// Annualised volatility, √(variance per second × `tradingSecondsPerYear`).
    public func annualized(tradingSecondsPerYear: Double) -> Double? {
        volatility(overSeconds: tradingSecondsPerYear)
    }

    /// Folds in an accepted price at event time `ts` (nanoseconds). Returns whether a sample was taken.
    /// - Precondition: `price` is finite and `> 0`.
    /// - Complexity: O(1), no allocation.
    @discardableResult
    public mutating func observe(price: Double, at ts: Int64) -> Bool {
        guard started else {
            started = true
            sampleTs = ts
            samplePrice = price
            return false
        }
        guard ts &- sampleTs >= samplingNanoseconds else { return false }
        let dt = Double(ts &- sampleTs) * 1e-9
        let r = log(price / samplePrice)
        sampleTs = ts
        samplePrice = price
        guard r.isFinite else { return false }
        let decay = exp2(-min(dt, configuration.maximumGapSeconds) / configuration.halfLifeSeconds)
        let scaled = r / dt.squareRoot()
        weight = decay * weight + 1
        squares = decay * squares + scaled * scaled
        if let previous = previousScaledReturn {
            productWeight = decay * productWeight + 1
            products = decay * products + scaled * previous
        } else {
            productWeight *= decay
            products *= decay
        }
        previousScaledReturn = scaled
        sampleCount += 1
        return true
    }
}

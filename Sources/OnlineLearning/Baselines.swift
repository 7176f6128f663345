#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The persistence forecast: predicts the last target it learned, ignoring the features.
///
/// The floor every learned model must beat on a persistent target such as volatility. Before any
/// `learn` it predicts 0.
///
/// - Complexity: `predict` and `learn` are O(1) and allocate nothing.
/// - Memory: constant, `MemoryLayout<NaiveRegressor>.size` bytes (`memoryBound`).
public struct NaiveRegressor: OnlineRegressor, Checkpointable, Hashable {
    public let featureCount: Int
    /// The last finite target learned with a positive weight, `nil` before the first.
    public private(set) var lastTarget: Double?

    /// - Precondition: `featureCount >= 0`.
    public init(featureCount: Int) {
        precondition(featureCount >= 0, "featureCount must be >= 0")
        self.featureCount = featureCount
    }

    public func predict(_ x: [Double]) -> Double {
        lastTarget ?? 0
    }

    /// Remembers `y`. A weight of 0 (or less), or a non-finite `y`, leaves the model unchanged; the
    /// features are not used, so non-finite features do not matter.
    public mutating func learn(_ x: [Double], _ y: Double, weight: Double) {
        guard weight > 0, y.isFinite else { return }
        lastTarget = y
    }

    public var memoryBound: Int { MemoryLayout<Self>.size }

    public static let stateTag = "naive"
    public static let stateVersion: UInt16 = 1

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(featureCount)
        writer.write(lastTarget != nil)
        writer.write(lastTarget ?? 0)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        featureCount = try reader.readInt()
        guard featureCount >= 0 else { throw ModelStateError(offset: at, reason: "featureCount \(featureCount)") }
        let hasTarget = try reader.readBool()
        let target = try reader.readDouble()
        lastTarget = hasTarget ? target : nil
    }
}

/// Predicts an exponentially weighted moving average of past targets, ignoring the features:
/// `m ← m + α_w (y − m)` with `α_w = 1 − (1 − α)^w` for an example of weight `w`, so weight `k` counts
/// as `k` repeats of the example. The first target learned initialises `m` (no bias toward 0); before
/// any `learn` it predicts 0.
///
/// The classic smoothed-volatility baseline: with α = 0.05 it averages roughly the last 20 targets.
///
/// - Complexity: `predict` is O(1); `learn` is O(1) (one `pow` when `weight != 1`). Neither allocates.
/// - Memory: constant, `MemoryLayout<EWMABaselineRegressor>.size` bytes (`memoryBound`).
public struct EWMABaselineRegressor: OnlineRegressor, Checkpointable, Hashable {
    public let featureCount: Int
    /// The smoothing factor α in (0, 1].
    public let alpha: Double
    /// The current average, `nil` before the first target.
    public private(set) var mean: Double?

    /// - Precondition: `featureCount >= 0` and `0 < alpha <= 1`.
    public init(featureCount: Int, alpha: Double = 0.05) {
        precondition(featureCount >= 0, "featureCount must be >= 0")
        precondition(alpha > 0 && alpha <= 1, "alpha must be in (0, 1]")
        self.featureCount = featureCount
        self.alpha = alpha
    }

    public func predict(_ x: [Double]) -> Double {
        mean ?? 0
    }

    /// Moves the average toward `y`. A weight of 0 (or less), or a non-finite `y` or `weight`, leaves
    /// the model unchanged.
    public mutating func learn(_ x: [Double], _ y: Double, weight: Double) {
        guard weight > 0, weight.isFinite, y.isFinite else { return }
        guard let m = mean else {
            mean = y
            return
        }
        let a = weight == 1 ? alpha : 1 - pow1p(-alpha, weight)
        mean = m + a * (y - m)
    }

    public var memoryBound: Int { MemoryLayout<Self>.size }

    public static let stateTag = "ewma-baseline"
    public static let stateVersion: UInt16 = 1

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(featureCount)
        writer.write(alpha)
        writer.write(mean != nil)
        writer.write(mean ?? 0)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        var at = reader.offset
        featureCount = try reader.readInt()
        guard featureCount >= 0 else { throw ModelStateError(offset: at, reason: "featureCount \(featureCount)") }
        at = reader.offset
        alpha = try reader.readDouble()
        guard alpha > 0 && alpha <= 1 else { throw ModelStateError(offset: at, reason: "alpha \(alpha)") }
        let hasMean = try reader.readBool()
        let value = try reader.readDouble()
        mean = hasMean ? value : nil
    }
}

/// `(1 + u)^w` for `u` in [-1, 0), computed by repeated squaring for integral `w` (exact for Poisson
/// weights, no libm) and by `exp(w · log1p(u))` otherwise.
@inline(__always)
private func pow1p(_ u: Double, _ w: Double) -> Double {
    if w == w.rounded(), w <= 64 {
        var base = 1 + u
        var n = Int(w)
        var result = 1.0
        while n > 0 {
            if n & 1 == 1 { result *= base }
            base *= base
            n >>= 1
        }
        return result
    }
    return exp(w * log1p(u))
}

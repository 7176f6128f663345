#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Running per-feature standardization z = (x − μ)/σ by Welford's algorithm, optionally forgetting the
/// past exponentially.
///
/// With forgetting factor α (0 without forgetting), each feature keeps an effective weight
/// Wₙ = (1 − α)·Wₙ₋₁ + 1, a mean μₙ = μₙ₋₁ + (x − μₙ₋₁)/Wₙ and a sum of squares
/// Mₙ = (1 − α)·Mₙ₋₁ + (x − μₙ₋₁)(x − μₙ); the variance is Mₙ/Wₙ (population). With α = 0 this is exactly
/// Welford's update.
///
/// - A non-finite value leaves that feature's statistics untouched on `update` and transforms to 0 (the
///   mean) on `transform`.
/// - Constant-feature guard: if σ ≤ 1e-12·max(1, |μ|) (or no value seen), the feature is centred but not
///   scaled (σ taken as 1), so constants map to 0 instead of dividing by zero.
///
/// Cost: O(d) per call, no allocation. Memory: `memoryBound` = 24·d + 64 bytes (three doubles per feature).
public struct RunningStandardizer: Sendable, Checkpointable {
    /// How fast old rows are forgotten.
    public enum Forgetting: Sendable, Hashable {
        /// Cumulative statistics over every row.
        case none
        /// A row's weight halves after this many further rows (α = 1 − 2^(−1/h)).
        case halfLife(rows: Double)
        /// Each new row multiplies the weight of the past by 1 − α, α in (0, 1).
        case decay(alpha: Double)

        /// The forgetting factor α.
        public var alpha: Double {
            switch self {
            case .none: 0
            case .halfLife(let rows): 1 - pow(2, -1 / rows)
            case .decay(let alpha): alpha
            }
        }

        public var isValid: Bool {
            switch self {
            case .none: true
            case .halfLife(let rows): rows > 0 && rows.isFinite
            case .decay(let alpha): alpha > 0 && alpha < 1
            }
        }
    }

    public let featureCount: Int
    public let forgetting: Forgetting
    private let keep: Double
    /// Interleaved per feature: effective weight W, mean μ, sum of squared deviations M.
    private var stats: [Double]
    /// 1/σ per feature (1 for a constant feature), kept current by `update` so that `transform` is a
    /// subtract and a multiply: derived from `stats`, never saved.
    private var inverseScale: [Double]

    /// - Precondition: `featureCount ≥ 0`, `forgetting.isValid`.
    public init(featureCount: Int, forgetting: Forgetting = .none) {
        precondition(featureCount >= 0 && featureCount <= 1 << 28, "featureCount out of range")
        precondition(forgetting.isValid, "invalid forgetting \(forgetting)")
        self.featureCount = featureCount
        self.forgetting = forgetting
        keep = 1 - forgetting.alpha
        stats = Array(repeating: 0, count: 3 * featureCount)
        inverseScale = Array(repeating: 1, count: featureCount)
    }

    /// 1/σ from a feature's statistics, or 1 when σ is too small to divide by (the feature is only centred).
    /// The same operations as `update` (a product with the reciprocal of the weight), so that a restored
    /// checkpoint transforms bit for bit as the original did.
    @inline(__always)
    static func inverseScale(weight: Double, mean: Double, squares: Double) -> Double {
        let sd = weight > 0 ? (max(squares, 0) * (1 / weight)).squareRoot() : 0
        return sd > 1e-12 * max(1, abs(mean)) ? 1 / sd : 1
    }

    public var memoryBound: Int { 24 * featureCount + 64 }

    /// The running means (allocates).
    public var means: [Double] { (0..<featureCount).map { stats[3 * $0 + 1] } }

    /// The running population variances (allocates); 0 for a feature with no value yet.
    public var variances: [Double] {
        (0..<featureCount).map { i in stats[3 * i] > 0 ? stats[3 * i + 2] / stats[3 * i] : 0 }
    }

    /// Folds one row into the statistics. - Complexity: O(d), no allocation.
    /// - Precondition: `x.count == featureCount`.
    public mutating func update(_ x: [Double]) {
        precondition(x.count == featureCount, "expected \(featureCount) features, got \(x.count)")
        let keep = self.keep
        stats.withUnsafeMutableBufferPointer { s in
            inverseScale.withUnsafeMutableBufferPointer { inverse in
                x.withUnsafeBufferPointer { x in
                    // Every feature of a row usually has the same weight: one reciprocal serves them all.
                    var lastWeight = -1.0
                    var reciprocal = 0.0
                    for i in 0..<x.count {
                        let v = x[i]
                        if !v.isFinite { continue }
                        let j = 3 * i
                        let w = keep * s[j] + 1
                        if w != lastWeight {
                            lastWeight = w
                            reciprocal = 1 / w
                        }
                        let delta = v - s[j + 1]
                        let mean = s[j + 1] + delta * reciprocal
                        let squares = keep * s[j + 2] + delta * (v - mean)
                        s[j] = w
                        s[j + 1] = mean
                        s[j + 2] = squares
                        let sd = (max(squares, 0) * reciprocal).squareRoot()
                        inverse[i] = sd > 1e-12 * max(1, abs(mean)) ? 1 / sd : 1
                    }
                }
            }
        }
    }

    /// Writes the standardized row into `out` (resized only if its count differs). Does not update.
    /// - Complexity: O(d), no allocation when `out.count == featureCount`.
    public func transform(_ x: [Double], into out: inout [Double]) {
        if out.count != featureCount { out = Array(repeating: 0, count: featureCount) }
        out.withUnsafeMutableBufferPointer { transform(x, into: $0) }
    }

    /// Writes the standardized row into a buffer of `featureCount` doubles. Does not update.
    /// - Complexity: O(d), no allocation.
    public func transform(_ x: [Double], into o: UnsafeMutableBufferPointer<Double>) {
        precondition(x.count == featureCount, "expected \(featureCount) features, got \(x.count)")
        precondition(o.count == featureCount, "output buffer holds \(o.count), not \(featureCount)")
        stats.withUnsafeBufferPointer { s in
            inverseScale.withUnsafeBufferPointer { inverse in
                x.withUnsafeBufferPointer { x in
                    for i in 0..<x.count {
                        let v = x[i]
                        o[i] = v.isFinite ? (v - s[3 * i + 1]) * inverse[i] : 0
                    }
                }
            }
        }
    }

    /// The standardized row (allocates).
    public func transform(_ x: [Double]) -> [Double] {
        var out = Array(repeating: 0.0, count: featureCount)
        transform(x, into: &out)
        return out
    }

    /// `update(x)` then `transform(x, into:)`, as River's `learn_one` then `transform_one`.
    public mutating func updateAndTransform(_ x: [Double], into out: inout [Double]) {
        update(x)
        transform(x, into: &out)
    }

    public static var stateTag: String { "standardizer" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(featureCount)
        switch forgetting {
        case .none: writer.write(UInt8(0)); writer.write(0.0)
        case .halfLife(let rows): writer.write(UInt8(1)); writer.write(rows)
        case .decay(let alpha): writer.write(UInt8(2)); writer.write(alpha)
        }
        writer.write(stats)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let count = try reader.readCount(limit: 1 << 28)
        let at = reader.offset
        let tag = try reader.readUInt8()
        let parameter = try reader.readDouble()
        let forgetting: Forgetting
        switch tag {
        case 0: forgetting = .none
        case 1: forgetting = .halfLife(rows: parameter)
        case 2: forgetting = .decay(alpha: parameter)
        default: throw ModelStateError(offset: at, reason: "unknown forgetting tag \(tag)")
        }
        guard forgetting.isValid else { throw ModelStateError(offset: at, reason: "invalid \(forgetting)") }
        let statsAt = reader.offset
        let stats = try reader.readDoubles(limit: 3 * count)
        guard stats.count == 3 * count else {
            throw ModelStateError(offset: statsAt, reason: "\(stats.count) statistics for \(count) features")
        }
        self.init(featureCount: count, forgetting: forgetting)
        self.stats = stats
        for i in 0..<count {
            inverseScale[i] = Self.inverseScale(weight: stats[3 * i], mean: stats[3 * i + 1], squares: stats[3 * i + 2])
        }
    }
}

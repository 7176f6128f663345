/// Cumulative regression metrics: MAE, RMSE and R² over every (target, prediction) pair so far.
///
/// Means are updated in Welford's form (m ← m + (v − m)/n), and the target's variance by Welford's
/// algorithm, so long streams do not lose precision to large running sums.
/// Cost: O(1) per update, no allocation. Memory: `memoryBound` = 64 bytes.
public struct RegressionMetrics: Sendable, Hashable, Checkpointable {
    /// Number of pairs.
    public private(set) var count: Int = 0
    private var meanAbsolute: Double = 0
    private var meanSquared: Double = 0
    private var targetMean: Double = 0
    private var targetM2: Double = 0

    public init() {}

    public var memoryBound: Int { 64 }

    /// Adds one pair; a non-finite target or prediction is ignored.
    public mutating func update(target y: Double, prediction p: Double) {
        guard y.isFinite && p.isFinite else { return }
        count += 1
        let n = Double(count)
        let e = y - p
        meanAbsolute += (abs(e) - meanAbsolute) / n
        meanSquared += (e * e - meanSquared) / n
        let delta = y - targetMean
        targetMean += delta / n
        targetM2 += delta * (y - targetMean)
    }

    /// Mean absolute error (0 when empty).
    public var mae: Double { meanAbsolute }
    /// Root mean squared error (0 when empty).
    public var rmse: Double { meanSquared.squareRoot() }
    /// Coefficient of determination 1 − SSE/SST; 0 when empty or when the targets are constant.
    public var r2: Double {
        guard count > 0, targetM2 > 0 else { return 0 }
        return 1 - meanSquared * Double(count) / targetM2
    }

    public static var stateTag: String { "metrics" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(count)
        for v in [meanAbsolute, meanSquared, targetMean, targetM2] { writer.write(v) }
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        count = try reader.readCount(limit: Int.max)
        meanAbsolute = try reader.readDouble()
        meanSquared = try reader.readDouble()
        targetMean = try reader.readDouble()
        targetM2 = try reader.readDouble()
    }
}

/// MAE, RMSE and R² over the last `window` (target, prediction) pairs.
///
/// A ring holds the window; running sums of |e|, e² and the target's mean and M2 are updated in O(1) on
/// each insert/evict (Welford's add and remove), and recomputed exactly from the ring once every `window`
/// updates so rounding error cannot accumulate (amortized O(1)).
/// Memory: `memoryBound` = 16·window + 128 bytes, allocated at initialization.
public struct RollingRegressionMetrics: Sendable, Checkpointable {
    public let window: Int
    private var targets: [Double]
    private var predictions: [Double]
    private var head = 0
    /// Pairs in the window (≤ `window`).
    public private(set) var count = 0
    private var sinceRecompute = 0
    private var sumAbsolute: Double = 0
    private var sumSquared: Double = 0
    private var targetMean: Double = 0
    private var targetM2: Double = 0

    /// - Precondition: `window ≥ 1`.
    public init(window: Int) {
        precondition(window >= 1 && window <= 1 << 28, "window out of range")
        self.window = window
        targets = Array(repeating: 0, count: window)
        predictions = Array(repeating: 0, count: window)
    }

    public var memoryBound: Int { 16 * window + 128 }

    /// Adds one pair, evicting the oldest when full; a non-finite pair is ignored. O(1) amortized.
    public mutating func update(target y: Double, prediction p: Double) {
        guard y.isFinite && p.isFinite else { return }
        if count == window {
            let oldY = targets[head]
            let oldE = oldY - predictions[head]
            sumAbsolute -= abs(oldE)
            sumSquared -= oldE * oldE
            let n = Double(count - 1)
            if n > 0 {
                let delta = oldY - targetMean
                targetMean -= delta / n
                targetM2 -= delta * (oldY - targetMean)
            } else {
                targetMean = 0
                targetM2 = 0
            }
            count -= 1
        }
        targets[head] = y
        predictions[head] = p
        head = head + 1 == window ? 0 : head + 1
        let e = y - p
        sumAbsolute += abs(e)
        sumSquared += e * e
        count += 1
        let delta = y - targetMean
        targetMean += delta / Double(count)
        targetM2 += delta * (y - targetMean)
        sinceRecompute += 1
        if sinceRecompute >= window { recompute() }
    }

    private mutating func recompute() {
        sinceRecompute = 0
        var sa = 0.0, ss = 0.0, mean = 0.0, m2 = 0.0
        var i = (head - count + window) % window
        for k in 0..<count {
            let y = targets[i]
            let e = y - predictions[i]
            sa += abs(e)
            ss += e * e
            let delta = y - mean
            mean += delta / Double(k + 1)
            m2 += delta * (y - mean)
            i = i + 1 == window ? 0 : i + 1
        }
        sumAbsolute = sa
        sumSquared = ss
        targetMean = mean
        targetM2 = m2
    }

    public var mae: Double { count > 0 ? max(0, sumAbsolute) / Double(count) : 0 }
    public var rmse: Double { count > 0 ? (max(0, sumSquared) / Double(count)).squareRoot() : 0 }
    public var r2: Double {
        guard count > 0, targetM2 > 0 else { return 0 }
        return 1 - max(0, sumSquared) / targetM2
    }

    public static var stateTag: String { "rolling-metrics" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(window)
        writer.write(head)
        writer.write(count)
        writer.write(sinceRecompute)
        for v in [sumAbsolute, sumSquared, targetMean, targetM2] { writer.write(v) }
        writer.write(targets)
        writer.write(predictions)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let window = try reader.readCount(limit: 1 << 28)
        guard window >= 1 else { throw ModelStateError(offset: at, reason: "window 0") }
        let headAt = reader.offset
        let head = try reader.readCount(limit: window - 1)
        let count = try reader.readCount(limit: window)
        let since = try reader.readCount(limit: window)
        let sa = try reader.readDouble()
        let ss = try reader.readDouble()
        let mean = try reader.readDouble()
        let m2 = try reader.readDouble()
        let targets = try reader.readDoubles(limit: window)
        let predictions = try reader.readDoubles(limit: window)
        guard targets.count == window, predictions.count == window else {
            throw ModelStateError(offset: headAt, reason: "ring sizes differ from window \(window)")
        }
        self.init(window: window)
        self.head = head
        self.count = count
        sinceRecompute = since
        sumAbsolute = sa
        sumSquared = ss
        targetMean = mean
        targetM2 = m2
        self.targets = targets
        self.predictions = predictions
    }
}

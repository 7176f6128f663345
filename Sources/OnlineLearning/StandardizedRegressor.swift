/// A regressor that sees standardised features: a `RunningStandardizer` (Welford, per feature) in front
/// of any `OnlineRegressor`.
///
/// Centring matters even for scale-invariant update rules: a feature that sits far from zero (a log
/// variance around 5, a spread around 3 bps) moves with the intercept and slows every update. `learn`
/// updates the statistics with `x` first, then trains the model on the transformed row; `predict` uses
/// the statistics as they are.
///
/// Target scaling: with `scalesTarget`, the model learns (y − μ_y)/σ_y from the target's own running
/// mean and σ (Welford, no forgetting; σ_y taken as 1 until it is positive), and predictions are
/// μ_y + σ_y·model(z). A model whose step sizes are scale-free in x (the normalized adaptive rule) is
/// then scale-free in y too: a target in hundreds of basis points is learned as fast as one near 1,
/// instead of an intercept crawling towards it at AdaGrad's η·√t.
///
/// Clipping: with `clip` finite, every standardised value is clamped to [−clip, clip]. A feature that was
/// nearly constant while the statistics were young (a quiet start, a price that barely moved) has a
/// tiny σ, so its first real move standardises to hundreds of σ and a linear model turns it into a
/// forecast spike; the clamp bounds each feature's contribution to |wᵢ|·clip until σ has caught up.
///
/// - Complexity: O(featureCount) per call on top of the model's own cost; no allocation (`learn` reuses
///   a buffer, `predict` uses stack scratch).
public struct StandardizedRegressor<Model: OnlineRegressor & Checkpointable>: OnlineRegressor, Checkpointable {
    public private(set) var standardizer: RunningStandardizer
    public private(set) var model: Model
    private var scratch: [Double]
    /// Standardised values are clamped to ±clip (`.infinity`: no clamp).
    public let clip: Double
    /// Whether the model learns the standardised target.
    public let scalesTarget: Bool
    /// The target's Welford statistics: weight, mean, sum of squared deviations.
    private var targetWeight = 0.0
    private var targetMean = 0.0
    private var targetSquares = 0.0

    /// - Precondition: `clip > 0` (`.infinity` for none).
    public init(
        model: Model, forgetting: RunningStandardizer.Forgetting = .none, clip: Double = .infinity,
        scalesTarget: Bool = false
    ) {
        precondition(clip > 0, "clip must be > 0")
        self.model = model
        self.clip = clip
        self.scalesTarget = scalesTarget
        standardizer = RunningStandardizer(featureCount: model.featureCount, forgetting: forgetting)
        scratch = [Double](repeating: 0, count: model.featureCount)
    }

    public var featureCount: Int { model.featureCount }

    public var memoryBound: Int { standardizer.memoryBound + model.memoryBound + 8 * featureCount + 64 }

    /// - Complexity: O(featureCount); the transformed row lives in stack scratch, no allocation for
    ///   models with a buffer fast path (`SGDRegressor`).
    public func predict(_ x: [Double]) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: featureCount) { row in
            standardizer.transform(x, into: row)
            if clip < .infinity { Self.clamp(row, clip) }
            return targetMean + targetScale * model.predict(buffer: UnsafeBufferPointer(row))
        }
    }

    public mutating func learn(_ x: [Double], _ y: Double, weight: Double) {
        guard weight > 0, y.isFinite, x.allSatisfy(\.isFinite) else {
            model.learn(x, y, weight: weight)  // let the model count the skipped example
            return
        }
        standardizer.updateAndTransform(x, into: &scratch)
        if clip < .infinity {
            let clip = self.clip
            scratch.withUnsafeMutableBufferPointer { Self.clamp($0, clip) }
        }
        guard scalesTarget else {
            model.learn(scratch, y, weight: weight)
            return
        }
        targetWeight += 1
        let delta = y - targetMean
        targetMean += delta / targetWeight
        targetSquares += delta * (y - targetMean)
        model.learn(scratch, (y - targetMean) / targetScale, weight: weight)
    }

    /// σ_y, or 1 while it is not positive (and always 1 without target scaling, where μ_y stays 0).
    var targetScale: Double {
        let sd = targetWeight > 0 ? (max(targetSquares, 0) / targetWeight).squareRoot() : 0
        return sd > 1e-12 * max(1, abs(targetMean)) ? sd : 1
    }

    /// The row the inner model sees for `x` (standardised and clamped), and the factor σ_y that turns its
    /// output into target units. Allocates the row.
    func modelRow(_ x: [Double]) -> (row: [Double], scale: Double) {
        var row = standardizer.transform(x)
        if clip < .infinity { row = row.map { min(max($0, -clip), clip) } }
        return (row, targetScale)
    }

    @inline(__always)
    private static func clamp(_ row: UnsafeMutableBufferPointer<Double>, _ clip: Double) {
        for i in row.indices { row[i] = min(max(row[i], -clip), clip) }
    }

    public static var stateTag: String { "standardized" }
    /// Version 2 adds `clip` and the target statistics after the model; version 1 states restore with
    /// neither.
    public static var stateVersion: UInt16 { 2 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(model: standardizer)
        writer.write(model: model)
        writer.write(clip)
        writer.write(scalesTarget)
        for v in [targetWeight, targetMean, targetSquares] { writer.write(v) }
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        standardizer = try reader.read(model: RunningStandardizer.self)
        model = try reader.read(model: Model.self)
        if version >= 2 {
            let at = reader.offset
            clip = try reader.readDouble()
            guard clip > 0 else { throw ModelStateError(offset: at, reason: "clip \(clip) is not > 0") }
            scalesTarget = try reader.readBool()
            targetWeight = try reader.readDouble()
            targetMean = try reader.readDouble()
            targetSquares = try reader.readDouble()
        } else {
            clip = .infinity
            scalesTarget = false
        }
        guard standardizer.featureCount == model.featureCount else {
            throw ModelStateError(offset: reader.offset, reason: "standardizer and model widths differ")
        }
        scratch = [Double](repeating: 0, count: model.featureCount)
    }
}

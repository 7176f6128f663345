/// A regressor that sees standardised features: a `RunningStandardizer` (Welford, per feature) in front
/// of any `OnlineRegressor`.
///
/// Centring matters even for scale-invariant update rules: a feature that sits far from zero (a log
/// variance around 5, a spread around 3 bps) moves with the intercept and slows every update. `learn`
/// updates the statistics with `x` first, then trains the model on the transformed row; `predict` uses
/// the statistics as they are.
///
/// - Complexity: O(featureCount) per call on top of the model's own cost; no allocation (`learn` reuses
///   a buffer, `predict` uses stack scratch).
public struct StandardizedRegressor<Model: OnlineRegressor & Checkpointable>: OnlineRegressor, Checkpointable {
    public private(set) var standardizer: RunningStandardizer
    public private(set) var model: Model
    private var scratch: [Double]

    public init(model: Model, forgetting: RunningStandardizer.Forgetting = .none) {
        self.model = model
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
            return model.predict(buffer: UnsafeBufferPointer(row))
        }
    }

    public mutating func learn(_ x: [Double], _ y: Double, weight: Double) {
        guard weight > 0, y.isFinite, x.allSatisfy(\.isFinite) else {
            model.learn(x, y, weight: weight)  // let the model count the skipped example
            return
        }
        standardizer.updateAndTransform(x, into: &scratch)
        model.learn(scratch, y, weight: weight)
    }

    public static var stateTag: String { "standardized" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(model: standardizer)
        writer.write(model: model)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        standardizer = try reader.read(model: RunningStandardizer.self)
        model = try reader.read(model: Model.self)
        guard standardizer.featureCount == model.featureCount else {
            throw ModelStateError(offset: reader.offset, reason: "standardizer and model widths differ")
        }
        scratch = [Double](repeating: 0, count: model.featureCount)
    }
}

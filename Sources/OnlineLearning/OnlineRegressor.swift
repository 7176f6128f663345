/// A regression model that learns one example at a time.
///
/// Contract for every conformer:
/// - `predict` never changes the model; `learn` is the only mutation.
/// - Deterministic: the same seed and the same sequence of calls give the same predictions, bit for bit.
/// - Bounded memory: each model documents its bound (`memoryBound`) and never exceeds it.
/// - `predict` before any `learn` returns a finite number (usually 0).
/// - Feature vectors have a fixed width per model (`featureCount`), set at initialisation.
public protocol OnlineRegressor: Sendable {
    /// Number of features every `x` must have.
    var featureCount: Int { get }

    /// The prediction for `x`. - Precondition: `x.count == featureCount`.
    func predict(_ x: [Double]) -> Double

    /// The prediction for a row held in a buffer (a wrapper's stack scratch, say). The default copies it
    /// into an array; models with a dense fast path override it to read the buffer in place.
    func predict(buffer x: UnsafeBufferPointer<Double>) -> Double

    /// Updates the model with one example. `weight` scales the example (online bagging uses Poisson
    /// weights); 0 is a no-op. Non-finite `x` or `y` must not corrupt the model (skip the example).
    mutating func learn(_ x: [Double], _ y: Double, weight: Double)

    /// An upper bound on the model's memory in bytes, as documented by the model.
    var memoryBound: Int { get }
}

extension OnlineRegressor {
    public func predict(buffer x: UnsafeBufferPointer<Double>) -> Double {
        predict(Array(x))
    }

    public mutating func learn(_ x: [Double], _ y: Double) {
        learn(x, y, weight: 1)
    }
}

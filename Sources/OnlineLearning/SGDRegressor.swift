#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A linear model ŷ = w·x + b trained online by stochastic gradient descent.
///
/// - Zero values are absent features: an example leaves the weight and optimizer state of every feature
///   whose value is 0 untouched (lazy updates). So the dense path (`learn(_:_:weight:)`) and the sparse
///   path (`learn(indices:values:_:weight:)`) give bit-identical models on the same examples.
/// - An example with a non-finite value, target or weight, or a negative weight, is skipped and counted
///   in `skippedCount`; a weight of 0 is a no-op.
/// - Regularization (after the loss step, on present features only; the intercept is never penalized):
///   L2 as decoupled decay w ← w·max(0, 1 − h·λ₂·η₀), and L1 by the cumulative penalty of Tsuruoka, Tsujii
///   & Ananiadou (2009), which clips weights at zero and can make them exactly 0. η₀ is the rule's base
///   rate (η, or η/tᵖ for inverse scaling), h the example weight.
/// - Gradient clipping bounds |∂ℓ/∂p| by `gradientClip` (for the normalized rule, it bounds the step
///   multiplier by `gradientClip`·h instead).
///
/// Cost: predict O(d) over present features, learn O(d) with at most three passes; neither allocates on
/// the dense or the sparse path. Memory: `memoryBound` = 48·d + 256 bytes, fixed at initialization: five
/// doubles per feature (weight, two optimizer accumulators, scale, L1 penalty) and one scratch double,
/// plus the struct's scalars and two array headers.
public struct SGDRegressor: OnlineRegressor, Checkpointable {
    /// Training options. The defaults never diverge: squared loss, no regularization, the normalized
    /// adaptive rule with η = 0.5, an intercept, no clipping.
    public struct Options: Sendable, Hashable {
        public var loss: Loss
        public var updateRule: UpdateRule
        /// L1 strength λ₁ ≥ 0 (cumulative penalty).
        public var l1: Double
        /// L2 strength λ₂ ≥ 0 (decoupled decay).
        public var l2: Double
        /// Bound on |∂ℓ/∂p|; `.infinity` disables clipping.
        public var gradientClip: Double
        /// Whether to learn the intercept b (otherwise b stays 0).
        public var fitIntercept: Bool

        public init(
            loss: Loss = .squared,
            updateRule: UpdateRule = .default,
            l1: Double = 0,
            l2: Double = 0,
            gradientClip: Double = .infinity,
            fitIntercept: Bool = true
        ) {
            self.loss = loss
            self.updateRule = updateRule
            self.l1 = l1
            self.l2 = l2
            self.gradientClip = gradientClip
            self.fitIntercept = fitIntercept
        }

        /// Whether every option is in range.
        public var isValid: Bool {
            loss.isValid && updateRule.isValid && l1 >= 0 && l1.isFinite && l2 >= 0 && l2.isFinite
                && gradientClip > 0 && !gradientClip.isNaN
        }
    }

    public let featureCount: Int
    public let options: Options

    /// Per feature, interleaved: weight, accumulator 1 (AdaGrad/normalized G, Adam m), accumulator 2
    /// (Adam v), scale sᵢ = max |xᵢ| (normalized rule), L1 penalty applied so far qᵢ.
    var state: [Double]
    /// Per present feature of the current example: the normalized rule's rate. Never reallocated.
    var scratch: [Double]
    public private(set) var intercept: Double = 0
    var interceptAcc1: Double = 0
    var interceptAcc2: Double = 0
    /// Number of updates (examples learned).
    public private(set) var updateCount: Int = 0
    /// Examples skipped because of a non-finite value, target or weight, or a negative weight.
    public private(set) var skippedCount: Int = 0
    var totalWeight: Double = 0
    var normSum: Double = 0
    var l1Total: Double = 0
    var beta1Power: Double = 1
    var beta2Power: Double = 1

    static let stride = 5

    /// A zero model. - Precondition: `featureCount ≥ 0` and `options.isValid`.
    public init(featureCount: Int, options: Options = Options()) {
        precondition(featureCount >= 0 && featureCount <= 1 << 28, "featureCount out of range")
        precondition(options.isValid, "invalid SGDRegressor options \(options)")
        self.featureCount = featureCount
        self.options = options
        state = Array(repeating: 0, count: featureCount * Self.stride)
        scratch = Array(repeating: 0, count: featureCount)
    }

    /// The coefficients wᵢ (allocates a copy).
    public var weights: [Double] {
        (0..<featureCount).map { state[$0 * Self.stride] }
    }

    public var memoryBound: Int { 48 * featureCount + 256 }

    // MARK: Prediction

    /// w·x + b. - Complexity: O(d), no allocation. - Precondition: `x.count == featureCount`.
    public func predict(_ x: [Double]) -> Double {
        precondition(x.count == featureCount, "expected \(featureCount) features, got \(x.count)")
        return x.withUnsafeBufferPointer { predict(DenseFeatures(values: $0)) }
    }

    /// The dense prediction read in place from a buffer. - Complexity: O(d), no allocation.
    public func predict(buffer x: UnsafeBufferPointer<Double>) -> Double {
        precondition(x.count == featureCount, "expected \(featureCount) features, got \(x.count)")
        return predict(DenseFeatures(values: x))
    }

    /// w·x + b over the listed features only. - Complexity: O(nnz), no allocation.
    /// - Precondition: equal counts, indices in `0..<featureCount`.
    public func predict(indices: [Int], values: [Double]) -> Double {
        precondition(indices.count == values.count, "indices and values differ in length")
        return indices.withUnsafeBufferPointer { i in
            values.withUnsafeBufferPointer { v in predict(SparseFeatures(indices: i, values: v, bound: featureCount)) }
        }
    }

    func predict<F: FeatureSource>(_ f: F) -> Double {
        state.withUnsafeBufferPointer { s in
            var sum = intercept
            for k in 0..<f.count { sum += s[f.index(k) &* Self.stride] * f.value(k) }
            return sum
        }
    }

    /// wᵢ·xᵢ for each feature (the intercept is not included), for explaining a prediction.
    public func contributions(_ x: [Double]) -> [Double] {
        var out = Array(repeating: 0.0, count: featureCount)
        contributions(x, into: &out)
        return out
    }

    /// wᵢ·xᵢ for each feature into `out` (resized to `featureCount` only if needed).
    public func contributions(_ x: [Double], into out: inout [Double]) {
        precondition(x.count == featureCount, "expected \(featureCount) features, got \(x.count)")
        if out.count != featureCount { out = Array(repeating: 0, count: featureCount) }
        for i in 0..<featureCount { out[i] = state[i * Self.stride] * x[i] }
    }

    // MARK: Learning

    /// One SGD update on a dense example. - Complexity: O(d), no allocation.
    /// - Precondition: `x.count == featureCount`.
    public mutating func learn(_ x: [Double], _ y: Double, weight: Double) {
        precondition(x.count == featureCount, "expected \(featureCount) features, got \(x.count)")
        x.withUnsafeBufferPointer { learn(DenseFeatures(values: $0), y, weight: weight) }
    }

    /// One SGD update on a sparse example (features not listed are 0). Indices must be distinct
    /// (`FeatureHasher` merges collisions). - Complexity: O(nnz), no allocation.
    public mutating func learn(indices: [Int], values: [Double], _ y: Double, weight: Double = 1) {
        precondition(indices.count == values.count, "indices and values differ in length")
        let bound = featureCount
        indices.withUnsafeBufferPointer { i in
            values.withUnsafeBufferPointer { v in
                learn(SparseFeatures(indices: i, values: v, bound: bound), y, weight: weight)
            }
        }
    }

    mutating func learn<F: FeatureSource>(_ f: F, _ y: Double, weight h: Double) {
        if h == 0 { return }
        guard y.isFinite, h.isFinite, h > 0, f.allFinite else {
            skippedCount += 1
            return
        }
        updateCount += 1
        let t = Double(updateCount)
        switch options.updateRule {
        case .normalizedAdaptive(let eta):
            normalizedStep(f, y, h, eta)
        default:
            plainStep(f, y, h, t)
        }
        if options.l1 > 0 || options.l2 > 0 { regularize(f, h, t) }
    }

    mutating func plainStep<F: FeatureSource>(_ f: F, _ y: Double, _ h: Double, _ t: Double) {
        let p = predict(f)
        let clip = options.gradientClip
        let g = h * min(max(options.loss.gradient(prediction: p, target: y), -clip), clip)
        let rule = options.updateRule
        let fit = options.fitIntercept
        let n = f.count
        let st = Self.stride
        switch rule {
        case .constant(let eta), .inverseScaling(let eta, _):
            if g == 0 { return }
            _ = eta
            let rate = rule.baseRate(at: t)
            state.withUnsafeMutableBufferPointer { s in
                for k in 0..<n { s[f.index(k) &* st] -= rate * g * f.value(k) }
            }
            if fit { intercept -= rate * g }
        case .adaGrad(let eta):
            if g == 0 { return }
            state.withUnsafeMutableBufferPointer { s in
                for k in 0..<n {
                    let x = f.value(k)
                    if x == 0 { continue }
                    let j = f.index(k) &* st
                    let gx = g * x
                    s[j + 1] += gx * gx
                    s[j] -= eta * gx / (s[j + 1].squareRoot() + 1e-8)
                }
            }
            if fit {
                interceptAcc1 += g * g
                intercept -= eta * g / (interceptAcc1.squareRoot() + 1e-8)
            }
        case .adam(let eta, let beta1, let beta2):
            beta1Power *= beta1
            beta2Power *= beta2
            let c1 = 1 / (1 - beta1Power)
            let c2 = 1 / (1 - beta2Power)
            state.withUnsafeMutableBufferPointer { s in
                for k in 0..<n {
                    let x = f.value(k)
                    if x == 0 { continue }
                    let j = f.index(k) &* st
                    let gx = g * x
                    s[j + 1] = beta1 * s[j + 1] + (1 - beta1) * gx
                    s[j + 2] = beta2 * s[j + 2] + (1 - beta2) * gx * gx
                    s[j] -= eta * (s[j + 1] * c1) / ((s[j + 2] * c2).squareRoot() + 1e-8)
                }
            }
            if fit {
                interceptAcc1 = beta1 * interceptAcc1 + (1 - beta1) * g
                interceptAcc2 = beta2 * interceptAcc2 + (1 - beta2) * g * g
                intercept -= eta * (interceptAcc1 * c1) / ((interceptAcc2 * c2).squareRoot() + 1e-8)
            }
        case .normalizedAdaptive:
            preconditionFailure("normalizedStep handles this rule")
        }
    }

    mutating func normalizedStep<F: FeatureSource>(_ f: F, _ y: Double, _ h: Double, _ eta: Double) {
        let n = f.count
        let st = Self.stride
        let fit = options.fitIntercept
        // Pass 1: grow scales (rescaling weights), accumulate ‖x/s‖², and predict with the rescaled weights.
        var p = intercept
        var normX: Double = fit ? 1 : 0
        state.withUnsafeMutableBufferPointer { s in
            for k in 0..<n {
                let x = f.value(k)
                if x == 0 { continue }
                let j = f.index(k) &* st
                let a = abs(x)
                var scale = s[j + 3]
                if a > scale {
                    if scale > 0 { s[j] *= scale / a }
                    scale = a
                    s[j + 3] = a
                }
                let r = x / scale
                normX += r * r
                p += s[j] * x
            }
        }
        totalWeight += h
        normSum += h * normX
        let g = options.loss.gradient(prediction: p, target: y)
        if g == 0 || normSum == 0 { return }
        let gg = h * g * g
        let multiplier = eta * (totalWeight / normSum).squareRoot()
        // Pass 2: adaptive accumulators and per-feature rates; k = how fast the prediction moves.
        var speed = 0.0
        state.withUnsafeMutableBufferPointer { s in
            scratch.withUnsafeMutableBufferPointer { rates in
                for k in 0..<n {
                    let x = f.value(k)
                    if x == 0 { continue }
                    let j = f.index(k) &* st
                    s[j + 1] += gg * x * x
                    let rate = 1 / (s[j + 1].squareRoot() * s[j + 3])
                    rates[k] = rate
                    speed += x * x * rate
                }
            }
        }
        var interceptRate = 0.0
        if fit {
            interceptAcc1 += gg
            interceptRate = 1 / interceptAcc1.squareRoot()
            speed += interceptRate
        }
        speed *= multiplier
        if !(speed > 0) || !speed.isFinite { return }
        let clip = options.gradientClip * h
        let u = min(
            max(options.loss.flowStep(prediction: p, target: y, importance: h, rate: speed) / speed, -clip), clip)
        let step = u * multiplier
        // Pass 3: move every present weight along its rate.
        state.withUnsafeMutableBufferPointer { s in
            scratch.withUnsafeBufferPointer { rates in
                for k in 0..<n {
                    let x = f.value(k)
                    if x == 0 { continue }
                    s[f.index(k) &* st] += step * rates[k] * x
                }
            }
        }
        if fit { intercept += step * interceptRate }
    }

    mutating func regularize<F: FeatureSource>(_ f: F, _ h: Double, _ t: Double) {
        let base = options.updateRule.baseRate(at: t)
        let decay = max(0, 1 - h * options.l2 * base)
        let l1 = options.l1 > 0
        if l1 { l1Total += h * options.l1 * base }
        let total = l1Total
        let st = Self.stride
        state.withUnsafeMutableBufferPointer { s in
            for k in 0..<f.count {
                if f.value(k) == 0 { continue }
                let j = f.index(k) &* st
                s[j] *= decay
                if l1 {
                    // Cumulative penalty: clip towards 0 by what the weight could have lost so far.
                    let before = s[j]
                    if before > 0 {
                        s[j] = max(0, before - (total + s[j + 4]))
                    } else if before < 0 {
                        s[j] = min(0, before + (total - s[j + 4]))
                    }
                    s[j + 4] += s[j] - before
                }
            }
        }
    }

    // MARK: Checkpoint

    public static var stateTag: String { "sgd" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(featureCount)
        options.write(to: &writer)
        writer.write(state)
        for v in [intercept, interceptAcc1, interceptAcc2, totalWeight, normSum, l1Total, beta1Power, beta2Power] {
            writer.write(v)
        }
        writer.write(updateCount)
        writer.write(skippedCount)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let count = try reader.readCount(limit: 1 << 28)
        let options = try Options(reading: &reader)
        let stateAt = reader.offset
        let state = try reader.readDoubles(limit: count * Self.stride)
        guard state.count == count * Self.stride else {
            throw ModelStateError(offset: stateAt, reason: "sgd state has \(state.count) values for \(count) features")
        }
        self.init(featureCount: count, options: options)
        self.state = state
        intercept = try reader.readDouble()
        interceptAcc1 = try reader.readDouble()
        interceptAcc2 = try reader.readDouble()
        totalWeight = try reader.readDouble()
        normSum = try reader.readDouble()
        l1Total = try reader.readDouble()
        beta1Power = try reader.readDouble()
        beta2Power = try reader.readDouble()
        updateCount = try reader.readCount(limit: Int.max)
        skippedCount = try reader.readCount(limit: Int.max)
    }
}

extension SGDRegressor.Options {
    func write(to writer: inout ModelStateWriter) {
        switch loss {
        case .squared: writer.write(UInt8(0)); writer.write(0.0)
        case .huber(let d): writer.write(UInt8(1)); writer.write(d)
        case .epsilonInsensitive(let e): writer.write(UInt8(2)); writer.write(e)
        case .quantile(let t): writer.write(UInt8(3)); writer.write(t)
        }
        switch updateRule {
        case .constant(let eta): writer.write(UInt8(0)); for v in [eta, 0, 0] { writer.write(v) }
        case .inverseScaling(let eta, let p): writer.write(UInt8(1)); for v in [eta, p, 0] { writer.write(v) }
        case .adaGrad(let eta): writer.write(UInt8(2)); for v in [eta, 0, 0] { writer.write(v) }
        case .adam(let eta, let b1, let b2): writer.write(UInt8(3)); for v in [eta, b1, b2] { writer.write(v) }
        case .normalizedAdaptive(let eta): writer.write(UInt8(4)); for v in [eta, 0, 0] { writer.write(v) }
        }
        writer.write(l1)
        writer.write(l2)
        writer.write(gradientClip)
        writer.write(fitIntercept)
    }

    init(reading reader: inout ModelStateReader) throws(ModelStateError) {
        let at = reader.offset
        let lossTag = try reader.readUInt8()
        let lossParameter = try reader.readDouble()
        let loss: Loss
        switch lossTag {
        case 0: loss = .squared
        case 1: loss = .huber(delta: lossParameter)
        case 2: loss = .epsilonInsensitive(epsilon: lossParameter)
        case 3: loss = .quantile(tau: lossParameter)
        default: throw ModelStateError(offset: at, reason: "unknown loss tag \(lossTag)")
        }
        let ruleAt = reader.offset
        let ruleTag = try reader.readUInt8()
        let a = try reader.readDouble()
        let b = try reader.readDouble()
        let c = try reader.readDouble()
        let rule: UpdateRule
        switch ruleTag {
        case 0: rule = .constant(learningRate: a)
        case 1: rule = .inverseScaling(learningRate: a, power: b)
        case 2: rule = .adaGrad(learningRate: a)
        case 3: rule = .adam(learningRate: a, beta1: b, beta2: c)
        case 4: rule = .normalizedAdaptive(learningRate: a)
        default: throw ModelStateError(offset: ruleAt, reason: "unknown update rule tag \(ruleTag)")
        }
        let l1 = try reader.readDouble()
        let l2 = try reader.readDouble()
        let clip = try reader.readDouble()
        let fit = try reader.readBool()
        self.init(loss: loss, updateRule: rule, l1: l1, l2: l2, gradientClip: clip, fitIntercept: fit)
        guard isValid else { throw ModelStateError(offset: at, reason: "invalid sgd options \(self)") }
    }
}

/// Feature access shared by the dense and sparse paths, so one generic body serves both and the
/// optimizer specializes it for each.
protocol FeatureSource {
    var count: Int { get }
    func index(_ k: Int) -> Int
    func value(_ k: Int) -> Double
    var allFinite: Bool { get }
}

struct DenseFeatures: FeatureSource {
    let values: UnsafeBufferPointer<Double>
    init(values: UnsafeBufferPointer<Double>) { self.values = values }
    var count: Int { values.count }
    func index(_ k: Int) -> Int { k }
    func value(_ k: Int) -> Double { values[k] }
    var allFinite: Bool {
        for v in values where !v.isFinite { return false }
        return true
    }
}

struct SparseFeatures: FeatureSource {
    let indices: UnsafeBufferPointer<Int>
    let values: UnsafeBufferPointer<Double>
    init(indices: UnsafeBufferPointer<Int>, values: UnsafeBufferPointer<Double>, bound: Int) {
        for i in indices { precondition(i >= 0 && i < bound, "feature index \(i) outside 0..<\(bound)") }
        self.indices = indices
        self.values = values
    }
    var count: Int { values.count }
    func index(_ k: Int) -> Int { indices[k] }
    func value(_ k: Int) -> Double { values[k] }
    var allFinite: Bool {
        for v in values where !v.isFinite { return false }
        return true
    }
}
